"""Date expressions: found with offsets, resolved only when the day is certain."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarizer.dates import DateMentionSpan, DateResolution, find_dates, resolve_date

ARTICLES = Path(__file__).parent.parent / "articles"
SATURDAY = dt.date(2026, 1, 24)  # the day article 000 was published


def _article(prefix: str) -> str:
    (path,) = ARTICLES.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _by_text(spans: list[DateMentionSpan]) -> dict[str, DateResolution]:
    return {s.text: s.resolution for s in spans}


@pytest.mark.parametrize(
    ("expression", "iso"),
    [
        ("24 January 2026", "2026-01-24"),
        ("20 January 2026", "2026-01-20"),
        ("January 21, 2026", "2026-01-21"),
        ("Jan. 21, 2026", "2026-01-21"),
        ("Sept. 3, 2025", "2025-09-03"),
        ("2026-01-24", "2026-01-24"),
        ("the 21st of January 2026", "2026-01-21"),
        ("January twenty-first, 2026", "2026-01-21"),
        ("Saturday, 24 January 2026", "2026-01-24"),
        ("29 February 2024", "2024-02-29"),
    ],
)
@pytest.mark.parametrize("published", [None, SATURDAY, dt.date(2019, 6, 1)])
def test_explicit_dates_ignore_published(
    expression: str, iso: str, published: dt.date | None
) -> None:
    """A fully written date resolves to its day whatever the publication date."""
    assert resolve_date(expression, published) == DateResolution(iso, "day", "explicit")


@pytest.mark.parametrize(
    ("expression", "iso"),
    [
        ("Saturday", "2026-01-24"),
        ("Friday", "2026-01-23"),
        ("Tuesday", "2026-01-20"),
        ("on Tuesday", "2026-01-20"),
        ("said Sunday", "2026-01-18"),
        ("Wednesday", "2026-01-21"),
    ],
)
def test_weekday_is_most_recent_on_or_before_published(expression: str, iso: str) -> None:
    """A weekday is the latest such day up to and including the publication day."""
    assert resolve_date(expression, SATURDAY) == DateResolution(iso, "day", "weekday")


@pytest.mark.parametrize(
    ("sentence", "iso"),
    [
        ("The House is expected to vote on Tuesday.", "2026-01-27"),
        ("The board will meet Friday.", "2026-01-30"),
        ("An interview, to be shown on Monday, was taped.", "2026-01-26"),
        ("The talks are scheduled for Saturday.", "2026-01-24"),  # the publication day
        ("“We will win,” he said on Tuesday.", "2026-01-20"),  # the future is in the quote
        ("It will rain. The vote was on Tuesday.", "2026-01-20"),  # another sentence
        ("The House voted on Tuesday.", "2026-01-20"),
        ("Will Hurd said on Tuesday that he would run.", "2026-01-20"),  # a name
        ("Acme, which will report next month, said on Tuesday it grew.", "2026-01-20"),
        ("The House was expected to vote on Tuesday, but it did not.", "2026-01-20"),
    ],
)
def test_a_weekday_the_clause_puts_ahead_is_the_next_one(sentence: str, iso: str) -> None:
    """ "Will vote on Tuesday" in an article of Saturday 24 January is the 27th, not the 20th;
    only the words of the weekday's own clause, outside other quotations, count."""
    (found,) = [d for d in find_dates(sentence, SATURDAY) if d.resolution.kind == "weekday"]
    assert found.resolution.iso == iso


@pytest.mark.parametrize(
    ("expression", "published"),
    [
        ("Saturday", None),
        ("on Tuesday", None),
        ("last Tuesday", SATURDAY),
        ("next Monday", SATURDAY),
    ],
)
def test_weekday_is_never_guessed(expression: str, published: dt.date | None) -> None:
    """Without a publication date, or with last/next, a weekday stays unresolved."""
    assert resolve_date(expression, published) == DateResolution(None, "unresolved", "weekday")


