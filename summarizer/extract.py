"""Extract one article or many: provider lifecycle, bounded concurrency, cache, budget, chunks.

Nothing is dropped: every input ends as an extraction or as a failure with its reason.
The model layer (`summarizer.llm`, and so openai and instructor) is imported only when an
article actually needs a call, so a run answered from the cache starts fast.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.articles import load_articles
from summarizer.cache import Cache, cache_key
from summarizer.chunking import estimate_tokens, merge_chunks, split_chunks
from summarizer.config import ProviderConfig, resolve_config
from summarizer.cost import Budget
from summarizer.errors import ArticleError, BudgetError, ConfigError, LLMError, SummarizerError
from summarizer.models import Article, Extraction, ExtractionMeta, Failure, Usage
from summarizer.prompts import PromptTemplate, load_prompt

if TYPE_CHECKING:
    from summarizer.llm import LLM

log = logging.getLogger(__name__)
DEFAULT_CONCURRENCY = 4
#: Articles estimated above this many tokens are refused outright.
HARD_LIMIT_TOKENS = 100_000


@dataclass
class ExtractionRun:
    """The outcome of a batch: one extraction or one failure per input, nothing dropped."""

    extractions: list[Extraction] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    config: ProviderConfig | None = None
    calls: int = 0
    cache_hits: int = 0

    @property
    def usage(self) -> Usage:
        """Token usage of the extractions (what they cost when they were made)."""
        total = Usage()
        for item in self.extractions:
            total = total + item.meta.usage
        return total

    @property
    def spent(self) -> Usage:
        """Token usage of the calls made in this run: failed articles' calls count, cache
        hits cost nothing."""
        total = Usage()
        for item in self.extractions:
            if not item.meta.cached:
                total = total + item.meta.usage
        for failure in self.failures:
            total = total + failure.usage
        return total


@contextlib.asynccontextmanager
async def open_llm(
    config: ProviderConfig,
    *,
    prompt: PromptTemplate | None = None,
    client: Any = None,
) -> AsyncIterator[LLM]:
    """An `LLM` ready to use; for `local`, with llama.cpp's server started and later stopped.

    `client`: the caller's openai or instructor client (see `summarizer.llm.LLM`).
    """
    from summarizer.llm import LLM
    from summarizer.local import default_model_path, llama_server

    if config.provider != "local":
        async with LLM(config, prompt=prompt, client=client) as llm:
            yield llm
        return
    model_path = config.model_path or default_model_path()
    with contextlib.ExitStack() as stack:
        server = llama_server(model_path, alias=config.model)
        base_url = await asyncio.to_thread(stack.enter_context, server)
        async with LLM(config.with_base_url(base_url), prompt=prompt, client=client) as llm:
            yield llm


def _spent(error: LLMError) -> Usage:
    """What the requests behind a failed extraction cost."""
    return Usage(calls=error.attempts, **error.usage)


def _failure(article: Article, error: Exception) -> Failure:
    return Failure(
        source=article.path,
        article_id=article.id,
        error=str(error),
        kind=type(error).__name__,
        usage=_spent(error) if isinstance(error, LLMError) else Usage(),
    )


def _key(config: ProviderConfig, prompt: PromptTemplate, article: Article) -> str:
    return cache_key(
        article.content_hash,
        config.provider,
        config.model,
        f"{prompt.name}.v{prompt.version}",
        config.base_url,
        context="\x1f".join(
            [
                article.title or "",
                article.source or "",
                article.published.isoformat() if article.published else "",
                # Everything else that changes the request or how the answer is read.
                f"mode={config.mode} temperature={config.temperature} "
                f"max_tokens={config.max_tokens} max_input_tokens={config.max_input_tokens}",
            ]
        ),
    )


def _meta(
    config: ProviderConfig,
    prompt: PromptTemplate,
    article: Article,
    usage: Usage,
    duration_s: float,
    *,
    cached: bool,
) -> ExtractionMeta:
    return ExtractionMeta(
        article_id=article.id,
        content_hash=article.content_hash,
        provider=config.provider,
        model=config.model,
        prompt_name=prompt.name,
        prompt_version=prompt.version,
        usage=usage,
        duration_s=round(duration_s, 3),
        cached=cached,
    )


async def _extract_one(llm: LLM, article: Article, budget: Budget | None = None) -> Extraction:
    """Extract one article, in chunks when it is longer than the model's input budget."""
    tokens = estimate_tokens(article.text)
    if tokens > HARD_LIMIT_TOKENS:
        raise ArticleError(
            article.path,
            f"about {tokens:,} tokens, over the hard limit of "
            f"{HARD_LIMIT_TOKENS:,}; split the article",
        )
    start = time.monotonic()
    # One bound for the whole article, every part and the call in flight included.
    deadline = start + llm.config.max_total_s
    chunks = split_chunks(article.text, llm.config.max_input_tokens)
    parts, usage = [], Usage()
    for index, (_, text) in enumerate(chunks):
        if budget is not None and (reason := budget.exhausted()):
            where = "not sent" if index == 0 else f"stopped after {index} of {len(chunks)} parts"
            raise BudgetError(
                f"{article.path}: {where}: {reason}",
                article_id=article.id,
                attempts=usage.calls,
                usage=usage.tokens(),
            )
        piece = (
            article
            if len(chunks) == 1
            else article.model_copy(update={"id": f"{article.id}#{index + 1}", "text": text})
        )
        try:
            result = await llm.extract(piece, deadline=deadline)
        except LLMError as e:
            failed = _spent(e)
            if budget is not None:  # failed calls cost tokens too
                budget.spend(failed)
            spent = usage + failed  # the parts already extracted count as well
            raise type(e)(
                str(e), article_id=e.article_id, attempts=spent.calls, usage=spent.tokens()
            ) from e
        if budget is not None:
            budget.spend(result.usage)
        parts.append(result.data)
        usage = usage + result.usage
    meta = _meta(llm.config, llm.prompt, article, usage, time.monotonic() - start, cached=False)
    return Extraction(article=article, data=merge_chunks(parts), meta=meta)


