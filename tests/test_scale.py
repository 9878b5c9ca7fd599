"""Long articles, budgets, costs, rate limits and strict mode."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx2
import pytest

from summarizer.articles import content_hash
from summarizer.cache import Cache
from summarizer.chunking import estimate_tokens, merge_chunks, split_chunks
from summarizer.config import resolve_config
from summarizer.cost import Budget, cost_usd, dollars, load_prices
from summarizer.errors import ConfigError
from summarizer.extract import aextract_many
from summarizer.ground import ground
from summarizer.models import Article, ArticleExtraction, Quote, Usage
from summarizer.pipeline import briefing_from
from summarizer.prompts import load_prompt

from .test_cli import cli
from .test_llm import completion

PARAGRAPH = "Iraq received {n} detainees on Tuesday, officials said. " * 3


def long_article(paragraphs: int) -> Article:
    text = "\n\n".join(PARAGRAPH.format(n=100 + i) for i in range(paragraphs))
    return Article(id="long", path="long.txt", text=text, content_hash=content_hash(text))


def test_chunks_cut_at_paragraphs_and_overlap() -> None:
    """Chunks stay under budget, start at paragraph starts, overlap, and cover the text."""
    article = long_article(40)
    chunks = split_chunks(article.text, max_tokens=200)
    assert len(chunks) > 3
    covered = set()
    for offset, text in chunks:
        assert estimate_tokens(text) <= 201
        assert article.text[offset : offset + len(text)] == text
        assert offset == 0 or article.text[offset - 1] == "\n"
        covered |= set(range(offset, offset + len(text)))
    assert covered == set(range(len(article.text)))
    assert chunks[1][0] < chunks[0][0] + len(chunks[0][1])


def test_chunk_answers_merge_without_duplicates() -> None:
    """Items seen in two overlapping chunks appear once."""
    quote = Quote(speaker="A", text="same words")
    part = ArticleExtraction(
        headline="H1", summary="S.", actors=[], quotes=[quote], figures=[], dates=[]
    )
    other = part.model_copy(update={"headline": "H2"})
    merged = merge_chunks([part, other])
    assert merged.headline == "H1"
    assert merged.quotes == [quote]


class Counting:
    """A fake OpenAI-compatible endpoint: valid answers, counts requests, notes times."""

    def __init__(self, *, first_status: int | None = None) -> None:
        self.times: list[float] = []
        self.first_status = first_status

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.times.append(time.monotonic())
        if self.first_status and len(self.times) == 1:
            return httpx2.Response(self.first_status, headers={"retry-after": "1"}, json={})
        body = json.loads(request.read())
        text = body["messages"][1]["content"]
        number = text.split("received ")[1].split(" ")[0] if "received " in text else "1"
        answer = {
            "headline": "H",
            "summary": "S.",
            "actors": [],
            "dates": [],
            "quotes": [],
            "figures": [
                {
                    "value": float(number),
                    "upper": None,
                    "unit": "detainees",
                    "measure": "received",
                    "qualifier": "exact",
                    "phrase": f"{number} detainees",
                }
            ],
        }
        return completion(json.dumps(answer))


def run_fake(articles: list[Article], endpoint: Counting, **kwargs: object) -> object:
    # The endpoint answers v1's free extraction (one call per chunk): these tests are about
    # chunks, budgets and rate limits, not about the prompt.
    kwargs.setdefault("prompt", load_prompt(version="1"))
    config = resolve_config(
        provider="openai-compatible", base_url="http://fake.test/v1", model="gpt-4o-mini"
    )

    async def go() -> object:
        from summarizer import llm as llm_module

        original = llm_module.LLM.__init__

        def patched(self: object, cfg: object, **kw: object) -> None:
            kw["transport"] = httpx2.MockTransport(endpoint)
            kw["retry_initial_s"] = 0.01
            original(self, cfg, **kw)  # type: ignore[arg-type]

        llm_module.LLM.__init__ = patched  # type: ignore[method-assign]
        try:
            return await aextract_many(articles, config=config, **kwargs)  # type: ignore[arg-type]
        finally:
            llm_module.LLM.__init__ = original  # type: ignore[method-assign]

    return asyncio.run(go())


def test_long_article_is_extracted_in_chunks_and_grounded_whole() -> None:
    """An article over the input budget takes several calls; spans refer to the whole text."""
    article = long_article(400)
    assert estimate_tokens(article.text) > 4500
    endpoint = Counting()
    run = run_fake([article], endpoint)
    assert len(endpoint.times) > 1
    (extraction,) = run.extractions  # type: ignore[attr-defined]
    assert extraction.meta.usage.calls == len(endpoint.times)
    grounded = ground(extraction)
    late = [f for f in grounded.figures if f.origin == "both" and (f.span.start or 0) > 20_000]
    assert late
    for f in late:
        assert article.text[f.span.start : f.span.end] == f.text


def test_article_past_the_hard_limit_is_refused() -> None:
    """An absurdly long article fails with a clear reason; nothing is sent."""
    text = "word " * 500_000
    article = Article(id="huge", path="huge.txt", text=text, content_hash=content_hash(text))
    endpoint = Counting()
    run = run_fake([article], endpoint)
    assert not endpoint.times
    assert "over the hard limit" in run.failures[0].error  # type: ignore[attr-defined]


def test_token_budget_stops_new_calls() -> None:
    """Once the token budget is spent, later articles fail as 'not sent' and nothing is lost."""
    articles = [long_article(1).model_copy(update={"id": f"a{i}"}) for i in range(5)]
    endpoint = Counting()
    budget = Budget(max_tokens=30)
    run = run_fake(articles, endpoint, concurrency=1, budget=budget)
    assert len(run.extractions) == 2  # type: ignore[attr-defined]
    assert len(run.failures) == 3  # type: ignore[attr-defined]
    assert all("token budget of 30 reached" in f.error for f in run.failures)  # type: ignore[attr-defined]
    assert len(endpoint.times) == 2


def test_a_budget_stop_mid_article_counts_the_parts_sent() -> None:
    """A long article stopped between parts says so, and what its sent parts cost counts."""
    article = long_article(400)
    endpoint = Counting()
    run = run_fake([article], endpoint, budget=Budget(max_tokens=30))
    (failure,) = run.failures  # type: ignore[attr-defined]
    assert "stopped after 2 of" in failure.error
    assert "token budget of 30 reached" in failure.error
    assert failure.usage == Usage(prompt_tokens=20, completion_tokens=10, total_tokens=30, calls=2)
    assert run.spent == failure.usage  # type: ignore[attr-defined]
    briefing = briefing_from(run)  # type: ignore[arg-type]
    assert briefing.meta.usage.total_tokens == 30
    (entry,) = briefing.meta.articles
    assert (entry.article_id, entry.failed, entry.usage.calls) == ("long", True, 2)
    assert briefing.meta.cost_usd == cost_usd("gpt-4o-mini", failure.usage, load_prices())


def test_tokens_of_a_failed_extraction_are_counted() -> None:
    """Answers that never validate are billed: their tokens appear in the run and the brief."""

    def broken(request: httpx2.Request) -> httpx2.Response:
        return completion(json.dumps({"headline": 7}))

    ok = Article(id="ok", path="ok.txt", text="Iraq received 5 detainees.", content_hash="x")
    bad = ok.model_copy(update={"id": "bad", "path": "bad.txt", "content_hash": "y"})
    good = Counting()

    def route(request: httpx2.Request) -> httpx2.Response:
        return broken(request) if "Article id: bad" in request.read().decode() else good(request)

    run = run_fake([ok, bad], route)  # type: ignore[arg-type]
    (failure,) = run.failures  # type: ignore[attr-defined]
    assert failure.article_id == "bad"
    # The first answer and both re-asks: three requests, all billed.
    assert failure.usage == Usage(prompt_tokens=30, completion_tokens=15, total_tokens=45, calls=3)
    assert run.spent == Usage(  # type: ignore[attr-defined]
        prompt_tokens=40, completion_tokens=20, total_tokens=60, calls=4
    )
    assert run.calls == 4  # type: ignore[attr-defined]


def test_a_reasked_extraction_counts_every_answer() -> None:
    """A first answer that breaks the schema, then a good one: both are in the usage."""
    good = Counting()
    seen: list[int] = []

    def route(request: httpx2.Request) -> httpx2.Response:
        seen.append(1)
        return completion(json.dumps({"headline": 7})) if len(seen) == 1 else good(request)

    article = Article(id="a", path="a.txt", text="Iraq received 5 detainees.", content_hash="z")
    run = run_fake([article], route)  # type: ignore[arg-type]
    (extraction,) = run.extractions  # type: ignore[attr-defined]
    assert extraction.meta.usage == Usage(
        prompt_tokens=20, completion_tokens=10, total_tokens=30, calls=2
    )


def test_a_budget_stop_is_one_line_and_an_all_failed_brief_is_not_written(
    tmp_path: Path,
) -> None:
    """Articles a budget keeps back are summed up in one line; when nothing was extracted,
    the previous brief is left alone."""
    out = tmp_path / "brief.md"
    out.write_text("yesterday", "utf-8")
    done = cli(
        "brief",
        "articles/",
        "--no-cache",
        "--concurrency",
        "1",
        "--max-tokens",
        "1",
        "-o",
        str(out),
    )
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert not any(line.startswith("summarizer: error:") for line in lines)
    (summary,) = [line for line in lines if "budget" in line]
    assert summary.startswith("summarizer: token budget of 1 reached; 4 article(s) not sent")
    assert summary.endswith("and 1 more")
    assert "1 extracted" in done.stderr
    written = out.read_text("utf-8")
    assert written != "yesterday"  # one article made it: the brief is written
    nothing = cli(
        "brief", "articles/", "--no-cache", "--provider", "replay", "--model", "x", "-o", str(out)
    )
    assert nothing.returncode == 1
    assert "every article failed; no brief was written" in nothing.stderr
    assert out.read_text("utf-8") == written


def test_tokens_before_a_transient_retry_are_counted() -> None:
    """An answer that breaks the schema, a 503 on the re-ask, then a good answer: the first
    answer's tokens are billed and counted, though its attempt failed."""
    good = Counting()
    seen: list[int] = []

    def route(request: httpx2.Request) -> httpx2.Response:
        seen.append(1)
        if len(seen) == 1:
            return completion(json.dumps({"headline": 7}))
        if len(seen) == 2:
            return httpx2.Response(503, json={})
        return good(request)

    article = Article(id="a", path="a.txt", text="Iraq received 5 detainees.", content_hash="z")
    run = run_fake([article], route)  # type: ignore[arg-type]
    (extraction,) = run.extractions  # type: ignore[attr-defined]
    assert extraction.meta.usage == Usage(
        prompt_tokens=20, completion_tokens=10, total_tokens=30, calls=3
    )


