"""The recordings: one per article (samples and corpus), real, scrubbed, current, fully used."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
import yaml

from summarizer.articles import load_articles
from summarizer.cassettes import ReplayTransport
from summarizer.chunking import split_chunks
from summarizer.config import resolve_config
from summarizer.errors import ReplayMissError
from summarizer.extract import _extract_one
from summarizer.judgement import marked_text
from summarizer.llm import LLM
from summarizer.models import Article
from summarizer.quotes import harvest_quotes

from .conftest import CASSETTES, ROOT

CORPUS = ROOT.parent / "shared" / "corpus" / "articles"
CORPUS_CASSETTES = CASSETTES / "corpus"


def _sets() -> list[object]:
    """(cassette folder, its articles): the samples, and the corpus when it is here."""
    sets: list[object] = [pytest.param(CASSETTES, ROOT / "articles", id="samples")]
    if CORPUS.is_dir():
        sets.append(pytest.param(CORPUS_CASSETTES, CORPUS, id="corpus"))
    return sets


def _load(folder: Path) -> dict[str, Article]:
    loaded = load_articles([folder])
    assert not loaded.failures
    return {a.id: a for a in loaded.articles}


KEY_LIKE = re.compile(r"sk-[A-Za-z0-9_-]{8,}|Bearer\s+\S+", re.IGNORECASE)
FORBIDDEN_HEADERS = {
    "authorization",
    "cookie",
    "set-cookie",
    "openai-organization",
    "openai-project",
    "api-key",
}


def _interactions(folder: Path, article_id: str) -> list[dict[str, object]]:
    data = yaml.safe_load((folder / f"{article_id}.yaml").read_text(encoding="utf-8"))
    interactions: list[dict[str, object]] = data["interactions"]
    return interactions


@pytest.mark.parametrize(("cassettes", "folder"), _sets())
def test_one_cassette_per_article(cassettes: Path, folder: Path) -> None:
    """Every article has exactly one cassette, and no cassette is orphaned."""
    assert sorted(p.stem for p in cassettes.glob("*.yaml")) == sorted(_load(folder))


def test_cassettes_hold_no_secrets() -> None:
    """No authorization header, cookie, vendor x-* header or key-like string is saved."""
    for path in sorted(CASSETTES.rglob("*.yaml")):
        raw = path.read_text(encoding="utf-8")
        assert not KEY_LIKE.search(raw), f"{path.name}: key-like string"
        for interaction in yaml.safe_load(raw)["interactions"]:
            for part in ("request", "response"):
                names = {n.lower() for n in interaction[part]["headers"]}
                assert not names & FORBIDDEN_HEADERS, f"{path.name}: {names & FORBIDDEN_HEADERS}"
                assert not [n for n in names if n.startswith("x-")], f"{path.name}: x- header"


@pytest.mark.parametrize(("cassettes", "folder"), _sets())
def test_cassettes_are_real_llama_cpp_recordings(cassettes: Path, folder: Path) -> None:
    """Each cassette was answered by llama.cpp's server, with the article text byte-exact:
    the whole (quotes marked) or one of its parts in the article call, a passage of it in
    each quote call."""
    limit = resolve_config().max_input_tokens
    for article_id, article in _load(folder).items():
        parts = [marked_text(t, harvest_quotes(t)) for _, t in split_chunks(article.text, limit)]
        for interaction in _interactions(cassettes, article_id):
            response = interaction["response"]  # type: ignore[index]
            assert response["headers"]["server"] == ["uvicorn"]
            assert "openai-processing-ms" in response["headers"]
            body = json.loads(interaction["request"]["body"])  # type: ignore[index]
            content = body["messages"][1]["content"]
            if "<passage>" in content:
                passage = content.split("<passage>\n", 1)[1].split("\n</passage>", 1)[0]
                assert passage in article.text
            else:
                assert any(part in content for part in parts), f"{article_id}: text not sent as is"


def _replay(article: Article) -> tuple[LLM, ReplayTransport]:
    transport = ReplayTransport(CASSETTES)
    return LLM(resolve_config(), transport=transport), transport


@pytest.mark.parametrize(("cassettes", "folder"), _sets())
def test_recordings_are_current(cassettes: Path, folder: Path) -> None:
    """A prompt or schema change that makes a recording stale fails here, saying to re-record."""
    stale = []
    llm = LLM(resolve_config(cassette_dir=cassettes), transport=ReplayTransport(cassettes))
    for article in _load(folder).values():
        try:
            asyncio.run(_extract_one(llm, article))
        except ReplayMissError:
            stale.append(article.id)
    assert not stale, (
        f"cassettes {stale} no longer match the requests the code sends (the prompt, the schema "
        "or the request options changed). Re-record them: `make cassettes` "
        "(summarizer record articles/ --provider local)"
    )


@pytest.mark.parametrize(("cassettes", "folder"), _sets())
def test_every_recorded_interaction_is_used(cassettes: Path, folder: Path) -> None:
    """Replaying an article plays every interaction of its cassette (re-asks included)."""
    transport = ReplayTransport(cassettes)
    llm = LLM(resolve_config(cassette_dir=cassettes), transport=transport)
    for article in _load(folder).values():
        asyncio.run(_extract_one(llm, article))
    for cassette in transport.cassettes:
        unused = [i for i in range(len(cassette.data)) if not cassette.play_counts[i]]
        assert not unused, f"{cassette._path}: interactions {unused} were never replayed"


def test_a_changed_prompt_is_detected(articles: dict[str, Article]) -> None:
    """Sending anything other than what was recorded is a replay miss, not a wrong answer."""
    article = next(iter(articles.values()))
    changed = article.model_copy(update={"text": article.text + " One more sentence."})
    llm, _ = _replay(changed)
    with pytest.raises(ReplayMissError, match="no recording for article"):
        asyncio.run(_extract_one(llm, changed))


def test_cassette_paths_stay_inside_their_folder(tmp_path: Path) -> None:
    """Ids with slashes or dots become safe, distinct file names inside the folder."""
    from summarizer.cassettes import cassette_path

    paths = {cassette_path(tmp_path, i) for i in ("../escape", "ap/story", "ap_story", "a")}
    assert len(paths) == 4
    assert all(p.parent == tmp_path for p in paths)
    assert cassette_path(tmp_path, "000_a113bbf3b4bae158").name == "000_a113bbf3b4bae158.yaml"
