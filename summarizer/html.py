"""An article from an HTML page: main text and metadata through trafilatura's public API.

The limits are about the article, not the markup: a page may be up to `MAX_HTML_BYTES`
(real article pages carry 1 to 5 MB of scripts and styles); the extracted text is held to
the caller's article limit. A page whose text is only navigation is refused, a date that
only a copyright footer gives is not a publication date, and the libraries' warnings stay
off the user's terminal.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from summarizer.errors import ArticleError

#: Pages larger than this are not read at all (markup included).
MAX_HTML_BYTES = 20_000_000
#: A page is an article when some paragraph of its text is a sentence of at least this many
#: words; menus, link lists and footers have none.
MIN_SENTENCE_WORDS = 10
#: What htmldate may use to date a page: its metadata and the page's own date markup, never
#: a free-text guess such as "(c) 2026" in a footer (`extensive_search`).
DATE_CONFIG = {"extensive_search": False, "original_date": True}
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_LIBRARY_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "readability")


@dataclass(frozen=True)
class HtmlArticle:
    """The main text of a page and what its markup says about it."""

    text: str
    title: str | None
    source: str | None
    url: str | None
    published: str | None
    author: str | None

    def meta(self) -> dict[str, Any]:
        """The fields `articles` accepts as front matter."""
        return {
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "published": self.published,
        }


def quiet_library_logs() -> None:
    """Send the extraction libraries' log records nowhere below ERROR (they log per page)."""
    for name in _LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def readable_domain(url: str | None) -> str | None:
    """An outlet name from a URL's host: "Reuters" for www.reuters.co.uk, "NJ.com" for nj.com."""
    if not url:
        return None
    from courlan import extract_domain

    host = urlsplit(url).hostname or ""
    if not host or host.replace(".", "").isdigit() or "." not in host:
        return host or None
    domain = extract_domain(url, fast=True) or host.removeprefix("www.")
    label, _, suffix = domain.partition(".")
    if len(label) <= 3:
        return f"{label.upper()}.{suffix}"
    return label.capitalize()


def _looks_like_host(name: str) -> bool:
    return " " not in name and "." in name and not name.endswith(".")


def readable_outlet(
    site_name: str | None, url: str | None, fallback: str | None = None
) -> str | None:
    """The outlet's own name (og:site_name), else the feed's title, else a readable domain.

    A site name that is only a host name ("www.reuters.co.uk") is not used as written.
    """
    for name in (site_name, fallback):
        if name and name.strip() and not _looks_like_host(name.strip()):
            return " ".join(name.split())
    return readable_domain(url)


def _og_site_name(raw: str) -> str | None:
    import lxml.html

    try:
        tree = lxml.html.fromstring(raw.encode("utf-8"))
    except (ValueError, TypeError, lxml.etree.ParserError):
        return None
    for node in tree.xpath('//meta[@property="og:site_name" or @name="og:site_name"]'):
        content = node.get("content")
        if content and content.strip():
            return str(content).strip()
    return None


def is_article_text(text: str) -> bool:
    """Some paragraph is a sentence of at least `MIN_SENTENCE_WORDS` words."""
    return any(
        len(line.split()) >= MIN_SENTENCE_WORDS and _SENTENCE_END.search(line.strip())
        for line in text.splitlines()
    )


def extract_html(
    source: str,
    raw: str,
    *,
    url: str | None = None,
    outlet: str | None = None,
    max_text_bytes: int,
) -> HtmlArticle:
    """Main text and metadata of one HTML page.

    Args:
        source: the file or URL, for error messages.
        raw: the page's markup.
        url: where the page was fetched from (the canonical URL in the page wins).
        outlet: a name to use when the page has no og:site_name (a feed's title).
        max_text_bytes: the limit on the extracted text, UTF-8.

    Raises:
        ArticleError: no article text (empty, or navigation only), or text over the limit.
    """
    with warnings.catch_warnings():
        # dateutil's UnknownTimezoneWarning and friends: a page's odd markup is not the
        # user's problem, and the date they concern is discarded anyway. urllib3 warns on
        # trafilatura's import that SOCKS support is missing: we fetch with httpx2.
        warnings.simplefilter("ignore")
        import trafilatura

        text = trafilatura.extract(raw, url=url, include_comments=False, include_tables=False)
        doc = trafilatura.extract_metadata(raw, default_url=url, date_config=DATE_CONFIG)
    if not text or not text.strip() or not is_article_text(text):
        raise ArticleError(source, "no article text (the page is empty or only navigation)")
    size = len(text.encode("utf-8"))
    if size > max_text_bytes:
        raise ArticleError(
            source, f"extracted text is {size:,} bytes, over the {max_text_bytes:,} limit"
        )
    page_url = (doc.url if doc is not None else None) or url
    if page_url and urlsplit(page_url).scheme not in ("http", "https"):
        page_url = url
    date = doc.date if doc is not None else None
    return HtmlArticle(
        text=text,
        title=doc.title if doc is not None else None,
        source=readable_outlet(
            _og_site_name(raw) or (doc.sitename if doc is not None else None),
            page_url,
            outlet,
        ),
        url=page_url,
        published=date if date and len(date) == 10 else None,
        author=doc.author if doc is not None else None,
    )
