"""The only module that talks to a model: openai's client, instructor and tenacity live here.

`LLM` turns one article into a validated `ArticleExtraction`. Every call goes
`instructor.from_openai(<AsyncOpenAI-like client>, mode=...)` and
`create_with_completion(..., response_model=..., max_retries=reasks)`:
- instructor builds the request for the mode, validates the answer and re-asks the model a
  bounded number of times when it fails validation;
- tenacity retries 429 (honouring Retry-After), 5xx, connection errors and timeouts with
  exponential backoff and jitter, bounded in attempts and in total time; the openai client's
  own retries are off (`max_retries=0`) so the two never multiply;
- every final failure is an `LLMError` naming the article and the cause, never the key.

The client is the caller's (`client=`: an `AsyncOpenAI`, an `AsyncAzureOpenAI` or an
instructor client) or one built from the configuration. A client built here refuses
redirects (no request leaves for another host) and reads answers with a size cap.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import ssl
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import instructor
import openai
from instructor.core import Hooks, InstructorRetryException, ResponseParsingError
from pydantic import BaseModel, ValidationError
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
from summarizer.errors import ConfigError, LLMError, ReplayMissError
from summarizer.judgement import Request, build_request, judges, quote_request, to_extraction
from summarizer.models import Article, ArticleExtraction, Usage
from summarizer.prompts import PromptTemplate, load_prompt
from summarizer.secrets import redact, remember

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
MAX_RETRY_AFTER_S = 60.0
#: The most bytes one answer may have; past it the call fails (a completion is a few KB).
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
#: What the openai client is given when there is no key (each request then omits the
#: Authorization header: a local server needs none).
_NO_KEY = "no-key"

#: A client `LLM` accepts: the openai SDK's async clients or an instructor client over one.
Client = openai.AsyncOpenAI | instructor.AsyncInstructor


class RedirectRefused(Exception):
    """The model server answered with a redirect; it is never followed."""


class ResponseTooLarge(Exception):
    """The model server's answer is larger than `MAX_RESPONSE_BYTES`."""


class TotalTimeExceeded(Exception):
    """The article's total time bound (`max_total_s`) ran out, a call in flight included."""


@dataclass(frozen=True)
class CallResult:
    """A validated answer (an `ArticleExtraction` unless another model was asked for) and
    what it cost."""

    data: Any
    usage: Usage
    attempts: int


@dataclass
class _Tally:
    """What one extraction has spent so far, over retries and re-asks."""

    requests: int = 0
    usage: Usage = field(default_factory=Usage)


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


_FINAL = (ReplayMiss, RedirectRefused, ResponseTooLarge, TotalTimeExceeded)


def _worth_reasking(exc: BaseException) -> bool:
    """instructor re-asks when the model's answer breaks the schema; an answer body that is
    not a chat completion at all has nothing to re-ask about."""
    if isinstance(exc, ResponseParsingError):  # e.g. text where a tool call was asked for
        return bool(getattr(getattr(exc, "raw_response", None), "choices", None))
    return isinstance(exc, ValidationError | json.JSONDecodeError)


def _odd_answer(exc: BaseException) -> tuple[str, bool] | None:
    """What a 2xx answer that is not a chat completion was, and whether it is worth a
    retry: (reason, transient); None for anything else.

    The openai SDK hands such a body back as it is: a string when it is not JSON (cut short
    in transit: retried), a completion without choices carrying `error` (a gateway's error
    sent with a 200: retried when its code is 429 or 5xx), or some other JSON value.
    """
    failed = _find(exc, InstructorRetryException)
    if failed is None or _find(exc, ResponseParsingError) is None:
        return None
    body = getattr(failed, "last_completion", None)
    if isinstance(body, str | bytes):
        return f"the model server's answer is not JSON (cut short?): {body[:80]!r}", True
    extra = getattr(body, "model_extra", None) or {}
    error = extra.get("error") if isinstance(extra, dict) else None
    if isinstance(error, dict):
        said = " ".join(str(error.get("message", error)).split())[:200]
        code = error.get("code")
        transient = isinstance(code, int) and (code == 429 or code >= 500)
        status = f"HTTP {code}: " if isinstance(code, int) else ""
        return f"the model server answered with an error: {status}{said}", transient
    if getattr(body, "choices", None):
        return None  # a completion: instructor's own reason stands
    shown = body.model_dump(exclude_none=True) if isinstance(body, BaseModel) else body
    return f"the model server's answer is not a chat completion: {str(shown)[:80]}", False