async def aextract_many(
    articles: Sequence[Article],
    *,
    config: ProviderConfig | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    prompt: PromptTemplate | None = None,
    on_result: Callable[[Extraction | Failure], None] | None = None,
    cache: Cache | None = None,
    budget: Budget | None = None,
    client: Any = None,
) -> ExtractionRun:
    """Extract many articles concurrently; one article's failure never loses the others.

    Args:
        articles: the articles to extract.
        config: provider configuration (default: `resolve_config()` from the environment).
        concurrency: how many model calls may be in flight at once (at least 1).
        prompt: the prompt template (default: the current version).
        on_result: called with each extraction or failure as it completes.
        cache: answer from and store into this cache (default: no cache).
        budget: stop starting new calls once this token or cost budget is spent.
        client: your own `openai.AsyncOpenAI`, `openai.AsyncAzureOpenAI` or instructor
            client; every call goes through it (its base URL, headers, proxies, HTTP client),
            with its SDK retries turned off on a copy (summarizer retries). `config` still
            names the model, mode, timeouts and retry bounds, and keys the cache.

    Returns:
        Extractions in input order, and one failure per article that could not be extracted.

    Raises:
        ConfigError: the provider cannot be started at all (nothing could be extracted), or
            `client` is not a client summarizer can use.
    """
    if concurrency < 1:
        raise ConfigError(f"concurrency must be at least 1, not {concurrency}")
    config = config or resolve_config()
    prompt = prompt or load_prompt()
    run = ExtractionRun(config=config)
    results: dict[int, Extraction | Failure] = {}

    def done(index: int, outcome: Extraction | Failure) -> None:
        results[index] = outcome
        if on_result is not None:
            on_result(outcome)

    pending: list[int] = []
    for index, article in enumerate(articles):
        hit = cache.get(_key(config, prompt, article)) if cache is not None else None
        if hit is None:
            pending.append(index)
            continue
        run.cache_hits += 1
        meta = _meta(config, prompt, article, hit.usage, hit.duration_s, cached=True)
        done(index, Extraction(article=article, data=hit.data, meta=meta))
    if pending:
        await _run_calls(
            articles, pending, config, prompt, concurrency, cache, budget, done, run, client
        )
    for index in range(len(articles)):
        outcome = results[index]
        (run.extractions if isinstance(outcome, Extraction) else run.failures).append(outcome)  # type: ignore[arg-type]
    return run


