"""Fetching and extracting 500 feed items from loopback servers that answer each page 300 ms
after the request arrives, at the default fetch concurrency.

Run: python benchmarks/fetch_throughput.py [--items 500] [--latency 0.3] [--hosts 10]
One RSS feed lists the items; their pages are spread over `--hosts` outlets, each a loopback
server on its own address (127.0.0.1, 127.0.0.2, ...), so the per-host limit applies as it
would on the web. Each page is about 60 KB of markup around a 600-word article. Reports pages
per second, the share of the wall time spent in text extraction (trafilatura, in one worker
thread that overlaps the waiting), and the most requests any host had in flight.
With no concurrency at all the run would take items x latency (150 s for the defaults).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
from contextlib import ExitStack

from summarizer.fetch import FetchOptions
from summarizer.loopback import LoopbackServer
from summarizer.web import WebOptions, aload_web

WORDS = (
    "council city river bridge budget vote minister said officials report week police "
    "court election market prices energy water school hospital workers union strike "
    "talks agreement government plan project cost million people families homes village "
    "rain storm flood harbour ships port trade exports company shares investors bank"
).split()
RSS_DATE = "%a, %d %b %Y %H:%M:%S +0000"


def article_page(rng: random.Random, i: int) -> str:
    """A page of about 60 KB: head, navigation, scripts, a 600-word article, a footer."""
    sentences = []
    for _ in range(40):
        words = rng.choices(WORDS, k=14)
        sentences.append(" ".join(words).capitalize() + f" {rng.randint(2, 9999)}.")
    paragraphs = "".join(f"<p>{' '.join(sentences[j : j + 4])}</p>" for j in range(0, 40, 4))
    nav = "".join(f"<li><a href='/section/{k}'>Section {k}</a></li>" for k in range(60))
    script = (
        "<script>var config = {" + ",".join(f'"k{k}": {k}' for k in range(2500)) + "};</script>"
    )
    return (
        f"<html><head><title>Story {i}</title>"
        f'<meta property="og:site_name" content="Outlet {i % 10}">'
        f'<meta property="article:published_time" content="2026-12-03T0{i % 10}:00:00Z">'
        f"{script}</head><body><nav><ul>{nav}</ul></nav>"
        f"<article><h1>Story {i}</h1>{paragraphs}</article>"
        f"<footer>(c) 2026 Outlet {i % 10}</footer></body></html>"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--hosts", type=int, default=10)
    args = parser.parse_args()
    rng = random.Random(14)  # noqa: S311 - reproducible page texts, not a secret
    now = dt.datetime.now(dt.UTC)
    with ExitStack() as stack:
        hosts = [
            stack.enter_context(LoopbackServer(delay_s=args.latency, host=f"127.0.0.{h + 1}"))
            for h in range(args.hosts)
        ]
        feed_host = stack.enter_context(LoopbackServer())
        items = []
        for i in range(args.items):
            url = hosts[i % args.hosts].add(f"/news/{i}.html", article_page(rng, i))
            when = (now - dt.timedelta(minutes=i)).strftime(RSS_DATE)
            items.append(
                f"<item><title>Story {i}</title><link>{url}</link><pubDate>{when}</pubDate></item>"
            )
        feed = feed_host.add(
            "/feed.rss",
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>'
            f"<link>https://example.org/</link>{''.join(items)}</channel></rss>",
            content_type="application/rss+xml",
        )
        options = WebOptions(fetch=FetchOptions(), since=dt.timedelta(days=2))
        got = asyncio.run(aload_web([], [feed], options=options))
        peak = max(h.max_in_flight for h in hosts)
    if got.failures:
        print(f"{len(got.failures)} failed, first: {got.failures[0].error}", file=sys.stderr)
        return 1
    rate = len(got.articles) / got.wall_s
    share = got.extract_s / got.wall_s
    fetch = options.fetch
    print(
        f"{len(got.articles)} pages from {args.hosts} host(s), "
        f"{args.latency * 1000:.0f} ms latency, "
        f"concurrency {fetch.concurrency} ({fetch.per_host} per host): {got.wall_s:.1f} s, "
        f"{rate:.1f} pages/s; text extraction {got.extract_s:.1f} s = {share:.0%} of the wall "
        f"time; at most {peak} requests in flight to one host"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
