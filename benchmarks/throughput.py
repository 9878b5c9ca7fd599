"""The whole brief (extraction, grounding, merge, render) against a server answering in 2 s.

Run: python benchmarks/throughput.py [--articles 256] [--delay 2] [--concurrency 32]

The server (`python -m summarizer.testing`) runs in its own process and answers each call
`delay` seconds after it arrives, as a real model would (a few seconds), with answers of the
judged prompt's schema, so every article makes its article call and its quote calls. The
articles are the samples and the development corpus (`../shared/corpus`), cycled to
`--articles`. Three measurements, in one process, after a warm-up:

1. the brief: `abrief` (each answer grounded as it arrives) and the Markdown render;
   efficiency = (calls x delay / concurrency) / wall time. Target (issue 12): >= 0.9.
2. the SDK path alone (`aextract_many`, no grounding): client CPU per call, measured.
3. a cache-hit re-run of the same articles: zero calls, at most 10 ms an article.

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from summarizer.articles import content_hash, load_articles
from summarizer.cache import Cache
from summarizer.config import ProviderConfig, resolve_config
from summarizer.extract import aextract_many
from summarizer.models import Article
from summarizer.pipeline import abrief
from summarizer.render.markdown import render_markdown

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "articles", ROOT.parent / "shared" / "corpus" / "articles"]


def articles(n: int) -> list[Article]:
    """n articles: the samples and the corpus, cycled; each copy its own id and text."""
    loaded = load_articles([p for p in SOURCES if p.is_dir()]).articles
    out = []
    for i in range(n):
        base = loaded[i % len(loaded)]
        text = base.text if i < len(loaded) else f"{base.text}\n(copy {i // len(loaded)})"
        out.append(
            base.model_copy(
                update={
                    "id": f"{base.id}-{i:04d}",
                    "text": text,
                    "content_hash": content_hash(text),
                }
            )
        )
    return out


def brief_run(
    batch: list[Article], config: ProviderConfig, concurrency: int, cache: Cache | None
) -> tuple[float, float, int, str]:
    """(wall s, client CPU s, calls, Markdown) of one whole brief."""
    cpu, start = time.process_time(), time.perf_counter()
    result = asyncio.run(abrief(batch, config=config, concurrency=concurrency, cache=cache))
    markdown = render_markdown(result.briefing)
    wall = time.perf_counter() - start
    if result.run.failures:
        raise SystemExit(f"{len(result.run.failures)} failed: {result.run.failures[0].error}")
    return wall, time.process_time() - cpu, result.run.calls, markdown


def sdk_run(batch: list[Article], config: ProviderConfig, concurrency: int) -> tuple[float, int]:
    """(client CPU s, calls) of the extraction alone: the SDK path, no grounding."""
    cpu = time.process_time()
    run = asyncio.run(aextract_many(batch, config=config, concurrency=concurrency))
    return time.process_time() - cpu, run.calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=256)
    parser.add_argument("--delay", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--no-sdk", action="store_true", help="skip the SDK-only measurement")
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
        asyncio.run(aextract_many(batch[:2], config=config))  # imports openai and instructor
        with tempfile.TemporaryDirectory() as tmp, Cache(Path(tmp) / "cache.sqlite") as cache:
            wall, cpu, calls, markdown = brief_run(batch, config, args.concurrency, cache)
            efficiency = calls * args.delay / args.concurrency / wall
            print(
                f"brief of {len(batch)} articles, {calls} calls at concurrency "
                f"{args.concurrency}, {args.delay:g} s each: wall {wall:.1f} s (ideal "
                f"{calls * args.delay / args.concurrency:.1f} s), efficiency {efficiency:.2f}; "
                f"client CPU {cpu:.1f} s, {len(markdown):,} characters of Markdown"
            )
            start = time.perf_counter()
            rerun_wall, _, rerun_calls, _ = brief_run(batch, config, args.concurrency, cache)
            per_article_ms = (time.perf_counter() - start) * 1000 / len(batch)
            print(
                f"cache-hit re-run: {rerun_calls} calls, {rerun_wall:.2f} s, "
                f"{per_article_ms:.1f} ms an article"
            )
        if not args.no_sdk:
            sdk_cpu, sdk_calls = sdk_run(batch, config, args.concurrency)
            print(
                f"SDK path alone (instructor.from_openai on AsyncOpenAI, tenacity): "
                f"client CPU {sdk_cpu * 1000 / max(sdk_calls, 1):.2f} ms per call "
                f"({sdk_calls} calls)"
            )
    finally:
        server.terminate()
        server.wait()
    met = efficiency >= 0.9 and rerun_calls == 0 and per_article_ms <= 10
    print(
        f"targets: efficiency >= 0.9, re-run 0 calls and <= 10 ms an article: "
        f"{'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
