"""Figures in text: values, ranges, qualifiers, units and offsets into the original text."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarizer.numbers import NumberMention, find_numbers, parse_number

ARTICLES = Path(__file__).parent.parent / "articles"


def _article(prefix: str) -> str:
    (path,) = ARTICLES.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _by_text(mentions: list[NumberMention]) -> dict[str, NumberMention]:
    return {m.text: m for m in mentions}


def _assert_well_formed(text: str, mentions: list[NumberMention]) -> None:
    for m in mentions:
        assert text[m.start : m.end] == m.text
    for before, after in pairwise(mentions):
        assert before.end <= after.start


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("7,000", 7000.0),
        ("25,183", 25183.0),
        ("2.5", 2.5),
        ("1,234.5", 1234.5),
        ("seven thousand", 7000.0),
        ("three thousand", 3000.0),
        ("forty-five thousand", 45000.0),
        ("twenty-one", 21.0),
        ("two hundred and fifty", 250.0),
        ("a dozen", 12.0),
        ("a thousand", 1000.0),
        ("$250 million", 250_000_000.0),
        ("€500 million", 500_000_000.0),
        ("US$3.5 billion", 3_500_000_000.0),
        ("£2bn", 2_000_000_000.0),
        ("15 per cent", 15.0),
        ("15%", 15.0),
        ("up to 7,000 detainees", 7000.0),
        ("some 1,500 to 2,000", 1500.0),
        ("2000", 2000.0),
        ("nothing here", None),
        ("", None),
        ("twenty-first", None),
        ("1st", None),
    ],
)
def test_parse_number(phrase: str, expected: float | None) -> None:
    """The first number in a phrase is parsed with its scale word; no number gives None."""
    assert parse_number(phrase) == expected


@pytest.mark.parametrize(
    ("text", "mention_text", "value", "upper", "qualifier", "unit"),
    [
        ("transfer up to 7,000 detainees", "up to 7,000", 7000, None, "up to", "detainees"),
        ("Up to 7,000 foreign fighters", "Up to 7,000", 7000, None, "up to", "foreign"),
        ("as many as 300 men", "as many as 300", 300, None, "up to", "men"),
        (
            "around three thousand ISIS prisoners",
            "around three thousand",
            3000,
            None,
            "about",
            "isis",
        ),
        ("about seven thousand fighters", "about seven thousand", 7000, None, "about", "fighters"),
        ("nearly 40 people", "nearly 40", 40, None, "about", "people"),
        ("an estimated 7,000 detainees", "an estimated 7,000", 7000, None, "about", "detainees"),
        ("the estimated 7,000 detainees", "estimated 7,000", 7000, None, "about", "detainees"),
        ("at least 12 dead", "at least 12", 12, None, "at least", "dead"),
        ("more than 150 men", "more than 150", 150, None, "more than", "men"),
        ("over 150 men", "over 150", 150, None, "more than", "men"),
        ("fewer than 20 guards", "fewer than 20", 20, None, "less than", "guards"),
        ("some 1,500 to 2,000 are Iraqi", "some 1,500 to 2,000", 1500, 2000, "about", ""),
        (
            "between 120 and 1,500 detainees",
            "between 120 and 1,500",
            120,
            1500,
            "range",
            "detainees",
        ),
        ("1,500-2,000 detainees", "1,500-2,000", 1500, 2000, "range", "detainees"),
        ("1,500 – 2,000 detainees", "1,500 – 2,000", 1500, 2000, "range", "detainees"),
        ("1.5 to 2 million people", "1.5 to 2 million", 1.5e6, 2e6, "range", "people"),
        ("between five and ten days", "between five and ten", 5, 10, "range", "days"),
        ("$250 million annually", "$250 million", 2.5e8, None, "exact", "USD"),
        ("a €500 million fund", "€500 million", 5e8, None, "exact", "EUR"),
        ("£3m", "£3m", 3e6, None, "exact", "GBP"),
        ("250 million dollars", "250 million", 2.5e8, None, "exact", "USD"),
        ("15 per cent among", "15 per cent", 15, None, "exact", "per cent"),
        ("rose 2% last", "2%", 2, None, "exact", "per cent"),
        ("120 percent capacity", "120 percent", 120, None, "exact", "per cent"),
        ("covers 200km frontier", "200", 200, None, "exact", "km"),
        ("for 40 minutes.", "40", 40, None, "exact", "minutes"),
        ("lasts six months in", "six", 6, None, "exact", "months"),
        ("a dozen men", "a dozen", 12, None, "exact", "men"),
        ("Germany 150, UK 45", "150", 150, None, "exact", ""),
        ("1,500 of them", "1,500", 1500, None, "exact", ""),
    ],
)
def test_find_numbers_reads_one_mention(
    text: str, mention_text: str, value: float, upper: float | None, qualifier: str, unit: str
) -> None:
    """Value, range, qualifier and unit of a figure come from the words around it."""
    found = _by_text(find_numbers(text))
    assert mention_text in found, found
    m = found[mention_text]
    assert (m.value, m.upper, m.qualifier, m.unit_hint) == (value, upper, qualifier, unit)
    assert text[m.start : m.end] == mention_text


@pytest.mark.parametrize(
    "text",
    [
        "Baghdad 24 January 2026 – Iraq",
        "announced on 20 January 2026 the launch",
        "arrested since 1 January.",
        "on January 20, officials",
        "Jan. 21, 2026",
        "published: 2026-01-24",
        "starting January twenty-first, aiming",
        "prison breaks in 2025 and 2019",
        "trials under 2005 law",
        "post-October 2025 prison breaks",
        "posted 6 hours ago",
        "on October 15, 2025.",
        "one of the prisons",
        "the first batch, the second batch",
        "tens of thousands of detainees",
    ],
)
def test_dates_years_and_ordinals_are_not_figures(text: str) -> None:
    """Years, days inside dates, ordinals and vague plurals yield no figure."""
    assert find_numbers(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2000 troops and $2000", ["$2000"]),
        ("2,000 troops", ["2,000"]),
        ("7,130 families - 25,183 individuals", ["7,130", "25,183"]),
        ("a 2-1 vote", ["2", "1"]),
        ("5 to 2 million", ["5", "2 million"]),
        ("from 150 up to 7,000", ["150", "up to 7,000"]),
    ],
)
def test_find_numbers_mention_boundaries(text: str, expected: list[str]) -> None:
    """Separate figures stay separate; a year is a figure only with a currency sign."""
    assert [m.text for m in find_numbers(text)] == expected


def test_article_000_figures() -> None:
    """In article 000: up to 7,000, 45,000, $250 million, per cent, euro and km figures."""
    text = _article("000")
    mentions = find_numbers(text)
    found = _by_text(mentions)
    assert found["up to 7,000"].qualifier == "up to"
    assert found["up to 7,000"].value == 7000
    assert found["up to 7,000"].unit_hint == "detainees"
    assert found["45,000"].value == 45000
    assert found["45,000"].unit_hint == "family"
    assert found["$250 million"].value == 250_000_000
    assert found["$250 million"].unit_hint == "USD"
    assert found["€500 million"].value == 500_000_000
    assert found["€500 million"].unit_hint == "EUR"
    assert found["15 per cent"].value == 15
    assert found["2 per cent"].unit_hint == "per cent"
    assert any(m.unit_hint == "km" and text[m.end :].startswith("km frontier") for m in mentions)
    assert found["six"].unit_hint == "months"
    assert text[found["$250 million"].start :].startswith("$250 million annually")
    assert not {"2025", "2026", "2024", "2023", "2005", "24", "23", "20", "1"} & found.keys()


def test_article_002_ranges() -> None:
    """In article 002: 'some 1,500 to 2,000' and 'between 120 and 1,500' are ranges."""
    found = _by_text(find_numbers(_article("002")))
    some = found["some 1,500 to 2,000"]
    assert (some.value, some.upper, some.qualifier) == (1500, 2000, "about")
    between = found["between 120 and 1,500"]
    assert (between.value, between.upper, between.qualifier) == (120, 1500, "range")
    assert found["estimated 7,000"].qualifier == "about"
    assert found["7,130"].upper is None
    assert found["25,183"].unit_hint == "individuals"
    assert "15" not in found  # "October 15, 2025" is a date


def test_article_004_word_numbers() -> None:
    """In article 004: figures in words, offsets on the original text, no date ordinal."""
    text = _article("004")
    mentions = find_numbers(text)
    assert [(m.text, m.value, m.qualifier) for m in mentions] == [
        ("around three thousand", 3000, "about"),
        ("about seven thousand", 7000, "about"),
    ]
    assert text[mentions[0].start : mentions[0].end] == "around three thousand"


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_article_mentions_are_sorted_disjoint_and_exact(prefix: str) -> None:
    """Every mention's offsets slice its own text; mentions are sorted and never overlap."""
    text = _article(prefix)
    mentions = find_numbers(text)
    assert mentions
    _assert_well_formed(text, mentions)
    assert find_numbers(text) == mentions


