"""`summarizer batch submit/status/collect` against a loopback server implementing the
OpenAI Batch API's files and batches endpoints with the API reference's response shapes."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.batch import BatchError, BatchState, collect, submit
from summarizer.cache import Cache
from summarizer.cli import app
from summarizer.config import ProviderConfig, resolve_config
from summarizer.extract import ExtractionRun, aextract_many
from summarizer.llm import sdk_client
from summarizer.pipeline import briefing_from
from summarizer.testing import FakeServer, ServerThread

from .conftest import ARTICLES

KEY = "sk-test-batch-0123456789abcdef"


@pytest.fixture
def server() -> Iterator[ServerThread]:
    with ServerThread(FakeServer()) as running:
        yield running


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The five sample articles (their quotes make a second, quote-call batch)."""
    target = tmp_path / "in"
    shutil.copytree(ARTICLES, target)
    return target


def config_for(server: ServerThread) -> ProviderConfig:
    config = resolve_config(
        provider="openai-compatible", base_url=server.base_url, model="fake", api_key=KEY
    )
    return dataclasses.replace(config, retry_initial_s=0.01)


async def batch_run(folder: Path, config: ProviderConfig, cache: Cache | None = None) -> object:
    client = sdk_client(config)
    state, failures = await submit([folder], config, client)
    assert not failures
    outcome = await collect(state.batch_id, config, client, cache=cache)
    stages = 1
    while isinstance(outcome, BatchState):
        stages += 1
        outcome = await collect(outcome.batch_id, config, client, cache=cache)
    assert isinstance(outcome, ExtractionRun)
    return outcome, stages


def test_batch_makes_the_brief_a_live_run_makes(server: ServerThread, folder: Path) -> None:
    """Article calls, then quote calls, as two batches; the brief equals the live one, and
    each batch line is byte for byte the request the live run sent."""
    config = config_for(server)
    run, stages = asyncio.run(batch_run(folder, config))  # type: ignore[misc]
    assert stages == 2
    assert not run.failures
    batched = server.server.requests
    lines = [
        json.loads(line)
        for file_id in sorted(server.server.files)
        for line in server.server.files[file_id].splitlines()
        if b'"custom_id"' in line and b'"method"' in line
    ]
    live = asyncio.run(aextract_many([e.article for e in run.extractions], config=config))
    assert server.server.requests - batched == batched  # the same number of calls
    assert [e.data for e in live.extractions] == [e.data for e in run.extractions]
    assert briefing_from(live).stories == briefing_from(run).stories
    assert all(line["url"] == "/v1/chat/completions" for line in lines)
    sent_live = json.loads(server.server.last_request[1])
    assert sent_live in [line["body"] for line in lines]


def test_collect_fills_the_cache_and_lists_answers_that_fail(
    server: ServerThread, folder: Path, tmp_path: Path
) -> None:
    """An answer that breaks the schema is listed to re-run live; the rest fill the cache, so
    a live run afterwards makes no call for them."""
    server.server.faults = {"002_2ee78586a9d7a01e": "bad_schema"}
    config = config_for(server)
    with Cache(tmp_path / "cache.sqlite") as cache:
        run, _ = asyncio.run(batch_run(folder, config, cache))  # type: ignore[misc]
        assert [f.article_id for f in run.failures] == ["002_2ee78586a9d7a01e"]
        assert "re-run it live" in run.failures[0].error
        assert len(run.extractions) == 4
        before = server.server.requests
        again = asyncio.run(
            aextract_many([e.article for e in run.extractions], config=config, cache=cache)
        )
    assert again.cache_hits == 4
    assert server.server.requests == before


def test_cli_submit_status_collect(
    server: ServerThread, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commands as a user runs them: an id, a status line, a second batch id, a brief."""
    monkeypatch.setenv("SUMMARIZER_API_KEY", KEY)
    runner = CliRunner()
    base = ["--provider", "openai-compatible", "--base-url", server.base_url, "--model", "fake"]
    done = runner.invoke(app, ["batch", "submit", str(folder), *base])
    assert done.exit_code == 0, done.output
    first = done.stdout.strip()
    assert first.startswith("batch_")
    done = runner.invoke(app, ["batch", "status", first])
    assert done.stdout.strip() == f"{first}: completed (5 of 5 done, 0 failed)"
    done = runner.invoke(app, ["batch", "collect", first, "--no-cache"])
    assert done.exit_code == 0, done.output
    second = done.stdout.strip()
    assert second.startswith("batch_")
    assert second != first
    out = tmp_path / "brief.md"
    done = runner.invoke(app, ["batch", "collect", second, "--no-cache", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_text(encoding="utf-8").startswith("# Morning brief")


def test_collect_before_completion_and_unknown_ids_are_one_line(
    server: ServerThread, folder: Path
) -> None:
    """A batch still running, or one never submitted here, is a BatchError, not a crash."""
    config = config_for(server)
    client = sdk_client(config)

    async def go() -> None:
        state, _ = await submit([folder], config, client)
        server.server.batches[state.batch_id]["status"] = "in_progress"
        with pytest.raises(BatchError, match=r"is in_progress \(0 of 5 done\)"):
            await collect(state.batch_id, config, client)

    asyncio.run(go())
    with pytest.raises(BatchError, match="no batch batch_9999 was submitted from here"):
        asyncio.run(collect("batch_9999", config, client))


def test_batch_traffic_records_and_replays_offline(
    server: ServerThread, folder: Path, tmp_path: Path
) -> None:
    """vcrpy records the SDK's files and batches traffic; the cassette replays the whole run
    with the server stopped and the brief is the same."""
    import vcr

    from summarizer.cassettes import scrub_request, scrub_response

    cassette = tmp_path / "batch.yaml"
    config = config_for(server)
    recorder = vcr.VCR(
        record_mode="all",
        match_on=["method", "path"],
        before_record_request=scrub_request,
        before_record_response=scrub_response,
    )
    with recorder.use_cassette(str(cassette)):
        recorded, _ = asyncio.run(batch_run(folder, config))  # type: ignore[misc]
    text = cassette.read_text(encoding="utf-8")
    assert "/v1/files" in text
    assert "/v1/batches" in text
    assert KEY not in text
    server.server.server.close()  # type: ignore[union-attr]
    calls = server.server.requests
    with vcr.VCR(record_mode="none", match_on=["method", "path"]).use_cassette(str(cassette)):
        replayed, _ = asyncio.run(batch_run(folder, config))  # type: ignore[misc]
    assert server.server.requests == calls
    assert briefing_from(replayed).stories == briefing_from(recorded).stories
