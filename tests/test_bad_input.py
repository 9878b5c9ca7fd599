"""Bad input, each handled or refused with one line naming the file; HTML output inert."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import summarizer.articles as articles_module
from summarizer import briefing_from, render_html
from summarizer.articles import load_articles
from summarizer.extract import ExtractionRun

from .test_cli import cli
from .test_ground import make


def test_twenty_megabyte_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    """A 20 MB file is over the size limit: one line names it; the others still load."""
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(20 * 1024 * 1024)
    (tmp_path / "ok.txt").write_text("Iraq received 150 detainees.", "utf-8")
    loaded = load_articles([tmp_path])
    assert [a.id for a in loaded.articles] == ["ok"]
    assert loaded.failures[0].error == (
        f"{big}: file is 20,971,520 bytes, over the 2,000,000 limit"
    )


def test_a_thousand_files(tmp_path: Path) -> None:
    """A folder of 1,000 articles loads them all, in name order."""
    for i in range(1000):
        (tmp_path / f"{i:04d}.txt").write_text(f"Article number {i}.", "utf-8")
    loaded = load_articles([tmp_path])
    assert len(loaded.articles) == 1000
    assert loaded.articles[0].id == "0000"
    assert loaded.articles[-1].id == "0999"


def test_symlink_loops(tmp_path: Path) -> None:
    """A folder linking to itself is not followed; a file link loop is one clear error."""
    (tmp_path / "ok.txt").write_text("Fine.", "utf-8")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    loaded = load_articles([tmp_path])
    assert [a.id for a in loaded.articles] == ["ok"]
    assert len(loaded.failures) == 2
    assert all("cannot read" in f.error for f in loaded.failures)


def test_file_vanishing_mid_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file deleted after the folder was listed is reported; the rest load."""
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(f"Article {name}.", "utf-8")
    real = articles_module._read_items

    def deleting(path: Path, *args: object) -> list[object]:
        if path.name == "a.txt":
            (tmp_path / "b.txt").unlink()
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(articles_module, "_read_items", deleting)
    loaded = load_articles([tmp_path])
    assert [a.id for a in loaded.articles] == ["a", "c"]
    assert loaded.failures[0].error == f"{tmp_path / 'b.txt'}: no such file or folder"


def test_user_mistakes_show_no_traceback_unless_debug(tmp_path: Path) -> None:
    """A missing path is one line; --debug adds the traceback of a usage error."""
    done = cli("brief", str(tmp_path / "nope"), "-o", str(tmp_path / "brief.md"))
    assert done.returncode == 2
    assert done.stderr.count("no such file or folder") == 1
    assert done.stderr.splitlines()[-1] == (
        "summarizer: error: no article could be read from the paths given; nothing was done"
    )
    assert not (tmp_path / "brief.md").exists()
    assert "Traceback" not in done.stderr
    plain = cli("extract", "articles/", "--provider", "openai")
    assert plain.returncode == 2
    assert "Traceback" not in plain.stderr
    debug = cli("--debug", "extract", "articles/", "--provider", "openai")
    assert "Traceback" in debug.stderr


HOSTILE = (
    "<script>document.title='pwned'</script> Officials said “<img src=x "
    "onerror=\"document.body.setAttribute('data-pwned','1')\">” on Tuesday."
)


def _hostile_page(tmp_path: Path) -> Path:
    extraction = make(HOSTILE, headline="<b onmouseover=alert(1)>H</b>")
    run = ExtractionRun(extractions=[extraction])
    page = tmp_path / "brief.html"
    texts = {extraction.article.id: HOSTILE}
    page.write_text(render_html(briefing_from(run), texts), "utf-8")
    assert "<script>" not in page.read_text()
    return page


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed")
def test_html_is_inert_in_a_real_browser(tmp_path: Path) -> None:
    """Headless Chromium loads the brief of a hostile article; none of its markup runs."""
    page = _hostile_page(tmp_path)
    dom = subprocess.run(
        [
            shutil.which("chromium") or "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ},
    ).stdout
    assert "<title>Morning brief</title>" in dom
    assert "data-pwned" not in dom.replace("setAttribute('data-pwned'", "")
    assert "&lt;script&gt;" in dom


def test_unwritable_output_is_one_line(tmp_path: Path) -> None:
    """-o pointing at a folder, or somewhere unwritable, is a usage error without traceback."""
    for target in (tmp_path, Path("/proc/brief.md")):
        done = cli("brief", "articles/003_b31ba89555d7fd13.txt", "-o", str(target))
        assert done.returncode == 2
        assert "Traceback" not in done.stderr
        assert str(target) in done.stderr
