"""The SQLite extraction cache: keys, hits, sharing between processes, CLI commands."""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
from pathlib import Path

import pytest

import summarizer.cache
from summarizer import brief, pipeline
from summarizer.articles import load_articles
from summarizer.cache import Cache, cache_key
from summarizer.config import resolve_config
from summarizer.extract import _key
from summarizer.models import ArticleExtraction, Extraction, GroundedArticle, Usage
from summarizer.prompts import load_prompt

from .conftest import ARTICLES
from .test_cli import cli

DATA = ArticleExtraction(headline="H", summary="S.", actors=[], quotes=[], figures=[], dates=[])


def test_key_covers_content_provider_model_prompt_and_schema() -> None:
    """Changing any part of the key gives a different key."""
    base = cache_key("hash", "openai", "gpt-4o-mini", "extract_article.v1")
    variants = [
        cache_key("other", "openai", "gpt-4o-mini", "extract_article.v1"),
        cache_key("hash", "local", "gpt-4o-mini", "extract_article.v1"),
        cache_key("hash", "openai", "gpt-4o", "extract_article.v1"),
        cache_key("hash", "openai", "gpt-4o-mini", "extract_article.v2"),
        cache_key("hash", "openai", "gpt-4o-mini", "extract_article.v1", schema_version="1"),
        cache_key("hash", "openai", "gpt-4o-mini", "extract_article.v1", context="New title"),
    ]
    assert len({base, *variants}) == 7


def test_put_then_get(tmp_path: Path) -> None:
    """A stored extraction comes back equal, with its usage; a missing key is a miss."""
    with Cache(tmp_path / "c.sqlite") as cache:
        cache.put(
            "k",
            content_hash="h",
            provider="p",
            model="m",
            prompt="x.v1",
            data=DATA,
            usage=Usage(total_tokens=7, calls=1),
            duration_s=1.5,
        )
        hit = cache.get("k")
        assert hit is not None
        assert hit.data == DATA
        assert hit.usage.total_tokens == 7
        assert cache.get("nope") is None
        assert (cache.hits, cache.misses) == (1, 1)


def test_second_brief_makes_no_model_call(tmp_path: Path) -> None:
    """Running the same brief twice: the second run is answered from the cache entirely."""
    path = tmp_path / "cache.sqlite"
    with Cache(path) as cache:
        first = brief([ARTICLES], cache=cache)
    with Cache(path) as cache:
        second = brief([ARTICLES], cache=cache)
    assert first.run.calls == 16  # 5 article calls and 11 quote calls
    assert (second.run.calls, second.run.cache_hits) == (0, 5)
    assert second.briefing.stories == first.briefing.stories
    assert second.briefing.sources == first.briefing.sources
    # The metadata says the second run spent nothing, and what each extraction cost when made.
    assert first.briefing.meta.usage.total_tokens > 0
    assert second.briefing.meta.usage == Usage()
    assert second.briefing.meta.cost_usd is None
    assert [a.cached for a in second.briefing.meta.articles] == [True] * 5
    assert [a.usage for a in second.briefing.meta.articles] == [
        a.usage for a in first.briefing.meta.articles
    ]


def test_a_rerun_reads_grounded_articles_and_new_code_grounds_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second brief takes each grounded article from the cache (no grounding, same brief);
    with other code (another fingerprint) or a row that no longer validates, it grounds."""
    path = tmp_path / "cache.sqlite"
    grounded: list[str] = []
    real = pipeline.ground

    def counting(extraction: Extraction) -> GroundedArticle:
        grounded.append(extraction.article.id)
        return real(extraction)

    monkeypatch.setattr(pipeline, "ground", counting)
    with Cache(path) as cache:
        first = brief([ARTICLES], cache=cache)
    assert len(grounded) == 5
    with Cache(path) as cache:
        second = brief([ARTICLES], cache=cache)
    assert len(grounded) == 5
    assert second.briefing.stories == first.briefing.stories
    monkeypatch.setattr(summarizer.cache, "code_fingerprint", lambda: "other code")
    with Cache(path) as cache:
        brief([ARTICLES], cache=cache)
    assert len(grounded) == 10
    with sqlite3.connect(path) as db:
        db.execute("UPDATE grounded SET data = '{}'")
    with Cache(path) as cache:
        third = brief([ARTICLES], cache=cache)
    assert len(grounded) == 15
    assert third.briefing.stories == first.briefing.stories


def test_the_code_fingerprint_covers_code_and_data() -> None:
    """The fingerprint is a hash over the package's modules and its data files."""
    fingerprint = summarizer.cache.code_fingerprint()
    assert len(fingerprint) == 64
    assert fingerprint == summarizer.cache.code_fingerprint()
    assert "rapidfuzz" in summarizer.cache._GROUNDING_LIBRARIES  # fuzzy quote matching