@given(st.text(alphabet="0123456789,.-–$€% abcdefghijklmnopqrstuvwxyz", max_size=60))
def test_offsets_hold_for_any_text(text: str) -> None:
    """On arbitrary input the mentions still slice the text exactly and never overlap."""
    _assert_well_formed(text, find_numbers(text))


@given(
    st.lists(
        st.sampled_from(
            [
                "up to",
                "some",
                "between",
                "and",
                "to",
                "seven",
                "thousand",
                "1,500",
                "2,000",
                "per cent",
                "$",
                "million",
                "January",
                "2026",
                "21",
                "in",
            ]
        ),
        max_size=10,
    )
)
def test_offsets_hold_for_any_phrase(words: list[str]) -> None:
    """Word soups of qualifiers, numbers and dates keep offsets exact and disjoint."""
    text = " ".join(words)
    _assert_well_formed(text, find_numbers(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Getty Images 5/34 26 November", []),
        ("the 9/11 attacks", []),
        ("in 2008-9, rates rose", []),
        ("the rollout of 5G and 3D", []),
        ("two people died", [(2.0, None, "two")]),
        ("one of the men", []),
        ("revenues grew 6.4% to $42.09bn.", [(6.4, None, "6.4%"), (42.09e9, None, "$42.09bn")]),
        ("Fifteen of the 19 Sept. 11 hijackers", [(15.0, None, "Fifteen"), (19.0, None, "19")]),
    ],
)
def test_what_is_not_a_count(text: str, expected: list[tuple[float, float | None, str]]) -> None:
    """Slide counters, '9/11', year ranges and '5G' are not figures; 'two' is; a per cent and
    a currency are two figures, never one range; 'Sept. 11' is a date, not '19 Sept'."""
    assert [(m.value, m.upper, m.text) for m in find_numbers(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # odds and ratios
        ("a 1 in 3 chance", [(0.3333, None, "1 in 3")]),
        ("a two-in-three chance", [(0.6667, None, "two-in-three")]),
        ("one in five adults", [(0.2, None, "one in five")]),
        ("won 8-7 in 10 innings", [(8.0, None, "8"), (7.0, None, "7"), (10.0, None, "10")]),
        ("UK 45 in 2025", [(45.0, None, "45")]),
        # fractions
        ("two-thirds of the staff", [(0.6667, None, "two-thirds")]),
        ("roughly a third of the vote", [(0.3333, None, "roughly a third")]),
        ("about one-tenth of revenue", [(0.1, None, "about one-tenth")]),
        ("more than half a percentage point", [(0.5, None, "more than half")]),
        ("half of the workers", [(0.5, None, "half")]),
        ("in the second half of the game", []),
        ("a third straight win", []),
        ("a 9 1/2-game lead", [(9.5, None, "9 1/2")]),
        # an age by decade, a sign
        ("a man in his 50s who", [(50.0, 59.0, "50s")]),
        ("returns of negative 7 percent", [(-7.0, None, "negative 7 percent")]),
        # durations with an article; rates are not
        ("over a decade ago", [(1.0, None, "over a decade")]),
        ("for around half an hour", [(0.5, None, "around half")]),
        ("once a week, $5 a month", [(5.0, None, "$5")]),
        # clock times and numbers that name things
        ("at 6.10am or 6.15am", []),
        ("shortly after 6 a.m., and at 2 p.m.", []),
        ("in Game 7 of the series, Game Seven", []),
        ("the Senate's No. 2 Republican", []),
        ("France took 80, Germany 150", [(80.0, None, "80"), (150.0, None, "150")]),
        ("said Tuesday 25 people died", [(25.0, None, "25")]),
    ],
)
def test_quantities_that_are_no_plain_number(
    text: str, expected: list[tuple[float, float | None, str]]
) -> None:
    """Odds, fractions, mixed numbers, an age by decade and a duration with "a" are figures;
    a clock time and a number that names something ("Game 7") are not."""
    assert [(m.value, m.upper, m.text) for m in find_numbers(text)] == expected
