"""Find date expressions in article text and resolve them against the publication date.

Pure: no I/O, no clock. A date is resolved to a day only when the text and the
publication date make it certain; anything vaguer keeps `iso=None`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DateResolution:
    """What a date expression means: a day in ISO form, or how vague it is."""

    iso: str | None
    precision: str  # "day", "month", "period" or "unresolved"
    kind: str  # "explicit", "weekday", "relative", "partial", "period" or "unknown"


@dataclass(frozen=True)
class DateMentionSpan:
    """A date expression found in a text, with its offsets [start, end)."""

    start: int
    end: int
    text: str
    resolution: DateResolution


UNKNOWN = DateResolution(None, "unresolved", "unknown")

# fmt: off
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ORDINALS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth",
)
# fmt: on


def _day_words() -> dict[str, int]:
    """Ordinal words for the days 1 to 31, hyphenated: 'twenty-first' -> 21.

    Cardinal words are left out on purpose: "in March one of them" is not a date.
    """
    words = {word: n for n, word in enumerate(_ORDINALS, start=1)}
    words |= {"twentieth": 20, "thirtieth": 30, "thirty-first": 31}
    words |= {f"twenty-{word}": 20 + n for n, word in enumerate(_ORDINALS[:9], start=1)}
    return words


_DAY_WORDS = _day_words()
_DAY_WORD_RE = "|".join(w.replace("-", r"[-\s]") for w in sorted(_DAY_WORDS, key=len, reverse=True))
_FULL_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
_MON = (
    rf"(?P<mon>(?:{_FULL_MONTHS})(?![A-Za-z])"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?(?![A-Za-z]))"
)
_WD_NAMES = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_DAY_ANY = rf"(?:\d{{1,2}}(?!\d)(?:st|nd|rd|th)?|(?i:{_DAY_WORD_RE}))(?![\w-])"
_DAY = rf"(?P<day>{_DAY_ANY})"
_YEAR = r"(?P<year>\d{4})(?!\d|,\d)"
_LEAD = rf"(?:(?:{_WD_NAMES}),?\s+)?"
_PREP = r"(?:\b(?P<prep>(?i:since|until|before|after|by|in|during|from))\s+)?"
_KEPT_PREPS = {"since", "until", "before", "after", "by"}  # they change what the date means

_ISO = re.compile(r"\b(?P<year>\d{4})-(?P<m>\d{2})-(?P<day>\d{2})\b")
_DMY = re.compile(
    rf"{_LEAD}\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MON}(?!\.?\s+\d{{1,2}}(?!\d))(?:,?\s+{_YEAR})?"
)
_MDY = re.compile(rf"{_LEAD}\b{_MON}\s+(?:the\s+)?{_DAY}(?:,?\s+{_YEAR})?")
_PERIOD = re.compile(
    rf"{_PREP}\b(?P<core>(?i:mid|early|late|the\s+end\s+of|end\s+of|the\s+beginning\s+of"
    rf"|beginning\s+of|the\s+start\s+of|start\s+of)[-\s]+(?:{_MON}(?:,?\s+{_YEAR})?"
    r"|(?P<year2>(?:19|20)\d\d)(?!\d)))"
)
_MONTH_YEAR = re.compile(rf"{_PREP}\b(?P<core>{_MON}(?!\s+(?:the\s+)?{_DAY_ANY})(?:,?\s+{_YEAR})?)")
_YEAR_ONLY = re.compile(
    r"(?:(?P<prep>\b(?i:since|until|before|after|by|in|during))\s+)?"
    r"(?<![\w$£€.,/-])(?P<core>(?:19|20)\d0s\b|(?:19|20)\d\d)"  # "1950s" is a decade
    r"(?![\d%]|,\d|-\d|\s*(?:per\s?cent|percent)\b)"
)
_WEEKDAY = re.compile(rf"(?:(?P<rel>(?i:last|next|this))\s+)?\b(?P<wd>{_WD_NAMES})(?![A-Za-z])")
_RESOLVABLE = {
    "today": 0,
    "tonight": 0,
    "yesterday": -1,
    "the day before yesterday": -2,
    "tomorrow": 1,
}
_RELATIVE = re.compile(
    r"\b(?i:the day before yesterday|yesterday|today|tonight|tomorrow"
    r"|(?:earlier|later)\s+this\s+(?:week|month|year)"
    r"|(?:last|next|this|past|coming|recent)\s+(?:few\s+)?(?:weekend|weeks?|months?|years?)"
    r"|(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|several|few)"
    r"\s+(?:hours?|days?|weeks?|months?|years?|decades?)\s+ago)\b"
)


def _month(m: re.Match[str]) -> int:
    return _MONTHS.index(m["mon"][:3].lower()) + 1


def _day(raw: str) -> int:
    digits = re.match(r"\d+", raw)
    return int(digits[0]) if digits else _DAY_WORDS[re.sub(r"[-\s]+", "-", raw.lower())]


def _day_and_month(m: re.Match[str], published: dt.date | None) -> DateResolution | None:
    """Day + month, with or without a year; None when no such day exists."""
    month, day = _month(m), _day(m["day"])
    if m["year"]:
        try:
            return DateResolution(
                dt.date(int(m["year"]), month, day).isoformat(), "day", "explicit"
            )
        except ValueError:
            return None
    try:
        dt.date(2000, month, day)  # a leap year: is this day in this month at all?
    except ValueError:
        return None
    if published is None:
        return DateResolution(None, "unresolved", "partial")
    try:
        return DateResolution(dt.date(published.year, month, day).isoformat(), "day", "partial")
    except ValueError:  # 29 February in a common year
        return DateResolution(None, "unresolved", "partial")


def _iso(m: re.Match[str], published: dt.date | None) -> DateResolution | None:
    try:
        day = dt.date(int(m["year"]), int(m["m"]), int(m["day"]))
    except ValueError:
        return None
    return DateResolution(day.isoformat(), "day", "explicit")


def _period(m: re.Match[str], published: dt.date | None) -> DateResolution | None:
    return DateResolution(None, "period", "period")


def _month_year(m: re.Match[str], published: dt.date | None) -> DateResolution | None:
    if not m["year"] and not m["prep"]:
        return None  # a bare capitalised "May" or "March" is too often not a date
    if m["prep"] and m["prep"].lower() in _KEPT_PREPS:
        return DateResolution(None, "period", "period")
    return DateResolution(None, "month", "period")


# Words before a weekday, in its own clause, that put the day ahead of the publication
# ("the House is expected to vote on Thursday", "an interview to be shown on Tuesday").
_FUTURE = re.compile(
    r"\b(?:will|won[’']t|shall|(?:is|are)\s+(?:expected|set|scheduled|due|slated|planning|"
    r"going)\s+to|plans?\s+to|to\s+be\s+(?:held|shown|aired|broadcast|published|released)|"
    r"scheduled\s+(?:for|on))\b"
)
_CLAUSE_START = re.compile(r".*(?:[.!?;]\s|\n|[“”\"])", re.DOTALL)
# ", which will report next month," is another clause: its tense is not the weekday's
_RELATIVE_CLAUSE = re.compile(r",\s*(?:which|who|that|whose)\b[^,]*,")


def _ahead(m: re.Match[str]) -> bool:
    """Whether the clause a weekday stands in speaks of the future (looked at up to 160
    characters back, from the start of its sentence or quotation, relative clauses left
    out; lowercase words only, so the name "Will" is not the verb)."""
    before = m.string[max(0, m.start() - 160) : m.start()]
    opening = _CLAUSE_START.match(before)
    clause = _RELATIVE_CLAUSE.sub(",", before[opening.end() :] if opening else before)
    return bool(_FUTURE.search(clause))


def _weekday(m: re.Match[str], published: dt.date | None) -> DateResolution | None:
    if m["rel"] or published is None:  # "last Tuesday" may be this week's or the one before
        return DateResolution(None, "unresolved", "weekday")
    day = _WEEKDAYS.index(m["wd"].lower())
    if _ahead(m):  # "will vote on Thursday": the next Thursday from the publication day
        ahead = (day - published.weekday()) % 7
        return DateResolution((published + dt.timedelta(days=ahead)).isoformat(), "day", "weekday")
    back = (published.weekday() - day) % 7
    return DateResolution((published - dt.timedelta(days=back)).isoformat(), "day", "weekday")


def _relative(m: re.Match[str], published: dt.date | None) -> DateResolution | None:
    if m[0].isupper():
        return None  # "USA TODAY": a name in capitals, not a day
    offset = _RESOLVABLE.get(re.sub(r"\s+", " ", m[0].lower()))
    if offset is None or published is None:
        return DateResolution(None, "unresolved", "relative")
    return DateResolution((published + dt.timedelta(days=offset)).isoformat(), "day", "relative")


_Resolver = Callable[[re.Match[str], dt.date | None], DateResolution | None]
_PATTERNS: tuple[tuple[re.Pattern[str], _Resolver], ...] = (
    (_ISO, _iso),
    (_DMY, _day_and_month),
    (_MDY, _day_and_month),
    (_PERIOD, _period),
    (_MONTH_YEAR, _month_year),
    (_YEAR_ONLY, _period),
    (_WEEKDAY, _weekday),
    (_RELATIVE, _relative),
)


def _span_start(m: re.Match[str]) -> int:
    """The span is the date itself ("2030" of "by 2030"); the preposition, which changes
    what the date means, still shapes its resolution."""
    return m.start("core") if "core" in m.groupdict() else m.start()


# A copyright line: its year dates the page, not the story ("© 2019 Vale Network")
_COPYRIGHT_LINE = re.compile(r"^[ \t]*(?:©|\([Cc]\)|[Cc]opyright\b)[^\n]*$", re.M)


def find_dates(text: str, published: dt.date | None) -> list[DateMentionSpan]:
    """Find every date expression in a text and resolve it.

    Args:
        text: The article text.
        published: The article's publication date, or None when unknown; weekdays,
            "today"/"yesterday" and day-month dates without a year resolve only with it.

    Returns:
        Non-overlapping mentions sorted by start offset; where expressions overlap the
        one that starts first wins, then the longest.
    """
    found: list[tuple[int, int, DateResolution]] = []
    footers = [m.span() for m in _COPYRIGHT_LINE.finditer(text)]
    for pattern, resolve in _PATTERNS:
        for m in pattern.finditer(text):
            resolution = resolve(m, published)
            if resolution is not None and not any(a <= m.start() < b for a, b in footers):
                found.append((_span_start(m), m.end(), resolution))
    found.sort(key=lambda f: (f[0], -f[1]))
    spans: list[DateMentionSpan] = []
    for start, end, resolution in found:
        if not spans or start >= spans[-1].end:
            spans.append(DateMentionSpan(start, end, text[start:end], resolution))
    return spans


def resolve_date(expression: str, published: dt.date | None) -> DateResolution:
    """Resolve one date expression, such as "on Tuesday" or "24 January 2026".

    Args:
        expression: A short phrase holding a date expression; surrounding words
            ("said Sunday", "in December 2025") are allowed.
        published: The article's publication date, or None when unknown.

    Returns:
        The resolution of the first date expression in the phrase. `iso` is set only
        when the day is certain; otherwise it is None and `precision` says how vague
        the expression is. A phrase with no date expression gives kind "unknown".
    """
    if re.fullmatch(r"\s*(?:19|20)\d\d\s*", expression):
        return DateResolution(None, "period", "period")
    spans = find_dates(expression, published)
    return spans[0].resolution if spans else UNKNOWN
