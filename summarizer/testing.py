"""A small OpenAI-compatible chat-completions server for tests and benchmarks (stdlib only).

It answers every `POST .../chat/completions` with a valid extraction after a fixed delay,
built from the numbers and names in the request's article, so the pipeline runs end to end
without a model. Run it on its own (`python -m summarizer.testing --delay 0.2`) to keep its
CPU work out of the client's process; it prints `PORT <n>` once it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from typing import Any

ARTICLE_RE = re.compile(r"<article>\n(.*)\n</article>", re.S)
NUMBER_RE = re.compile(r"\b\d{1,3}(?:,\d{3})+\b|\b\d+\b")


def extraction_for(article: str) -> dict[str, Any]:
    """A schema-valid extraction of an article: its first sentence and its first numbers."""
    first = article.strip().split(". ")[0][:200] or "Untitled"
    figures = [
        {
            "value": float(m.group(0).replace(",", "")),
            "upper": None,
            "unit": "people",
            "measure": "count",
            "qualifier": "exact",
            "phrase": m.group(0),
        }
        for m in list(NUMBER_RE.finditer(article))[:3]
    ]
    return {
        "headline": first[:80],
        "summary": first + ".",
        "actors": [],
        "quotes": [],
        "figures": figures,
        "dates": [],
    }


def completion(content: str, model: str) -> dict[str, Any]:
    """A chat.completion object around `content`."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
    }


class FakeServer:
    """An asyncio HTTP/1.1 server (keep-alive) answering chat completions after `delay` s."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.requests = 0
        self.server: asyncio.Server | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen; return the port."""
        self.server = await asyncio.start_server(self._client, host, port)
        sock = self.server.sockets[0]
        return int(sock.getsockname()[1])

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {
                    k.lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status, payload = await self.answer(method, path, body)
                data = json.dumps(payload).encode()
                writer.write(
                    f"HTTP/1.1 {status} OK\r\ncontent-type: application/json\r\n"
                    f"content-length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def answer(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        """The status and JSON body for one request."""
        if method == "GET" and path.endswith("/models"):
            return 200, {"object": "list", "data": [{"id": "fake", "object": "model"}]}
        if method != "POST" or not path.endswith("/chat/completions"):
            return 404, {"error": {"message": "not found"}}
        self.requests += 1
        request = json.loads(body)
        match = ARTICLE_RE.search(request["messages"][-1]["content"])
        await asyncio.sleep(self.delay)
        content = json.dumps(extraction_for(match.group(1) if match else ""))
        return 200, completion(content, request.get("model", "fake"))


async def _serve(delay: float, port: int) -> None:
    server = FakeServer(delay)
    bound = await server.start(port=port)
    print(f"PORT {bound}", flush=True)
    assert server.server is not None
    await server.server.serve_forever()


def main() -> None:
    """Command line: python -m summarizer.testing [--delay S] [--port N]."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(_serve(args.delay, args.port))


if __name__ == "__main__":
    main()
