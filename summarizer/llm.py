"""The only module that talks to a model: instructor, the HTTP clients and tenacity live here.

`LLM` turns one article into a validated `ArticleExtraction`:
- instructor's handlers for the chosen mode build the request from the schema, parse and
  validate the answer, and word the re-ask when it fails validation; the model is re-asked
  a bounded number of times;
- tenacity retries 429 (honouring Retry-After), 5xx, connection errors and timeouts with
  exponential backoff and jitter, bounded in attempts and in total time;
- every final failure is an `LLMError` naming the article and the cause.

The chat-completions request goes out on aiohttp: at newsroom concurrency the openai SDK's
httpx stack and instructor's per-call wrapper cost several milliseconds of CPU per call,
which a 2-core machine cannot spare (see benchmarks/throughput.py). With an httpx2 transport
(replay, recording, tests) the same bytes go out through httpx2 instead.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import ipaddress
import json
import logging
import math
import os
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
import httpx2
import instructor
from instructor.core.exceptions import InstructorRetryException, ResponseParsingError
from instructor.v2.core.function_calls import ResponseSchema
from instructor.v2.core.providers import Provider
from instructor.v2.core.registry import ModeHandlers, mode_registry
from instructor.v2.validation.async_validators import reject_async_validators
from openai.types.chat import ChatCompletion
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
from summarizer.errors import LLMError, ReplayMissError
from summarizer.judgement import Request, build_request, judges, quote_request, to_extraction
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
    # `ArticleExtraction` as instructor's response model, built once (not per call). The
    # docstring is the schema's description, which the model reads: keep the original's.
    __doc__ = ArticleExtraction.__doc__


_Response.__name__ = _Response.__qualname__ = "ArticleExtraction"


@functools.cache
def _response_class(model: type[BaseModel]) -> type[BaseModel]:
    """A response model as instructor's handlers want it (checked once per class)."""
    cls = type(model.__name__, (model, ResponseSchema), {"__doc__": model.__doc__})
    reject_async_validators(cls)
    return cls


# instructor checks this on every call of its patched client; once is enough for one class.
reject_async_validators(_Response)
#: The answer failed validation: instructor's handlers re-ask the model about these.
_PARSE_ERRORS = (ValidationError, json.JSONDecodeError, ResponseParsingError)
MAX_RETRY_AFTER_S = 60.0
_OPENAI_ACCOUNT_HEADERS = (
    ("OPENAI_ORG_ID", "openai-organization"),
    ("OPENAI_PROJECT_ID", "openai-project"),
)


class ModelHTTPError(Exception):
    """The model server answered with an HTTP error status."""

    def __init__(self, status: int, headers: Mapping[str, str], detail: str = "") -> None:
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        said = f": {detail}" if detail else ""
        super().__init__(f"HTTP {status} from the model server{said}")


#: Key-like words a server may echo back in an error ("Incorrect API key provided: sk-ab***").
_KEYLIKE = re.compile(r"\b(?:sk|rk|pk|key)[-_][\w*.-]+", re.I)


def error_detail(raw: bytes, api_key: str | None = None) -> str:
    """What an error body says, on one line, short, with anything key-like removed."""
    try:
        body = json.loads(raw)
    except ValueError:
        text = raw.decode("utf-8", "replace")
    else:
        error = body.get("error", body) if isinstance(body, dict) else body
        text = str(error.get("message", error) if isinstance(error, dict) else error)
    if api_key:
        text = text.replace(api_key, "[key]")
    return _KEYLIKE.sub("[key]", " ".join(text.split()))[:200]


class ModelUnreachable(Exception):
    """The request could not be sent, or the connection broke before a full answer."""


class ModelTimeout(ModelUnreachable):
    """The model server did not answer within the configured timeout."""


class UnreadableAnswer(Exception):
    """A 2xx answer whose body is not a chat completion (cut short in transit, or not JSON)."""

    def __init__(self, message: str, *, transient: bool) -> None:
        self.transient = transient
        super().__init__(message)


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


def is_transient(exc: BaseException) -> bool:
    """True for failures worth retrying: rate limits, 5xx, connection errors, timeouts, and
    an answer body cut short in transit.

    A model answer that is a completion but not a valid extraction is not transient: the
    model has already been re-asked about it.
    """
    if _find(exc, ReplayMiss) is not None:
        return False
    for err in _cause_chain(exc):
        if isinstance(err, ModelHTTPError):
            return err.status == 429 or err.status >= 500
        if isinstance(err, UnreadableAnswer):
            return err.transient
        if isinstance(err, ModelUnreachable | TimeoutError):
            return True
    return False


