"""The recordings: one per sample article, real, scrubbed, current and fully used."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
import yaml

from summarizer.cassettes import ReplayTransport
from summarizer.config import resolve_config
from summarizer.errors import ReplayMissError
from summarizer.llm import LLM
from summarizer.models import Article

from .conftest import CASSETTES

KEY_LIKE = re.compile(r"sk-[A-Za-z0-9_-]{8,}|Bearer\s+\S+", re.IGNORECASE)
FORBIDDEN_HEADERS = {
    "authorization",
    "cookie",
    "set-cookie",
    "openai-organization",
    "openai-project",
    "api-key",
}


def _interactions(article_id: str) -> list[dict[str, object]]:
    data = yaml.safe_load((CASSETTES / f"{article_id}.yaml").read_text(encoding="utf-8"))
    interactions: list[dict[str, object]] = data["interactions"]
    return interactions


def test_one_cassette_per_sample_article(articles: dict[str, Article]) -> None:
    """Every sample article has exactly one cassette, and no cassette is orphaned."""
    assert sorted(p.stem for p in CASSETTES.glob("*.yaml")) == sorted(articles)


def test_cassettes_hold_no_secrets() -> None:
    """No authorization header, cookie, vendor x-* header or key-like string is saved."""
    for path in sorted(CASSETTES.glob("*.yaml")):
        raw = path.read_text(encoding="utf-8")
        assert not KEY_LIKE.search(raw), f"{path.name}: key-like string"
        for interaction in yaml.safe_load(raw)["interactions"]:
            for part in ("request", "response"):
                names = {n.lower() for n in interaction[part]["headers"]}
                assert not names & FORBIDDEN_HEADERS, f"{path.name}: {names & FORBIDDEN_HEADERS}"
                assert not [n for n in names if n.startswith("x-")], f"{path.name}: x- header"


def test_cassettes_are_real_llama_cpp_recordings(articles: dict[str, Article]) -> None:
    """Each cassette was answered by llama.cpp's server, with the article text byte-exact."""
    for article_id, article in articles.items():
        for interaction in _interactions(article_id):
            response = interaction["response"]  # type: ignore[index]
            assert response["headers"]["server"] == ["uvicorn"]
            assert "openai-processing-ms" in response["headers"]
            body = json.loads(interaction["request"]["body"])  # type: ignore[index]
            assert article.text in body["messages"][1]["content"]


def _replay(article: Article) -> tuple[LLM, ReplayTransport]:
    transport = ReplayTransport(CASSETTES)
    return LLM(resolve_config(), transport=transport), transport


def test_recordings_are_current(articles: dict[str, Article]) -> None:
    """A prompt or schema change that makes a recording stale fails here, saying to re-record."""
    stale = []
    for article in articles.values():
        llm, _ = _replay(article)
        try:
            asyncio.run(llm.extract(article))
        except ReplayMissError:
            stale.append(article.id)
    assert not stale, (
        f"cassettes {stale} no longer match the requests the code sends (the prompt, the schema "
        "or the request options changed). Re-record them: `make cassettes` "
        "(summarizer record articles/ --provider local)"
    )


def test_every_recorded_interaction_is_used(articles: dict[str, Article]) -> None:
    """Replaying an article plays every interaction of its cassette (re-asks included)."""
    transport = ReplayTransport(CASSETTES)
    llm = LLM(resolve_config(), transport=transport)
    for article in articles.values():
        asyncio.run(llm.extract(article))
    for cassette in transport.cassettes:
        unused = [i for i in range(len(cassette.data)) if not cassette.play_counts[i]]
        assert not unused, f"{cassette._path}: interactions {unused} were never replayed"


def test_a_changed_prompt_is_detected(articles: dict[str, Article]) -> None:
    """Sending anything other than what was recorded is a replay miss, not a wrong answer."""
    article = next(iter(articles.values()))
    changed = article.model_copy(update={"text": article.text + " One more sentence."})
    llm, _ = _replay(changed)
    with pytest.raises(ReplayMissError, match="no recording for article"):
        asyncio.run(llm.extract(changed))


def test_cassette_paths_stay_inside_their_folder(tmp_path: Path) -> None:
    """Ids with slashes or dots become safe, distinct file names inside the folder."""
    from summarizer.cassettes import cassette_path

    paths = {cassette_path(tmp_path, i) for i in ("../escape", "ap/story", "ap_story", "a")}
    assert len(paths) == 4
    assert all(p.parent == tmp_path for p in paths)
    assert cassette_path(tmp_path, "000_a113bbf3b4bae158").name == "000_a113bbf3b4bae158.yaml"