def is_transient(exc: BaseException) -> bool:
    """True for failures worth retrying: rate limits, 5xx, connection errors, timeouts, and
    an answer body that is not JSON at all (cut short in transit).

    A model answer that is JSON but not a valid extraction is not transient: instructor has
    already re-asked the model about it.
    """
    if any(isinstance(e, (*_FINAL, ssl.SSLCertVerificationError)) for e in _cause_chain(exc)):
        return False  # a certificate that does not verify will not verify in a second
    odd = _odd_answer(exc)
    if odd is not None:
        return odd[1]
    for err in _cause_chain(exc):
        if isinstance(err, openai.APIStatusError):
            return err.status_code == 429 or err.status_code >= 500
        if isinstance(err, openai.APIConnectionError | httpx2.TransportError | TimeoutError):
            return True
        if isinstance(err, json.JSONDecodeError):
            return True  # the body itself is not JSON: cut short in transit
    return False


def _is_rate_limit(exc: BaseException) -> bool:
    return any(
        isinstance(e, openai.APIStatusError) and e.status_code == 429 for e in _cause_chain(exc)
    )


def retry_after_s(exc: BaseException) -> float | None:
    """The server's Retry-After, in seconds, when the failure carries one."""
    err = _find(exc, openai.APIStatusError)
    if not isinstance(err, openai.APIStatusError):
        return None
    value = err.response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER_S)
    except ValueError:
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


def _count(value: Any) -> int | None:
    """A token count, 0 where there is none, None where it is not a count (1e309, "1e309")."""
    try:
        number = float(value or 0)
        if math.isfinite(number) and number >= 0 and number == int(number):
            return int(number)
    except (TypeError, ValueError, OverflowError):
        pass
    return None


def _tokens_of(usage: Any) -> Usage:
    """The token counts of a completion's usage object (0 where it has none). A count the
    server sent that is not a count is 0, with one warning line: the answer is kept."""
    names = ("prompt_tokens", "completion_tokens", "total_tokens")
    raw = {name: getattr(usage, name, 0) for name in names}
    counts = {name: _count(value) for name, value in raw.items()}
    odd = [f"{name}={raw[name]!r:.40}" for name, count in counts.items() if count is None]
    if odd:
        log.warning("the server's token usage is not a count (%s); counted as 0", ", ".join(odd))
    return Usage(**{name: count or 0 for name, count in counts.items()})


def _server_words(err: openai.APIStatusError) -> str:
    """What an error answer says, on one line, short."""
    body = err.body
    if isinstance(body, dict):
        body = body.get("error", body)
        if isinstance(body, dict):
            body = body.get("message", body)
    if body is None:
        try:
            body = err.response.text
        except httpx2.ResponseNotRead:
            body = ""
    return " ".join(str(body).split())[:200]


def describe(exc: BaseException, api_key: str | None = None) -> str:
    """A one-line cause for an error, innermost useful message first, never a traceback and
    never the key (nor any masked form of it)."""
    return redact(_describe(exc), api_key)


