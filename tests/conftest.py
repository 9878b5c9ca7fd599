"""Shared fixtures: an isolated environment for every test, and vcrpy settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.articles import load_articles
from summarizer.cassettes import SCRUBBED_HEADERS
from summarizer.models import Article

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "articles"
CASSETTES = ROOT / "cassettes"
SEEDS = ROOT.parent / "shared" / "seeds"
#: The environment as the test run started, before `_isolated_env` clears it (live tests).
STARTING_ENV = dict(__import__("os").environ)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's keys, servers or caches."""
    import os

    for name in list(os.environ):
        if name.startswith(("SUMMARIZER_", "OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SUMMARIZER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SUMMARIZER_CASSETTE_DIR", str(CASSETTES))


@pytest.fixture(scope="session")
def articles() -> dict[str, Article]:
    """The sample articles, by id."""
    loaded = load_articles([ARTICLES])
    assert not loaded.failures
    return {a.id: a for a in loaded.articles}


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, object]:
    """pytest-recording: match like the library does, scrub like the recorder does."""
    return {
        "match_on": ["method", "path", "body"],
        "filter_headers": sorted(SCRUBBED_HEADERS),
        "decode_compressed_response": True,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    """Cassettes live in the top-level cassettes/ folder, one per article."""
    return str(CASSETTES)
