"""The live HTTP path (the openai SDK on httpx2) against loopback servers: what goes out,
what comes back, and what is refused (redirects, endless answers, calls past the time bound)."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from summarizer.articles import content_hash
from summarizer.config import ProviderConfig, resolve_config
from summarizer.errors import LLMError
from summarizer.extract import aextract_many
from summarizer.llm import LLM
from summarizer.models import Article
from summarizer.prompts import PromptTemplate, load_prompt
from summarizer.testing import FakeServer, ServerThread

KEY = "sk-test-httppath0123456789"
#: v1's free extraction: one call, the `ArticleExtraction` schema (tests about request shape).
V1 = load_prompt(version="1")


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


async def extract_with(
    config: ProviderConfig, transport: object = None, prompt: PromptTemplate | None = None
) -> None:
    async with LLM(config, transport=transport, prompt=prompt) as llm:  # type: ignore[arg-type]
        await llm.extract(article(1))


def test_live_requests_are_byte_for_byte_what_recording_sends(server: ServerThread) -> None:
    """The SDK's own HTTP client (live, recording) and a given transport (replay, tests) send
    the same body, so cassettes hold exactly what a live run sends."""
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
    asyncio.run(extract_with(config_for(server.base_url, mode="json"), prompt=V1))
    request = json.loads(server.server.last_request[1])
    assert request["response_format"]["type"] == "json_object"
    assert request["response_format"]["schema"]["title"] == "ArticleExtraction"


def test_schema_description_sent_is_the_models_own(server: ServerThread) -> None:
    """Nothing about summarizer's internals reaches the model through the schema."""
    asyncio.run(extract_with(config_for(server.base_url, mode="json"), prompt=V1))
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
            asyncio.run(extract_with(config_for(server.base_url, mode=mode), prompt=V1))
    else:
        asyncio.run(extract_with(config_for(server.base_url, mode=mode), prompt=V1))
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


def test_proxy_comes_from_the_environment_and_no_proxy_bypasses_it(
    server: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY is honoured by the SDK's client (the loopback server stands in for the
    proxy); NO_PROXY naming the model's host sends the request straight to it."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.port}")
    asyncio.run(extract_with(config_for("http://model.invalid/v1")))
    assert server.server.requests == 1  # reached through the proxy
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead}")  # a proxy that is not there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    asyncio.run(extract_with(config_for(server.base_url)))
    assert server.server.requests == 2  # straight to the server, not through the dead proxy


