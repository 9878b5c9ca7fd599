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
import random
import re
import threading
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


NAMES_RE = re.compile(r"^Names in the article: (.*)$", re.M)
ALLOWED_RE = re.compile(r"^Allowed names: (.*)$", re.M)


def judgement_for(user: str) -> dict[str, Any]:
    """A schema-valid answer to a v2 request: the article call, or a question about a quote.

    The article call names the article's first listed name as its actor; a quote's speaker is
    the first allowed name, or "unknown" when none is allowed.
    """
    allowed = ALLOWED_RE.search(user)
    if allowed is not None:
        first = allowed.group(1).split("; ")[0]
        return {"speaker": "unknown" if first == "(none)" else first}
    match = ARTICLE_RE.search(user)
    article = match.group(1) if match else ""
    names = NAMES_RE.search(user)
    listed = [] if names is None or names.group(1) == "(none)" else names.group(1).split("; ")
    first = article.strip().split(". ")[0][:200] or "Untitled"
    return {
        "headline": first[:80],
        "summary": first + ".",
        "event": first[:80],
        "actors": [{"name": listed[0], "kind": "person", "role": "named"}] if listed else [],
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


FAULTS = (
    "rate_limit",  # 429 with Retry-After: 0
    "error_500",
    "error_503",
    "reset",  # close the connection without answering
    "stall",  # answer only after `stall_s` (past the client's timeout)
    "truncated",  # a 200 whose JSON body is cut short
    "not_completion",  # a 200 whose JSON body is not a chat completion
    "bad_schema",  # valid JSON content that breaks the extraction schema
    "invented",  # a valid extraction with a quote and a figure not in the article
    "odd_usage",  # a valid answer whose usage counts are 1e309, "1e309" and -5
)


class FakeServer:
    """An asyncio HTTP/1.1 server (keep-alive) answering chat completions after `delay` s.

    `faults` maps a request number (1-based, in arrival order) or an article id to the fault
    to inject for it (see FAULTS); `fault_rate` with `seed` faults a random share of requests.
    Every request's article id and outcome is kept in `log`.
    """

    def __init__(
        self,
        delay: float = 0.0,
        *,
        faults: dict[int | str, str] | None = None,
        fault_rate: float = 0.0,
        seed: int = 0,
        stall_s: float = 5.0,
    ) -> None:
        self.delay = delay
        self.requests = 0
        self.server: asyncio.Server | None = None
        self.faults = dict(faults or {})
        self.fault_rate = fault_rate
        self.random = random.Random(seed)  # noqa: S311 - test faults, not security
        self.stall_s = stall_s
        self.log: list[tuple[str, str]] = []
        #: The Batch API's uploaded and output files, and its batches, by id.
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        #: Headers and body of the latest chat request, as received, and its path and query.
        self.last_request: tuple[dict[str, str], bytes] = ({}, b"")
        self.last_path = ""
        #: Chat requests being answered now, and the most there ever were at once.
        self.in_flight = 0
        self.peak_in_flight = 0

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen; return the port."""
        self.server = await asyncio.start_server(self._client, host, port)
        sock = self.server.sockets[0]
        return int(sock.getsockname()[1])

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                received = time.monotonic()
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {
                    k.lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                # Azure OpenAI adds ?api-version=... to the path.
                chat = method == "POST" and path.split("?", 1)[0].endswith("/chat/completions")
                if chat:
                    self.last_request = (headers, body)
                    self.last_path = path
                    self.in_flight += 1
                    self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
                try:
                    status, payload = await self.answer(method, path, body)
                    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                    if chat:
                        # The fixed delay runs from the request's arrival: this server's own
                        # work on it (parsing, building the answer) is inside the delay.
                        await asyncio.sleep(received + self.delay - time.monotonic())
                finally:
                    self.in_flight -= chat
                if status == 0:  # reset: drop the connection without a word
                    writer.transport.abort()
                    return
                extra = "retry-after: 0\r\n" if status == 429 else ""
                writer.write(
                    f"HTTP/1.1 {status} OK\r\ncontent-type: application/json\r\n{extra}"
                    f"content-length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def answer(  # noqa: PLR0911 - one return per injected fault
        self, method: str, path: str, body: bytes
    ) -> tuple[int, Any]:
        """The status and JSON body for one request."""
        path = path.split("?", 1)[0]
        if method == "GET" and path.endswith("/models"):
            return 200, {"object": "list", "data": [{"id": "fake", "object": "model"}]}
        if "/files" in path or "/batches" in path:
            return await self.batch_api(method, path, body)
        if method != "POST" or not path.endswith("/chat/completions"):
            return 404, {"error": {"message": "not found"}}
        self.requests += 1
        request = json.loads(body)
        # The article's message: the last one on a first call; earlier on a re-ask.
        user = next(
            (
                m["content"]
                for m in request.get("messages", [])
                if str(m.get("content", "")).startswith(("Article id:", "<passage>"))
            ),
            "",
        )
        match = ARTICLE_RE.search(user)
        article_id = user.split("\n", 1)[0].removeprefix("Article id: ")
        fault = self.faults.get(self.requests) or self.faults.get(article_id)
        if fault is None and self.fault_rate and self.random.random() < self.fault_rate:
            fault = self.random.choice(FAULTS)
        self.log.append((article_id, fault or "ok"))
        model = request.get("model", "fake")
        judged = NAMES_RE.search(user) or ALLOWED_RE.search(user)  # prompt v2 on
        answer = judgement_for(user) if judged else extraction_for(match.group(1) if match else "")
        if fault == "rate_limit":
            return 429, {"error": {"message": "rate limited"}}
        if fault in ("error_500", "error_503"):
            return int(fault[-3:]), {"error": {"message": "server error"}}
        if fault == "reset":
            return 0, b""
        if fault == "stall":
            await asyncio.sleep(self.stall_s)
        if fault == "truncated":
            return 200, json.dumps(completion(json.dumps(answer), model)).encode()[:60]
        if fault == "not_completion":
            return 200, {"error": {"message": "model not loaded"}}
        if fault == "odd_usage":
            odd_body = json.dumps(completion(json.dumps(answer), model))
            for name, odd in (("prompt", "1e309"), ("completion", '"1e309"'), ("total", "-5")):
                odd_body = odd_body.replace(
                    f'"{name}_tokens": ', f'"{name}_tokens": {odd}, "_{name}": '
                )
            return 200, odd_body.encode()
        if fault == "bad_schema":
            return 200, completion(json.dumps({"headline": 7, "extra": True}), model)
        if fault == "invented" and "quotes" in answer:  # v1 answers; v2 names are enums
            answer["quotes"] = [{"speaker": "Nobody", "text": "words this article never printed"}]
            answer["figures"] = [
                *answer["figures"],
                {
                    "value": 1000000.0,
                    "upper": None,
                    "unit": "people",
                    "measure": "invented",
                    "qualifier": "exact",
                    "phrase": "one million people",
                },
            ]
        return 200, completion(json.dumps(answer), model)

    async def batch_api(  # noqa: PLR0911 - one return per endpoint and error
        self, method: str, path: str, body: bytes
    ) -> tuple[int, Any]:
        """The OpenAI Batch API's files and batches endpoints, with the response shapes of the
        API reference. A batch is answered line by line as `answer` answers live requests,
        when it is first retrieved (so `create` reports `validating`, as the API does)."""
        now = int(time.time())
        parts = path.rstrip("/").split("/")
        if method == "POST" and parts[-1] == "files":
            data, filename = _multipart_file(body)
            file_id = f"file-{len(self.files) + 1:04d}"
            self.files[file_id] = data
            return 200, _file_object(file_id, len(data), filename, "batch", now)
        if method == "GET" and parts[-1] == "content" and parts[-2] in self.files:
            return 200, self.files[parts[-2]]
        if method == "POST" and parts[-1] == "batches":
            request = json.loads(body)
            if request.get("input_file_id") not in self.files:
                return 404, {
                    "error": {"message": "No such File object", "type": "invalid_request_error"}
                }
            batch_id = f"batch_{len(self.batches) + 1:04d}"
            lines = [line for line in self.files[request["input_file_id"]].split(b"\n") if line]
            self.batches[batch_id] = {
                "id": batch_id,
                "object": "batch",
                "endpoint": request["endpoint"],
                "errors": None,
                "input_file_id": request["input_file_id"],
                "completion_window": request["completion_window"],
                "status": "validating",
                "output_file_id": None,
                "error_file_id": None,
                "created_at": now,
                "in_progress_at": None,
                "expires_at": now + 86400,
                "finalizing_at": None,
                "completed_at": None,
                "failed_at": None,
                "expired_at": None,
                "cancelling_at": None,
                "cancelled_at": None,
                "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
                "metadata": request.get("metadata"),
            }
            return 200, self.batches[batch_id]
        if method == "GET" and len(parts) >= 2 and parts[-2] == "batches":
            batch = self.batches.get(parts[-1])
            if batch is None:
                return 404, {"error": {"message": "No such Batch", "type": "invalid_request_error"}}
            if batch["status"] == "validating":
                await self._run_batch(batch, now)
            return 200, batch
        return 404, {"error": {"message": "not found"}}

    async def _run_batch(self, batch: dict[str, Any], now: int) -> None:
        out, failed = [], 0
        for n, raw in enumerate(self.files[batch["input_file_id"]].split(b"\n")):
            if not raw.strip():
                continue
            line = json.loads(raw)
            status, payload = await self.answer(
                "POST", line["url"], json.dumps(line["body"]).encode()
            )
            failed += status != 200
            out.append(
                {
                    "id": f"batch_req_{n:04d}",
                    "custom_id": line["custom_id"],
                    "response": {
                        "status_code": status,
                        "request_id": f"req_{n:04d}",
                        "body": payload,
                    },
                    "error": None,
                }
            )
        data = b"".join(json.dumps(row).encode() + b"\n" for row in out)
        file_id = f"file-{len(self.files) + 1:04d}"
        self.files[file_id] = data
        total = batch["request_counts"]["total"]
        batch.update(
            status="completed",
            output_file_id=file_id,
            in_progress_at=now,
            finalizing_at=now,
            completed_at=now,
            request_counts={"total": total, "completed": total - failed, "failed": failed},
        )


def _file_object(file_id: str, size: int, filename: str, purpose: str, now: int) -> dict[str, Any]:
    return {
        "id": file_id,
        "object": "file",
        "bytes": size,
        "created_at": now,
        "expires_at": None,
        "filename": filename,
        "purpose": purpose,
        "status": "processed",
        "status_details": None,
    }


def _multipart_file(body: bytes) -> tuple[bytes, str]:
    """The `file` part of a multipart/form-data body: its bytes and file name."""
    boundary = body.split(b"\r\n", 1)[0]
    for part in body.split(boundary):
        head, _, data = part.partition(b"\r\n\r\n")
        if b'name="file"' in head:
            name = re.search(rb'filename="([^"]*)"', head)
            return data.removesuffix(b"\r\n"), (name.group(1).decode() if name else "upload")
    return b"", "upload"


class ServerThread:
    """Run a FakeServer on its own event loop in a thread (for tests): `with ServerThread()`."""

    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> ServerThread:
        self._thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            if self.server.server is not None:
                self.server.server.close()
            # End open connections (a stalled answer, keep-alive readers) before the loop goes.
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    @property
    def base_url(self) -> str:
        """The server's OpenAI-compatible base URL."""
        return f"http://127.0.0.1:{self.port}/v1"


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