def _describe(exc: BaseException) -> str:  # noqa: PLR0911 - one return per kind of failure
    chain = _cause_chain(exc)
    for err in chain:
        if isinstance(err, RedirectRefused | ResponseTooLarge | TotalTimeExceeded):
            return str(err)
    odd = _odd_answer(exc)
    if odd is not None:
        return odd[0]
    for err in chain:
        if isinstance(err, openai.APIStatusError):
            said = _server_words(err)
            return f"HTTP {err.status_code} from the model server" + (f": {said}" if said else "")
        if isinstance(err, openai.APITimeoutError):
            return "the model server timed out"
        if isinstance(err, TimeoutError):
            return "the model server timed out"
        if isinstance(err, openai.APIConnectionError):
            cause = err.__cause__
            detail = " ".join(str(cause).split())[:200] if cause else ""
            return "the connection to the model server failed" + (f": {detail}" if detail else "")
        if isinstance(err, json.JSONDecodeError):
            return "the model server's answer is not JSON (cut short?)"
    last = chain[-1]
    text = " ".join(str(last).split())
    return f"{type(last).__name__}: {text[:300]}"


@dataclass
class _Built:
    """A client built by an LLM for one event loop, and how many extractions use it."""

    sdk: openai.AsyncOpenAI
    patched: instructor.AsyncInstructor
    users: int = 0


class _CappedStream(httpx2.AsyncByteStream):
    """An answer body that fails once it passes `limit` bytes, before holding more."""

    def __init__(self, stream: Any, limit: int, host: str) -> None:
        self.stream = stream
        self.limit = limit
        self.host = host

    async def __aiter__(self) -> AsyncIterator[bytes]:
        seen = 0
        async for chunk in self.stream:
            seen += len(chunk)
            if seen > self.limit:
                raise ResponseTooLarge(
                    f"the answer from {self.host} is larger than {self.limit:,} bytes; not read"
                )
            yield chunk

    async def aclose(self) -> None:
        await self.stream.aclose()


def _host(url: httpx2.URL) -> str:
    return f"{url.host}:{url.port}" if url.port else url.host


async def _guard_response(response: httpx2.Response) -> None:
    """No redirect is followed (a request may go only to the configured host), and no answer
    is read past `MAX_RESPONSE_BYTES`."""
    here = _host(response.request.url)
    if response.has_redirect_location:
        target = response.request.url.join(response.headers["location"])
        raise RedirectRefused(
            f"the model server {here} answered HTTP {response.status_code}, a redirect to "
            f"{_host(target)}; redirects are not followed (set the base URL to the server "
            "that answers)"
        )
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_RESPONSE_BYTES:
        raise ResponseTooLarge(
            f"the answer from {here} is {int(length):,} bytes, over the limit of "
            f"{MAX_RESPONSE_BYTES:,}; not read"
        )
    response.stream = _CappedStream(response.stream, MAX_RESPONSE_BYTES, here)


def _openai_client(
    config: ProviderConfig, transport: httpx2.AsyncBaseTransport | None
) -> openai.AsyncOpenAI:
    """The openai client for a configuration: SDK retries off, redirects refused, capped."""
    hooks: dict[str, list[Any]] = {"response": [_guard_response]}
    http_client = (
        httpx2.AsyncClient(transport=transport, timeout=config.timeout_s, event_hooks=hooks)
        if transport is not None
        # The SDK's defaults (connection limits, proxies from the environment), no redirects.
        else openai.DefaultAsyncHttpxClient(
            timeout=config.timeout_s, follow_redirects=False, event_hooks=hooks
        )
    )
    headers: dict[str, Any] = {}
    if config.provider != "openai":
        # The SDK reads OPENAI_ORG_ID / OPENAI_PROJECT_ID for every server: only OpenAI's.
        headers["OpenAI-Organization"] = openai.omit
        headers["OpenAI-Project"] = openai.omit
    common: dict[str, Any] = {
        "api_key": config.api_key or _NO_KEY,
        "max_retries": 0,
        "timeout": config.timeout_s,
        "http_client": http_client,
        "default_headers": headers,
    }
    if config.provider == "azure":
        return openai.AsyncAzureOpenAI(
            azure_endpoint=config.base_url or "", api_version=config.api_version, **common
        )
    base_url = config.base_url
    if config.provider == "replay":
        base_url = _REPLAY_BASE_URL
    return openai.AsyncOpenAI(base_url=base_url, **common)


