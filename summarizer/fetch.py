"""Fetching pages over HTTP with one httpx2 client: polite, bounded, and safe to point at the web.

- timeouts on connect, on every read, and on each whole response (time queued for a host
  does not count); a body cap enforced while streaming (and up front when the server states
  a Content-Length), so a huge or endless page costs at most the cap;
- a User-Agent that says who is asking;
- at most `per_host` requests in flight to one host, `concurrency` in all;
- redirects followed by hand: at most `max_redirects`, and only to http or https URLs;
- proxies from the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`), as
  httpx documents for `trust_env=True`;
- every failure an `ArticleError` naming the URL, so a batch reports one line per page.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx2

from summarizer.errors import ArticleError
from summarizer.html import MAX_HTML_BYTES

if TYPE_CHECKING:
    from summarizer.pagecache import PageCache

DEFAULT_PER_HOST = 4
DEFAULT_FETCH_CONCURRENCY = 32
DEFAULT_TIMEOUT_S = 20.0
#: However the server trickles its bytes, one response takes no longer.
DEFAULT_TOTAL_TIMEOUT_S = 60.0
MAX_REDIRECTS = 5
_SCHEMES = ("http", "https")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def user_agent() -> str:
    """Who is asking: the tool, its version and what it does."""
    from summarizer import __version__

    return f"summarizer/{__version__} (morning-brief fetcher; python-httpx2)"


def is_url(value: str) -> bool:
    """An http(s) URL, as opposed to a file path."""
    return urlsplit(value).scheme.lower() in _SCHEMES and "://" in value


@dataclass(frozen=True)
class FetchOptions:
    """How pages are fetched."""

    per_host: int = DEFAULT_PER_HOST
    concurrency: int = DEFAULT_FETCH_CONCURRENCY
    max_bytes: int = MAX_HTML_BYTES
    timeout_s: float = DEFAULT_TIMEOUT_S
    total_timeout_s: float = DEFAULT_TOTAL_TIMEOUT_S
    max_redirects: int = MAX_REDIRECTS
    user_agent: str = field(default_factory=user_agent)


@dataclass(frozen=True)
class Page:
    """One fetched page: where it was asked for, where it ended up, and its bytes."""

    url: str
    final_url: str
    content_type: str
    body: bytes
    from_cache: bool = False

    def text(self) -> str:
        """The body decoded by its declared charset (header, then <meta>), else UTF-8."""
        charset = None
        for part in self.content_type.split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                charset = value.strip().strip("\"'")
        if charset is None and (m := _META_CHARSET.search(self.body[:4096])):
            charset = m.group(1).decode("ascii")
        try:
            return self.body.decode(charset or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            return self.body.decode("utf-8", errors="replace")


@dataclass
class Fetcher:
    """An async page fetcher over one `httpx2.AsyncClient`; use as `async with Fetcher() as f`.

    Args:
        options: limits and identity.
        cache: pages fetched recently are answered from here, and new pages stored in it.
        client: an httpx2 client of the caller's (its transport, proxy and TLS settings are
            kept); by default one is made with `trust_env=True`, so proxies come from the
            environment.
    """

    options: FetchOptions = field(default_factory=FetchOptions)
    cache: PageCache | None = None
    client: httpx2.AsyncClient | None = None
    network_fetches: int = 0
    _own_client: bool = False
    _hosts: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    _all: asyncio.Semaphore | None = None

    async def __aenter__(self) -> Fetcher:
        if self.client is None:
            self.client = httpx2.AsyncClient(
                timeout=httpx2.Timeout(self.options.timeout_s),
                limits=httpx2.Limits(
                    max_connections=self.options.concurrency,
                    max_keepalive_connections=self.options.concurrency,
                ),
                headers={"User-Agent": self.options.user_agent},
                follow_redirects=False,
                trust_env=True,
            )
            self._own_client = True
        self._hosts = defaultdict(lambda: asyncio.Semaphore(self.options.per_host))
        self._all = asyncio.Semaphore(self.options.concurrency)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._own_client and self.client is not None:
            await self.client.aclose()
            self.client = None

    async def fetch(self, url: str, *, use_cache: bool = True) -> Page:
        """Fetch one page, from the cache when it holds a fresh copy (and `use_cache`).

        Raises:
            ArticleError: names the URL and the problem (status, timeout, size, redirects).
        """
        cache = self.cache if use_cache else None
        if cache is not None and (page := cache.get(url)) is not None:
            return page
        page = await self._fetch(url)
        if cache is not None:
            cache.put(page)
        return page

    async def _fetch(self, url: str) -> Page:
        if self.client is None or self._all is None:
            raise RuntimeError("use Fetcher inside `async with`")
        current = url
        for _ in range(self.options.max_redirects + 1):
            if urlsplit(current).scheme.lower() not in _SCHEMES:
                raise ArticleError(url, f"redirects to a URL that is not http(s): {current}")
            host = (urlsplit(current).hostname or "").lower()
            async with self._all, self._hosts[host]:
                self.network_fetches += 1
                try:
                    async with asyncio.timeout(self.options.total_timeout_s):
                        result = await self._get(url, current)
                except TimeoutError as e:  # the whole response, not one read
                    limit = self.options.total_timeout_s
                    raise ArticleError(url, f"took longer than {limit:g} s in all") from e
                except httpx2.TimeoutException as e:
                    raise ArticleError(
                        url, f"timed out after {self.options.timeout_s:g} s ({type(e).__name__})"
                    ) from e
                except httpx2.HTTPError as e:
                    raise ArticleError(url, f"cannot fetch: {e or type(e).__name__}") from e
            if isinstance(result, Page):
                return result
            current = result
        raise ArticleError(url, f"more than {self.options.max_redirects} redirects")

    async def _get(self, url: str, current: str) -> Page | str:
        """The page, or the URL a redirect points to."""
        assert self.client is not None
        limit = self.options.max_bytes
        headers = {"User-Agent": self.options.user_agent}  # a caller's client says it too
        async with self.client.stream("GET", current, headers=headers) as response:
            if response.is_redirect:
                location = response.headers.get("location", "")
                if not location:
                    raise ArticleError(url, f"HTTP {response.status_code} without a Location")
                return str(response.url.join(location))
            if response.status_code >= 400:
                reason = response.reason_phrase or ""
                raise ArticleError(url, f"HTTP {response.status_code} {reason}".rstrip())
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise ArticleError(
                    url, f"page is {int(declared):,} bytes, over the {limit:,} limit"
                )
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise ArticleError(url, f"page is over the {limit:,} byte limit")
                chunks.append(chunk)
            return Page(
                url=url,
                final_url=str(response.url),
                content_type=response.headers.get("content-type", ""),
                body=b"".join(chunks),
            )


async def fetch_all(
    fetcher: Fetcher,
    urls: list[str],
    on_page: Callable[[str, Page | ArticleError], None] | None = None,
) -> list[Page | ArticleError]:
    """Fetch every URL at the fetcher's concurrency; results in input order, errors in place."""

    async def one(url: str) -> Page | ArticleError:
        try:
            outcome: Page | ArticleError = await fetcher.fetch(url)
        except ArticleError as e:
            outcome = e
        if on_page is not None:
            on_page(url, outcome)
        return outcome

    return list(await asyncio.gather(*(one(u) for u in urls)))