def test_a_run_answered_from_the_cache_cost_nothing(tmp_path: Path) -> None:
    """With a known price, a re-run from the cache costs $0, not 'unknown'; each article
    still shows what it cost when it was made."""
    article = Article(id="a", path="a.txt", text="Iraq received 5 detainees.", content_hash="z")
    with Cache(tmp_path / "c.sqlite") as cache:
        first = briefing_from(run_fake([article], Counting(), cache=cache))  # type: ignore[arg-type]
        again = briefing_from(run_fake([article], Counting(), cache=cache))  # type: ignore[arg-type]
    assert first.meta.cost_usd is not None
    assert first.meta.cost_usd > 0
    assert again.meta.cost_usd == 0.0
    assert again.meta.usage == Usage()
    (entry,) = again.meta.articles
    assert entry.cached
    assert entry.cost_usd == first.meta.cost_usd


def test_cost_and_price_files(tmp_path: Path) -> None:
    """Known models are priced; a price file adds models; unknown models stay tokens-only."""
    usage = Usage(prompt_tokens=1_000_000, completion_tokens=1_000_000, total_tokens=2_000_000)
    prices = load_prices()
    assert cost_usd("gpt-4o-mini", usage, prices) == 0.75
    assert cost_usd("qwen2.5-coder-1.5b-instruct", usage, prices) is None
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"qwen2.5-coder-1.5b-instruct": {"input": 0.0, "output": 0.1}}))
    assert cost_usd("qwen2.5-coder-1.5b-instruct", usage, load_prices(path)) == 0.1
    path.write_text('{"m": {"in": 1}}')
    with pytest.raises(ConfigError, match="bad price file"):
        load_prices(path)
    path.write_text('{"gpt-4o-mini": {"input": -5, "output": -5}}')
    with pytest.raises(ConfigError, match="prices must be zero or more"):
        load_prices(path)
    with pytest.raises(ConfigError, match="needs a price"):
        Budget(max_cost_usd=1.0, model="unknown-model", prices=prices)