def _is_rate_limit(exc: BaseException) -> bool:
    return any(isinstance(e, ModelHTTPError) and e.status == 429 for e in _cause_chain(exc))


def retry_after_s(exc: BaseException) -> float | None:
    """The server's Retry-After, in seconds, when the failure carries one."""
    err = _find(exc, ModelHTTPError)
    if not isinstance(err, ModelHTTPError):
        return None
    value = err.headers.get("retry-after")
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


def describe(exc: BaseException) -> str:
    """A one-line cause for an error, innermost useful message first, never a traceback."""
    for err in _cause_chain(exc):
        if isinstance(err, ModelHTTPError):
            return str(err)
        if isinstance(err, ModelTimeout):
            return "the model server timed out"
        if isinstance(err, ModelUnreachable):
            return f"the connection to the model server failed: {err}"
        if isinstance(err, UnreadableAnswer):
            return str(err)
    last = _cause_chain(exc)[-1]
    text = " ".join(str(last).split())
    return f"{type(last).__name__}: {text[:300]}"


class _Sender(Protocol):
    """Sends one chat-completions body; answers (status, headers, body)."""

    async def post(self, body: bytes) -> tuple[int, Mapping[str, str], bytes]: ...

    async def aclose(self) -> None: ...


_USERINFO = re.compile(r"(?<=://)[^/@\s]*@")


def _plain(exc: BaseException) -> str:
    """An HTTP client's error on one line, with any `user:password@` in a URL removed."""
    return _USERINFO.sub("", " ".join(str(exc).split()))[:200] or type(exc).__name__


