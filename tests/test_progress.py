"""The progress bar: drawn on a terminal only, silenced by --quiet, counting what it says."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from summarizer.models import Failure, Usage
from summarizer.progress import RunProgress

from .conftest import ROOT


def _run_on_a_terminal(*args: str, tmp_path: Path) -> str:
    """Run `python -m summarizer ARGS` with stderr on a pseudo-terminal; return what it drew."""
    primary, secondary = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        stdout=subprocess.DEVNULL,
        stderr=secondary,
        cwd=ROOT,
        env={**os.environ, "SUMMARIZER_HOME": str(tmp_path), "COLUMNS": "120", "TERM": "xterm"},
        check=False,
        timeout=120,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal is closed once everything was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    assert done.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_the_bar_is_drawn_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal the bar shows done/total, failures and tokens; the summary follows."""
    drawn = _run_on_a_terminal(
        "brief", "articles/", "--no-cache", "-o", str(tmp_path / "b.md"), tmp_path=tmp_path
    )
    assert "extracting" in drawn
    assert "5/5" in drawn
    assert "failed 0" in drawn
    assert "tok" in drawn
    assert "5 extracted" in drawn


def test_quiet_draws_nothing(tmp_path: Path) -> None:
    """--quiet silences the bar and the summary, on a terminal too."""
    drawn = _run_on_a_terminal(
        "brief", "articles/", "--no-cache", "-q", "-o", str(tmp_path / "b.md"), tmp_path=tmp_path
    )
    assert "extracting" not in drawn
    assert "extracted" not in drawn


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    """Piped stderr (CI logs) gets the summary line only."""
    out = tmp_path / "b.md"
    done = subprocess.run(
        [sys.executable, "-m", "summarizer", "brief", "articles/", "--no-cache", "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "SUMMARIZER_HOME": str(tmp_path)},
        check=False,
        timeout=120,
    )
    assert done.returncode == 0
    assert "extracting" not in done.stderr
    assert "5 extracted" in done.stderr


def test_counts_include_failures_and_their_tokens() -> None:
    """Failed articles count as done and failed, and the tokens they cost are shown."""
    progress = RunProgress(2, quiet=True)
    spent = Usage(prompt_tokens=10, completion_tokens=5, total_tokens=15, calls=1)
    progress.update(Failure(source="a.txt", error="a.txt: broke", kind="LLMError", usage=spent))
    progress.update(Failure(source="b.txt", error="b.txt: unreadable", kind="ArticleError"))
    assert (progress.done, progress.failed, progress.tokens) == (2, 2, 15)
    assert not progress.enabled
