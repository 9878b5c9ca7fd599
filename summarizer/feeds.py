"""RSS 2.0, Atom and RDF feeds through feedparser; feed lists as a text file or OPML.

`--feed` takes a feed URL, a text file of feed URLs (one a line, `#` comments), or an OPML
file (every `outline` with an `xmlUrl`). Items are kept when published in the window
(`--since 24h`); an item with no date cannot be placed in a window and is left out, counted.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import ArticleError
from summarizer.fetch import is_url

MAX_FEED_LIST_BYTES = 5_000_000
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.IGNORECASE)
_UNIT_S = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


@dataclass(frozen=True)
class FeedItem:
    """One feed entry that links to an article."""

    link: str
    title: str | None
    published: dt.datetime | None
    feed_url: str
    feed_title: str | None


def parse_since(value: str) -> dt.timedelta:
    """`90m`, `24h`, `2d` or `1w` as a duration.

    Raises:
        ValueError: anything else.
    """
    m = _DURATION.match(value)
    if not m:
        raise ValueError(f"--since {value!r}: give a number and m, h, d or w, like 24h")
    return dt.timedelta(seconds=float(m.group(1)) * _UNIT_S[m.group(2).lower()])


def _opml_urls(source: str, data: bytes) -> list[str]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise ArticleError(source, f"not valid OPML: {e}") from e
    urls = [str(node.get("xmlUrl")).strip() for node in root.iter("outline") if node.get("xmlUrl")]
    if not urls:
        raise ArticleError(source, "OPML file lists no feed (no outline with an xmlUrl)")
    return urls


def feed_urls(spec: str) -> list[str]:
    """The feed URLs one `--feed` value stands for.

    Raises:
        ArticleError: a file that cannot be read, or that lists nothing usable.
    """
    if is_url(spec):
        return [spec]
    path = Path(spec)
    try:
        if path.stat().st_size > MAX_FEED_LIST_BYTES:
            raise ArticleError(spec, f"feed list is over the {MAX_FEED_LIST_BYTES:,} byte limit")
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise ArticleError(spec, "not a URL and no such file") from e
    except OSError as e:
        raise ArticleError(spec, f"cannot read: {e.strerror or e}") from e
    head = data.lstrip()[:200].lower()
    if path.suffix.lower() in (".opml", ".xml") or head.startswith(b"<?xml") or b"<opml" in head:
        return _opml_urls(spec, data)
    urls: list[str] = []
    for lineno, raw in enumerate(data.decode("utf-8-sig", errors="replace").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not is_url(line):
            raise ArticleError(f"{spec}:{lineno}", f"not an http(s) URL: {line[:80]!r}")
        urls.append(line)
    if not urls:
        raise ArticleError(spec, "lists no feed URL")
    return urls


def _when(entry: dict[str, object]) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            return dt.datetime(*value[:6], tzinfo=dt.UTC)
    return None


def parse_feed(url: str, body: bytes, content_type: str = "") -> list[FeedItem]:
    """The items of one feed document that link to a page.

    Raises:
        ArticleError: the document is not a feed feedparser can read.
    """
    import feedparser

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        problem = getattr(parsed, "bozo_exception", None) or "no RSS, Atom or RDF items"
        raise ArticleError(url, f"not a feed: {problem}")
    title = parsed.feed.get("title") or None
    items = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link or not is_url(str(link)):
            continue
        items.append(
            FeedItem(
                link=str(link),
                title=entry.get("title") or None,
                published=_when(entry),
                feed_url=url,
                feed_title=str(title) if title else None,
            )
        )
    return items


def in_window(
    items: list[FeedItem], *, now: dt.datetime, since: dt.timedelta | None
) -> tuple[list[FeedItem], int]:
    """The items published in (now - since, now], and how many had no date to tell.

    With no window every item is kept.
    """
    if since is None:
        return list(items), 0
    start = now - since
    kept = [i for i in items if i.published is not None and start < i.published <= now]
    undated = sum(1 for i in items if i.published is None)
    return kept, undated


def canonical_url(url: str) -> str:
    """The URL without tracking parameters, fragment, default port or case in the host."""
    from courlan import normalize_url

    try:
        return str(normalize_url(url, strict=True))
    except ValueError:
        return url
