"""Extraction throughput against an OpenAI-compatible server on loopback with a fixed delay.

Run: python benchmarks/throughput.py [--articles 200] [--delay 0.2]
The server (`python -m summarizer.testing`) runs in its own process and answers valid
extractions after `delay` seconds. For concurrency 1, 8 and 32 this reports
efficiency = (articles x delay / concurrency) / wall time. Target (issue #4): >= 0.85 at 32.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time

from summarizer.articles import content_hash
from summarizer.config import resolve_config
from summarizer.extract import aextract_many
from summarizer.models import Article


def articles(n: int) -> list[Article]:
    """n short synthetic articles with a few numbers each."""
    out = []
    for i in range(n):
        text = (
            f"Officials said {100 + i} detainees were moved on Tuesday. "
            f"Up to {7000 + i} more may follow, according to the ministry."
        )
        out.append(
            Article(
                id=f"bench-{i:04d}",
                path=f"bench-{i:04d}.txt",
                text=text,
                content_hash=content_hash(text),
            )
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, nargs="*", default=[1, 8, 32])
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-m", "summarizer.testing", "--delay", str(args.delay)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline().split()[1])
        config = resolve_config(
            provider="openai-compatible", model="fake", base_url=f"http://127.0.0.1:{port}/v1"
        )
        batch = articles(args.articles)
        # Warm-up: the first call imports openai and instructor (about a second), once per
        # process; it is start-up, not throughput.
        asyncio.run(aextract_many(batch[:2], config=config, concurrency=2))
        efficiency = {}
        for c in args.concurrency:
            start = time.perf_counter()
            run = asyncio.run(aextract_many(batch, config=config, concurrency=c))
            wall = time.perf_counter() - start
            ideal = args.articles * args.delay / c
            efficiency[c] = ideal / wall
            print(
                f"concurrency {c:>3}: {len(run.extractions)} ok, {len(run.failures)} failed, "
                f"{wall:6.2f} s (ideal {ideal:5.2f} s), efficiency {efficiency[c]:.2f}"
            )
    finally:
        server.terminate()
        server.wait()
    top = max(args.concurrency)
    ok = efficiency[top] >= 0.85
    print(f"target: efficiency >= 0.85 at concurrency {top}: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
