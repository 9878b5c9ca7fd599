"""The model call: re-asks on invalid answers, bounded retries on transient failures."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable

import httpx2
import pytest

from summarizer.config import resolve_config
from summarizer.errors import LLMError
from summarizer.llm import LLM, is_transient
from summarizer.models import Article
from summarizer.prompts import load_prompt

GOOD = {
    "headline": "Iraq takes detainees",
    "summary": "Iraq took 150 detainees. More may follow.",
    "actors": [],
    "quotes": [],
    "figures": [],
    "dates": [],
}
ARTICLE = Article(id="a1", path="a1.txt", text="Iraq took 150 detainees.", content_hash="0")
BASE = "http://model.test/v1"


def completion(content: str) -> httpx2.Response:
    """A minimal chat-completions answer carrying `content`."""
    return httpx2.Response(
        200,
        json={
            "id": "c1",
            "object": "chat.completion",
            "created": 0,
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": content},
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        },
    )


class Script:
    """A transport that answers from a list of handlers, one per request, and logs requests."""

    def __init__(self, *answers: Callable[[httpx2.Request], httpx2.Response]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx2.Request] = []

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        return answer(request)


def run(script: Script, **overrides: object) -> object:
    config = resolve_config(
        provider="openai-compatible",
        base_url=BASE,
        model="m",
        api_key="sk-secret-test-key",
        **overrides,
    )  # type: ignore[arg-type]

    async def go() -> object:
        async with LLM(
            config,
            # GOOD answers v1's free extraction: these tests are about the call, not the prompt.
            prompt=load_prompt(version="1"),
            transport=httpx2.MockTransport(script),
            retry_initial_s=0.01,
            retry_max_s=0.02,
        ) as llm:
            return await llm.extract(ARTICLE)

    return asyncio.run(go())


def ok(_: httpx2.Request) -> httpx2.Response:
    return completion(json.dumps(GOOD))


def status(code: int, headers: dict[str, str] | None = None) -> Callable[..., httpx2.Response]:
    return lambda _: httpx2.Response(code, headers=headers or {}, json={"error": "x"})


def refuse(request: httpx2.Request) -> httpx2.Response:
    raise httpx2.ConnectError("refused", request=request)


def test_success_returns_data_and_usage() -> None:
    """A valid answer is parsed and its token usage kept."""
    result = run(Script(ok))
    assert result.data.headline == "Iraq takes detainees"  # type: ignore[attr-defined]
    assert result.usage.total_tokens == 15  # type: ignore[attr-defined]


def test_invalid_answer_is_reasked_then_accepted() -> None:
    """An answer that breaks the schema is sent back to the model, within the re-ask bound."""
    script = Script(lambda _: completion('{"headline": "x"}'), ok)
    result = run(script)
    assert result.data.headline == "Iraq takes detainees"  # type: ignore[attr-defined]
    assert len(script.requests) == 2
    assert "validation" in script.requests[1].read().decode().lower()


def test_reasks_are_bounded() -> None:
    """A model that never answers validly fails after 1 + reasks calls, naming the article."""
    script = Script(lambda _: completion("not json"))
    with pytest.raises(LLMError, match=r"a1\.txt: extraction of a1 failed"):
        run(script, reasks=2)
    assert len(script.requests) == 3


@pytest.mark.parametrize("failure", [status(500), status(503), status(429), refuse])
def test_transient_failures_are_retried(failure: Callable[..., httpx2.Response]) -> None:
    """429, 5xx and connection errors are retried, then succeed."""
    script = Script(failure, failure, ok)
    run(script)
    assert len(script.requests) == 3


def test_retries_are_bounded_and_named() -> None:
    """A server that keeps failing costs exactly max_attempts calls and a clear error."""
    script = Script(status(503))
    with pytest.raises(LLMError, match=r"after 3 attempt\(s\).*HTTP 503") as info:
        run(script, max_attempts=3)
    assert len(script.requests) == 3
    assert info.value.attempts == 3


def test_client_errors_are_not_retried() -> None:
    """A 400 or 401 is final at once."""
    script = Script(status(401))
    with pytest.raises(LLMError, match="HTTP 401"):
        run(script)
    assert len(script.requests) == 1


def test_an_error_status_says_what_the_server_said_without_the_key() -> None:
    """The server's own words help (a context too long, a model not found); a key it echoes
    back, whole or masked, is removed."""
    said = "Incorrect API key provided: sk-secret-test-key (also sk-sec***-key)."
    script = Script(lambda _: httpx2.Response(401, json={"error": {"message": said}}))
    with pytest.raises(LLMError) as caught:
        run(script)
    message = str(caught.value)
    assert "HTTP 401 from the model server: Incorrect API key provided: [key]" in message
    assert "sk-sec" not in message
    script = Script(lambda _: httpx2.Response(400, text="the request exceeds the context size"))
    with pytest.raises(LLMError, match="HTTP 400 from the model server: the request exceeds"):
        run(script)


def test_retry_after_is_honoured() -> None:
    """A 429 with Retry-After: 1 waits at least a second before the next call."""
    script = Script(status(429, {"retry-after": "1"}), ok)
    start = time.monotonic()
    run(script)
    assert time.monotonic() - start >= 0.95


def test_key_and_article_go_only_to_the_configured_server() -> None:
    """Every attempt, retries included, goes to the configured host and nowhere else."""
    script = Script(status(500), lambda _: completion("{}"), ok)
    run(script)
    assert {r.url.host for r in script.requests} == {"model.test"}
    assert all(r.headers["authorization"] == "Bearer sk-secret-test-key" for r in script.requests)


def test_is_transient_classifies_errors() -> None:
    """Only rate limits, server errors, timeouts and connection failures are transient."""
    assert is_transient(TimeoutError())
    assert not is_transient(ValueError("schema"))


@pytest.mark.parametrize(
    "change",
    [
        {"id": None, "object": None, "created": None, "model": None},  # left out
        {"created": 1.7e9, "object": "text_completion", "id": None},
        {"choice": {"finish_reason": None}},
        {"choice": {"finish_reason": "eos_token"}},
        {"choice": {"index": None}, "message": {"role": None}},
        {"usage": {"prompt_tokens": 10}},
    ],
)
def test_a_loosely_shaped_completion_is_read(change: dict[str, object]) -> None:
    """OpenAI-compatible servers differ in the small print of a completion: all are read."""

    def loose(_: httpx2.Request) -> httpx2.Response:
        answer = completion(json.dumps(GOOD)).json()
        for where, fields in (
            (answer, {k: v for k, v in change.items() if k not in ("choice", "message")}),
            (answer["choices"][0], change.get("choice", {})),
            (answer["choices"][0]["message"], change.get("message", {})),
        ):
            for name, value in fields.items():  # type: ignore[attr-defined]
                if value is None:
                    where.pop(name, None)
                else:
                    where[name] = value
        return httpx2.Response(200, json=answer)

    result = run(Script(loose))
    assert result.data.headline == "Iraq takes detainees"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("body", "reason", "calls"),
    [
        (b'{"id": "c1", "choices": [{"ind', "not JSON (cut short?)", 3),  # retried
        (b'{"error": {"message": "no such model"}}', "answered with an error: no such model", 1),
        (b'{"error": {"message": "upstream busy", "code": 503}}', "HTTP 503", 3),  # retried
        (b"[1, 2]", "not a chat completion", 1),
    ],
)
def test_an_unreadable_answer_is_named(body: bytes, reason: str, calls: int) -> None:
    script = Script(lambda _: httpx2.Response(200, content=body))
    with pytest.raises(LLMError, match=re.escape(reason)):
        run(script, max_attempts=3)
    assert len(script.requests) == calls