@pytest.mark.parametrize(
    ("variables", "through_proxy"),
    [
        ({"ALL_PROXY": "http://{proxy}"}, True),
        ({"HTTP_PROXY": "{proxy}"}, True),  # no scheme: taken as http://
        ({"HTTP_PROXY": "http://{dead}", "NO_PROXY": "*"}, False),
        ({"HTTP_PROXY": "http://{dead}", "NO_PROXY": "localhost,127.0.0.1"}, False),
    ],
)
def test_proxy_variables_as_httpx_reads_them(
    server: ServerThread,
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    through_proxy: bool,
) -> None:
    """ALL_PROXY, a proxy without a scheme, and NO_PROXY (`*`, a list of hosts) are honoured
    by the SDK's HTTP client: the request goes through the proxy or straight to the server."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    for name, value in variables.items():
        monkeypatch.setenv(name, value.format(proxy=f"127.0.0.1:{server.port}", dead=dead))
    # Through a proxy the model's host is never resolved here; straight, it is the server.
    base_url = "http://model.invalid/v1" if through_proxy else server.base_url
    asyncio.run(extract_with(config_for(base_url)))
    assert server.server.requests == 1


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


class RawServer:
    """A loopback server that answers every request with the bytes `answer(n)` gives for the
    n-th request (an async generator of chunks), then closes; it keeps the request heads."""

    def __init__(self, answer: object) -> None:
        self.answer = answer
        self.heads: list[bytes] = []
        self.port = 0

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            self.heads.append(head)
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            await reader.readexactly(length)
            async for chunk in self.answer(len(self.heads)):  # type: ignore[operator]
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> RawServer:
        self.listening = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self.listening.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.listening.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


def test_a_redirect_to_another_host_is_refused_naming_both_hosts(server: ServerThread) -> None:
    """Issue 13 case 2: a 307 to another host is an error naming both; nothing follows it."""

    async def redirect(_: int) -> object:
        location = f"{server.base_url}/chat/completions"
        yield (
            f"HTTP/1.1 307 Temporary Redirect\r\nlocation: {location}\r\n"
            "content-length: 0\r\nconnection: close\r\n\r\n"
        ).encode()

    async def go() -> None:
        async with RawServer(redirect) as redirecting:
            config = config_for(redirecting.base_url)
            with pytest.raises(LLMError) as caught:
                await extract_with(config)
            message = str(caught.value)
            assert f"127.0.0.1:{redirecting.port}" in message
            assert f"127.0.0.1:{server.port}" in message
            assert "redirect" in message
            assert "\n" not in message
            assert len(redirecting.heads) == 1  # not retried either

    asyncio.run(go())
    assert server.server.requests == 0  # the other host never saw the article


def test_an_endless_answer_is_cut_at_the_size_cap_in_one_line() -> None:
    """Issue 13 case 9: a 200 whose body never ends fails once past the cap, in one line,
    without holding the rest in memory, and is not retried."""

    async def endless(_: int) -> object:
        yield b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n"
        chunk = b"[" * 65536
        for _ in range(16 * 1024 * 1024 // len(chunk)):  # 16 MB, twice the cap
            yield chunk

    async def huge_length(_: int) -> object:
        yield (
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            b"content-length: 50000000000\r\n\r\n{"
        )

    async def go(answer: object, expected: str) -> None:
        async with RawServer(answer) as endless_server:
            with pytest.raises(LLMError) as caught:
                await extract_with(config_for(endless_server.base_url, max_attempts=3))
            message = str(caught.value)
            assert expected in message
            assert "\n" not in message
            assert len(message) < 400
            assert len(endless_server.heads) == 1

    asyncio.run(go(endless, "larger than 8,388,608 bytes"))
    asyncio.run(go(huge_length, "50,000,000,000 bytes, over the limit of 8,388,608"))


def test_the_total_time_bound_holds_for_the_call_in_flight() -> None:
    """Issue 13 case 11: with timeout_s=1 and max_total_s=1.3 a stalling server costs the
    article at most 1.3 s (plus scheduling), not a second full timeout."""
    with ServerThread(FakeServer(stall_s=30.0, faults={"h001": "stall"})) as stalling:
        config = config_for(stalling.base_url, timeout_s=1.0, max_total_s=1.3, max_attempts=4)
        start = time.monotonic()
        with pytest.raises(LLMError) as caught:
            asyncio.run(extract_with(config))
        elapsed = time.monotonic() - start
    assert elapsed < 1.7, elapsed
    assert "total time bound of 1.3s" in str(caught.value)


ECHOED_KEY = "gsk_SECRETKEY1234567890"
GOOGLE_KEY = "AIzaSyA-secret-0123456789wxyz"


def _echo_headers(request_head: bytes) -> bytes:
    """A 200 answer that is not a completion: it echoes the request's headers."""
    headers = dict(
        line.decode().split(": ", 1) for line in request_head.split(b"\r\n")[1:] if b": " in line
    )
    authorization = {k: v for k, v in headers.items() if k.lower() == "authorization"}
    body = json.dumps({"received": {**authorization, **headers}}).encode()
    return (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n"
        + f"content-length: {len(body)}\r\n\r\n".encode()
        + body
    )