@pytest.mark.parametrize(
    ("expression", "iso"),
    [
        ("January twenty-first", "2026-01-21"),
        ("January 21", "2026-01-21"),
        ("on 1 January", "2026-01-01"),
        ("the twenty-first of January", "2026-01-21"),
        ("since January 21", "2026-01-21"),
        ("December 31st", "2026-12-31"),
    ],
)
def test_day_and_month_take_the_published_year(expression: str, iso: str) -> None:
    """Day and month without a year use the publication year, and only when it is known."""
    assert resolve_date(expression, SATURDAY) == DateResolution(iso, "day", "partial")
    assert resolve_date(expression, None) == DateResolution(None, "unresolved", "partial")


def test_29_february_in_a_common_year_stays_unresolved() -> None:
    """A leap day cannot take a publication year that has none."""
    assert resolve_date("29 February", SATURDAY) == DateResolution(None, "unresolved", "partial")
    assert resolve_date("29 February", dt.date(2024, 3, 1)).iso == "2024-02-29"


@pytest.mark.parametrize(
    ("expression", "iso"),
    [
        ("today", "2026-01-24"),
        ("Today", "2026-01-24"),
        ("yesterday", "2026-01-23"),
        ("the day before yesterday", "2026-01-22"),
        ("tomorrow", "2026-01-25"),
    ],
)
def test_today_and_yesterday_resolve_against_published(expression: str, iso: str) -> None:
    """'today' and 'yesterday' are days relative to publication, unknown without it."""
    assert resolve_date(expression, SATURDAY) == DateResolution(iso, "day", "relative")
    assert resolve_date(expression, None) == DateResolution(None, "unresolved", "relative")


@pytest.mark.parametrize(
    "expression",
    [
        "last week",
        "earlier this month",
        "6 hours ago",
        "two weeks ago",
        "in recent weeks",
        "the coming weeks",
        "next year",
    ],
)
def test_other_relative_expressions_stay_unresolved(expression: str) -> None:
    """Vague relative expressions are recognised but never pinned to a day."""
    assert resolve_date(expression, SATURDAY) == DateResolution(None, "unresolved", "relative")


@pytest.mark.parametrize(
    ("expression", "precision"),
    [
        ("mid-January", "period"),
        ("in mid-January", "period"),
        ("early January", "period"),
        ("late December 2025", "period"),
        ("since early January", "period"),
        ("mid-2025", "period"),
        ("in December 2025", "month"),
        ("December 2025", "month"),
        ("in December", "month"),
        ("since 2024", "period"),
        ("in 2019", "period"),
        ("by December 2025", "period"),
        ("2024", "period"),
    ],
)
def test_periods_have_no_day(expression: str, precision: str) -> None:
    """Months, years and parts of months keep iso None whatever the publication date."""
    assert resolve_date(expression, SATURDAY) == DateResolution(None, precision, "period")


@pytest.mark.parametrize(
    "expression",
    [
        "",
        "nothing here",
        "31 April",
        "40 minutes",
        "six months",
        "detainees may have escaped",
        "March on Baghdad",
        "on Sundays",
    ],
)
def test_non_dates_are_unknown(expression: str) -> None:
    """Phrases with no date, or an impossible one, resolve to kind 'unknown'."""
    assert resolve_date(expression, SATURDAY) == DateResolution(None, "unresolved", "unknown")


def test_impossible_day_falls_back_to_its_month() -> None:
    """'30 February 2026' never becomes a day; only the month it names is kept."""
    assert resolve_date("30 February 2026", SATURDAY) == DateResolution(None, "month", "period")


def test_find_dates_article_000() -> None:
    """Article 000: explicit days, a partial '1 January', and periods, with exact offsets."""
    text = _article("000")
    spans = find_dates(text, SATURDAY)
    found = _by_text(spans)
    assert found["23 January 2026"] == DateResolution("2026-01-23", "day", "explicit")
    assert found["1 January"] == DateResolution("2026-01-01", "day", "partial")
    assert found["2024"] == DateResolution(None, "period", "period")
    december = [s.resolution for s in spans if s.text == "December 2025"]
    assert DateResolution(None, "month", "period") in december  # "since December 2025" is
    # another mention: the span is the date, the preposition only shapes its resolution
    span = next(s for s in spans if s.text == "23 January 2026")
    assert text[span.start : span.end] == "23 January 2026"
    assert text[: span.start].endswith("Kaja Kallas on ")


