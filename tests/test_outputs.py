"""Issue 13: where the brief goes (-o, stdout) and the cache it reads never cost the run."""

from __future__ import annotations

import json
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
    with open("/dev/full", "w") as full:
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


def test_earlier_briefs_in_an_input_folder_are_left_out(tmp_path: Path) -> None:
    """Yesterday's briefs (Markdown, HTML, JSON) lying in the input folder are not articles:
    each is left out with one line, and the brief has one source."""
    today = tmp_path / "today"
    today.mkdir()
    (today / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    for fmt, name in (("md", "old.md"), ("html", "old.html"), ("json", "old.json")):
        made = cli("brief", str(SAMPLE), "-f", fmt, "-o", str(today / name), "-q", "--no-cache")
        assert made.returncode == 0, made.stderr
    done = cli("brief", str(today), "--no-cache", timeout=60)
    assert done.returncode == 0, done.stderr
    left_out = [line for line in done.stderr.splitlines() if "left out" in line]
    assert sorted(left_out) == [
        f"summarizer: {today / name}: a brief summarizer wrote, not an article; left out"
        for name in ("old.html", "old.json", "old.md")
    ]
    assert "2. " not in done.stdout.split("## Sources", 1)[1]


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


# Case 4 ------------------------------------------------------------------------------------

HOSTILE_TEXT = (
    "# Fake heading\n"
    "Officials said “<script>alert(1)</script> the \x1b]0;pwned\x07 strike \u202eevil” on "
    "Monday, when 150 people left. <img src=https://evil.example/x.png> "
    "<style>body{display:none}</style>\n"
)


def _hostile_outputs() -> tuple[str, str, str, str]:
    from summarizer import briefing_from, render_html
    from summarizer.extract import ExtractionRun
    from summarizer.render.json import render_json
    from summarizer.render.markdown import render_markdown
    from summarizer.render.text import extraction_text

    from .test_ground import make

    extraction = make(
        HOSTILE_TEXT,
        headline="\x1b[2J<!-- headline \u202eoverride",
        summary="# Injected heading\n<!-- the rest is hidden\n- a list item\n1. a numbered one",
    )
    briefing = briefing_from(ExtractionRun(extractions=[extraction]))
    return (
        render_markdown(briefing),
        render_html(briefing, {extraction.article.id: HOSTILE_TEXT}),
        render_json(briefing),
        extraction_text(extraction),
    )


def test_markdown_is_escaped_for_markdown() -> None:
    """A model summary or article line cannot make a heading, list, comment or raw tag."""
    md, _, _, _ = _hostile_outputs()
    for line in md.splitlines():
        if line.startswith("#"):
            assert line == "# Morning brief" or line.startswith(("## ", "### ")), line
        assert not line.startswith(("- a list", "1. a numbered")), line
    assert "\\# Injected heading" in md
    for raw in ("<!--", "<script", "<img", "<style"):
        assert raw not in md
    assert "&lt;!-- the rest is hidden" in md


def test_no_terminal_controls_reach_any_format() -> None:
    """ESC sequences and bidi overrides from an article or a model are dropped from Markdown,
    HTML and text, and escaped in JSON (its data unchanged)."""
    md, html, js, text = _hostile_outputs()
    for out in (md, html, js, text):
        assert "\x1b" not in out
        assert "\u202e" not in out
        assert "\x07" not in out
    assert "<script>" not in html
    assert "\\u001b[2J" in js
    assert json.loads(js)["stories"][0]["headline"].startswith(
        "\x1b[2J<!-- headline \u202eoverride"
    )


def test_terminal_controls_in_error_lines_are_escaped(tmp_path: Path) -> None:
    """A file name with an escape sequence reaches stderr escaped, on one line."""
    bad = tmp_path / "x\x1b]0;pwned\x07\u202e.txt"
    bad.write_text("", "utf-8")
    result = cli("brief", str(SAMPLE), str(bad), "-q", "--no-cache", timeout=60)
    assert result.returncode == 1
    assert "\x1b" not in result.stderr
    assert "\u202e" not in result.stderr
    assert f"{tmp_path}/x\\x1b]0;pwned\\x07\\u202e.txt: file is empty" in result.stderr


# Also: Ctrl-C ------------------------------------------------------------------------------


def test_ctrl_c_says_interrupted_and_keeps_the_old_brief(tmp_path: Path) -> None:
    """SIGINT while a model call is in flight: "interrupted" on stderr, exit 130, no
    traceback, and yesterday's brief at -o untouched."""
    import signal
    import time

    from summarizer.testing import FakeServer, ServerThread

    out = tmp_path / "brief.md"
    out.write_text("yesterday's brief\n", "utf-8")
    server = FakeServer(delay=60)
    with ServerThread(server) as thread:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "summarizer",
                "brief",
                str(SAMPLE),
                "-o",
                str(out),
                "--provider",
                "openai-compatible",
                "--base-url",
                thread.base_url,
                "--model",
                "m",
                "--no-cache",
                "-q",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "SUMMARIZER_API_KEY": "sk-test"},
        )
        deadline = time.monotonic() + 60
        while server.in_flight == 0 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.in_flight, proc.communicate(timeout=10)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] == "summarizer: interrupted; nothing was written"
    assert out.read_text("utf-8") == "yesterday's brief\n"


# Also: odd usage ---------------------------------------------------------------------------


def test_odd_usage_counts_are_one_warning_and_the_answer_is_kept() -> None:
    """usage 1e309, "1e309" and -5: one warning line per answer, the article still extracted
    (it failed with "OverflowError: cannot convert float infinity to integer")."""
    from summarizer.testing import FakeServer, ServerThread

    server = FakeServer(faults={1: "odd_usage", 2: "odd_usage"})
    with ServerThread(server) as thread:
        result = cli(
            "extract",
            str(SAMPLE),
            "--provider",
            "openai-compatible",
            "--base-url",
            thread.base_url,
            "--model",
            "m",
            "--no-cache",
            env={"SUMMARIZER_API_KEY": "sk-test"},
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert "== 000_a113bbf3b4bae158:" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if "usage" in line]
    assert warnings == [
        "WARNING summarizer.llm: the server's token usage is not a count (prompt_tokens=inf, "
        "completion_tokens='1e309', total_tokens=-5); counted as 0"
    ] * len(server.log)
    assert "Overflow" not in result.stderr