def test_cost_budget_message_shows_small_amounts() -> None:
    """A budget below a cent is not rounded to $0.00 in the message that stops the run."""
    budget = Budget(max_cost_usd=0.0005, model="gpt-4o-mini", prices=load_prices())
    assert budget.exhausted() is None
    budget.spend(Usage(prompt_tokens=3_000, completion_tokens=500, total_tokens=3_500))
    assert budget.exhausted() == "cost budget of $0.0005 reached"
    assert dollars(12.5) == "$12.50"
    assert dollars(0.00001) == "$0.00001"
    assert dollars(1234.5) == "$1,234.50"


def test_rate_limit_pauses_every_worker() -> None:
    """After a 429 with Retry-After: 1, no worker starts a call for a second."""
    articles = [long_article(1).model_copy(update={"id": f"a{i}"}) for i in range(6)]
    endpoint = Counting(first_status=429)
    run = run_fake(articles, endpoint, concurrency=1)
    assert len(run.extractions) == 6  # type: ignore[attr-defined]
    assert endpoint.times[1] - endpoint.times[0] >= 0.95


def test_brief_metadata_has_usage_per_article_and_in_total() -> None:
    """The JSON brief carries each article's tokens and the total."""
    done = cli("brief", "articles/", "-f", "json", "-q")
    meta = json.loads(done.stdout)["meta"]
    assert len(meta["articles"]) == 5
    assert meta["usage"]["total_tokens"] == sum(
        a["usage"]["total_tokens"] for a in meta["articles"]
    )
    assert meta["cost_usd"] is None


def test_strict_makes_any_failure_fatal(tmp_path: Path) -> None:
    """--strict writes no brief when an article fails, and exits 1."""
    (tmp_path / "empty.txt").write_text("", "utf-8")
    out = tmp_path / "brief.md"
    done = cli("brief", "articles/", str(tmp_path), "--strict", "-o", str(out))
    assert done.returncode == 1
    assert not out.exists()
    lenient = cli("brief", "articles/", str(tmp_path), "-o", str(out))
    assert lenient.returncode == 1
    assert "empty.txt" in out.read_text()
