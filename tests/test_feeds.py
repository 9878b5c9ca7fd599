"""Feeds: RSS 2.0, Atom and RDF through feedparser, feed lists and OPML, the time window,
de-duplication, and the page cache on a same-morning re-run. Served from loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.errors import ArticleError
from summarizer.feeds import canonical_url, feed_urls, in_window, parse_feed, parse_since
from summarizer.loopback import LoopbackServer
from summarizer.pagecache import PageCache
from summarizer.pipeline import aload_inputs
from summarizer.web import WebOptions, aload_web

from .test_fetch import page

NOW = dt.datetime(2026, 12, 4, 7, 0, tzinfo=dt.UTC)
RSS_DATE = "%a, %d %b %Y %H:%M:%S +0000"


def story(i: int) -> str:
    return (
        f"Story number {i} reports that the harbour authority counted {100 + i} ships in "
        f"the port this week, the highest figure since records began in {1950 + i}. "
        f"Officials said the rise followed the reopening of the northern canal to traffic."
    )


def rss(title: str, items: list[tuple[str, dt.datetime | None]]) -> str:
    entries = "".join(
        f"<item><title>Item {i}</title><link>{link}</link>"
        + (f"<pubDate>{when.strftime(RSS_DATE)}</pubDate>" if when else "")
        + "</item>"
        for i, (link, when) in enumerate(items)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link>{entries}</channel></rss>"
    )


def atom(title: str, items: list[tuple[str, dt.datetime]]) -> str:
    entries = "".join(
        f'<entry><title>E{i}</title><link href="{link}"/><id>urn:e{i}</id>'
        f"<updated>{when.isoformat().replace('+00:00', 'Z')}</updated></entry>"
        for i, (link, when) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title><id>urn:feed</id><updated>2026-12-04T06:00:00Z</updated>"
        f"{entries}</feed>"
    )


def rdf(title: str, items: list[tuple[str, dt.datetime]]) -> str:
    entries = "".join(
        f'<item rdf:about="{link}"><title>R{i}</title><link>{link}</link>'
        f"<dc:date>{when.isoformat()}</dc:date></item>"
        for i, (link, when) in enumerate(items)
    )
    return (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="https://example.org/"><title>{title}</title>'
        "<link>https://example.org/</link></channel>"
        f"{entries}</rdf:RDF>"
    )


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as s:
        yield s


def hours_ago(h: float, now: dt.datetime = NOW) -> dt.datetime:
    return now - dt.timedelta(hours=h)


@pytest.mark.parametrize("kind", ["rss", "atom", "rdf"])
def test_each_feed_format_gives_its_items(kind: str) -> None:
    """RSS 2.0, Atom and RDF: every item's link, date and the feed's title."""
    items = [("https://example.org/a", hours_ago(1)), ("https://example.org/b", hours_ago(30))]
    body = {"rss": rss, "atom": atom, "rdf": rdf}[kind]("Harbour News", items)
    got = parse_feed("https://example.org/feed", body.encode("utf-8"))
    assert [i.link for i in got] == ["https://example.org/a", "https://example.org/b"]
    assert [i.published for i in got] == [hours_ago(1), hours_ago(30)]
    assert {i.feed_title for i in got} == {"Harbour News"}


def test_a_page_that_is_not_a_feed_is_refused() -> None:
    """An HTML page given as a feed is one error naming it."""
    with pytest.raises(ArticleError, match=r"^https://example.org/x: not a feed"):
        parse_feed("https://example.org/x", b"<html><body><p>hello</p></body></html>")


def test_window_keeps_recent_items_and_counts_undated_ones() -> None:
    """--since 24h keeps items of the last 24 hours; an undated item is left out, counted."""
    items = parse_feed(
        "https://example.org/feed",
        rss(
            "F",
            [
                ("https://example.org/new", hours_ago(2)),
                ("https://example.org/old", hours_ago(25)),
                ("https://example.org/undated", None),
                ("https://example.org/future", NOW + dt.timedelta(hours=3)),
            ],
        ).encode(),
    )
    kept, undated = in_window(items, now=NOW, since=dt.timedelta(hours=24))
    assert [i.link for i in kept] == ["https://example.org/new"]
    assert undated == 1


@pytest.mark.parametrize(
    ("text", "seconds"), [("24h", 86400), ("90m", 5400), ("2d", 172800), ("1w", 604800)]
)
def test_since_durations(text: str, seconds: int) -> None:
    """Minutes, hours, days and weeks."""
    assert parse_since(text).total_seconds() == seconds


def test_a_bad_since_is_refused() -> None:
    """Anything else says what to write."""
    with pytest.raises(ValueError, match="like 24h"):
        parse_since("yesterday")


def test_feed_lists_and_opml(tmp_path: Path) -> None:
    """A text file of feed URLs (comments allowed) and an OPML file both give their feeds."""
    listing = tmp_path / "feeds.txt"
    listing.write_text("# morning\nhttps://a.example/rss\n\nhttps://b.example/atom.xml#x\n")
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body>'
        '<outline text="News"><outline text="A" type="rss" xmlUrl="https://a.example/rss"/>'
        '<outline text="C" type="rss" xmlUrl="https://c.example/feed"/></outline></body></opml>'
    )
    assert feed_urls(str(listing)) == ["https://a.example/rss", "https://b.example/atom.xml#x"]
    assert feed_urls(str(opml)) == ["https://a.example/rss", "https://c.example/feed"]
    assert feed_urls("https://d.example/rss") == ["https://d.example/rss"]
    bad = tmp_path / "bad.txt"
    bad.write_text("https://a.example/rss\nnot a url\n")
    with pytest.raises(ArticleError, match=r"bad.txt:2: not an http\(s\) URL"):
        feed_urls(str(bad))
    with pytest.raises(ArticleError, match="not a URL and no such file"):
        feed_urls(str(tmp_path / "missing.txt"))


def test_canonical_url_drops_tracking_and_fragments() -> None:
    """utm_* parameters, fragments, default ports and host case do not make a new item."""
    assert canonical_url("HTTPS://Example.COM:443/a?utm_source=rss&id=3#top") == (
        "https://example.com/a?id=3"
    )


def serve_feeds(server: LoopbackServer, now: dt.datetime = NOW) -> tuple[str, str]:
    """Two feeds sharing one item (tracking parameters differ), one copy of a text under
    two URLs, an old item and a broken link. The pages carry no date and no site name."""

    def hours_ago(h: float) -> dt.datetime:
        return now - dt.timedelta(hours=h)

    for i in range(4):
        server.add(
            f"/s{i}.html", page(body=story(i), title=f"Harbour {i}", site=None, published=None)
        )
    server.add("/copy.html", page(body=story(0), title="Harbour 0", site=None, published=None))
    first = server.add(
        "/one.rss",
        rss(
            "Harbour Daily",
            [
                (server.url("/s0.html?utm_source=rss"), hours_ago(1)),
                (server.url("/s1.html"), hours_ago(2)),
                (server.url("/old.html"), hours_ago(40)),
                (server.url("/missing.html"), hours_ago(3)),
            ],
        ),
        content_type="application/rss+xml",
    )
    second = server.add(
        "/two.atom",
        atom(
            "Port Gazette",
            [
                (server.url("/s0.html?utm_medium=feed"), hours_ago(1)),
                (server.url("/s2.html"), hours_ago(5)),
                (server.url("/copy.html"), hours_ago(6)),
            ],
        ),
        content_type="application/atom+xml",
    )
    return first, second


def test_feed_items_in_the_window_are_fetched_once_and_deduplicated(
    server: LoopbackServer,
) -> None:
    """Items in the window are fetched; a shared item once (canonical URL), a copy of the
    same text under another URL counted once (content hash); a bad link fails alone."""
    first, second = serve_feeds(server)
    got = asyncio.run(
        aload_web([], [first, second], options=WebOptions(since=dt.timedelta(hours=24)), now=NOW)
    )
    assert [a.title for a in got.articles] == ["Harbour 0", "Harbour 1", "Harbour 2"]
    assert server.hits["/s0.html"] == 1
    assert server.hits["/old.html"] == 0
    assert [f.error for f in got.failures] == [f"{server.url('/missing.html')}: HTTP 404 Not Found"]
    assert any("/copy.html: same article as" in note for note in got.notes)
    outlets = {a.source for a in got.articles}
    assert outlets <= {"Harbour Daily", "Port Gazette"}  # no og:site_name: the feed's title
    assert got.articles[0].published == dt.date(2026, 12, 4)  # no date in the page: the feed's


def test_a_same_morning_rerun_fetches_no_page(server: LoopbackServer, tmp_path: Path) -> None:
    """The second run reads the feeds again and takes every page from the cache."""
    first, second = serve_feeds(server)

    def run() -> list[str]:
        with PageCache(tmp_path / "pages.sqlite") as cache:
            loaded = asyncio.run(
                aload_inputs(
                    [], feeds=[first, second], web=WebOptions(since=None), page_cache=cache
                )
            )
        return [a.id for a in loaded.articles]

    ids = run()
    pages_before = {p: n for p, n in server.hits.items() if p.endswith(".html")}
    assert run() == ids
    pages_after = {p: n for p, n in server.hits.items() if p.endswith(".html")}
    assert pages_after == {
        **pages_before,
        "/missing.html": 2,  # a failed page is not cached: it may come back
        "/old.html": 2,
    }


def test_brief_command_with_feeds_reports_each_bad_feed(
    server: LoopbackServer, tmp_path: Path
) -> None:
    """`brief --feed ... --since 24h`: a broken feed and a bad feed list are one line each;
    the good feed's items are fetched."""
    first, _ = serve_feeds(server, dt.datetime.now(dt.UTC))
    broken = server.add("/broken.rss", "<html><body>maintenance</body></html>")
    result = CliRunner().invoke(
        app,
        [
            "brief",
            "--feed",
            first,
            "--feed",
            broken,
            "--feed",
            str(tmp_path / "none.txt"),
            "--since",
            "24h",
            "--quiet",
        ],
    )
    lines = result.stderr.splitlines()
    assert sum(broken in line for line in lines) == 1
    assert f"summarizer: error: {broken}: not a feed" in "\n".join(lines)
    assert f"summarizer: error: {tmp_path / 'none.txt'}: not a URL and no such file" in lines
    assert server.hits["/s1.html"] == 1
    assert result.exit_code == 1


def test_brief_command_refuses_a_bad_window() -> None:
    """A --since it cannot read is a usage error, exit 2."""
    result = CliRunner().invoke(app, ["brief", "--feed", "https://a.example/rss", "--since", "x"])
    assert result.exit_code == 2
    assert "like 24h" in result.stderr