def _expected_calls(article: Article, config: ProviderConfig) -> int:
    """About how many calls an article takes, one after another: its parts, each with an
    article call and a call per quotation (opening quote marks are counted, cheaply)."""
    text = article.text
    quotes = text.count("“") + text.count("«") + text.count('"') // 2
    parts = 1 + estimate_tokens(text) // max(config.max_input_tokens, 1)
    return parts * (1 + quotes)


async def _run_calls(
    articles: Sequence[Article],
    pending: list[int],
    config: ProviderConfig,
    prompt: PromptTemplate,
    concurrency: int,
    cache: Cache | None,
    budget: Budget | None,
    done: Callable[[int, Extraction | Failure], None],
    run: ExtractionRun,
    client: Any = None,
) -> None:
    # Longest first: an article's calls run one after another (its article call, then its
    # quote calls), so one with many quotes started last would finish alone at the end.
    queue = collections.deque(sorted(pending, key=lambda i: -_expected_calls(articles[i], config)))
    writes: set[asyncio.Task[object]] = set()

    async def worker(llm: LLM) -> None:
        # A worker goes straight from one answer to its next request, with no wait in
        # between: a semaphore would queue the next call behind every other answer that
        # arrived at the same moment, and calls would move in lockstep.
        while queue:
            index = queue.popleft()
            article = articles[index]
            try:
                outcome: Extraction | Failure = await _extract_one(llm, article, budget)
            except SummarizerError as e:
                outcome = _failure(article, e)
            if cache is not None and isinstance(outcome, Extraction):
                # In a thread, not awaited here: a cache file another run holds locked
                # must not stall the calls. Every write is awaited before the run ends.
                write = asyncio.create_task(
                    asyncio.to_thread(
                        cache.put,
                        _key(config, prompt, article),
                        content_hash=article.content_hash,
                        provider=config.provider,
                        model=config.model,
                        prompt=f"{prompt.name}.v{prompt.version}",
                        data=outcome.data,
                        usage=outcome.meta.usage,
                        duration_s=outcome.meta.duration_s,
                    )
                )
                writes.add(write)
                write.add_done_callback(writes.discard)
            done(index, outcome)

    async with open_llm(config, prompt=prompt, client=client) as llm:
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(min(concurrency, len(pending))):
                    group.create_task(worker(llm))
        finally:
            if writes:
                await asyncio.gather(*writes, return_exceptions=True)
        run.calls += llm.http_attempts


def extract_many(
    articles: Sequence[Article],
    *,
    config: ProviderConfig | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    prompt: PromptTemplate | None = None,
    cache: Cache | None = None,
    budget: Budget | None = None,
    client: Any = None,
) -> ExtractionRun:
    """Synchronous `aextract_many` (`client` must be an async client: it runs on the event
    loop this call starts)."""
    return asyncio.run(
        aextract_many(
            articles,
            config=config,
            concurrency=concurrency,
            prompt=prompt,
            cache=cache,
            budget=budget,
            client=client,
        )
    )


async def aextract(
    article: Article,
    *,
    config: ProviderConfig | None = None,
    prompt: PromptTemplate | None = None,
    client: Any = None,
) -> Extraction:
    """Extract one article (`client` as in `aextract_many`).

    Raises:
        LLMError: the extraction failed; the message names the article and the cause.
    """
    config = config or resolve_config()
    async with open_llm(config, prompt=prompt, client=client) as llm:
        return await _extract_one(llm, article)


def extract(
    article: Article,
    *,
    config: ProviderConfig | None = None,
    prompt: PromptTemplate | None = None,
    client: Any = None,
) -> Extraction:
    """Synchronous `aextract`."""
    return asyncio.run(aextract(article, config=config, prompt=prompt, client=client))


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
    from summarizer.cassettes import cassette_path, recording

    if config.provider == "replay":
        raise ConfigError("recording needs a live provider, not replay")
    run = ExtractionRun(config=config)
    # vcrpy records by patching httpx2, which the openai client sends on.
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
