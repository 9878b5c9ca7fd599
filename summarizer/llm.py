"""The only module that talks to a model: openai's client, instructor and tenacity live here.

`LLM` turns one article into a validated `ArticleExtraction`:
- instructor re-asks the model a bounded number of times when its answer fails validation;
- tenacity retries 429 (honouring Retry-After), 5xx, connection errors and timeouts with
  exponential backoff and jitter, bounded in attempts and in total time;
- every final failure is an `LLMError` naming the article and the cause.
The openai client's own retries are off so that the attempts counted here are all there are.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpx2
import instructor
import openai
from instructor.core.exceptions import InstructorRetryException
from instructor.v2.core.function_calls import ResponseSchema
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)

from summarizer.cassettes import ReplayMiss, ReplayTransport
from summarizer.config import ProviderConfig
from summarizer.errors import LLMError, ReplayMissError
from summarizer.models import Article, ArticleExtraction, Usage
from summarizer.prompts import PromptTemplate, load_prompt

log = logging.getLogger(__name__)

_MODES = {
    "grammar": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "tools": instructor.Mode.TOOLS,
    "tools_strict": instructor.Mode.TOOLS_STRICT,
    "md_json": instructor.Mode.MD_JSON,
}
_REPLAY_BASE_URL = "http://replay.invalid/v1"


class _Response(ArticleExtraction, ResponseSchema):
    """`ArticleExtraction` as instructor's response model, built once.

    Given a plain model, instructor creates a wrapper class on every call and generates its
    JSON Schema afresh: milliseconds per call, the bulk of the client's CPU at high
    concurrency. A class that already is a `ResponseSchema` is used as it is.
    """


_Response.__name__ = _Response.__qualname__ = "ArticleExtraction"
MAX_RETRY_AFTER_S = 60.0
#: The HTTP requests of the extraction running in this task: retries and re-asks included.
_REQUESTS: ContextVar[list[int] | None] = ContextVar("summarizer_requests", default=None)


@dataclass(frozen=True)
class CallResult:
    """A validated extraction and what it cost."""

    data: ArticleExtraction
    usage: Usage
    attempts: int


def fence(text: str) -> str:
    """Keep article text from closing its own <article> delimiters."""
    return text.replace("<article>", "<article\u200b>").replace("</article>", "</article\u200b>")


def build_messages(article: Article, prompt: PromptTemplate) -> list[dict[str, str]]:
    """The chat messages for one article: the system prompt, then the article as data."""
    system, user = prompt.render(
        article_id=article.id,
        title=article.title or "(none)",
        source=article.source or "(unknown)",
        published=article.published.isoformat() if article.published else "(unknown)",
        text=fence(article.text),
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _cause_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _find(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    return next((e for e in _cause_chain(exc) if isinstance(e, kind)), None)


def is_transient(exc: BaseException) -> bool:
    """True for failures worth retrying: rate limits, 5xx, connection errors, timeouts, and
    a response body that is not JSON at all (cut short in transit).

    A model answer that is JSON but not a valid extraction is not transient: instructor has
    already re-asked the model about it.
    """
    if _find(exc, ReplayMiss) is not None:
        return False
    for err in _cause_chain(exc):
        if isinstance(err, openai.APIStatusError):
            return err.status_code == 429 or err.status_code >= 500
        if isinstance(err, openai.APIConnectionError | httpx2.TransportError | TimeoutError):
            return True
    retry = _find(exc, InstructorRetryException)
    body_unreadable = retry is not None and getattr(retry, "last_completion", None) is None
    return body_unreadable and _find(exc, json.JSONDecodeError) is not None


def _is_rate_limit(exc: BaseException) -> bool:
    return any(
        isinstance(e, openai.APIStatusError) and e.status_code == 429 for e in _cause_chain(exc)
    )


def retry_after_s(exc: BaseException) -> float | None:
    """The server's Retry-After, in seconds, when the failure carries one."""
    for err in _cause_chain(exc):
        if isinstance(err, openai.APIStatusError):
            value = err.response.headers.get("retry-after")
            if value is None:
                return None
            try:
                return min(max(float(value), 0.0), MAX_RETRY_AFTER_S)
            except ValueError:
                return None
    return None


class _Wait:
    """Exponential backoff with jitter, or the server's Retry-After when it is longer."""

    def __init__(self, initial: float, maximum: float) -> None:
        self.backoff = wait_exponential_jitter(multiplier=initial, max=maximum)

    def __call__(self, state: RetryCallState) -> float:
        delay = float(self.backoff(state))
        exc = state.outcome.exception() if state.outcome else None
        hinted = retry_after_s(exc) if exc else None
        return max(delay, hinted) if hinted is not None else delay


def _tokens_of(usage: Any) -> Usage:
    """The token counts of an SDK or instructor usage object (0 where it has none)."""
    return Usage(
        prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        total_tokens=int(getattr(usage, "total_tokens", 0) or 0),
    )


def _usage_of(data: Any, completion: Any) -> Usage:
    """Tokens of the whole call: instructor's total over re-asks, else the last answer's."""
    return _tokens_of(getattr(data, "_total_usage", None) or getattr(completion, "usage", None))


def _failed_usage(exc: BaseException) -> Usage:
    """Tokens of the answers instructor received in an attempt that failed (0 when none)."""
    return _tokens_of(getattr(_find(exc, InstructorRetryException), "total_usage", None))


