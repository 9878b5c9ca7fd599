"""Articles from the web: page URLs and feed items fetched, extracted and de-duplicated.

Pages are fetched concurrently (`fetch.Fetcher`); each page's text is extracted in one
worker thread as soon as it arrives, so extraction overlaps the waiting on the network.
Items are de-duplicated by canonical URL before fetching, and articles by canonical URL and
content hash after extraction. Every failure is one `Failure` naming its URL or file; the
rest of the batch goes on.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx2

from summarizer.articles import MAX_ARTICLE_BYTES, content_hash
from summarizer.errors import ArticleError
from summarizer.feeds import FeedItem, canonical_url, feed_urls, in_window, parse_feed
from summarizer.fetch import Fetcher, FetchOptions, Page
from summarizer.html import extract_html
from summarizer.models import Article, Failure
from summarizer.pagecache import PageCache

_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._/-]+")
_PAGE_SUFFIX = re.compile(r"\.(s?html?|php|aspx?)$", re.IGNORECASE)
MAX_ID_CHARS = 100


@dataclass(frozen=True)
class WebOptions:
    """What to fetch and how."""

    fetch: FetchOptions = field(default_factory=FetchOptions)
    since: dt.timedelta | None = None
    max_text_bytes: int = MAX_ARTICLE_BYTES


@dataclass
class WebLoad:
    """Articles read from the web, failures, and what the run did."""

    articles: list[Article] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pages: int = 0
    network_fetches: int = 0
    from_cache: int = 0
    extract_s: float = 0.0
    wall_s: float = 0.0


def url_id(url: str) -> str:
    """A stable, readable article id from a URL: host and path ("example.com/world/a")."""
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    path = _PAGE_SUFFIX.sub("", parts.path.strip("/"))
    slug = _ID_UNSAFE.sub("-", f"{host}/{path}".strip("/")).strip("-")
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]
    if parts.query:
        slug = f"{slug}-{digest}"
    if len(slug) > MAX_ID_CHARS:
        slug = f"{slug[: MAX_ID_CHARS - 9]}-{digest}"
    return slug


def _failure(error: ArticleError) -> Failure:
    return Failure(source=error.source, error=str(error), kind="ArticleError")


def page_article(page: Page, item: FeedItem | None, max_text_bytes: int) -> Article:
    """The article in one fetched page; a feed item fills in what the page does not say.

    Raises:
        ArticleError: not HTML, no article text, or text over the limit.
    """
    kind = page.content_type.split(";")[0].strip().lower()
    if kind not in _HTML_TYPES:
        raise ArticleError(page.url, f"not an HTML page (content type {kind})")
    html = extract_html(
        page.url,
        page.text(),
        url=page.final_url,
        outlet=item.feed_title if item else None,
        max_text_bytes=max_text_bytes,
    )
    published = dt.date.fromisoformat(html.published) if html.published else None
    if published is None and item is not None and item.published is not None:
        published = item.published.date()
    return Article(
        id=url_id(canonical_url(page.url)),
        path=page.url,
        text=html.text,
        title=html.title or (item.title if item else None),
        source=html.source,
        url=html.url or page.final_url,
        published=published,
        content_hash=content_hash(html.text),
    )


async def _feed_items(
    fetcher: Fetcher,
    specs: Sequence[str],
    options: WebOptions,
    now: dt.datetime,
    out: WebLoad,
    fail: Callable[[ArticleError], None],
) -> list[FeedItem]:
    urls: list[str] = []
    for spec in specs:
        try:
            urls += feed_urls(spec)
        except ArticleError as e:
            fail(e)

    async def read(url: str) -> list[FeedItem] | ArticleError:
        try:
            page = await fetcher.fetch(url, use_cache=False)  # a feed is read fresh
            return parse_feed(url, page.body, page.content_type)
        except ArticleError as e:
            return e

    unique = list(dict.fromkeys(urls))
    items: list[FeedItem] = []
    for url, found in zip(unique, await asyncio.gather(*map(read, unique)), strict=True):
        if isinstance(found, ArticleError):
            fail(found)
            continue
        kept, undated = in_window(found, now=now, since=options.since)
        if undated:
            out.notes.append(f"{url}: {undated} item(s) without a date left out of the window")
        items += kept
    return items


def _dedupe(articles: list[Article], out: WebLoad) -> list[Article]:
    by_url: dict[str, str] = {}
    by_hash: dict[str, str] = {}
    kept = []
    for article in articles:
        key = canonical_url(article.url or article.path)
        first = by_url.get(key) or by_hash.get(article.content_hash)
        if first is not None:
            out.notes.append(f"{article.path}: same article as {first}; counted once")
            continue
        by_url[key] = by_hash[article.content_hash] = article.path
        kept.append(article)
    return kept


async def aload_web(
    urls: Sequence[str],
    feeds: Sequence[str] = (),
    *,
    options: WebOptions | None = None,
    page_cache: PageCache | None = None,
    client: httpx2.AsyncClient | None = None,
    now: dt.datetime | None = None,
    on_failure: Callable[[Failure], None] | None = None,
) -> WebLoad:
    """Fetch page URLs and the items of feeds, and read the article in each page.

    Args:
        urls: article page URLs.
        feeds: `--feed` values: feed URLs, files listing feeds, OPML files.
        options: fetch limits, the feed window and the text limit.
        page_cache: answer pages from here and store new ones.
        client: an httpx2 client of the caller's to fetch with.
        now: the end of the feed window (default: the current time).
        on_failure: called with each failure as it happens.

    Returns:
        A `WebLoad`: articles in input order (URLs, then feed items), one failure per page
        or feed that could not be used, and notes on what was left out.
    """
    options = options or WebOptions()
    now = now or dt.datetime.now(dt.UTC)
    out = WebLoad()

    def fail(error: ArticleError) -> None:
        failure = _failure(error)
        out.failures.append(failure)
        if on_failure is not None:
            on_failure(failure)

    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="summarizer-html") as pool:
        async with Fetcher(options.fetch, cache=page_cache, client=client) as fetcher:
            items = await _feed_items(fetcher, feeds, options, now, out, fail)
            wanted: dict[str, tuple[str, FeedItem | None]] = {}
            for url in urls:
                wanted.setdefault(canonical_url(url), (url, None))
            for item in items:
                wanted.setdefault(canonical_url(item.link), (item.link, item))

            def extract(page: Page, item: FeedItem | None) -> Article:
                t0 = time.perf_counter()
                try:
                    return page_article(page, item, options.max_text_bytes)
                finally:
                    out.extract_s += time.perf_counter() - t0

            async def one(url: str, item: FeedItem | None) -> Article | None:
                try:
                    page = await fetcher.fetch(url)
                    out.from_cache += page.from_cache
                    article = await loop.run_in_executor(pool, extract, page, item)
                except ArticleError as e:
                    fail(e)
                    return None
                return article

            results = await asyncio.gather(*(one(u, i) for u, i in wanted.values()))
            out.pages = len(wanted)
            out.network_fetches = fetcher.network_fetches
    out.articles = _dedupe([a for a in results if a is not None], out)
    seen: dict[str, int] = {}
    for i, article in enumerate(out.articles):  # two URLs with one id: number the later ones
        n = seen[article.id] = seen.get(article.id, 0) + 1
        if n > 1:
            out.articles[i] = article.model_copy(update={"id": f"{article.id}-{n}"})
    out.wall_s = time.perf_counter() - started
    return out


def load_web(
    urls: Sequence[str],
    feeds: Sequence[str] = (),
    *,
    options: WebOptions | None = None,
    page_cache: PageCache | None = None,
    on_failure: Callable[[Failure], None] | None = None,
) -> WebLoad:
    """Synchronous `aload_web`."""
    return asyncio.run(
        aload_web(urls, feeds, options=options, page_cache=page_cache, on_failure=on_failure)
    )
