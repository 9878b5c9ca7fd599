"""Extract one article or many: provider lifecycle, bounded concurrency, failures kept apart."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.articles import load_articles
from summarizer.cassettes import cassette_path, recording
from summarizer.config import ProviderConfig, resolve_config
from summarizer.errors import ConfigError, SummarizerError
from summarizer.llm import LLM
from summarizer.local import default_model_path, llama_server
from summarizer.models import Article, Extraction, ExtractionMeta, Failure, Usage
from summarizer.prompts import PromptTemplate, load_prompt

log = logging.getLogger(__name__)
DEFAULT_CONCURRENCY = 4


@dataclass
class ExtractionRun:
    """The outcome of a batch: one extraction or one failure per input, nothing dropped."""

    extractions: list[Extraction] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    config: ProviderConfig | None = None

    @property
    def usage(self) -> Usage:
        """Token usage summed over every extraction."""
        total = Usage()
        for item in self.extractions:
            total = total + item.meta.usage
        return total


@contextlib.asynccontextmanager
async def open_llm(
    config: ProviderConfig, *, prompt: PromptTemplate | None = None
) -> AsyncIterator[LLM]:
    """An `LLM` ready to use; for `local`, with llama.cpp's server started and later stopped."""
    if config.provider != "local":
        async with LLM(config, prompt=prompt) as llm:
            yield llm
        return
    model_path = config.model_path or default_model_path()
    with contextlib.ExitStack() as stack:
        server = llama_server(model_path, alias=config.model)
        base_url = await asyncio.to_thread(stack.enter_context, server)
        async with LLM(config.with_base_url(base_url), prompt=prompt) as llm:
            yield llm


def _failure(article: Article, error: Exception) -> Failure:
    return Failure(
        source=article.path, article_id=article.id, error=str(error), kind=type(error).__name__
    )


async def _extract_one(llm: LLM, article: Article) -> Extraction:
    start = time.monotonic()
    result = await llm.extract(article)
    meta = ExtractionMeta(
        article_id=article.id,
        content_hash=article.content_hash,
        provider=llm.config.provider,
        model=llm.config.model,
        prompt_name=llm.prompt.name,
        prompt_version=llm.prompt.version,
        usage=result.usage,
        duration_s=round(time.monotonic() - start, 3),
    )
    return Extraction(article=article, data=result.data, meta=meta)


async def aextract_many(
    articles: Sequence[Article],
    *,
    config: ProviderConfig | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    prompt: PromptTemplate | None = None,
    on_result: Callable[[Extraction | Failure], None] | None = None,
) -> ExtractionRun:
    """Extract many articles concurrently; one article's failure never loses the others.

    Args:
        articles: the articles to extract.
        config: provider configuration (default: `resolve_config()` from the environment).
        concurrency: how many model calls may be in flight at once (at least 1).
        prompt: the prompt template (default: the current version).
        on_result: called with each extraction or failure as it completes.

    Returns:
        Extractions in input order, and one failure per article that could not be extracted.

    Raises:
        ConfigError: the provider cannot be started at all (nothing could be extracted).
    """
    if concurrency < 1:
        raise ConfigError(f"concurrency must be at least 1, not {concurrency}")
    config = config or resolve_config()
    run = ExtractionRun(config=config)
    if not articles:
        return run
    gate = asyncio.Semaphore(concurrency)
    results: dict[int, Extraction | Failure] = {}

    async def one(index: int, llm: LLM, article: Article) -> None:
        async with gate:
            try:
                outcome: Extraction | Failure = await _extract_one(llm, article)
            except SummarizerError as e:
                outcome = _failure(article, e)
        results[index] = outcome
        if on_result is not None:
            on_result(outcome)

    async with open_llm(config, prompt=prompt) as llm, asyncio.TaskGroup() as group:
        for index, article in enumerate(articles):
            group.create_task(one(index, llm, article))
    for index in range(len(articles)):
        outcome = results[index]
        if isinstance(outcome, Extraction):
            run.extractions.append(outcome)
        else:
            run.failures.append(outcome)
    return run


def extract_many(
    articles: Sequence[Article],
    *,
    config: ProviderConfig | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    prompt: PromptTemplate | None = None,
) -> ExtractionRun:
    """Synchronous `aextract_many`."""
    return asyncio.run(
        aextract_many(articles, config=config, concurrency=concurrency, prompt=prompt)
    )


async def aextract(
    article: Article, *, config: ProviderConfig | None = None, prompt: PromptTemplate | None = None
) -> Extraction:
    """Extract one article.

    Raises:
        LLMError: the extraction failed; the message names the article and the cause.
    """
    config = config or resolve_config()
    async with open_llm(config, prompt=prompt) as llm:
        return await _extract_one(llm, article)


def extract(
    article: Article, *, config: ProviderConfig | None = None, prompt: PromptTemplate | None = None
) -> Extraction:
    """Synchronous `aextract`."""
    return asyncio.run(aextract(article, config=config, prompt=prompt))


def extract_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    config: ProviderConfig | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> ExtractionRun:
    """Load articles from files or folders and extract them; unreadable files become failures."""
    loaded = load_articles(paths)
    run = extract_many(loaded.articles, config=config, concurrency=concurrency)
    run.failures = loaded.failures + run.failures
    return run


async def arecord(
    articles: Sequence[Article],
    *,
    config: ProviderConfig,
    cassette_dir: Path,
    prompt: PromptTemplate | None = None,
    on_result: Callable[[Extraction | Failure], None] | None = None,
) -> ExtractionRun:
    """Extract articles one at a time against a live provider, recording one cassette each."""
    if config.provider == "replay":
        raise ConfigError("recording needs a live provider, not replay")
    run = ExtractionRun(config=config)
    async with open_llm(config, prompt=prompt or load_prompt()) as llm:
        for article in articles:
            outcome: Extraction | Failure
            try:
                with recording(cassette_path(cassette_dir, article.id)):
                    extraction = await _extract_one(llm, article)
                run.extractions.append(extraction)
                outcome = extraction
            except SummarizerError as e:
                outcome = _failure(article, e)
                run.failures.append(outcome)
            if on_result is not None:
                on_result(outcome)
    return run
