"""The live HTTP path (aiohttp) against the loopback server: what goes out, what comes back."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import socket
from collections.abc import Iterator

import httpx2
import pytest

from summarizer.articles import content_hash
from summarizer.config import ProviderConfig, resolve_config
from summarizer.errors import LLMError
from summarizer.extract import aextract_many
from summarizer.llm import LLM, env_proxy
from summarizer.models import Article
from summarizer.testing import FakeServer, ServerThread

KEY = "sk-test-httppath0123456789"


@pytest.fixture
def server() -> Iterator[ServerThread]:
    with ServerThread(FakeServer(delay=0.02)) as running:
        yield running


def config_for(base_url: str, **changes: object) -> ProviderConfig:
    config = resolve_config(
        provider="openai-compatible", base_url=base_url, model="fake", api_key=KEY
    )
    defaults = {"timeout_s": 2.0, "retry_initial_s": 0.01, "retry_max_s": 0.02}
    return dataclasses.replace(config, **{**defaults, **changes})  # type: ignore[arg-type]


def article(i: int) -> Article:
    text = f"Officials said {100 + i} detainees were moved on Tuesday."
    return Article(id=f"h{i:03d}", path=f"h{i:03d}.txt", text=text, content_hash=content_hash(text))


async def extract_with(config: ProviderConfig, transport: object = None) -> None:
    async with LLM(config, transport=transport) as llm:  # type: ignore[arg-type]
        await llm.extract(article(1))


def test_live_requests_are_byte_for_byte_what_recording_sends(server: ServerThread) -> None:
    """aiohttp (live) and httpx2 (recording, replay) send the same body, so cassettes hold
    exactly what a live run sends."""
    config = config_for(server.base_url)
    asyncio.run(extract_with(config))
    live_headers, live_body = server.server.last_request
    asyncio.run(extract_with(config, httpx2.AsyncHTTPTransport()))
    _, recorded_body = server.server.last_request
    assert live_body == recorded_body
    request = json.loads(live_body)
    assert request["model"] == "fake"
    assert request["response_format"]["type"] == "json_object"  # the default `grammar` mode
    assert live_headers["authorization"] == f"Bearer {KEY}"
    assert live_headers["content-type"] == "application/json"


def test_no_key_sends_no_authorization(server: ServerThread) -> None:
    config = dataclasses.replace(config_for(server.base_url), api_key=None)
    asyncio.run(extract_with(config))
    headers, _ = server.server.last_request
    assert "authorization" not in headers


def test_json_mode_sends_the_schema_as_response_format_too(server: ServerThread) -> None:
    asyncio.run(extract_with(config_for(server.base_url, mode="json")))
    request = json.loads(server.server.last_request[1])
    assert request["response_format"]["type"] == "json_object"
    assert request["response_format"]["schema"]["title"] == "ArticleExtraction"


def test_schema_description_sent_is_the_models_own(server: ServerThread) -> None:
    """Nothing about summarizer's internals reaches the model through the schema."""
    asyncio.run(extract_with(config_for(server.base_url, mode="json")))
    sent = json.loads(server.server.last_request[1])["messages"][0]["content"]
    assert "Everything the model extracts from one article." in sent
    assert "instructor" not in sent


def test_openai_account_headers_go_to_openai(
    server: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_ORG_ID", "org-newsroom")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-brief")
    config = resolve_config(provider="openai", base_url=server.base_url, api_key=KEY)
    asyncio.run(extract_with(dataclasses.replace(config, model="fake", mode="grammar")))
    headers, _ = server.server.last_request
    assert headers["openai-organization"] == "org-newsroom"
    assert headers["openai-project"] == "proj-brief"
    asyncio.run(extract_with(config_for(server.base_url)))  # another provider: not sent
    headers, _ = server.server.last_request
    assert "openai-organization" not in headers


def test_one_llm_serves_several_event_loops(server: ServerThread) -> None:
    """The sync API runs a new event loop per call; an LLM kept across them still works."""
    llm = LLM(config_for(server.base_url))
    for _ in range(2):
        asyncio.run(llm.extract(article(1)))
    asyncio.run(llm.aclose())
    assert server.server.requests == 2


@pytest.mark.parametrize("mode", ["json", "tools", "md_json"])
def test_instructor_shapes_the_request_for_each_mode(server: ServerThread, mode: str) -> None:
    """Other modes carry what instructor's handler for that mode adds."""
    if mode == "tools":  # this server answers in text, never with a tool call
        with pytest.raises(LLMError, match="No tool calls"):
            asyncio.run(extract_with(config_for(server.base_url, mode=mode)))
    else:
        asyncio.run(extract_with(config_for(server.base_url, mode=mode)))
    request = json.loads(server.server.last_request[1])
    if mode == "tools":
        assert request["tools"][0]["function"]["name"] == "ArticleExtraction"
        assert len(request["messages"]) > 2  # the re-ask carries the failed answer back
    else:
        assert "tools" not in request
        assert "json" in json.dumps(request["messages"]).lower()


