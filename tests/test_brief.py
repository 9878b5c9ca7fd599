"""The brief of the five sample articles, replayed offline from the real model's recordings."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer import brief, briefing_from, render_html, render_json, render_markdown
from summarizer.extract import ExtractionRun
from summarizer.merge import quote_key
from summarizer.models import Article, Briefing, Quote
from summarizer.quotes import harvest_quotes

from .conftest import ARTICLES
from .test_cli import cli

CALL = "Call: Fuad Hussein, Kaja Kallas"


@pytest.fixture(scope="module")
def seeds() -> tuple[Briefing, dict[str, str]]:
    """The brief of articles/ and the article texts."""
    result = brief([ARTICLES])
    return result.briefing, result.texts


def _groups(briefing: Briefing, value: float) -> list[int]:
    return [
        g.corroboration
        for g in briefing.stories[0].figures
        if not g.conflict and any(v.value == value for v in g.values)
    ]


def test_the_five_seeds_are_one_story(seeds: tuple[Briefing, dict[str, str]]) -> None:
    """All five articles group into one story, with no failures."""
    briefing, _ = seeds
    assert len(briefing.stories) == 1
    assert len(briefing.stories[0].article_ids) == 5
    assert not briefing.failures


def test_up_to_7000_and_150_are_corroborated(seeds: tuple[Briefing, dict[str, str]]) -> None:
    """'up to 7,000 detainees' has at least 4 sources and '150 transferred' at least 3."""
    briefing, _ = seeds
    assert max(_groups(briefing, 7000.0)) >= 4
    assert max(_groups(briefing, 150.0)) >= 3


def test_al_hol_population_is_a_conflict(seeds: tuple[Briefing, dict[str, str]]) -> None:
    """45,000 (The Palestine Telegraph) vs 25,183 (Rudaw) at al-Hol camp is flagged."""
    briefing, texts = seeds
    (group,) = [
        g for g in briefing.stories[0].figures if g.conflict and "al-hol" in g.measure.lower()
    ]
    values = {v.value: v for v in group.values}
    assert set(values) == {45000.0, 25183.0}
    assert values[45000.0].sources == ("000_a113bbf3b4bae158",)
    assert values[25183.0].sources == ("002_2ee78586a9d7a01e",)
    for value in group.values:
        for span in value.spans:
            assert span.start is not None
            assert texts[span.article_id][span.start : span.end].replace(",", "") in (
                "45000",
                "25183",
            )


def test_call_date_disagreement_is_flagged(seeds: tuple[Briefing, dict[str, str]]) -> None:
    """The Hussein-Kallas call: 23 January 2026 (a Friday) in one outlet, Saturday in another.
    (The spokesman's statement of 24 January, in a sentence about the call, joins it.)"""
    briefing, _ = seeds
    (call,) = [e for e in briefing.stories[0].timeline if e.label == CALL]
    assert call.conflict
    assert {c.expression for c in call.claims} >= {"23 January 2026", "Saturday"}
    assert set(call.sources) == {"000_a113bbf3b4bae158", "003_b31ba89555d7fd13"}


def test_every_shown_quote_is_verbatim(seeds: tuple[Briefing, dict[str, str]]) -> None:
    """Every quote is word for word what each source prints (case and punctuation aside)."""
    briefing, texts = seeds
    story = briefing.stories[0]
    for q in (*story.quotes, *story.unattributed):
        for span in q.spans:
            assert span.status == "exact"
            assert span.start is not None
            assert span.end is not None
            words = texts[span.article_id][span.start : span.end]
            assert quote_key(words) == quote_key(q.text)
        assert any(texts[s.article_id][s.start : s.end] == q.text for s in q.spans)


def test_every_quoted_passage_is_accounted_for(seeds: tuple[Briefing, dict[str, str]]) -> None:
    """Each passage in quotation marks in any article is shown, or listed as unattributed."""
    briefing, texts = seeds
    story = briefing.stories[0]
    shown = {
        (s.article_id, s.start, s.end)
        for q in (*story.quotes, *story.unattributed)
        for s in q.spans
    }
    passages = {(aid, p.start, p.end) for aid, text in texts.items() for p in harvest_quotes(text)}
    assert passages == shown
    assert len(passages) >= 30


def test_invented_model_quotes_are_only_unverified() -> None:
    """A quote a model makes up (an answer in the v1 shape, or any provider's) is listed as
    unverified, in the brief and its Markdown, never as a quote."""
    run = brief([ARTICLES]).run
    first = run.extractions[0]
    invented = "I am grateful to Baghdad for its patience"
    quotes = [*first.data.quotes, Quote(speaker="Kaja Kallas", text=invented)]
    changed = first.model_copy(update={"data": first.data.model_copy(update={"quotes": quotes})})
    briefing = briefing_from(ExtractionRun(extractions=[changed, *run.extractions[1:]]))
    story = briefing.stories[0]
    assert any(u.kind == "quote" and invented in u.text for u in story.unverified)
    assert not any(invented in q.text for q in (*story.quotes, *story.unattributed))
    md = render_markdown(briefing)
    assert invented in md.split("### Unverified", 1)[1]
    assert invented not in md.split("### Unverified", 1)[0]


def test_judged_quotes_are_all_verified(seeds: tuple[Briefing, dict[str, str]]) -> None:
    """With prompt v2 the quotes come from the text, so the samples' brief has none unverified."""
    briefing, _ = seeds
    assert not [u for u in briefing.stories[0].unverified if u.kind == "quote"]


def test_brief_is_the_same_for_any_order_of_extractions() -> None:
    """Shuffling the extractions changes nothing in the rendered brief."""
    run = brief([ARTICLES]).run
    reference = render_json(briefing_from(run))

    @settings(max_examples=10, deadline=None)
    @given(st.permutations(run.extractions))
    def check(order: list[object]) -> None:
        shuffled = ExtractionRun(extractions=list(order))  # type: ignore[arg-type]
        assert render_json(briefing_from(shuffled)) == reference

    check()


def test_json_brief_validates_and_names_sources(tmp_path: Path) -> None:
    """`summarizer brief -f json -o FILE` writes a Briefing whose items all carry spans."""
    out = tmp_path / "brief.json"
    done = cli("brief", "articles/", "-f", "json", "-o", str(out))
    assert done.returncode == 0, done.stderr
    briefing = Briefing.model_validate_json(out.read_text(encoding="utf-8"))
    story = briefing.stories[0]
    assert all(v.spans for g in story.figures for v in g.values)
    assert all(q.spans for q in story.quotes)
    assert [s.number for s in briefing.sources] == [1, 2, 3, 4, 5]
    assert json.loads(out.read_text())["meta"]["prompts"] == ["extract_article.v2"]


def test_markdown_brief_reads_on_a_phone() -> None:
    """The default Markdown has the sections an editor expects, and the conflicts marked."""
    done = cli("brief", "articles/")
    assert done.returncode == 0, done.stderr
    md = done.stdout
    for heading in (
        "## 1. ",
        "### Key figures",
        "### Timeline",
        "### Who said what",
        "### Single-source claims",
        "## Sources",
    ):
        assert heading in md
    # listed only when a quote is left without a speaker (tests/test_merge.py has one)
    unattributed = json.loads(cli("brief", "articles/", "-f", "json").stdout)["stories"][0]
    assert ("### Unattributed quotes" in md) == bool(unattributed["unattributed"])
    assert "⚠ **people at Al-Hol camp**" in md
    assert "(5 sources [1][2][3][4][5])" in md
    assert done.stdout == cli("brief", "articles/").stdout


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [k for k, _ in attrs]
        self.ids |= {v for k, v in attrs if k == "id" and v}
        self.links += [v for k, v in attrs if k == "href" and v]


def test_html_links_every_item_to_its_span_and_escapes_text(tmp_path: Path) -> None:
    """Every link points at an id on the page; article text with markup renders inert."""
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(
        '<script>alert(1)</script> <img src=x onerror="alert(2)"> said “hi”.', encoding="utf-8"
    )
    result = brief([ARTICLES])
    texts = {**result.texts, "hostile": hostile.read_text(encoding="utf-8")}
    page = render_html(result.briefing, texts)
    parser = _Collector()
    parser.feed(page)
    assert "script" not in parser.tags
    assert not [a for a in parser.attrs if a.startswith("on")]
    internal = [link[1:] for link in parser.links if link.startswith("#")]
    assert internal
    assert set(internal) <= parser.ids
    assert "<mark id=" in page


def test_failed_articles_are_listed_and_the_rest_still_brief(tmp_path: Path) -> None:
    """An unreadable file is reported and listed; the brief is made from the others."""
    (tmp_path / "empty.txt").write_text("", "utf-8")
    done = cli("brief", "articles/003_b31ba89555d7fd13.txt", str(tmp_path), "-f", "json")
    assert done.returncode == 1
    briefing = Briefing.model_validate_json(done.stdout)
    assert [f.kind for f in briefing.failures] == ["ArticleError"]
    assert briefing.stories[0].article_ids == ("003_b31ba89555d7fd13",)
    assert "empty.txt: file is empty" in done.stderr


def test_api_accepts_loaded_articles(articles: dict[str, Article]) -> None:
    """brief() takes Article objects as well as paths."""
    result = brief([articles["003_b31ba89555d7fd13"], articles["001_92be438c86cfd8fa"]])
    assert result.briefing.stories[0].article_ids == (
        "001_92be438c86cfd8fa",
        "003_b31ba89555d7fd13",
    )
