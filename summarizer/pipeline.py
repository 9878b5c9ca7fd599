"""The whole job: load, extract, ground, merge. `brief()` is the library's front door."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from summarizer.articles import load_articles
from summarizer.cache import Cache
from summarizer.config import ProviderConfig, resolve_config
from summarizer.cost import Budget, cost_usd, load_prices
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
    return merge(
        [grounded.get(id(e)) or ground(e) for e in run.extractions],
        failures=run.failures,
        prompts=prompts,
        models=models,
        usage=run.spent,
        article_usage=per_article,
    )


async def abrief(
    inputs: Iterable[str | os.PathLike[str]] | Sequence[Article],
    *,
    config: ProviderConfig | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_result: Callable[[Extraction | Failure], None] | None = None,
    cache: Cache | None = None,
    budget: Budget | None = None,
    prices: dict[str, tuple[float, float]] | None = None,
    client: Any = None,
) -> BriefResult:
    """Make the brief from files, folders or `Article` objects.

    Args:
        inputs: paths (files or folders) or already-loaded articles.
        config: provider configuration (default: resolved from the environment).
        concurrency: model calls in flight at once.
        on_result: called with each extraction or failure as it completes.
        cache: answer from and store into this extraction cache.
        budget: stop starting model calls once this budget is spent.
        prices: USD per million tokens by model, for the cost in the metadata.
        client: your own `openai.AsyncOpenAI`, `openai.AsyncAzureOpenAI` or instructor
            client; every model call goes through it (see `aextract_many`).

    Returns:
        A `BriefResult`; articles that failed are listed in `briefing.failures`.
    """
    items = list(inputs)
    articles = [i for i in items if isinstance(i, Article)]
    failures: list[Failure] = []
    paths = [i for i in items if not isinstance(i, Article)]
    if paths:
        loaded = load_articles(paths)
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
            grounded[id(outcome)] = ground(outcome)
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


def brief(
    inputs: Iterable[str | os.PathLike[str]] | Sequence[Article],
    *,
    config: ProviderConfig | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    cache: Cache | None = None,
    budget: Budget | None = None,
    prices: dict[str, tuple[float, float]] | None = None,
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
            client=client,
        )
    )