def _bypassed(host: str, port: int | None) -> bool:
    """True when NO_PROXY names the host: a name, a domain suffix, host:port, an IP network."""
    entries = os.environ.get("no_proxy") or os.environ.get("NO_PROXY") or ""
    for entry in (e.strip().lower() for e in entries.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        name, _, entry_port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
        if entry_port and entry_port != str(port):
            continue
        try:
            if ipaddress.ip_address(host) in ipaddress.ip_network(name, strict=False):
                return True
            continue
        except ValueError:
            pass  # a name, not an address and a network
        name = name.lstrip(".")
        if host == name or host.endswith("." + name):
            return True
    return False


def env_proxy(url: str) -> str | None:
    """The proxy for `url` from HTTPS_PROXY / HTTP_PROXY / ALL_PROXY, unless NO_PROXY names
    the host; a proxy given without a scheme is taken as http://."""
    parts = urllib.parse.urlsplit(url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or _bypassed((parts.hostname or "").lower(), parts.port):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


class _AiohttpSender:
    """The live path: one aiohttp session with keep-alive connections, opened on first use
    (again when used from another event loop)."""

    def __init__(self, url: str, headers: dict[str, str], timeout_s: float) -> None:
        self.url = url
        self.headers = headers
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.proxy: str | None = None
        self.proxy_headers: dict[str, str] | None = None
        if proxy := env_proxy(url):
            # Credentials go in a header, not in the URL, so no error message can show them.
            parts = urllib.parse.urlsplit(proxy)
            if parts.username is not None:
                user = urllib.parse.unquote(parts.username)
                password = urllib.parse.unquote(parts.password or "")
                token = base64.b64encode(f"{user}:{password}".encode()).decode()
                credentials = {"proxy-authorization": f"Basic {token}"}
                if urllib.parse.urlsplit(url).scheme == "https":
                    self.proxy_headers = credentials  # on the CONNECT to the proxy
                else:
                    self.headers = {**headers, **credentials}  # the proxy reads the request
                proxy = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
            self.proxy = proxy
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _open(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop:
            # Not trust_env: it looks up the proxy and ~/.netrc in a thread on every request.
            # No connection limit of its own: the batch's workers are the bound.
            # No session-wide headers: aiohttp merges those into the proxy's headers and
            # would hand the API key to the proxy as its Proxy-Authorization.
            self._session = aiohttp.ClientSession(
                timeout=self.timeout, connector=aiohttp.TCPConnector(limit=0)
            )
            self._loop = loop
        return self._session

    async def post(self, body: bytes) -> tuple[int, Mapping[str, str], bytes]:
        session = self._open()
        try:
            async with session.post(
                self.url,
                data=body,
                headers=self.headers,
                proxy=self.proxy,
                proxy_headers=self.proxy_headers,
            ) as response:
                return response.status, response.headers, await response.read()
        except TimeoutError as e:
            raise ModelTimeout(f"no answer within {self.timeout.total}s") from e
        except aiohttp.ClientError as e:
            raise ModelUnreachable(_plain(e)) from e

    async def aclose(self) -> None:
        if self._session is not None and self._loop is asyncio.get_running_loop():
            await self._session.close()
        self._session = None


class _HttpxSender:
    """Replay, recording (vcrpy patches httpx2) and tests: the same bytes through httpx2,
    which reads the proxy settings itself when no transport is given."""

    def __init__(
        self,
        url: str,
        headers: dict[str, str],
        timeout_s: float,
        transport: httpx2.AsyncBaseTransport | None,
    ) -> None:
        self.url = url
        self.client = httpx2.AsyncClient(
            transport=transport, headers=headers, timeout=timeout_s, follow_redirects=True
        )

    async def post(self, body: bytes) -> tuple[int, Mapping[str, str], bytes]:
        try:
            response = await self.client.post(self.url, content=body)
        except httpx2.TimeoutException as e:
            raise ModelTimeout(_plain(e)) from e
        except (httpx2.TransportError, httpx2.DecodingError) as e:
            raise ModelUnreachable(_plain(e)) from e
        return response.status_code, response.headers, response.content

    async def aclose(self) -> None:
        await self.client.aclose()


def _completion(raw: bytes, api_key: str | None = None) -> ChatCompletion:
    """The answer body as a chat completion; `ModelHTTPError` for an error sent with a 200
    (as some gateways do); `UnreadableAnswer` for anything else."""
    try:
        return ChatCompletion.model_validate_json(raw)
    except ValidationError:
        pass  # not strictly a completion: read it as leniently as the openai SDK does
    try:
        body = json.loads(raw)
    except ValueError as e:
        raise UnreadableAnswer(
            f"the model server's answer is not JSON (cut short?): {raw[:80]!r}", transient=True
        ) from e
    if isinstance(body, dict) and isinstance(body.get("choices"), list):
        return ChatCompletion.construct(**body)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = error.get("code")
        message = error_detail(raw, api_key)
        if isinstance(code, int) and (code == 429 or code >= 500):
            raise ModelHTTPError(code, {}, message)
        raise UnreadableAnswer(
            f"the model server answered with an error: {message}", transient=False
        )
    raise UnreadableAnswer(
        f"the model server's answer is not a chat completion: {raw[:80]!r}", transient=False
    )


class LLM:
    """A configured model endpoint that extracts articles. Use as an async context manager.

    Args:
        config: the resolved provider configuration; for `local` its base_url must already
            point at a running server (see `summarizer.extract.open_llm`).
        prompt: the prompt template (default: the current `extract_article` version).
        transport: an httpx2 transport to send through instead of aiohttp (replay, tests).
        use_httpx: send through httpx2 on its own transport (recording: vcrpy patches it).
        retry_initial_s, retry_max_s: backoff bounds for transient failures.
    """

    def __init__(
        self,
        config: ProviderConfig,
        *,
        prompt: PromptTemplate | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        use_httpx: bool = False,
        retry_initial_s: float | None = None,
        retry_max_s: float | None = None,
    ) -> None:
        self.config = config
        self.prompt = prompt or load_prompt()
        self.retry_initial_s = (
            config.retry_initial_s if retry_initial_s is None else retry_initial_s
        )
        self.retry_max_s = config.retry_max_s if retry_max_s is None else retry_max_s
        #: HTTP requests sent, retries and re-asks included.
        self.http_attempts = 0
        #: Monotonic time before which no call starts: a 429 slows every worker, not one.
        self.pause_until = 0.0
        base_url = config.base_url or "https://api.openai.com/v1"
        if config.provider == "replay":
            transport = transport or ReplayTransport(config.cassette_dir)
            base_url = _REPLAY_BASE_URL
        headers = {"content-type": "application/json", "accept": "application/json"}
        if config.api_key:
            headers["authorization"] = f"Bearer {config.api_key}"
        if config.provider == "openai":
            # As the openai SDK does: bill and rate-limit under this organization and project.
            for variable, header in _OPENAI_ACCOUNT_HEADERS:
                if value := os.environ.get(variable):
                    headers[header] = value
        url = f"{base_url.rstrip('/')}/chat/completions"
        self._sender: _Sender = (
            _HttpxSender(url, headers, config.timeout_s, transport)
            if transport is not None or use_httpx
            else _AiohttpSender(url, headers, config.timeout_s)
        )
        mode = _MODES[config.mode]
        self._handlers: ModeHandlers = mode_registry.get_handlers(Provider.OPENAI, mode)
        # llama.cpp, vLLM and Ollama constrain decoding to a JSON Schema given this way.
        schema = ArticleExtraction.model_json_schema()
        self._grammar_format = {"type": "json_object", "schema": schema}

    async def __aenter__(self) -> LLM:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._sender.aclose()

    def _request(
        self, article: Article, messages: list[dict[str, str]] | None, response: type[Any]
    ) -> dict[str, Any]:
        """The chat request for an article, shaped for the mode by instructor's handler."""
        kwargs: dict[str, Any] = {
            "model": self.config.model,
            "messages": messages or build_messages(article, self.prompt),
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
        }
        _, kwargs = self._handlers.request_handler(response, kwargs)
        if self._handlers.message_converter is not None:
            kwargs["messages"] = self._handlers.message_converter(kwargs["messages"])
        if self.config.mode in ("grammar", "json"):
            kwargs["response_format"] = (
                self._grammar_format
                if response is _Response
                else {"type": "json_object", "schema": response.model_json_schema()}
            )
        return kwargs

    async def _send(self, request: dict[str, Any], tally: _Tally) -> ChatCompletion:
        """One HTTP request; an error status or an unreadable body raises."""
        self.http_attempts += 1
        tally.requests += 1
        status, headers, raw = await self._sender.post(json.dumps(request).encode())
        if status >= 300:
            raise ModelHTTPError(status, headers, error_detail(raw, self.config.api_key))
        completion = _completion(raw, self.config.api_key)
        tally.usage = tally.usage + _tokens_of(completion.usage)
        return completion

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
        messages: list[dict[str, str]] | None = None,
        response_model: type[BaseModel] | None = None,
    ) -> BaseModel:
        """Ask, then re-ask on an invalid answer, up to `reasks` times (instructor's rules)."""
        wait = self.pause_until - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        response = _response_class(response_model) if response_model else _Response
        request = self._request(article, messages, response)
        for attempt in range(1, self.config.reasks + 2):
            completion = await self._send(request, tally)
            try:
                data = self._handlers.response_parser(
                    response=completion,
                    response_model=response,
                    validation_context=None,
                    strict=True,
                    stream=False,
                    is_async=True,
                )
            except _PARSE_ERRORS as e:
                if attempt > self.config.reasks:
                    raise InstructorRetryException(
                        str(e),
                        last_completion=completion,
                        n_attempts=attempt,
                        total_usage=tally.usage,
                        create_kwargs=request,
                    ) from e
                request = self._handlers.reask_handler(
                    kwargs=request, response=completion, exception=e
                )
                continue
            # Hand back the plain model, not instructor's subclass of it.
            return (response_model or ArticleExtraction).model_construct(**dict(data))
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    async def extract(
        self,
        article: Article,
        *,
        response_model: type[BaseModel] | None = None,
        messages: list[dict[str, str]] | None = None,
    ) -> CallResult:
        """Extract one article.

        With a prompt that judges harvested items (v2 on), this is the article call and one
        call per quote not settled by the text (`summarizer.judgement`), read back as one
        `ArticleExtraction`. `response_model` and `messages`, when given, make it one call
        with them instead.

        Raises:
            ReplayMissError: replay mode has no recording for this article.
            LLMError: the model failed for good; the message names the article and the cause.
        """
        if response_model is None and messages is None and judges(self.prompt):
            return await self._judged(build_request(article, self.prompt))
        return await self._call(article, response_model=response_model, messages=messages)

    async def _judged(self, request: Request) -> CallResult:
        """The article call, then one call per quote the text does not settle: who said it.

        A quote call that fails for good costs that quote its model speaker (grounding's
        rules still attribute it), never the article; a missing recording fails the article.
        """
        first = await self._call(
            request.article, messages=request.messages, response_model=request.response_model
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
                )
            except ReplayMissError:
                raise
            except LLMError as e:
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
            | stop_after_delay(self.config.max_total_s),
            wait=_Wait(self.retry_initial_s, self.retry_max_s),
            before_sleep=self._slow_down,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    data = await self._once(article, tally, messages, response_model)
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
            raise LLMError(
                f"{article.path}: extraction of {article.id} failed after {attempts} "
                f"attempt(s) in {elapsed:.1f}s: {describe(e)}",
                article_id=article.id,
                attempts=tally.requests,
                usage=tally.usage.tokens(),
            ) from e
        usage = tally.usage.model_copy(update={"calls": max(tally.requests, 1)})
        return CallResult(data=data, usage=usage, attempts=attempts)
