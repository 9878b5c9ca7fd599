"""The whole job: load, extract, ground, merge. `brief()` is the library's front door."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.articles import LoadResult, load_articles
from summarizer.cache import Cache, grounded_key
from summarizer.config import ProviderConfig, resolve_config
from summarizer.cost import Budget, cost_usd, load_prices
from summarizer.errors import SummarizerError
from summarizer.extract import DEFAULT_CONCURRENCY, ExtractionRun, aextract_many
from summarizer.ground import ground
from summarizer.merge import merge
from summarizer.models import (
    Article,
    ArticleUsage,
    Briefing,
    Extraction,
    Failure,
    GroundedArticle,
)
from summarizer.pagecache import PageCache
from summarizer.web import WebOptions, aload_web
from summarizer.wire import wire_reports


async def aload_inputs(
    inputs: Iterable[str | os.PathLike[str]],
    *,
    feeds: Sequence[str] = (),
    web: WebOptions | None = None,
    page_cache: PageCache | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    on_note: Callable[[str], None] | None = None,
    skip: Collection[Path] = (),
) -> LoadResult:
    """Articles from files, folders, page URLs and feeds; one failure per unusable input.

    Args:
        inputs: files, folders, or http(s) URLs of article pages.
        feeds: feed URLs, files listing feeds, or OPML files (`feeds.feed_urls`).
        web: fetch limits, the feed window and the text limit.
        page_cache: fetched pages are answered from and stored here.
        on_failure: called with each failure as it happens.
        on_note: called with what was left out (duplicates, undated feed items).
        skip: files a folder may hold that are not inputs (the brief being written).

    Returns:
        Files' articles first, then the web's; failures in the same order.
    """
    from summarizer.fetch import is_url

    items = [str(i) if isinstance(i, str) else os.fspath(i) for i in inputs]
    urls = [i for i in items if is_url(i)]
    files = [i for i in items if not is_url(i)]
    loaded = load_articles(files, skip=skip) if files else LoadResult()
    if on_failure is not None:
        for failure in loaded.failures:
            on_failure(failure)
    if urls or feeds:
        got = await aload_web(
            urls, feeds, options=web, page_cache=page_cache, on_failure=on_failure
        )
        ids = {a.id for a in loaded.articles}
        loaded.articles += [
            a.model_copy(update={"id": f"web/{a.id}"}) if a.id in ids else a for a in got.articles
        ]
        loaded.failures += got.failures
        if on_note is not None:
            for note in got.notes:
                on_note(note)
    return loaded


@dataclass
class BriefResult:
    """The brief, the extraction run behind it, and the article texts (for HTML)."""

    briefing: Briefing
    run: ExtractionRun
    texts: dict[str, str]


def briefing_from(
    run: ExtractionRun,
    *,
    prices: dict[str, tuple[float, float]] | None = None,
    grounded: dict[int, GroundedArticle] | None = None,
) -> Briefing:
    """Ground and merge a finished extraction run. Deterministic: no model, no clock.

    Args:
        run: the extractions and failures.
        prices: USD per million tokens by model (default: built-in table + SUMMARIZER_PRICES).
        grounded: extractions already grounded, by `id()` of the extraction (`abrief`
            grounds each as its answer arrives); the rest are grounded here.
    """
    grounded = grounded or {}
    prices = load_prices() if prices is None else prices
    prompts = {f"{e.meta.prompt_name}.v{e.meta.prompt_version}" for e in run.extractions}
    models = {f"{e.meta.provider}/{e.meta.model}" for e in run.extractions}
    per_article = [
        ArticleUsage(
            article_id=e.article.id,
            model=e.meta.model,
            usage=e.meta.usage,
            cost_usd=cost_usd(e.meta.model, e.meta.usage, prices),
            cached=e.meta.cached,
        )
        for e in run.extractions
    ]
    model = run.config.model if run.config is not None else ""
    per_article += [
        ArticleUsage(
            article_id=f.article_id or f.source,
            model=model,
            usage=f.usage,
            cost_usd=cost_usd(model, f.usage, prices),
            failed=True,
        )
        for f in run.failures
        if f.usage.calls or f.usage.total_tokens
    ]
    reports = wire_reports({e.article.id: e.article.text for e in run.extractions})
    return merge(
        [grounded.get(id(e)) or ground(e) for e in run.extractions],
        failures=run.failures,
        prompts=prompts,
        models=models,
        usage=run.spent,
        article_usage=per_article,
        reports=reports,
    )


def _inputs(inputs: object) -> list[str | os.PathLike[str] | Article]:
    """The inputs as a list. One `str` or `Path` is one path (never its characters)."""
    if isinstance(inputs, str | os.PathLike):
        return [inputs]
    if isinstance(inputs, bytes) or not isinstance(inputs, Iterable):
        raise SummarizerError(
            f"inputs must be a path or a list of paths or Articles, not {type(inputs).__name__}"
        )
    items = list(inputs)
    wrong = [i for i in items if not isinstance(i, str | os.PathLike | Article)]
    if wrong:
        raise SummarizerError(
            f"each input must be a path (str or Path) or an Article, not "
            f"{type(wrong[0]).__name__} ({wrong[0]!r:.60})"
        )
    return items


async def abrief(
    inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | Sequence[Article],
    *,
    config: ProviderConfig | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_result: Callable[[Extraction | Failure], None] | None = None,
    cache: Cache | None = None,
    budget: Budget | None = None,
    prices: dict[str, tuple[float, float]] | None = None,
    feeds: Sequence[str] = (),
    web: WebOptions | None = None,
    page_cache: PageCache | None = None,
    client: Any = None,
) -> BriefResult:
    """Make the brief from files, folders, page URLs, feeds or `Article` objects.

    Args:
        inputs: one path or URL, or paths (files or folders), http(s) URLs of article
            pages, or already-loaded articles.
        config: provider configuration (default: resolved from the environment).
        concurrency: model calls in flight at once.
        on_result: called with each extraction or failure as it completes.
        cache: answer from and store into this extraction cache.
        budget: stop starting model calls once this budget is spent.
        prices: USD per million tokens by model, for the cost in the metadata.
        feeds: feed URLs, files listing feeds, or OPML files; their items in `web.since`
            are fetched and briefed.
        web: fetch limits and the feed window.
        page_cache: fetched pages are answered from and stored here.
        client: your own `openai.AsyncOpenAI`, `openai.AsyncAzureOpenAI` or instructor
            client; every model call goes through it (see `aextract_many`).

    Returns:
        A `BriefResult`; articles that failed are listed in `briefing.failures`.

    Raises:
        SummarizerError: `inputs` is not a path, nor a list of paths or articles.
    """
    items = _inputs(inputs)
    articles = [i for i in items if isinstance(i, Article)]
    failures: list[Failure] = []
    paths = [i for i in items if not isinstance(i, Article)]
    if paths or feeds:
        loaded = await aload_inputs(paths, feeds=feeds, web=web, page_cache=page_cache)
        articles += loaded.articles
        failures = loaded.failures
        if on_result is not None:
            for failure in failures:
                on_result(failure)
    grounded: dict[int, GroundedArticle] = {}

    def arrived(outcome: Extraction | Failure) -> None:
        # Grounding is pure CPU: done as each answer arrives, it hides behind the calls
        # still in flight instead of running after the last one.
        if isinstance(outcome, Extraction):
            grounded[id(outcome)] = ground_cached(outcome, cache)
        if on_result is not None:
            on_result(outcome)

    run = await aextract_many(
        articles,
        config=config or resolve_config(),
        concurrency=concurrency,
        on_result=arrived,
        cache=cache,
        budget=budget,
        client=client,
    )
    run.failures = failures + run.failures
    return BriefResult(
        briefing=briefing_from(run, prices=prices, grounded=grounded),
        run=run,
        texts={a.id: a.text for a in articles},
    )


def ground_cached(extraction: Extraction, cache: Cache | None) -> GroundedArticle:
    """ground(extraction), read from the cache when this code grounded the same article and
    answer before (a re-run), and stored there otherwise."""
    if cache is None:
        return ground(extraction)
    key = grounded_key(extraction)
    found = cache.get_grounded(key)
    if found is None:
        found = ground(extraction)
        cache.put_grounded(key, found)
    return found


def brief(
    inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | Sequence[Article],
    *,
    config: ProviderConfig | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    cache: Cache | None = None,
    budget: Budget | None = None,
    prices: dict[str, tuple[float, float]] | None = None,
    feeds: Sequence[str] = (),
    web: WebOptions | None = None,
    page_cache: PageCache | None = None,
    client: Any = None,
) -> BriefResult:
    """Synchronous `abrief` (`client` must be an async client)."""
    return asyncio.run(
        abrief(
            inputs,
            config=config,
            concurrency=concurrency,
            cache=cache,
            budget=budget,
            prices=prices,
            feeds=feeds,
            web=web,
            page_cache=page_cache,
            client=client,
        )
    )