def test_find_dates_article_001_weekdays() -> None:
    """Article 001: weekdays resolve with a publication date and stay open without one."""
    text = _article("001")
    assert _by_text(find_dates(text, SATURDAY)) == {
        "Jan. 21, 2026": DateResolution("2026-01-21", "day", "explicit"),
        "Saturday": DateResolution("2026-01-24", "day", "weekday"),
        "Thursday": DateResolution("2026-01-22", "day", "weekday"),
        "Tuesday": DateResolution("2026-01-20", "day", "weekday"),
    }
    unresolved = _by_text(find_dates(text, None))
    assert unresolved["Saturday"] == DateResolution(None, "unresolved", "weekday")
    assert unresolved["Jan. 21, 2026"].iso == "2026-01-21"


def test_find_dates_article_002_and_003_and_004() -> None:
    """Relative, period and partial expressions in articles 002, 003 and 004."""
    found = _by_text(find_dates(_article("002"), None))
    assert found["6 hours ago"].kind == "relative"
    assert found["mid-January"] == DateResolution(None, "period", "period")
    assert found["October 15, 2025"].iso == "2025-10-15"
    assert found["Sunday"] == DateResolution(None, "unresolved", "weekday")
    assert "may" not in {text.lower() for text in found}
    assert _by_text(find_dates(_article("003"), None))["early January"].kind == "period"
    partial = _by_text(find_dates(_article("004"), None))["January twenty-first"]
    assert partial == DateResolution(None, "unresolved", "partial")
    resolved = _by_text(find_dates(_article("004"), SATURDAY))["January twenty-first"]
    assert resolved.iso == "2026-01-21"


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
@pytest.mark.parametrize("published", [None, SATURDAY])
def test_article_spans_are_exact_sorted_and_never_guess(
    prefix: str, published: dt.date | None
) -> None:
    """Spans slice the text, are sorted and disjoint, and carry iso only at day precision."""
    text = _article(prefix)
    spans = find_dates(text, published)
    assert spans
    for span in spans:
        assert text[span.start : span.end] == span.text
        assert (span.resolution.iso is not None) == (span.resolution.precision == "day")
    for before, after in pairwise(spans):
        assert before.end <= after.start


@given(st.text(max_size=80), st.one_of(st.none(), st.dates()))
def test_find_dates_offsets_hold_for_any_text(text: str, published: dt.date | None) -> None:
    """On arbitrary input spans slice the text, never overlap, and never crash."""
    spans = find_dates(text, published)
    for span in spans:
        assert text[span.start : span.end] == span.text
    for before, after in pairwise(spans):
        assert before.end <= after.start


def test_a_date_span_is_the_date_and_bare_years_count() -> None:
    """'by 2030' is the date '2030'; a bare year is a date; '$2020' and '2020%' are not."""
    texts = [
        d.text for d in find_dates("It hopes by 2030, and in 1995 it began. It cost $2020.", None)
    ]
    assert texts == ["2030", "1995"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no fatalities since the 1950s, but", ["1950s"]),  # a decade, as written
        ("Follow USA TODAY reporter Ann Lee", []),  # a name in capitals
        ("It rained.\n© 2019 Vale Network\n", []),  # a copyright line dates the page
        ("It rained.\nCopyright 2018 The Wire. All rights reserved.\n", []),
        ("It rained in 2019.\n", ["2019"]),
    ],
)
def test_decades_names_and_footers(text: str, expected: list[str]) -> None:
    assert [d.text for d in find_dates(text, dt.date(2020, 1, 1))] == expected