def _writer(path: str, start: int) -> None:
    with Cache(Path(path)) as cache:
        for i in range(start, start + 50):
            cache.put(
                f"k{i}",
                content_hash="h",
                provider="p",
                model="m",
                prompt="x.v1",
                data=DATA,
                usage=Usage(),
                duration_s=0.0,
            )


def test_concurrent_processes_share_one_file(tmp_path: Path) -> None:
    """Four processes writing one cache file at once leave every row readable."""
    path = tmp_path / "shared.sqlite"
    Cache(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), n * 50)) for n in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with Cache(path) as cache:
        assert cache.stats().entries == 200
        assert all(cache.get(f"k{i}") is not None for i in range(200))


def test_cache_commands(tmp_path: Path) -> None:
    """`cache stats` counts the rows `brief` stored; `cache clear` empties the file."""
    path = tmp_path / "c.sqlite"
    assert cli("brief", "articles/", "--cache", str(path), "-q").returncode == 0
    stats = cli("cache", "stats", "--cache", str(path))
    assert "5 extractions" in stats.stdout
    assert "replay/qwen2.5-coder-1.5b-instruct: 5" in stats.stdout
    again = cli("brief", "articles/", "--cache", str(path))
    assert "5 from cache, 0 replayed calls" in again.stderr
    with sqlite3.connect(path) as db:  # the CLI keeps grounded articles too
        assert db.execute("SELECT COUNT(*) FROM grounded").fetchone() == (5,)
    assert "removed 5" in cli("cache", "clear", "--cache", str(path)).stdout
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM grounded").fetchone() == (0,)
    assert "0 extractions" in cli("cache", "stats", "--cache", str(path)).stdout


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    """--no-cache leaves no cache file behind."""
    done = cli("brief", "articles/", "--no-cache", env={"SUMMARIZER_HOME": str(tmp_path)})
    assert done.returncode == 0
    assert not list(tmp_path.rglob("*.sqlite"))


def test_a_locked_cache_costs_no_article(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Another run holding the file locked: the brief is still made, the writes are skipped
    after the first failure, and a warning says so."""
    path = tmp_path / "cache.sqlite"
    Cache(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with Cache(path, timeout_s=0.2) as cache:
            made = brief([ARTICLES], cache=cache)
            assert cache.write_errors == 5
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(made.run.extractions) == 5
    assert not made.run.failures
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum("this run goes on without caching" in w for w in warnings) == 1


def test_changed_front_matter_is_a_cache_miss(tmp_path: Path) -> None:
    """The prompt shows the model the title, outlet and date: changing one re-extracts."""
    article = tmp_path / "a.md"
    article.write_text("---\ntitle: Old\n---\nIraq received 150 detainees.", "utf-8")
    config = resolve_config(provider="openai-compatible", base_url="http://x.test/v1", model="m")
    prompt = load_prompt()
    (before,) = load_articles([article]).articles
    article.write_text("---\ntitle: New\n---\nIraq received 150 detainees.", "utf-8")
    (after,) = load_articles([article]).articles
    assert before.content_hash == after.content_hash
    assert _key(config, prompt, before) != _key(config, prompt, after)


def test_cache_commands_do_not_create_a_cache(tmp_path: Path) -> None:
    """`cache stats` and `cache clear` on a path with no cache say so and create nothing."""
    path = tmp_path / "typo" / "c.sqlite"
    assert "no cache yet (0 extractions)" in cli("cache", "stats", "--cache", str(path)).stdout
    assert "nothing to clear" in cli("cache", "clear", "--cache", str(path)).stdout
    assert not (tmp_path / "typo").exists()