def test_concurrency_is_a_bound_and_every_article_comes_back_in_order(
    server: ServerThread,
) -> None:
    articles = [article(i) for i in range(20)]
    run = asyncio.run(aextract_many(articles, config=config_for(server.base_url), concurrency=3))
    assert [e.article.id for e in run.extractions] == [a.id for a in articles]
    assert server.server.peak_in_flight == 3
    assert run.calls == 20


def test_an_answer_that_is_not_a_completion_fails_at_once_with_a_clear_reason(
    server: ServerThread,
) -> None:
    server.server.faults = {"h001": "not_completion"}
    with pytest.raises(LLMError) as caught:
        asyncio.run(extract_with(config_for(server.base_url)))
    message = str(caught.value)
    assert "h001.txt" in message
    assert "the model server answered with an error: model not loaded" in message
    assert server.server.requests == 1  # not retried: a second ask would get the same
    assert KEY not in message


def test_a_closed_port_is_a_connection_failure_after_bounded_retries() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends
    config = config_for(f"http://127.0.0.1:{port}/v1", max_attempts=2)
    with pytest.raises(LLMError) as caught:
        asyncio.run(extract_with(config))
    assert "failed after 2 attempt(s)" in str(caught.value)
    assert "the connection to the model server failed" in str(caught.value)
    assert caught.value.attempts == 2


PROXY_VARIABLES = [
    f"{name}_proxy" if lower else f"{name.upper()}_PROXY"
    for name in ("http", "https", "all", "no")
    for lower in (True, False)
]


def test_proxy_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert env_proxy("https://api.openai.com/v1/chat/completions") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.newsroom:3128")
    assert env_proxy("https://api.openai.com/v1/chat/completions") == "http://proxy.newsroom:3128"
    assert env_proxy("http://127.0.0.1:8080/v1/chat/completions") is None  # no http proxy set
    monkeypatch.setenv("NO_PROXY", "api.openai.com")
    assert env_proxy("https://api.openai.com/v1/chat/completions") is None


@pytest.mark.parametrize(
    ("variables", "url", "expected"),
    [
        ({"ALL_PROXY": "http://p:1"}, "http://vllm.internal:8000/v1", "http://p:1"),
        ({"HTTP_PROXY": "p.newsroom:3128"}, "http://h/v1", "http://p.newsroom:3128"),
        ({"HTTP_PROXY": "http://p:1", "NO_PROXY": "10.0.0.0/8"}, "http://10.2.3.4:8000/v1", None),
        (
            {"HTTP_PROXY": "http://p:1", "NO_PROXY": "10.0.0.0/8"},
            "http://11.2.3.4/v1",
            "http://p:1",
        ),
        ({"HTTP_PROXY": "http://p:1", "NO_PROXY": "h:8000"}, "http://h:8000/v1", None),
        ({"HTTP_PROXY": "http://p:1", "NO_PROXY": "h:8000"}, "http://h:9000/v1", "http://p:1"),
        ({"HTTP_PROXY": "http://p:1", "NO_PROXY": ".internal"}, "http://a.internal/v1", None),
        ({"HTTP_PROXY": "http://p:1", "NO_PROXY": "*"}, "http://anything/v1", None),
    ],
)
def test_proxy_rules(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], url: str, expected: str | None
) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert env_proxy(url) == expected


def test_proxy_password_never_shows_in_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://editor:hunter2pw@127.0.0.1:{port}")
    config = config_for("http://model.invalid/v1", max_attempts=1)
    with pytest.raises(LLMError) as caught:
        asyncio.run(extract_with(config))
    assert "hunter2pw" not in str(caught.value)
    assert "editor" not in str(caught.value)


def test_requests_go_through_the_proxy_with_its_credentials(
    server: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loopback server stands in for the proxy: it sees the request and the credentials."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://editor:hunter2pw@127.0.0.1:{server.port}")
    asyncio.run(extract_with(config_for("http://model.invalid/v1")))
    headers, _ = server.server.last_request
    expected = base64.b64encode(b"editor:hunter2pw").decode()
    assert headers["proxy-authorization"] == f"Basic {expected}"
    assert headers["authorization"] == f"Bearer {KEY}"  # for the model server behind it


def test_an_https_proxy_gets_its_credentials_and_never_the_api_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """For https the proxy sees only the CONNECT: its own credentials, never the API key."""
    seen: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    async def go() -> None:
        listening = await asyncio.start_server(proxy, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        monkeypatch.setenv("HTTPS_PROXY", f"http://editor:hunter2pw@127.0.0.1:{port}")
        config = config_for("https://api.model.invalid/v1", max_attempts=1)
        with pytest.raises(LLMError) as caught:
            await extract_with(config)
        assert "hunter2pw" not in str(caught.value)
        listening.close()

    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    asyncio.run(go())
    connect = seen[0].decode().lower()
    assert connect.startswith("connect api.model.invalid:443")
    expected = base64.b64encode(b"editor:hunter2pw").decode().lower()
    assert f"proxy-authorization: basic {expected}" in connect
    assert KEY.lower() not in connect
