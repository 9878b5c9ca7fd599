"""Fetching article pages: limits, redirects, proxies, concurrency, HTML text and metadata.

Every page comes from a loopback server in the test; nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import json
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.articles import load_articles
from summarizer.cli import app
from summarizer.errors import ArticleError
from summarizer.fetch import Fetcher, FetchOptions, fetch_all
from summarizer.html import extract_html, readable_outlet
from summarizer.loopback import LoopbackServer
from summarizer.models import Failure
from summarizer.pagecache import PageCache
from summarizer.testing import FakeServer, ServerThread
from summarizer.web import WebOptions, aload_web, url_id

BODY = (
    "The city council approved a budget of $40 million for the new river bridge on Tuesday, "
    "after a debate that lasted most of the evening. "
    '"This bridge joins two halves of our city," Mayor Ana Ruiz told reporters afterwards. '
    "Construction is due to start in March and to take three years, the council said."
)


def page(
    body: str = BODY,
    *,
    title: str = "Council approves bridge",
    site: str | None = "The Springfield Ledger",
    published: str | None = "2026-12-03T08:00:00Z",
    canonical: str | None = None,
    footer: str = "",
    extra_head: str = "",
) -> str:
    """A news page: navigation, the article in paragraphs, a footer."""
    head = [f"<title>{title}</title>", extra_head]
    if site:
        head.append(f'<meta property="og:site_name" content="{site}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published}">')
    if canonical:
        head.append(f'<link rel="canonical" href="{canonical}">')
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in body.split(". ") if s.strip(". "))
    return (
        f"<html><head>{''.join(head)}</head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        f"<footer>{footer}</footer></body></html>"
    )


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as s:
        yield s


def load(urls: list[str], **kwargs: object) -> tuple[list, list[Failure]]:  # type: ignore[type-arg]
    got = asyncio.run(aload_web(urls, **kwargs))  # type: ignore[arg-type]
    return got.articles, got.failures


def test_a_page_gives_its_text_and_metadata(server: LoopbackServer) -> None:
    """Main text without navigation; title, outlet, date and canonical URL from the markup."""
    url = server.add("/news/bridge.html", page(canonical="https://ledger.example/news/bridge"))
    (article,), failures = load([url])
    assert not failures
    assert "joins two halves of our city" in article.text
    assert "Sport" not in article.text
    assert article.title == "Council approves bridge"
    assert article.source == "The Springfield Ledger"
    assert str(article.published) == "2026-12-03"
    assert article.url == "https://ledger.example/news/bridge"
    assert article.path == url
    assert article.id == f"127.0.0.1-{server.port}/news/bridge"


def test_one_line_per_failed_page_while_the_others_run(server: LoopbackServer) -> None:
    """Status, timeout, not HTML and navigation-only pages fail alone, each naming its URL."""
    good = server.add("/good.html", page())
    gone = server.url("/gone.html")
    broken = server.add("/broken.html", "oops", status=500)
    slow = server.add("/slow.html", page(), delay_s=3.0)
    pdf = server.add("/report.pdf", b"%PDF-1.7", content_type="application/pdf")
    menu = server.add(
        "/menu.html",
        "<html><body><nav><ul>"
        + "".join(f"<li><a href='/{i}'>Section {i} news and views</a></li>" for i in range(20))
        + "</ul></nav></body></html>",
    )
    seen: list[Failure] = []
    got = asyncio.run(
        aload_web(
            [good, gone, broken, slow, pdf, menu],
            options=WebOptions(fetch=FetchOptions(timeout_s=0.5)),
            on_failure=seen.append,
        )
    )
    assert [a.path for a in got.articles] == [good]
    errors = {f.source: f.error for f in got.failures}
    assert errors == {f.source: f.error for f in seen}
    assert errors[gone] == f"{gone}: HTTP 404 Not Found"
    assert errors[broken] == f"{broken}: HTTP 500 Internal Server Error"
    assert errors[slow].startswith(f"{slow}: timed out after 0.5 s")
    assert errors[pdf] == f"{pdf}: not an HTML page (content type application/pdf)"
    assert errors[menu] == f"{menu}: no article text (the page is empty or only navigation)"
    assert all("\n" not in e for e in errors.values())


def test_body_cap_is_enforced_while_streaming(server: LoopbackServer) -> None:
    """An endless body stops at the cap; a stated Content-Length over it is refused unread."""
    endless = server.add("/endless.html", endless=True)
    stated = server.add("/big.html", b"x" * 10, headers={"Content-Length": "999999999"})

    async def go() -> list[object]:
        async with Fetcher(FetchOptions(max_bytes=1_000_000)) as fetcher:
            return await fetch_all(fetcher, [endless, stated])  # type: ignore[return-value]

    started = time.monotonic()
    first, second = asyncio.run(go())
    assert time.monotonic() - started < 10
    assert isinstance(first, ArticleError)
    assert str(first) == f"{endless}: page is over the 1,000,000 byte limit"
    assert isinstance(second, ArticleError)
    assert str(second) == f"{stated}: page is 999,999,999 bytes, over the 1,000,000 limit"


def test_a_page_that_never_ends_is_stopped_by_the_total_timeout(server: LoopbackServer) -> None:
    """Bytes trickling in keep each read alive; the response as a whole still has a limit."""
    endless = server.add("/trickle.html", endless=True, chunk_delay_s=0.05)
    options = WebOptions(fetch=FetchOptions(total_timeout_s=0.5))
    started = time.monotonic()
    _, failures = load([endless], options=options)
    assert time.monotonic() - started < 5
    assert [f.error for f in failures] == [f"{endless}: took longer than 0.5 s in all"]


def test_redirects_are_limited_and_only_to_http(server: LoopbackServer) -> None:
    """One redirect is followed; a chain past the limit, or to another scheme, is refused."""
    target = server.add("/target.html", page())
    moved = server.add("/moved.html", status=301, headers={"Location": "/target.html"})
    for i in range(8):
        server.add(f"/loop{i}", status=302, headers={"Location": f"/loop{i + 1}"})
    chain = server.url("/loop0")
    ftp = server.add("/ftp", status=302, headers={"Location": "ftp://files.example/a.html"})
    local = server.add("/file", status=302, headers={"Location": "file:///etc/passwd"})

    async def go() -> list[object]:
        async with Fetcher(FetchOptions(max_redirects=5)) as fetcher:
            return await fetch_all(fetcher, [moved, chain, ftp, local])  # type: ignore[return-value]

    ok, too_many, to_ftp, to_file = asyncio.run(go())
    assert not isinstance(ok, ArticleError)
    assert ok.final_url == target  # type: ignore[attr-defined]
    assert str(too_many) == f"{chain}: more than 5 redirects"
    assert server.hits["/loop6"] == 0
    assert (
        str(to_ftp) == f"{ftp}: redirects to a URL that is not http(s): ftp://files.example/a.html"
    )
    assert str(to_file).startswith(f"{local}: redirects to a URL that is not http(s): file:")


def test_concurrency_per_host_is_bounded_and_the_user_agent_says_who_asks(
    server: LoopbackServer,
) -> None:
    """With per_host=3, never more than 3 requests in flight to the host, but more than 1."""
    urls = [server.add(f"/p{i}.html", page(), delay_s=0.2) for i in range(12)]
    articles, failures = load(urls, options=WebOptions(fetch=FetchOptions(per_host=3)))
    assert not failures
    assert len(articles) == 1  # twelve copies of one text: counted once by content hash
    assert 1 < server.max_in_flight <= 3
    agents = {headers.get("User-Agent", "") for _, headers in server.seen}
    assert len(agents) == 1
    assert agents.pop().startswith("summarizer/")


def test_proxy_is_taken_from_the_environment(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY is honoured as httpx documents it: the request goes to the proxy."""
    for name in (
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "https_proxy",
        "all_proxy",
        "no_proxy",
        "http_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.url(""))
    server.add("/world/story.html", page())
    articles, failures = load(["http://news.example.invalid/world/story.html"])
    assert not failures
    assert articles[0].source == "The Springfield Ledger"
    assert server.seen[0][0] == "http://news.example.invalid/world/story.html"


def test_a_rerun_is_answered_from_the_page_cache(server: LoopbackServer, tmp_path: Path) -> None:
    """The second run the same morning fetches nothing and reads the same articles."""
    urls = [
        server.add(f"/c{i}.html", page(title=f"Story {i}", body=f"{BODY} Item {i} of the day."))
        for i in range(3)
    ]
    with PageCache(tmp_path / "pages.sqlite") as cache:
        first = asyncio.run(aload_web(urls, page_cache=cache))
    with PageCache(tmp_path / "pages.sqlite") as cache:
        second = asyncio.run(aload_web(urls, page_cache=cache))
    assert first.network_fetches == 3
    assert second.network_fetches == 0
    assert second.from_cache == 3
    assert sum(server.hits.values()) == 3
    assert second.articles == first.articles
    with PageCache(tmp_path / "pages.sqlite", max_age_s=0) as stale:
        third = asyncio.run(aload_web(urls, page_cache=stale))
    assert third.network_fetches == 3


def test_html_limits_are_about_the_article_not_the_markup(tmp_path: Path) -> None:
    """A 3 MB page of markup loads; text over the article limit is refused, naming the file."""
    scripts = "<script>var x = '" + "y" * 3_000_000 + "';</script>"
    big = tmp_path / "heavy.html"
    big.write_text(page(extra_head=scripts), "utf-8")
    loaded = load_articles([big])
    assert not loaded.failures
    assert "joins two halves" in loaded.articles[0].text
    with pytest.raises(ArticleError, match=r"extracted text is [0-9,]+ bytes, over the 100 limit"):
        extract_html("page.html", page(), max_text_bytes=100)


@pytest.mark.parametrize(
    ("site_name", "url", "feed_title", "expected"),
    [
        (None, "https://www.reuters.co.uk/world/a", None, "Reuters"),
        (None, "https://www.nj.com/news/a.html", None, "NJ.com"),
        ("Barron's", "https://www.barrons.com/a", None, "Barron's"),
        ("www.reuters.co.uk", "https://www.reuters.co.uk/a", None, "Reuters"),
        (None, "https://www.reuters.co.uk/a", "Reuters World News", "Reuters World News"),
        ("  The   Hill ", "https://thehill.com/a", None, "The Hill"),
    ],
)
def test_outlet_is_a_readable_name(
    site_name: str | None, url: str, feed_title: str | None, expected: str
) -> None:
    """og:site_name, else the feed's title, else a readable domain; never a mangled host."""
    assert readable_outlet(site_name, url, feed_title) == expected


def test_outlet_from_a_page_without_site_name() -> None:
    """No og:site_name: the host gives the name, not "Reuters_Co_Uk"."""
    got = extract_html(
        "p", page(site=None), url="https://www.reuters.co.uk/world/a", max_text_bytes=10**6
    )
    assert got.source == "Reuters"


def test_copyright_footer_is_no_publication_date_and_navigation_is_no_article(
    tmp_path: Path,
) -> None:
    """Issue 13 case 16: "(c) 2026" is not a date; a page of links is "no article text"."""
    dated_by_footer = tmp_path / "footer.html"
    dated_by_footer.write_text(
        page(published=None, footer="Copyright (c) 2026 The Springfield Ledger"), "utf-8"
    )
    menu = tmp_path / "menu.html"
    menu.write_text(
        "<html><head><title>Ledger - Home</title></head><body><nav>"
        + "".join(
            f"<a href='/s{i}'>Section {i}: the latest news and views</a><br>" for i in range(30)
        )
        + "</nav><footer>(c) 2026 Ledger</footer></body></html>",
        "utf-8",
    )
    loaded = load_articles([dated_by_footer, menu])
    (article,) = loaded.articles
    assert article.published is None
    assert [f.error for f in loaded.failures] == [
        f"{menu}: no article text (the page is empty or only navigation)"
    ]


def test_library_warnings_never_reach_the_user() -> None:
    """A date in a timezone dateutil does not know (EDT) warns inside; nothing escapes."""
    html = page(published="2026-12-03T08:00:00 EDT")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        extract_html("p", html, max_text_bytes=10**6)
    assert [str(w.message) for w in caught] == []


def test_url_ids_are_readable_and_stable() -> None:
    """Host and path, without www and the page suffix; a query adds a short digest."""
    assert (
        url_id("https://www.example.com/world/2026/bridge.html") == "example.com/world/2026/bridge"
    )
    with_query = url_id("https://example.com/article?id=7")
    assert with_query.startswith("example.com/article-")
    assert with_query == url_id("https://example.com/article?id=7")
    assert len(url_id("https://example.com/" + "a" * 300)) <= 100


def test_brief_command_fetches_urls_and_reports_each_failed_page(server: LoopbackServer) -> None:
    """`summarizer brief URL...`: one error line for the missing page; the good one is read
    and goes on to extraction (here: replay, which has no recording of it)."""
    good = server.add("/good.html", page())
    gone = server.url("/gone.html")
    result = CliRunner().invoke(app, ["brief", good, gone, "--quiet"])
    lines = result.stderr.splitlines()
    assert f"summarizer: error: {gone}: HTTP 404 Not Found" in lines
    assert sum(gone in line for line in lines) == 1
    assert not any(good in line and "HTTP" in line for line in lines)
    assert server.hits["/good.html"] == 1
    assert result.exit_code == 1


def test_extract_and_record_take_urls(server: LoopbackServer, tmp_path: Path) -> None:
    """`summarizer extract URL` and `summarizer record URL` fetch the page and extract it like
    a file (here against the loopback model server); the URL is never read as a path."""
    good = server.add("/council.html", page())
    with ServerThread(FakeServer()) as model:
        live = ["--provider", "openai-compatible", "--model", "fake"]
        live += ["--base-url", f"http://127.0.0.1:{model.port}/v1"]
        done = CliRunner().invoke(app, ["extract", good, *live, "--no-cache", "-f", "json"])
        assert done.exit_code == 0, done.stderr
        (line,) = done.stdout.splitlines()
        assert json.loads(line)["article"]["url"] == good
        recorded = CliRunner().invoke(
            app, ["record", good, *live, "--cassettes", str(tmp_path / "cassettes")]
        )
        assert recorded.exit_code == 0, recorded.stderr
    assert server.hits["/council.html"] == 2
    assert len(list((tmp_path / "cassettes").glob("*.yaml"))) == 1


def test_a_callers_client_is_used_with_its_transport() -> None:
    """A client of the caller's (here a mock transport) fetches the pages, saying who asks."""
    import httpx2

    seen: list[str] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.headers["user-agent"])
        return httpx2.Response(200, headers={"content-type": "text/html"}, text=page())

    async def go() -> list[str]:
        async with httpx2.AsyncClient(transport=httpx2.MockTransport(answer)) as client:
            got = await aload_web(["https://ledger.example/a.html"], client=client)
        return [a.source or "" for a in got.articles]

    assert asyncio.run(go()) == ["The Springfield Ledger"]
    assert len(seen) == 1
    assert seen[0].startswith("summarizer/")


def test_a_page_is_decoded_by_its_declared_charset(server: LoopbackServer) -> None:
    """windows-1252 declared in the header, or only in a <meta> tag: "café" stays "café"."""
    body = BODY.replace("reporters", "reporters at the café")
    in_header = server.add(
        "/header.html",
        page(body=body).encode("cp1252"),
        content_type="text/html; charset=windows-1252",
    )
    in_meta = server.add(
        "/meta.html",
        page(body=body, title="Bridge", extra_head='<meta charset="windows-1252">').encode(
            "cp1252"
        ),
        content_type="text/html",
    )
    articles, failures = load([in_header, in_meta])
    assert not failures
    assert len(articles) == 2
    assert all("reporters at the café" in a.text for a in articles)
