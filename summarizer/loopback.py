"""A loopback HTTP server serving pages and feeds, for tests and benchmarks (stdlib only).

Each route answers with a status, headers and body after an optional delay; a route may
stream an endless body. The server counts requests per path, keeps the request lines and
headers it saw, and the most requests it had in flight at once.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit


@dataclass
class Route:
    """What one path answers."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    endless: bool = False
    chunk_delay_s: float = 0.0


class LoopbackServer:
    """`with LoopbackServer() as server:` serves `server.routes` on 127.0.0.1 (or another
    loopback address, to stand for another host)."""

    def __init__(self, delay_s: float = 0.0, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, Route] = {}
        self.default_delay_s = delay_s
        self.hits: Counter[str] = Counter()
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, 0), self._handler())
        self._httpd.daemon_threads = True
        self._httpd.request_queue_size = 1024
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._httpd.server_address[1])

    def url(self, path: str) -> str:
        """The URL of a path on this server."""
        return f"http://{self.host}:{self.port}{path}"

    def add(self, path: str, body: bytes | str = b"", **kwargs: object) -> str:
        """Serve `body` at `path`; returns its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **kwargs)  # type: ignore[arg-type]
        return self.url(path)

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = urlsplit(self.path).path if "://" in self.path else self.path
                path = path.split("?")[0]
                with server._lock:
                    server.hits[path] += 1
                    server.seen.append((self.path, dict(self.headers.items())))
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                answering = [True]
                try:
                    self._answer(path, answering)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    self._done(answering)

            def _done(self, answering: list[bool]) -> None:
                # Counted out before the first byte goes back: a client that has its answer
                # may send its next request before this thread runs again.
                if answering[0]:
                    answering[0] = False
                    with server._lock:
                        server.in_flight -= 1

            def _answer(self, path: str, answering: list[bool]) -> None:
                route = server.routes.get(path) or Route(b"not found", status=404)
                time.sleep(route.delay_s or server.default_delay_s)
                self._done(answering)
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                for key, value in route.headers.items():
                    self.send_header(key, value)
                if route.endless:
                    self.end_headers()
                    chunk = b"<p>" + b"x" * 65536 + b"</p>"
                    while True:
                        self.wfile.write(chunk)
                        time.sleep(route.chunk_delay_s)
                if "Content-Length" not in route.headers:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

        return Handler
