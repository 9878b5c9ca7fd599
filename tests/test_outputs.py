"""Issue 13: where the brief goes (-o, stdout) and the cache it reads never cost the run."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ARTICLES, ROOT
from .test_cli import cli

SAMPLE = ARTICLES / "000_a113bbf3b4bae158.txt"


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "error:" in line or "warning:" in line]


# Case 12 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["corrupt", "folder", "under a file"])
def test_a_broken_cache_is_one_warning_and_the_run_goes_on(tmp_path: Path, kind: str) -> None:
    """A corrupt file, a folder, or a path that cannot be created at --cache: one warning
    naming it, and the article is still extracted (exit 0)."""
    if kind == "corrupt":
        cache = tmp_path / "cache.sqlite"
        cache.write_bytes(b"this is not a database\n" * 100)
    elif kind == "folder":
        cache = tmp_path / "cache.sqlite"
        cache.mkdir()
    else:
        (tmp_path / "file").write_text("x", "utf-8")
        cache = tmp_path / "file" / "cache.sqlite"
    result = cli("extract", str(SAMPLE), "--cache", str(cache), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "== 000_a113bbf3b4bae158:" in result.stdout
    (warning,) = _errors(result.stderr)
    assert warning.startswith(f"summarizer: warning: {cache}: cannot open the cache")
    assert warning.endswith("this run goes on without the cache")
    assert "1 extracted (0 from cache" in result.stderr


# Case 13 -----------------------------------------------------------------------------------


def test_output_through_a_symlink_writes_its_target(tmp_path: Path) -> None:
    """-o onto a symlink replaces the file it points to; the link stays a link."""
    target = tmp_path / "real" / "brief.md"
    target.parent.mkdir()
    target.write_text("old brief\n", "utf-8")
    link = tmp_path / "latest.md"
    link.symlink_to(target)
    result = cli("brief", str(SAMPLE), "-o", str(link), "-q", "--no-cache", timeout=60)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert target.read_text("utf-8").startswith("# Morning brief")


def test_output_onto_a_fifo_or_device_is_refused(tmp_path: Path) -> None:
    """-o onto a FIFO, or a link to /dev/null, is one line and exit 2; neither is replaced."""
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    result = cli("brief", str(SAMPLE), "-o", str(fifo), "-q", "--no-cache", timeout=60)
    assert result.returncode == 2
    assert _errors(result.stderr) == [
        f"summarizer: error: {fifo}: is not a regular file (a device, FIFO or socket); "
        "give a file name for --output"
    ]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    null = tmp_path / "null.md"
    null.symlink_to("/dev/null")
    result = cli("brief", str(SAMPLE), "-o", str(null), "-q", "--no-cache", timeout=60)
    assert result.returncode == 2
    assert _errors(result.stderr) == [
        "summarizer: error: /dev/null: is not a regular file (a device, FIFO or socket); "
        "give a file name for --output"
    ]
    assert null.is_symlink()
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_stdout_is_one_line_not_a_traceback() -> None:
    """`brief > /dev/full`: one line saying standard output could not be written, exit 2."""
    with open("/dev/full", "w") as full:  # noqa: PTH123 - a device, not a file
        result = subprocess.run(
            [sys.executable, "-m", "summarizer", "brief", str(SAMPLE), "-q", "--no-cache"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            check=False,
            timeout=60,
        )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Exception ignored" not in result.stderr
    assert _errors(result.stderr) == [
        "summarizer: error: cannot write to standard output: No space left on device"
    ]


# Case 14 -----------------------------------------------------------------------------------


def test_the_brief_never_counts_itself(tmp_path: Path) -> None:
    """`brief today/ -o today/brief.md` run twice: the earlier brief is not read as a source."""
    today = tmp_path / "today"
    today.mkdir()
    (today / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    out = today / "brief.md"
    first = cli("brief", str(today), "-o", str(out), "-q", "--no-cache", timeout=60)
    assert first.returncode == 0, first.stderr
    brief_one = out.read_text("utf-8")
    second = cli("brief", str(today), "-o", str(out), "-q", "--no-cache", timeout=60)
    assert second.returncode == 0, second.stderr
    assert out.read_text("utf-8") == brief_one
    assert "brief.md" not in brief_one
    assert "2. " not in brief_one.split("## Sources", 1)[1]


def test_output_onto_an_input_article_is_refused(tmp_path: Path) -> None:
    """-o onto an article (named, or in an input folder): one line, exit 2, article intact."""
    folder = tmp_path / "in"
    folder.mkdir()
    article = folder / SAMPLE.name
    article.write_bytes(SAMPLE.read_bytes())
    for inputs in ([str(article)], [str(folder)]):
        result = cli("brief", *inputs, "-o", str(article), "-q", "--no-cache", timeout=60)
        assert result.returncode == 2
        (line,) = _errors(result.stderr)
        assert line.startswith(f"summarizer: error: {article}: is an input article")
        assert line.endswith("refusing to overwrite it with the brief (give another --output)")
        assert article.read_bytes() == SAMPLE.read_bytes()