@pytest.mark.parametrize(
    ("key", "answer", "leak"),
    [
        (ECHOED_KEY, "echo", "SECRETKEY"),
        (
            ECHOED_KEY,
            '{"error": {"message": "Incorrect API key provided: gsk_SECR*****7890"}}',
            "SECR*****7890",
        ),
        (GOOGLE_KEY, '{"error": {"message": "API key not valid: AIzaSy...wxyz"}}', "Sy...wxyz"),
        (GOOGLE_KEY, '{"error": {"message": "bad key AIzaSyA-secret-0123456789wxyz"}}', "secret"),
    ],
)
def test_the_key_and_its_masked_forms_reach_no_output(
    key: str, answer: str, leak: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13 case 1: whatever the server sends back (the request's headers, a masked key
    of any shape), the key reaches no error, no brief format and no line on stderr."""
    from typer.testing import CliRunner

    from summarizer.cli import app
    from summarizer.pipeline import abrief
    from summarizer.render.html import render_html
    from summarizer.render.json import render_json
    from summarizer.render.markdown import render_markdown

    async def reply(n: int) -> object:
        if answer == "echo":
            yield _echo_headers(server.heads[n - 1])
        else:
            body = answer.encode()
            yield (
                b"HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\n"
                + f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
                + body
            )

    server = RawServer(reply)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "h001.txt").write_text(article(1).text, encoding="utf-8")

    async def brief() -> tuple[str, list[str]]:
        async with server:
            config = dataclasses.replace(config_for(server.base_url), api_key=key)
            result = await abrief([folder], config=config)
            briefing = result.briefing
            outputs = [
                render_markdown(briefing),
                render_json(briefing),
                render_html(briefing, result.texts),
            ]
            return server.base_url, outputs

    _, outputs = asyncio.run(brief())
    assert "HTTP 401" in outputs[0] or "not a chat completion" in outputs[0]

    async def cli() -> object:
        async with server:
            monkeypatch.setenv("SUMMARIZER_API_KEY", key)
            return await asyncio.to_thread(
                CliRunner().invoke,
                app,
                [
                    "--debug",
                    "brief",
                    str(folder),
                    "--no-cache",
                    "--provider",
                    "openai-compatible",
                    "--model",
                    "fake",
                    "--base-url",
                    server.base_url,
                ],
            )

    done = asyncio.run(cli())
    outputs += [done.output, done.stderr]  # type: ignore[attr-defined]
    assert "h001" in done.stderr  # type: ignore[attr-defined]
    masked = {key, key[:8], key[-8:], key[4:-4], leak}
    for text in outputs:
        for form in masked:
            assert form not in text, (form, text[:2000])


def test_client_must_be_one_summarizer_can_use() -> None:
    """A wrong client= is one clear ConfigError, not a TypeError deep in a call."""
    from summarizer.errors import ConfigError

    with pytest.raises(ConfigError, match=r"client= takes an openai\.AsyncOpenAI"):
        LLM(config_for("http://127.0.0.1:9/v1"), client=object())  # type: ignore[arg-type]


def test_a_recorded_cassette_never_holds_the_key_a_server_echoes(tmp_path: Path) -> None:
    """Issue 13 case 1, cassettes: a server that echoes the request's Authorization header in
    its answer is recorded with the key replaced; the rest of the body is kept."""
    import yaml

    from summarizer.cassettes import cassette_path
    from summarizer.extract import arecord

    async def echo(n: int) -> object:
        head = server.heads[n - 1].decode()
        said = next(
            line.split(": ", 1)[1]
            for line in head.split("\r\n")
            if line.lower().startswith("authorization:")
        )
        answer = {
            "headline": f"Echo {said}",
            "summary": "Officials said 101 detainees were moved.",
            "actors": [],
            "quotes": [],
            "figures": [],
            "dates": [],
        }
        body = json.dumps(
            {
                "id": "c1",
                "object": "chat.completion",
                "created": 0,
                "model": "fake",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": json.dumps(answer)},
                    }
                ],
            }
        ).encode()
        yield (
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            + f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
            + body
        )

    server = RawServer(echo)

    async def go() -> None:
        async with server:
            run = await arecord(
                [article(1)], config=config_for(server.base_url), cassette_dir=tmp_path, prompt=V1
            )
            assert not run.failures, run.failures

    asyncio.run(go())
    recorded = yaml.safe_load(cassette_path(tmp_path, "h001").read_text(encoding="utf-8"))
    body = recorded["interactions"][0]["response"]["body"]["string"]
    text = body.decode() if isinstance(body, bytes) else body
    assert "Echo Bearer [key]" in text
    assert KEY not in text


@pytest.fixture
def untrusted_tls(tmp_path: Path) -> Iterator[tuple[str, list[int]]]:
    """A loopback HTTPS server whose certificate no CA vouches for (self-signed, made with
    the openssl command), and a list counting the TLS handshakes it was offered."""
    import ssl
    import subprocess
    import threading

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    openssl = shutil.which("openssl") or "openssl"
    request = ("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj")
    subprocess.run(
        [openssl, *request, "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    offered: list[int] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            offered.append(1)
            try:
                context.wrap_socket(conn, server_side=True).close()
            except (ssl.SSLError, OSError):
                conn.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}/v1", offered
    finally:
        listener.close()


@pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl command")
def test_a_certificate_error_is_not_retried(untrusted_tls: tuple[str, list[int]]) -> None:
    """A server whose TLS certificate does not verify is one clear failure at once: a
    certificate does not fix itself in the next seconds, so it is not retried."""
    url, offered = untrusted_tls
    with pytest.raises(LLMError, match="certificate") as info:
        asyncio.run(extract_with(config_for(url, max_attempts=4), prompt=V1))
    assert info.value.attempts == 1
    assert len(offered) == 1


def test_one_llm_shared_by_threads_leaves_no_open_connection(server: ServerThread) -> None:
    """An LLM used from several threads at once (each with its own event loop) answers in
    every one, and once closed leaves no connection open (no ResourceWarning)."""
    import gc
    import threading
    import warnings

    llm = LLM(config_for(server.base_url), prompt=V1)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            asyncio.run(llm.extract(article(1)))
        except BaseException as e:  # reported by the assertion below
            errors.append(e)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        threads = [threading.Thread(target=work) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        asyncio.run(llm.aclose())
        gc.collect()
    assert errors == []
    assert server.server.requests == 3
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaks == []
