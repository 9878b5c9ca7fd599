"""Extraction throughput against an OpenAI-compatible server on loopback with a fixed delay.

Run: python benchmarks/throughput.py [--articles 200] [--delay 0.2] [--repeat 3] [--clients]
The server (`python -m summarizer.testing`) runs in its own process and answers valid
extractions after `delay` seconds. For concurrency 1, 8 and 32 this reports
efficiency = (articles x delay / concurrency) / wall time, the median of `repeat` runs.
Target (issue #4): >= 0.85 at 32. Exit status 1 if it is missed.

`--clients` sends the same requests at the top concurrency through lighter clients as well,
to show how much of the gap each layer costs on this machine:
  socket      prebuilt HTTP/1.1 requests on keep-alive asyncio streams (the harness ceiling)
  aiohttp     aiohttp.ClientSession, the answer validated with pydantic
  httpx2      httpx2.AsyncClient, the answer validated with pydantic
  openai      the openai SDK's chat.completions.create, validated with pydantic
  openai-aiohttp  the same with the SDK's aiohttp transport (`openai.DefaultAioHttpClient`)
  summarizer  aextract_many: instructor's mode handlers (request, validation, re-asks),
              tenacity, aiohttp
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import httpx2
import openai

from summarizer.articles import content_hash
from summarizer.config import ProviderConfig, resolve_config
from summarizer.extract import aextract_many
from summarizer.llm import build_messages
from summarizer.models import Article, ArticleExtraction
from summarizer.prompts import load_prompt


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


def request_body(article: Article, config: ProviderConfig) -> dict[str, Any]:
    """The chat request summarizer sends for an article in `grammar` mode."""
    return {
        "model": config.model,
        "messages": build_messages(article, load_prompt()),
        "temperature": config.temperature,
        "max_tokens": config.max_tokens,
        "response_format": {
            "type": "json_object",
            "schema": ArticleExtraction.model_json_schema(),
        },
    }


async def _bounded(
    batch: Sequence[Article], concurrency: int, call: Callable[[Article], Awaitable[object]]
) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(article: Article) -> None:
        async with gate:
            await call(article)

    await asyncio.gather(*(one(a) for a in batch))


async def _socket(batch: Sequence[Article], config: ProviderConfig, concurrency: int) -> None:
    """Prebuilt requests on `concurrency` keep-alive connections: no client library at all."""
    url = httpx2.URL(config.base_url or "")
    path = url.path.rstrip("/") + "/chat/completions"
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for article in batch:
        body = json.dumps(request_body(article, config)).encode()
        head = f"POST {path} HTTP/1.1\r\nhost: {url.host}\r\ncontent-type: application/json\r\n"
        queue.put_nowait(f"{head}content-length: {len(body)}\r\n\r\n".encode() + body)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(url.host, url.port)
        while not queue.empty():
            writer.write(queue.get_nowait())
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            answer = json.loads(await reader.readexactly(length))
            ArticleExtraction.model_validate_json(answer["choices"][0]["message"]["content"])
        writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _httpx2(batch: Sequence[Article], config: ProviderConfig, concurrency: int) -> None:
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(
        base_url=config.base_url or "", limits=limits, timeout=60
    ) as http:

        async def call(article: Article) -> None:
            response = await http.post("chat/completions", json=request_body(article, config))
            content = response.json()["choices"][0]["message"]["content"]
            ArticleExtraction.model_validate_json(content)

        await _bounded(batch, concurrency, call)


async def _aiohttp(batch: Sequence[Article], config: ProviderConfig, concurrency: int) -> None:
    import aiohttp  # installed with instructor

    url = f"{config.base_url}/chat/completions"
    async with aiohttp.ClientSession() as session:

        async def call(article: Article) -> None:
            async with session.post(url, json=request_body(article, config)) as response:
                answer = await response.json()
            ArticleExtraction.model_validate_json(answer["choices"][0]["message"]["content"])

        await _bounded(batch, concurrency, call)


async def _openai(
    batch: Sequence[Article], config: ProviderConfig, concurrency: int, *, aiohttp: bool = False
) -> None:
    http = openai.DefaultAioHttpClient() if aiohttp else None
    async with openai.AsyncOpenAI(
        api_key="unused", base_url=config.base_url, max_retries=0, timeout=60, http_client=http
    ) as client:

        async def call(article: Article) -> None:
            body = request_body(article, config)
            response_format = body.pop("response_format")
            completion = await client.chat.completions.create(
                **body, extra_body={"response_format": response_format}
            )
            ArticleExtraction.model_validate_json(completion.choices[0].message.content or "")

        await _bounded(batch, concurrency, call)


async def _summarizer(batch: Sequence[Article], config: ProviderConfig, concurrency: int) -> None:
    run = await aextract_many(batch, config=config, concurrency=concurrency)
    if run.failures:
        raise SystemExit(f"{len(run.failures)} failed: {run.failures[0].error}")


Client = Callable[[Sequence[Article], ProviderConfig, int], Coroutine[Any, Any, None]]
CLIENTS: dict[str, Client] = {
    "socket": _socket,
    "aiohttp": _aiohttp,
    "httpx2": _httpx2,
    "openai": _openai,
    "openai-aiohttp": functools.partial(_openai, aiohttp=True),
    "summarizer": _summarizer,
}


def measure(
    client: str, batch: Sequence[Article], config: ProviderConfig, concurrency: int, delay: float
) -> tuple[float, float, float]:
    """(efficiency, wall seconds, client CPU milliseconds per article) of one run."""
    cpu, start = time.process_time(), time.perf_counter()
    asyncio.run(CLIENTS[client](batch, config, concurrency))
    wall = time.perf_counter() - start
    cpu_ms = (time.process_time() - cpu) * 1000 / len(batch)
    return len(batch) * delay / concurrency / wall, wall, cpu_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, nargs="*", default=[1, 8, 32])
    parser.add_argument("--repeat", type=int, default=3, help="runs per concurrency (median)")
    parser.add_argument("--clients", action="store_true", help="compare lighter clients too")
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
        top = max(args.concurrency)
        # Warm-up: the first call imports openai and instructor (about a second), once per
        # process; it is start-up, not throughput.
        for client in CLIENTS if args.clients else ["summarizer"]:
            asyncio.run(CLIENTS[client](batch[:2], config, 2))
        efficiency = {}
        for c in args.concurrency:
            runs = [measure("summarizer", batch, config, c, args.delay) for _ in range(args.repeat)]
            efficiency[c] = statistics.median(r[0] for r in runs)
            print(
                f"concurrency {c:>3}: efficiency {efficiency[c]:.2f} "
                f"(runs {', '.join(f'{r[0]:.2f}' for r in runs)}; "
                f"ideal {args.articles * args.delay / c:.2f} s, "
                f"median wall {statistics.median(r[1] for r in runs):.2f} s, "
                f"client CPU {statistics.median(r[2] for r in runs):.2f} ms per article)"
            )
        if args.clients:
            print(f"same load at concurrency {top}, by client (median of {args.repeat}):")
            for client in CLIENTS:
                runs = [measure(client, batch, config, top, args.delay) for _ in range(args.repeat)]
                print(
                    f"  {client:<14} efficiency {statistics.median(r[0] for r in runs):.2f} "
                    f"(runs {', '.join(f'{r[0]:.2f}' for r in runs)}), "
                    f"client CPU {statistics.median(r[2] for r in runs):.2f} ms per article"
                )
    finally:
        server.terminate()
        server.wait()
    ok = efficiency[top] >= 0.85
    print(f"target: efficiency >= 0.85 at concurrency {top}: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
