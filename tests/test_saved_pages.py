"""Article extraction on real saved news pages whose clean text is known.

The pages are mozilla/readability's test fixtures (Apache-2.0; see
tests/fixtures/pages/README.md): the page as served (`source.html`), Readability's clean
article (`expected.html`) and its metadata (`expected-metadata.json`). Every quotation in the
clean article must survive our extraction, and the outlet, date and title must match what
the fixture records. Nothing leaves the machine.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from summarizer.html import HtmlArticle, extract_html
from summarizer.quotes import harvest_quotes

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
PUBLISHED: dict[str, dict[str, str]] = json.loads(
    (PAGES / "published.json").read_text(encoding="utf-8")
)
#: Quotations shorter than this many words ("a-ha!", “metadata”) are scare quotes, not speech.
MIN_QUOTE_WORDS = 3
MAX_TEXT_BYTES = 2_000_000
#: Elements that start a new line of text; all other whitespace in the markup is a space.
BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header li main nav ol p pre section table td th tr ul".split()
)
_QUOTE_CHARS = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
    }
)


@dataclass(frozen=True)
class SavedPage:
    """One fixture folder: the page, its clean text and what Readability says about it."""

    name: str
    raw: str
    clean_text: str
    metadata: dict[str, Any]


def normalise(text: str) -> str:
    """Whitespace collapsed, curly quotes and apostrophes made straight."""
    return " ".join(text.translate(_QUOTE_CHARS).split())


def text_of(html: str) -> str:
    """The text of an HTML fragment as a browser lays it out: one line per block.

    `text_content()` alone keeps the markup's hard line wraps, and a straight-quoted passage
    wrapped over two source lines is then no quotation for `harvest_quotes`.
    """
    tree = lxml.html.fromstring(html)
    for el in tree.iter():
        el.tail = re.sub(r"\s+", " ", el.tail or "")
        if not isinstance(el.tag, str):  # a comment: its text is no text of the page
            continue
        el.text = re.sub(r"\s+", " ", el.text or "")
        if el.tag in BLOCK_TAGS:
            el.text = "\n" + el.text
            el.tail = "\n" + el.tail
    lines = (" ".join(line.split()) for line in tree.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def load_page(folder: Path) -> SavedPage:
    """Read one fixture folder as UTF-8."""
    expected = (folder / "expected.html").read_text(encoding="utf-8")
    return SavedPage(
        name=folder.name,
        raw=(folder / "source.html").read_text(encoding="utf-8"),
        clean_text=text_of(expected),
        metadata=json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8")),
    )


def page_folders() -> list[Path]:
    """Every fixture folder that holds the three files."""
    files = ("source.html", "expected.html", "expected-metadata.json")
    return sorted(
        p for p in PAGES.iterdir() if p.is_dir() and all((p / f).is_file() for f in files)
    )


def extract(page: SavedPage) -> HtmlArticle:
    """Our extraction of the saved page; the page's own canonical link gives its URL."""
    return extract_html(page.name, page.raw, max_text_bytes=MAX_TEXT_BYTES)


def clean_quotes(page: SavedPage) -> list[str]:
    """The quotations of the clean article, long enough to be speech."""
    return [
        q.text for q in harvest_quotes(page.clean_text) if len(q.text.split()) >= MIN_QUOTE_WORDS
    ]


@pytest.fixture(scope="module", params=page_folders(), ids=lambda p: p.name)
def saved(request: pytest.FixtureRequest) -> tuple[SavedPage, HtmlArticle]:
    """A saved page and our extraction of it, once per page."""
    page = load_page(request.param)
    return page, extract(page)


def test_there_are_saved_pages() -> None:
    """The fixtures are present (a missing checkout of them must not pass silently)."""
    assert len(page_folders()) >= 2


def test_the_clean_text_has_quotations(saved: tuple[SavedPage, HtmlArticle]) -> None:
    """Each page was chosen for its quotations: without any, the next test proves nothing."""
    page, _ = saved
    assert clean_quotes(page), f"{page.name}: no quotation of {MIN_QUOTE_WORDS}+ words"


def test_every_quotation_survives_extraction(saved: tuple[SavedPage, HtmlArticle]) -> None:
    """Every quotation in the clean article appears in our extracted text."""
    page, article = saved
    text = normalise(article.text)
    missing = [q for q in clean_quotes(page) if normalise(q) not in text]
    assert not missing, f"{page.name}: quotations missing from the extracted text:\n" + "\n".join(
        f"  - {q!r}" for q in missing
    )


def test_the_outlet_is_the_site_name(saved: tuple[SavedPage, HtmlArticle]) -> None:
    """The outlet is the page's site name as Readability records it."""
    page, article = saved
    site = page.metadata.get("siteName")
    if not site:
        pytest.skip(f"{page.name}: the fixture records no siteName")
    assert article.source == site


def test_the_date_is_the_published_day(saved: tuple[SavedPage, HtmlArticle]) -> None:
    """The publication date is the day of Readability's publishedTime or, where it records
    none, the day the page's own markup gives (`published.json`, read by hand)."""
    page, article = saved
    published = page.metadata.get("publishedTime") or PUBLISHED.get(page.name, {}).get("day")
    assert published, f"{page.name}: no publication day recorded for this fixture"
    assert article.published == published[:10]


def test_the_title_is_the_headline(saved: tuple[SavedPage, HtmlArticle]) -> None:
    """The title is the headline Readability records, whitespace aside."""
    page, article = saved
    title = page.metadata.get("title")
    if not title:
        pytest.skip(f"{page.name}: the fixture records no title")
    assert re.sub(r"\s+", " ", article.title or "").strip() == re.sub(r"\s+", " ", title).strip()
