"""summarizer's overhead on the local provider: its extraction against the same recorded
requests sent straight to the llama.cpp server.

Run: python benchmarks/local_overhead.py [--article ID] [--cassettes DIR] [--articles DIR]
Needs the `local` extra and the pulled model. One llama.cpp server is started (threads as
`--provider local` sets them); after a warm-up, the article's recorded requests are sent
straight to it with httpx2, then the article is extracted through summarizer (`LLM.extract`:
the openai SDK, instructor, tenacity, the judged flow). Temperature 0 makes the answers, and
so the requests, the same. The two alternate for `--rounds` rounds, each run after a short
unrelated request, so both start with the same state of llama.cpp's prompt cache (it reuses
the longest prefix of the previous prompt); the medians are compared. Target (issue 12):
overhead at most 5 % of the server's time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import httpx2
import yaml

from summarizer.articles import load_articles
from summarizer.cassettes import cassette_path
from summarizer.config import resolve_config
from summarizer.llm import LLM
from summarizer.local import default_model_path, llama_server, threads

ROOT = Path(__file__).resolve().parent.parent


def recorded_bodies(cassettes: Path, article_id: str) -> list[bytes]:
    data = yaml.safe_load(cassette_path(cassettes, article_id).read_text(encoding="utf-8"))
    return [str(i["request"]["body"]).encode() for i in data["interactions"]]


async def direct(base: str, bodies: list[bytes]) -> tuple[float, int]:
    """Wall seconds and completion tokens of the recorded requests sent as they are."""
    tokens = 0
    async with httpx2.AsyncClient(timeout=3600) as http:
        start = time.perf_counter()
        for body in bodies:
            answer = await http.post(
                f"{base}/chat/completions",
                content=body,
                headers={"content-type": "application/json"},
            )
            tokens += int(answer.json()["usage"]["completion_tokens"])
        return time.perf_counter() - start, tokens


async def ours(base: str, article: object) -> tuple[float, int, int]:
    """Wall seconds, completion tokens and HTTP requests of summarizer's extraction."""
    config = resolve_config(provider="local").with_base_url(base)
    async with LLM(config) as llm:
        start = time.perf_counter()
        result = await llm.extract(article)  # type: ignore[arg-type]
        wall = time.perf_counter() - start
        return wall, result.usage.completion_tokens, llm.http_attempts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--article", default="c10_rhineship_dailymail")
    parser.add_argument("--cassettes", type=Path, default=ROOT / "cassettes" / "corpus")
    parser.add_argument(
        "--articles", type=Path, default=ROOT.parent / "shared" / "corpus" / "articles"
    )
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    article = next(a for a in load_articles([args.articles]).articles if a.id == args.article)
    bodies = recorded_bodies(args.cassettes, args.article)
    model = resolve_config(provider="local").model
    with llama_server(default_model_path(), alias=model) as base:
        warm = json.dumps(
            {"model": model, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4}
        ).encode()
        server_runs, our_runs = [], []
        for _ in range(args.rounds):
            asyncio.run(direct(base, [warm]))
            server_s, server_tokens = asyncio.run(direct(base, bodies))
            asyncio.run(direct(base, [warm]))
            ours_s, our_tokens, requests = asyncio.run(ours(base, article))
            server_runs.append(server_s)
            our_runs.append(ours_s)
            print(f"  round: server {server_s:.2f} s, summarizer {ours_s:.2f} s", flush=True)
    server_s, ours_s = statistics.median(server_runs), statistics.median(our_runs)
    overhead = ours_s / server_s - 1
    print(
        f"{args.article}: {len(bodies)} request(s) on {threads()} thread(s), median of "
        f"{args.rounds} alternated rounds; straight to the server {server_s:.2f} s "
        f"({server_tokens} tokens), through summarizer {ours_s:.2f} s ({our_tokens} tokens, "
        f"{requests} request(s)): overhead {overhead:+.1%}"
    )
    met = overhead <= 0.05 and server_tokens == our_tokens and requests == len(bodies)
    print(f"target: overhead <= 5 % with the same output: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