def sdk_client(config: ProviderConfig, client: Any = None) -> openai.AsyncOpenAI:
    """The openai client for calls outside chat completions (the Batch API's files and
    batches): the caller's (an instructor client's own), else one built from `config`."""
    if isinstance(client, instructor.AsyncInstructor):
        client = client.client
    if client is None:
        return _openai_client(config, None)
    if isinstance(client, openai.AsyncOpenAI):
        return client.with_options(max_retries=0)
    raise ConfigError(
        f"client= takes an openai.AsyncOpenAI or AsyncAzureOpenAI, not {type(client).__name__}"
    )


def _adopt(client: Any, config: ProviderConfig) -> instructor.AsyncInstructor:
    """The caller's client, patched by instructor, with the SDK's own retries off."""
    if isinstance(client, instructor.AsyncInstructor):
        inner = client.client
        if not isinstance(inner, openai.AsyncOpenAI):
            return client  # not an openai client: used exactly as given
        patched = instructor.from_openai(_own_options(inner, config), mode=client.mode)
        patched.hooks = client.hooks
        return patched
    if isinstance(client, openai.AsyncOpenAI):  # AsyncAzureOpenAI included
        return instructor.from_openai(_own_options(client, config), mode=_MODES[config.mode])
    raise ConfigError(
        "client= takes an openai.AsyncOpenAI, an openai.AsyncAzureOpenAI or an instructor "
        f"async client (instructor.from_openai(AsyncOpenAI(...))), not {type(client).__name__}"
    )


def _own_options(client: openai.AsyncOpenAI, config: ProviderConfig) -> openai.AsyncOpenAI:
    changes: dict[str, Any] = {"max_retries": 0}
    if config.provider == "local" and config.base_url:
        changes["base_url"] = config.base_url  # the server `local` started for this run
    return client.with_options(**changes)


