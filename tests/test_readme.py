"""The README's examples run and its sample output is what the tool prints."""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT
from .test_cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_python_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```python block in the README executes without error from the checkout."""
    monkeypatch.chdir(ROOT)
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})  # noqa: S102 - our own documentation


def _timeless(text: str) -> str:
    return re.sub(r"\d+\.\ds\]", "N.Ns]", text).rstrip("\n")


def test_console_sample_matches_the_tool(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample `summarizer extract` session in the README is the tool's real output."""
    monkeypatch.delenv("SUMMARIZER_CASSETTE_DIR")
    sample = re.search(r"```console\n\$ summarizer (.*?)\n(.*?)```", README, re.S)
    assert sample
    args, shown = sample.group(1).split(), sample.group(2)
    done = cli(*args)
    assert done.returncode == 0
    assert _timeless(shown) == _timeless(done.stderr + done.stdout)


def test_brief_excerpt_matches_the_tool() -> None:
    """The README's excerpt of the sample brief is how the real brief begins."""
    excerpt = re.search(r"```markdown\n(.*?)```", README, re.S)
    assert excerpt
    done = cli("brief", "articles/")
    assert done.returncode == 0
    assert done.stdout.startswith(excerpt.group(1))


def test_eval_table_matches_the_tool() -> None:
    """The README's evaluation table is what `summarizer eval eval/gold` prints now."""
    shown = re.search(r"```text\n(metric.*?)```", README, re.S)
    assert shown
    done = cli("eval", "eval/gold")
    assert done.returncode == 0
    assert done.stdout == shown.group(1)


def test_every_test_named_in_reliability_doc_exists() -> None:
    """docs/RELIABILITY.md names the test behind each promise; each one must exist."""
    doc = (ROOT / "docs" / "RELIABILITY.md").read_text(encoding="utf-8")
    named = 0
    for row in doc.splitlines():
        if not row.startswith("|"):
            continue
        current = None
        for ref in re.findall(r"`([\w/.]+(?:::\w+)?)`", row.split("|")[-2]):
            if "::" in ref:
                file, name = ref.split("::")
                current = ROOT / file
            elif ref.startswith("test_"):
                assert current is not None, f"{ref}: name its file first in the row"
                name = ref
            else:
                continue
            assert re.search(rf"^(async )?def {name}\(", current.read_text("utf-8"), re.M), ref
            named += 1
    assert named > 30


CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.mark.skipif(not (CORPUS / "gold").is_dir(), reason="no development corpus here")
def test_corpus_table_matches_the_tool() -> None:
    """The README's development-corpus table is what `summarizer eval` prints on it now."""
    tables = re.findall(r"```text\n(metric.*?)```", README, re.S)
    assert len(tables) == 2
    done = cli(
        "eval",
        str(CORPUS / "gold"),
        "--articles",
        str(CORPUS / "articles"),
        "--cassettes",
        "cassettes/corpus",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == tables[1]
