"""Record and replay model traffic as vcrpy cassettes, one YAML file per article.

Recording goes through vcrpy's patching of httpx2 (sequential, one cassette at a time).
Replay needs no patching: `ReplayTransport` is an httpx2 transport that answers from the
loaded cassettes, so concurrent replays are safe and nothing ever reaches the network.
Requests match on method, path and body, never host or port.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2
from vcr import matchers
from vcr.cassette import Cassette
from vcr.record_mode import RecordMode
from vcr.request import Request as VcrRequest

from summarizer.errors import ConfigError
from summarizer.secrets import redact_known

MATCH_ON = ("method", "path", "body")
_MATCHERS = (matchers.method, matchers.path, matchers.body)
SCRUBBED_HEADERS = frozenset(
    {"authorization", "api-key", "cookie", "set-cookie", "openai-organization", "openai-project"}
)


class ReplayMiss(Exception):
    """No cassette holds a response for this request."""

    def __init__(self, method: str, path: str, body: bytes) -> None:
        self.body = body
        super().__init__(f"no recorded response for {method} {path}")


def _scrub_headers(headers: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in headers.items()
        if k.lower() not in SCRUBBED_HEADERS and not k.lower().startswith("x-")
    }


def scrub_request(request: VcrRequest) -> VcrRequest:
    """Drop credentials and vendor headers from a request before it is saved."""
    request.headers = _scrub_headers(dict(request.headers))
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop cookies and vendor headers from a response before it is saved; the body is kept
    byte for byte unless it holds a key in use (a server echoing the request's headers)."""
    response["headers"] = _scrub_headers(response.get("headers", {}))
    body = response.get("body", {}).get("string")
    if isinstance(body, bytes | str):
        raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        clean = redact_known(raw)
        if clean != raw:
            response["body"]["string"] = clean.encode() if isinstance(body, bytes) else clean
    return response


def cassette_path(cassette_dir: Path, article_id: str) -> Path:
    """Where the cassette of one article lives: always a plain file inside `cassette_dir`.

    Ids with characters unsafe in a file name ("ap/story", "../x") are spelled safely and
    get a short hash of the real id, so two ids never share a cassette.
    """
    safe = re.sub(r"[^\w.-]", "_", article_id).lstrip(".")
    if safe != article_id:
        safe = f"{safe}-{hashlib.sha256(article_id.encode()).hexdigest()[:8]}"
    return cassette_dir / f"{safe}.yaml"


@contextmanager
def recording(path: Path) -> Iterator[Cassette]:
    """Record every HTTP exchange inside the block into a fresh cassette at `path`.

    The new cassette is written beside the old one and moved into place only when the
    block succeeds, so a failed recording never destroys a good one.
    """
    import vcr

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".recording.yaml")
    tmp.unlink(missing_ok=True)
    recorder = vcr.VCR(
        record_mode=RecordMode.ALL,
        match_on=MATCH_ON,
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
    )
    try:
        with recorder.use_cassette(str(tmp)) as cassette:
            yield cassette
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def load_cassettes(cassette_dir: Path) -> list[Cassette]:
    """Load every cassette in a folder for playback (repeats allowed), sorted by name."""
    return [
        Cassette.load(
            path=str(p),
            record_mode=RecordMode.NONE,
            match_on=_MATCHERS,
            allow_playback_repeats=True,
        )
        for p in sorted(cassette_dir.glob("*.yaml"))
    ]


class ReplayTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """An httpx2 transport that answers only from recorded cassettes."""

    def __init__(self, cassette_dir: Path) -> None:
        """Raises `ConfigError` when the folder holds no cassette: nothing could be replayed."""
        self.cassette_dir = cassette_dir
        self.cassettes = load_cassettes(cassette_dir)
        if not self.cassettes:
            raise ConfigError(
                f"{cassette_dir}/: no cassettes to replay (replay is the default when no "
                "provider is set); give --cassettes DIR, or a live provider with --provider "
                "openai, openai-compatible or local"
            )
        self.calls = 0
        self._lock = threading.Lock()

    def _answer(self, request: httpx2.Request, body: bytes) -> httpx2.Response:
        vcr_request = VcrRequest(request.method, str(request.url), body, dict(request.headers))
        with self._lock:
            self.calls += 1
            for cassette in self.cassettes:
                if cassette.can_play_response_for(vcr_request):
                    recorded = cassette.play_response(vcr_request)
                    break
            else:
                raise ReplayMiss(request.method, request.url.path, body)
        content = recorded["body"]["string"]
        if isinstance(content, str):
            content = content.encode("utf-8")
        headers = [
            (name, value)
            for name, values in recorded["headers"].items()
            if name.lower() not in ("content-encoding", "transfer-encoding", "content-length")
            for value in values
        ]
        return httpx2.Response(recorded["status"]["code"], headers=headers, content=content)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return self._answer(request, request.read())

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return self._answer(request, await request.aread())