class LLM:
    """A configured model endpoint that extracts articles. Use as an async context manager.

    Args:
        config: the resolved provider configuration; for `local` its base_url must already
            point at a running server (see `summarizer.extract.open_llm`).
        prompt: the prompt template (default: the current `extract_article` version).
        client: the caller's own client: an `openai.AsyncOpenAI`, `openai.AsyncAzureOpenAI`
            or an instructor client over one. Every call goes through it (its base URL,
            headers, proxies and HTTP client); the SDK's own retries are turned off on a
            copy of it. Default: a client built from `config`.
        transport: an httpx2 transport for the client built from `config` (replay, tests).
        retry_initial_s, retry_max_s: backoff bounds for transient failures.

    Raises:
        ConfigError: `client` is not a client this can use.
    """

    def __init__(
        self,
        config: ProviderConfig,
        *,
        prompt: PromptTemplate | None = None,
        client: Client | None = None,
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
        remember(config.api_key)
        #: HTTP requests sent, retries and re-asks included.
        self.http_attempts = 0
        #: Monotonic time before which no call starts: a 429 slows every worker, not one.
        self.pause_until = 0.0
        if config.provider == "replay" and client is None:
            transport = transport or ReplayTransport(config.cassette_dir)
        self._transport = transport
        self._given = _adopt(client, config) if client is not None else None
        #: The clients built here, one per event loop (an HTTP connection belongs to the
        #: loop that opened it), each with the number of extractions using it. Threads may
        #: share an LLM, each running its own loop: the lock guards the table.
        self._built: dict[asyncio.AbstractEventLoop, _Built] = {}
        self._lock = threading.Lock()
        # llama.cpp, vLLM and Ollama constrain decoding to a JSON Schema given this way; the
        # openai SDK's `extra_body` puts it in the request as it is.
        schema = ArticleExtraction.model_json_schema()
        self._grammar_format = {"type": "json_object", "schema": schema}

    def _entry(self) -> _Built:
        loop = asyncio.get_running_loop()
        with self._lock:
            built = self._built.get(loop)
            if built is None:
                sdk = _openai_client(self.config, self._transport)
                patched = instructor.from_openai(sdk, mode=_MODES[self.config.mode])
                built = self._built[loop] = _Built(sdk, patched)
            return built

    def _client(self) -> instructor.AsyncInstructor:
        if self._given is not None:
            return self._given
        return self._entry().patched

    @contextlib.asynccontextmanager
    async def _using(self) -> AsyncIterator[None]:
        """While an extraction runs, its loop's client stays open; the last extraction in a
        loop closes it, in that loop. (A thread's `asyncio.run` ends its loop after the
        call: a client left open there could never be closed.)"""
        if self._given is not None:
            yield
            return
        built = self._entry()
        with self._lock:
            built.users += 1
        try:
            yield
        finally:
            with self._lock:
                built.users -= 1
                last = built.users == 0 and self._built.get(asyncio.get_running_loop()) is built
                if last:
                    del self._built[asyncio.get_running_loop()]
            if last:
                await built.sdk.close()

    async def __aenter__(self) -> LLM:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections of the client built here for this event loop (never
        the caller's client)."""
        with self._lock:
            built = self._built.pop(asyncio.get_running_loop(), None)
        if built is not None:
            await built.sdk.close()

    def _kwargs(
        self, article: Article, messages: list[dict[str, str]] | None, model: type[BaseModel]
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.config.model,
            "messages": messages or build_messages(article, self.prompt),
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
        }
        if self._given is None and not self.config.api_key:
            kwargs["extra_headers"] = {"Authorization": openai.omit}  # no key: send none
        if self.config.mode in ("grammar", "json"):
            kwargs["extra_body"] = {
                "response_format": self._grammar_format
                if model is ArticleExtraction
                else {"type": "json_object", "schema": model.model_json_schema()}
            }
        return kwargs

    def _slow_down(self, state: RetryCallState) -> None:
        """After a rate limit, hold back every call on this endpoint until the wait is over."""
        exc = state.outcome.exception() if state.outcome else None
        if exc is None or not _is_rate_limit(exc):
            return
        delay = state.upcoming_sleep or 0.0
        self.pause_until = max(self.pause_until, time.monotonic() + delay)
        log.info("rate limited; pausing all calls for %.1fs", delay)

    async def _once(
        self,
        article: Article,
        tally: _Tally,
        messages: list[dict[str, str]] | None,
        response_model: type[BaseModel] | None,
        deadline: float,
    ) -> BaseModel:
        """One instructor call: ask, then re-ask on an invalid answer, up to `reasks` times."""
        wait = min(self.pause_until, deadline) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        model = response_model or ArticleExtraction
        hooks = Hooks()

        def sent(*_: Any, **__: Any) -> None:
            self.http_attempts += 1
            tally.requests += 1

        def answered(response: Any) -> None:
            tally.usage = tally.usage + _tokens_of(getattr(response, "usage", None))

        hooks.on("completion:kwargs", sent)
        hooks.on("completion:response", answered)
        left = deadline - time.monotonic()
        if left <= 0:
            raise TotalTimeExceeded(self._over_time())
        try:
            async with asyncio.timeout(left):
                data, _ = await self._client().chat.completions.create_with_completion(
                    response_model=model,
                    max_retries=AsyncRetrying(
                        stop=stop_after_attempt(self.config.reasks + 1),
                        retry=retry_if_exception(_worth_reasking),
                        reraise=True,
                    ),
                    hooks=hooks,
                    **self._kwargs(article, messages, model),
                )
        except TimeoutError as e:
            if time.monotonic() >= deadline - 0.001:
                raise TotalTimeExceeded(self._over_time()) from e
            raise
        # Hand back the plain model, not instructor's subclass of it.
        return model.model_construct(**dict(data))

    def _over_time(self) -> str:
        return f"the article ran past its total time bound of {self.config.max_total_s:g}s"

    async def extract(
        self,
        article: Article,
        *,
        response_model: type[BaseModel] | None = None,
        messages: list[dict[str, str]] | None = None,
        deadline: float | None = None,
    ) -> CallResult:
        """Extract one article.

        With a prompt that judges harvested items (v2 on), this is the article call and one
        call per quote not settled by the text (`summarizer.judgement`), read back as one
        `ArticleExtraction`. `response_model` and `messages`, when given, make it one call
        with them instead.

        Args:
            article: the article (or one part of a long one).
            response_model, messages: one call with these instead of the article's calls.
            deadline: `time.monotonic()` by which everything must be done, a call in flight
                included (default: `max_total_s` from now).

        Raises:
            ReplayMissError: replay mode has no recording for this article.
            LLMError: the model failed for good; the message names the article and the cause.
        """
        if deadline is None:
            deadline = time.monotonic() + self.config.max_total_s
        async with self._using():
            if response_model is None and messages is None and judges(self.prompt):
                return await self._judged(build_request(article, self.prompt), deadline)
            return await self._call(
                article, response_model=response_model, messages=messages, deadline=deadline
            )

    async def _judged(self, request: Request, deadline: float) -> CallResult:
        """The article call, then one call per quote the text does not settle: who said it.

        A quote call that fails for good costs that quote its model speaker (grounding's
        rules still attribute it), never the article; a missing recording fails the article,
        and so does running out of the article's total time.
        """
        first = await self._call(
            request.article,
            messages=request.messages,
            response_model=request.response_model,
            deadline=deadline,
        )
        usage, attempts = first.usage, first.attempts
        speakers: dict[int, str] = {}
        for index in request.asked:
            question = quote_request(request, first.data, index)
            try:
                answer = await self._call(
                    request.article,
                    messages=question.messages,
                    response_model=question.response_model,
                    deadline=deadline,
                )
            except ReplayMissError:
                raise
            except LLMError as e:
                if _find(e, TotalTimeExceeded) is not None:
                    raise
                log.warning("%s: no speaker for quote %d: %s", request.article.path, index + 1, e)
                usage = usage + Usage(calls=e.attempts, **e.usage)
                continue
            usage, attempts = usage + answer.usage, attempts + answer.attempts
            speakers[index] = answer.data.speaker
        return CallResult(
            data=to_extraction(first.data, speakers, request), usage=usage, attempts=attempts
        )

    async def _call(
        self,
        article: Article,
        *,
        response_model: type[BaseModel] | None = None,
        messages: list[dict[str, str]] | None = None,
        deadline: float,
    ) -> CallResult:
        """One model call about an article (retried and re-asked as configured).

        Raises:
            ReplayMissError: replay mode has no recording for this article.
            LLMError: the model failed for good; the message names the article and the cause.
        """
        attempts = 0
        tally = _Tally()  # every request and token, over retries and re-asks
        start = time.monotonic()
        retrying = AsyncRetrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(self.config.max_attempts)
            | stop_after_delay(max(deadline - start, 0.0)),
            wait=_Wait(self.retry_initial_s, self.retry_max_s),
            before_sleep=self._slow_down,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    data = await self._once(article, tally, messages, response_model, deadline)
        except Exception as e:
            if _find(e, ReplayMiss) is not None:
                raise ReplayMissError(
                    f"{article.path}: no recording for article {article.id} with this prompt, "
                    "schema and model. Configure a live provider (e.g. --provider "
                    "openai-compatible --base-url http://localhost:11434/v1 --model NAME, or "
                    "--provider local) or re-record the cassettes",
                    article_id=article.id,
                    attempts=tally.requests,
                ) from e
            elapsed = time.monotonic() - start
            message = redact(
                f"{article.path}: extraction of {article.id} failed after {attempts} "
                f"attempt(s) in {elapsed:.1f}s: {describe(e, self.config.api_key)}",
                self.config.api_key,
            )
            raise LLMError(
                message,
                article_id=article.id,
                attempts=tally.requests,
                usage=tally.usage.tokens(),
            ) from e
        usage = tally.usage.model_copy(update={"calls": max(tally.requests, 1)})
        return CallResult(data=data, usage=usage, attempts=attempts)
