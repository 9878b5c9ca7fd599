"""Azure OpenAI (`--provider azure`) and the caller's own client (`client=`), against
loopback servers: which URL, which headers, which client actually sends."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import httpx2
import instructor
import openai
import pytest
import yaml
from typer.testing import CliRunner

from summarizer.articles import content_hash
from summarizer.cli import app
from summarizer.config import resolve_config
from summarizer.errors import ConfigError
from summarizer.extract import aextract_many, extract_many
from summarizer.models import Article
from summarizer.pipeline import brief
from summarizer.testing import FakeServer, ServerThread

KEY = "azure-test-key-0123456789abcdef"
VERSION = "2024-10-21"


@pytest.fixture
def server() -> Iterator[ServerThread]:
    with ServerThread(FakeServer()) as running:
        yield running


@pytest.fixture
def azure_env(server: ServerThread, monkeypatch: pytest.MonkeyPatch) -> None:
    """The three variables Azure OpenAI's own documentation sets."""
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", f"http://127.0.0.1:{server.port}")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_API_VERSION", VERSION)


def article(i: int) -> Article:
    text = f"Officials said {100 + i} detainees were moved on Tuesday."
    return Article(id=f"z{i:03d}", path=f"z{i:03d}.txt", text=text, content_hash=content_hash(text))


def test_azure_config_comes_from_azures_variables(azure_env: None, server: ServerThread) -> None:
    """Endpoint, key and api-version are read from AZURE_OPENAI_* and OPENAI_API_VERSION."""
    config = resolve_config(provider="azure", model="brief-deployment")
    assert config.base_url == f"http://127.0.0.1:{server.port}"
    assert config.api_key == KEY
    assert config.api_version == VERSION
    assert config.mode == "json_schema"
    assert KEY not in repr(config)


def test_azure_says_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without its variables the azure provider is one error naming each missing one."""
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError) as caught:
        resolve_config(provider="azure")
    message = str(caught.value)
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION", "--model"):
        assert name in message


def test_cli_provider_azure_calls_the_deployment(
    azure_env: None, server: ServerThread, tmp_path: Path
) -> None:
    """`--provider azure --model DEPLOYMENT`: the deployment's URL with api-version, the key
    in `api-key` (never as a bearer token), and a brief made from the answer."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "z001.txt").write_text(article(1).text, encoding="utf-8")
    out = tmp_path / "brief.md"
    done = CliRunner().invoke(
        app,
        [
            *("brief", str(folder), "--provider", "azure", "--model", "brief-deployment"),
            *("--no-cache", "-o", str(out)),
        ],
    )
    assert done.exit_code == 0, done.output
    headers, body = server.server.last_request
    assert server.server.last_path == (
        f"/openai/deployments/brief-deployment/chat/completions?api-version={VERSION}"
    )
    assert headers["api-key"] == KEY
    assert "authorization" not in headers
    assert json.loads(body)["model"] == "brief-deployment"
    assert "Officials said 101 detainees" in out.read_text(encoding="utf-8")


def test_azure_traffic_is_recorded_and_replays_without_the_server(
    azure_env: None, server: ServerThread, tmp_path: Path
) -> None:
    """`summarizer record --provider azure` writes a cassette of the SDK's own traffic with
    the key scrubbed; vcrpy replays it with the server gone and the answer is the same."""
    import vcr

    from summarizer.cassettes import MATCH_ON, cassette_path
    from summarizer.extract import aextract

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "z001.txt").write_text(article(1).text, encoding="utf-8")
    cassettes = tmp_path / "cassettes"
    done = CliRunner().invoke(
        app,
        [
            *("record", str(folder), "--provider", "azure", "--model", "brief-deployment"),
            *("--cassettes", str(cassettes)),
        ],
    )
    assert done.exit_code == 0, done.output
    recorded = cassette_path(cassettes, "z001")
    text = recorded.read_text(encoding="utf-8")
    assert KEY not in text
    interaction = yaml.safe_load(text)["interactions"][0]
    assert "/openai/deployments/brief-deployment/chat/completions" in interaction["request"]["uri"]
    assert "api-key" not in {h.lower() for h in interaction["request"]["headers"]}
    live = server.server.requests
    config = resolve_config(provider="azure", model="brief-deployment")
    player = vcr.VCR(record_mode="none", match_on=MATCH_ON)
    with player.use_cassette(str(recorded)):
        replayed = asyncio.run(aextract(article(1), config=config))
    assert server.server.requests == live  # answered from the cassette, not the server
    assert replayed.data.headline.startswith("Officials said 101 detainees")


def test_a_given_async_openai_client_sends_every_call(server: ServerThread) -> None:
    """client=: the caller's AsyncOpenAI, with its own httpx client and headers, sends every
    call, whatever the configured provider (here replay); its SDK retries are turned off, so
    a 500 costs exactly the attempts summarizer allows."""
    server.server.faults = {1: "error_500"}
    http = httpx2.AsyncClient(headers={"x-newsroom": "night-desk"})
    client = openai.AsyncOpenAI(
        base_url=server.base_url, api_key=KEY, http_client=http, max_retries=5
    )
    config = resolve_config()  # replay: the client wins for every provider
    assert config.provider == "replay"
    config = dataclasses.replace(config, max_attempts=1, retry_initial_s=0.01)
    run = asyncio.run(aextract_many([article(1), article(2)], config=config, client=client))
    assert server.server.requests == 2  # the 500 was not retried by the SDK behind our back
    assert len(run.extractions) == 1
    assert "HTTP 500" in run.failures[0].error
    headers, _ = server.server.last_request
    assert headers["x-newsroom"] == "night-desk"
    assert headers["authorization"] == f"Bearer {KEY}"


def test_a_given_azure_client_and_an_instructor_client_are_used(server: ServerThread) -> None:
    """AsyncAzureOpenAI and an instructor-patched client work through brief()/extract_many()."""
    azure = openai.AsyncAzureOpenAI(
        azure_endpoint=f"http://127.0.0.1:{server.port}", api_key=KEY, api_version=VERSION
    )
    config = resolve_config(
        provider="openai-compatible", base_url="http://127.0.0.1:9/v1", model="dep"
    )
    result = brief([article(1)], config=config, client=azure)
    assert not result.briefing.failures
    assert server.server.last_path.startswith("/openai/deployments/dep/chat/completions")
    assert server.server.last_request[0]["api-key"] == KEY

    patched = instructor.from_openai(
        openai.AsyncOpenAI(base_url=server.base_url, api_key=KEY), mode=instructor.Mode.JSON
    )
    run = extract_many([article(2)], config=config, client=patched)
    assert not run.failures
    sent = json.loads(server.server.last_request[1])
    assert server.server.last_path == "/v1/chat/completions"
    assert "json_schema" in sent["messages"][0]["content"]  # instructor's JSON mode, as given