def describe(exc: BaseException) -> str:
    """A one-line cause for an error, innermost useful message first, never a traceback."""
    for err in _cause_chain(exc):
        if isinstance(err, openai.APIStatusError):
            return f"HTTP {err.status_code} from the model server"
        if isinstance(err, openai.APITimeoutError):
            return "the model server timed out"
        if isinstance(err, openai.APIConnectionError):
            return "could not connect to the model server"
    last = _cause_chain(exc)[-1]
    text = " ".join(str(last).split())
    return f"{type(last).__name__}: {text[:300]}"


class LLM:
    """A configured model endpoint that extracts articles. Use as an async context manager.

    Args:
        config: the resolved provider configuration; for `local` its base_url must already
            point at a running server (see `summarizer.extract.open_llm`).
        prompt: the prompt template (default: the current `extract_article` version).
        transport: an httpx2 transport to use instead of the network (replay, tests).
        retry_initial_s, retry_max_s: backoff bounds for transient failures.
    """

    def __init__(
        self,
        config: ProviderConfig,
        *,
        prompt: PromptTemplate | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        retry_initial_s: float | None = None,
        retry_max_s: float | None = None,
    ) -> None:
        self.config = config
        self.prompt = prompt or load_prompt()
        self.retry_initial_s = (
            config.retry_initial_s if retry_initial_s is None else retry_initial_s
        )
        self.retry_max_s = config.retry_max_s if retry_max_s is None else retry_max_s
        #: HTTP requests sent, retries and instructor's re-asks included.
        self.http_attempts = 0
        #: Monotonic time before which no call starts: a 429 slows every worker, not one.
        self.pause_until = 0.0
        base_url = config.base_url
        api_key = config.api_key or "unused"
        if config.provider == "replay":
            transport = transport or ReplayTransport(config.cassette_dir)
            base_url = _REPLAY_BASE_URL
        hooks = {"request": [self._count_request]}
        http_client = (
            httpx2.AsyncClient(transport=transport, event_hooks=hooks)
            if transport
            else openai.DefaultAsyncHttpxClient(event_hooks=hooks)
        )
        self._http = http_client
        client = openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            timeout=config.timeout_s,
            max_retries=0,
            http_client=http_client,
        )
        self._openai = client
        self._client = instructor.from_openai(client, mode=_MODES[config.mode])
        schema = ArticleExtraction.model_json_schema()
        self._grammar_format = {"type": "json_object", "schema": schema}

    async def _count_request(self, request: httpx2.Request) -> None:
        self.http_attempts += 1
        box = _REQUESTS.get()
        if box is not None:
            box[0] += 1

    async def __aenter__(self) -> LLM:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._openai.close()

    def _request_kwargs(self, article: Article) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.config.model,
            "messages": build_messages(article, self.prompt),
            "response_model": _Response,
            "max_retries": self.config.reasks,
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
        }
        if self.config.mode in ("grammar", "json"):
            # llama.cpp, vLLM and Ollama constrain decoding to a JSON Schema given this way.
            # Built once per client: it is only serialised, never changed.
            kwargs["extra_body"] = {"response_format": self._grammar_format}
        return kwargs

    def _slow_down(self, state: RetryCallState) -> None:
        """After a rate limit, hold back every call on this endpoint until the wait is over."""
        exc = state.outcome.exception() if state.outcome else None
        if exc is None or not _is_rate_limit(exc):
            return
        delay = state.upcoming_sleep or 0.0
        self.pause_until = max(self.pause_until, time.monotonic() + delay)
        log.info("rate limited; pausing all calls for %.1fs", delay)

    async def _once(self, article: Article) -> tuple[ArticleExtraction, Usage]:
        wait = self.pause_until - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        data, completion = await self._client.chat.completions.create_with_completion(
            **self._request_kwargs(article)
        )
        # Hand back the plain model, not instructor's subclass of it.
        return ArticleExtraction.model_construct(**dict(data)), _usage_of(data, completion)

    async def extract(self, article: Article) -> CallResult:
        """Extract one article.

        Raises:
            ReplayMissError: replay mode has no recording for this article.
            LLMError: the model failed for good; the message names the article and the cause.
        """
        attempts = 0
        requests = [0]  # counted by the HTTP client's request hook, re-asks included
        token = _REQUESTS.set(requests)
        start = time.monotonic()
        retrying = AsyncRetrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(self.config.max_attempts)
            | stop_after_delay(self.config.max_total_s),
            wait=_Wait(self.retry_initial_s, self.retry_max_s),
            before_sleep=self._slow_down,
            reraise=True,
        )
        carried = Usage()  # tokens of answers in attempts that then failed (billed all the same)
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    try:
                        data, usage = await self._once(article)
                    except Exception as e:
                        carried = carried + _failed_usage(e)
                        raise
        except Exception as e:
            if _find(e, ReplayMiss) is not None:
                raise ReplayMissError(
                    f"{article.path}: no recording for article {article.id} with this prompt, "
                    "schema and model. Configure a live provider (e.g. --provider "
                    "openai-compatible --base-url http://localhost:11434/v1 --model NAME, or "
                    "--provider local) or re-record the cassettes",
                    article_id=article.id,
                    attempts=requests[0],
                ) from e
            elapsed = time.monotonic() - start
            raise LLMError(
                f"{article.path}: extraction of {article.id} failed after {attempts} "
                f"attempt(s) in {elapsed:.1f}s: {describe(e)}",
                article_id=article.id,
                attempts=requests[0],
                usage=carried.tokens(),
            ) from e
        finally:
            _REQUESTS.reset(token)
        usage = (usage + carried).model_copy(update={"calls": max(requests[0], 1)})
        return CallResult(data=data, usage=usage, attempts=attempts)
