"""The Python API, sync and async, replayed from the recordings of the real local model."""

from __future__ import annotations

import asyncio

import pytest

import summarizer
from summarizer import Article, ReplayMissError, extract, extract_many, extract_paths
from summarizer.ground import ground

from .conftest import ARTICLES


def test_public_api_is_small_and_typed() -> None:
    """`from summarizer import ...` gives the documented surface and the package is typed."""
    for name in (
        "load_articles",
        "extract",
        "aextract",
        "extract_many",
        "aextract_many",
        "resolve_config",
        "Extraction",
        "SummarizerError",
    ):
        assert name in summarizer.__all__
    assert (ARTICLES.parent / "summarizer" / "py.typed").exists()


def test_extract_one_article(articles: dict[str, Article]) -> None:
    """The recorded answers for article 000 (the article call, then one quote call) name its
    two officials; every quote the model judged is verbatim in the text."""
    result = extract(articles["000_a113bbf3b4bae158"])
    assert {a.name for a in result.data.actors} >= {"Fuad Hussein", "Kaja Kallas"}
    for quote in result.data.quotes:
        assert quote.text.rstrip(".") in result.article.text
    assert result.meta.usage.prompt_tokens == 2647
    assert result.meta.usage.calls == 2
    assert result.meta.provider == "replay"


def test_extract_many_keeps_input_order(articles: dict[str, Article]) -> None:
    """Many articles come back in input order, whatever order they finished in."""
    chosen = [articles[k] for k in sorted(articles, reverse=True)]
    run = extract_many(chosen, concurrency=3)
    assert [e.article.id for e in run.extractions] == [a.id for a in chosen]
    assert not run.failures
    assert run.usage.total_tokens == sum(e.meta.usage.total_tokens for e in run.extractions)
    figures = {f.value for f in ground(run.extractions[1]).figures}  # article 003
    assert {150.0, 7000.0} <= figures


def test_async_api(articles: dict[str, Article]) -> None:
    """aextract_many runs inside an event loop the caller owns."""

    async def go() -> list[str]:
        run = await summarizer.aextract_many(list(articles.values()))
        return [e.data.headline for e in run.extractions]

    headlines = asyncio.run(go())
    assert len(headlines) == 5
    assert all(headlines)


def test_missing_recording_fails_alone(articles: dict[str, Article]) -> None:
    """An unrecorded article fails with advice; the others in the batch still extract."""
    new = Article(id="new", path="new.txt", text="Unrecorded.", content_hash="x")
    run = extract_many([articles["004_da7e377536fca962"], new])
    assert [e.article.id for e in run.extractions] == ["004_da7e377536fca962"]
    assert run.failures[0].kind == "ReplayMissError"
    assert "--provider" in run.failures[0].error
    with pytest.raises(ReplayMissError):
        extract(new)


def test_extract_paths_reports_unreadable_files(tmp_path: object) -> None:
    """Loading and extracting in one call keeps load failures beside model failures."""
    run = extract_paths([ARTICLES / "004_da7e377536fca962.txt", ARTICLES / "missing.txt"])
    assert len(run.extractions) == 1
    assert run.failures[0].kind == "ArticleError"
