"""Find the figures an article states (counts, money, percentages) with character offsets.

Pure: no I/O, no logging. Digits are parsed here; numbers written in words are
converted span by span with text2num, so every offset points into the original text.
Years and the days inside dates are not figures and are skipped.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from text_to_num import alpha2digit

from summarizer.dates import find_dates
from summarizer.names import load_lexicon


@dataclass(frozen=True)
class NumberMention:
    """A figure in a text: offsets [start, end) cover qualifier, currency and scale word."""

    start: int
    end: int
    value: float  # the lower end for a range
    upper: float | None  # the upper end of a range, else None
    qualifier: str  # "exact", "about", "up to", "at least", "more than", "less than", "range"
    unit_hint: str  # lowercased word after the figure, "per cent", or "USD"/"EUR"/"GBP"; or ""
    text: str


@dataclass(frozen=True)
class _Atom:
    start: int
    end: int
    value: float
    is_year: bool = False
    upper: float | None = None  # "in his 50s": 50 to 59
    unit: str = ""  # "a decade": the noun it counts


# fmt: off
_CARDINALS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand", "million", "billion", "trillion",
)
_ORDINALS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth", "thirtieth", "fortieth",
    "fiftieth", "sixtieth", "seventieth", "eightieth", "ninetieth", "hundredth", "thousandth",
    "millionth", "billionth",
)
_NOT_UNITS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "could", "for", "from", "had", "has",
    "have", "in", "is", "of", "on", "or", "per", "than", "that", "the", "to", "was", "were",
    "which", "who", "will", "with", "would",
))
_QUALIFIERS = {
    "up to": "up to", "as many as": "up to", "at least": "at least",
    "more than": "more than", "over": "more than",
    "less than": "less than", "fewer than": "less than", "under": "less than",
    "about": "about", "around": "about", "some": "about", "nearly": "about",
    "almost": "about", "approximately": "about", "roughly": "about",
    "an estimated": "about", "estimated": "about",
}
# fmt: on
_SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_CURRENCIES = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP"}
_UNIT_WORDS = {"dollars": "USD", "euros": "EUR"}

_WORD = "|".join(sorted(_CARDINALS + _ORDINALS, key=len, reverse=True))
_TOKEN = rf"(?:{_WORD})(?![\w])"
_JOIN = r"(?:[ \t\xa0]+|-|(?<=hundred)[ \t]+and[ \t]+|(?<=thousand)[ \t]+and[ \t]+)"
_WORD_SPAN = re.compile(rf"\b{_TOKEN}(?:{_JOIN}{_TOKEN})*", re.IGNORECASE)
_ORDINAL_IN = re.compile(rf"\b(?:{'|'.join(_ORDINALS)})\b", re.IGNORECASE)
_DOZEN = re.compile(r"\b(?:a|one)[ \t]+dozen\b", re.IGNORECASE)
_DIGITS = re.compile(
    r"(?<![\w.,:/])(?<![A-Za-z]-)(?<!(?:19|20)\d\d-)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?![\d])(?!(?:st|nd|rd|th)\b)(?!:\d)"
    # not a count: "5/34" and "9/11", the "9" of "2008-9", a name like "5G" or "3D"
    r"(?!/\d)(?![A-Z]{1,2}\b)"
)
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SCALE_AFTER = re.compile(r"[ \t\xa0]*(thousand|million|billion|trillion)\b", re.IGNORECASE)
_SHORT_SCALE = re.compile(r"[ \t]?(bn|m)\b")  # "$5m", "€2bn": only after a currency symbol
_PERCENT = re.compile(r"[ \t\xa0]*%|[ \t\xa0]+(?:per[ \t]?cent|percent)\b", re.IGNORECASE)
_CURRENCY_BEFORE = re.compile(r"(US\$|\$|€|£)[ \t]?$")
_QUALIFIER_ALT = "|".join(q.replace(" ", r"[ \t\xa0]+") for q in _QUALIFIERS)
_QUALIFIER_BEFORE = re.compile(rf"\b({_QUALIFIER_ALT})[ \t\xa0]+$", re.IGNORECASE)
_BETWEEN_BEFORE = re.compile(r"\bbetween[ \t\xa0]+$", re.IGNORECASE)
_RANGE_SEP = re.compile(r"[ \t\xa0]+to[ \t\xa0]+|[ \t\xa0]*[–—][ \t\xa0]*|-", re.IGNORECASE)
_AND_SEP = re.compile(r"[ \t\xa0]+and[ \t\xa0]+", re.IGNORECASE)
_UNIT_AFTER = re.compile(r"(?:[ \t\xa0]+|(?=[A-Za-z]))([A-Za-z][A-Za-z'-]*)")

# Quantities written without a plain number: odds and ratios ("1 in 3", "one-in-three"),
# fractions ("two-thirds", "a third of", "more than half"), mixed numbers ("9 1/2"), an age
# by decade ("in his 50s") and a duration with an article ("over a decade", "a month").
_SMALL = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_DENOMINATORS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
    "fourth": 4, "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6,
    "seventh": 7, "sevenths": 7, "eighth": 8, "eighths": 8, "ninth": 9, "ninths": 9,
    "tenth": 10, "tenths": 10,
}  # fmt: skip
_COUNT = rf"(?:\d{{1,3}}|{'|'.join(_SMALL)})"
# (not the second side of a score: "won 8-7 in 10 innings")
_ODDS = re.compile(
    rf"(?<![\d][-–])\b({_COUNT})(?:[ \t]+|-)in(?:[ \t]+|-)({_COUNT})\b(?!-\d)", re.IGNORECASE
)
_PARTS = "|".join(sorted(_DENOMINATORS, key=len, reverse=True))
_FRACTION = re.compile(
    rf"\b(?P<n>a|one|two|three|four|five|six|seven|eight|nine)-(?P<d>{_PARTS})\b"  # "two-thirds"
    rf"|\b(?P<n2>a|one)[ \t]+(?P<d2>{_PARTS})(?=[ \t]+of\b)"  # "a third of"
    # "half of", "half an hour"; not "the second half of the game"
    r"|(?<!the )(?<!first )(?<!second )(?<!other )(?<!each )(?<!this )(?<!that )"
    r"\b(?P<h>half)(?=[ \t]+(?:of|a|an)\b)"
    r"|\b(?:than|over|about|nearly|almost|roughly|around|under)[ \t](?P<h2>half)\b",  # "over half"
    re.IGNORECASE,
)
_MIXED = re.compile(r"(?<![\w.,/])(\d{1,3})(?:[ \t]+|-)(1/2|1/4|3/4|1/3|2/3)(?![\d/])|(\d{1,3})½")
_AGE_DECADE = re.compile(
    r"\b(?:in|into)[ \t](?:his|her|their)[ \t](?P<age>(?:(?:early|mid|late)[ \t-]+)?([1-9])0s)\b",
    re.IGNORECASE,
)
_PERIODS = "minute|hour|day|week|month|year|decade|century"
_A_PERIOD = re.compile(rf"\b(a|an)[ \t]+({_PERIODS})\b", re.IGNORECASE)
# "once a week", "$5 a month", "twice a day": a rate, not a duration; "half an hour" is half
_RATE_BEFORE = re.compile(
    r"(?:\d|\b(?:once|twice|times|per|dollars?|euros?|pounds?|half))[ \t]*$", re.IGNORECASE
)
# "negative 7 percent"
_NEGATIVE_BEFORE = re.compile(r"\b(?:negative|minus)[ \t]+$", re.IGNORECASE)
# Clock times are no quantity: "6 a.m.", "2:30 p.m.", "6.10am"
_CLOCK_AFTER = re.compile(r"[ \t]?(?:[ap]\.m\.|[ap]m\b)", re.IGNORECASE)
# A number that names something: "Game 7", "No. 2", "Apollo 11", "Game Seven"
_LABEL_BEFORE = re.compile(r"(?:\b(?:No|Nos|no)\.|\b(?P<label>[A-Za-z]+))[ \t]+$")


def _word_atoms(text: str) -> list[_Atom]:
    """Numbers written in words; ordinals ("twenty-first") and a lone "one" are not."""
    atoms = [_Atom(m.start(), m.end(), 12.0) for m in _DOZEN.finditer(text)]
    for m in _WORD_SPAN.finditer(text):
        span, start = m[0].lower(), m.start()
        if _ORDINAL_IN.search(span):
            continue
        if span.split()[0].split("-")[0] in _SCALES:  # "thousand" alone, or after digits
            article = re.search(r"\ba[ \t]+$", text[max(0, start - 4) : start], re.IGNORECASE)
            if article is None:
                continue
            start -= len(article[0])
        converted = alpha2digit(span, "en", threshold=2)  # "two" and up; "one" is a pronoun
        if _PLAIN_NUMBER.fullmatch(converted):
            atoms.append(_Atom(start, m.end(), float(converted)))
    return atoms


def _count(word: str) -> float:
    return float(word) if word.isdigit() else float(_SMALL.index(word.lower()) + 1)


def _quantity_atoms(text: str) -> list[_Atom]:
    """Quantities that are no plain number: odds, fractions, mixed numbers, an age by
    decade, and a duration written with "a" or "an"."""
    atoms = []
    for m in _ODDS.finditer(text):
        above, below = _count(m[1]), _count(m[2])
        if 0 < above < below:
            atoms.append(_Atom(m.start(), m.end(), round(above / below, 4)))
    for m in _FRACTION.finditer(text):
        part, count = m["d"] or m["d2"], m["n"] or m["n2"]
        if part:
            above = 1.0 if count.lower() in ("a", "one") else _count(count)
            value = round(above / _DENOMINATORS[part.lower()], 4)
            atoms.append(_Atom(m.start(), m.end(), value))
        else:
            half = "h" if m["h"] else "h2"
            atoms.append(_Atom(m.start(half), m.end(half), 0.5))
    for m in _MIXED.finditer(text):
        whole, fraction = (m[1], m[2]) if m[1] else (m[3], "1/2")
        top, bottom = fraction.split("/")
        atoms.append(_Atom(m.start(), m.end(), float(whole) + int(top) / int(bottom)))
    for m in _AGE_DECADE.finditer(text):
        decade = float(m[2]) * 10
        atoms.append(
            _Atom(m.start("age"), m.end("age"), decade, upper=decade + 9, unit="years of age")
        )
    for m in _A_PERIOD.finditer(text):
        if not _RATE_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            atoms.append(_Atom(m.start(), m.end(), 1.0, unit=m[2].lower()))
    return atoms


def _not_a_quantity(text: str, atom: _Atom) -> bool:
    """A clock time ("6 a.m.", "6.10am") or a number that names something ("Game 7")."""
    if _CLOCK_AFTER.match(text, atom.end):
        return True
    label = _LABEL_BEFORE.search(text, max(0, atom.start - 30), atom.start)
    return label is not None and (
        label["label"] is None or label["label"].lower() in load_lexicon().number_labels
    )


def _atoms(text: str, figures_only: bool) -> list[_Atom]:
    """Every number in the text, in digits or words; for figures, minus those in dates."""
    atoms = _word_atoms(text)
    for m in _DIGITS.finditer(text):
        raw = m[1]
        is_year = figures_only and len(raw) == 4 and raw.isdigit() and 1900 <= int(raw) <= 2100
        atoms.append(_Atom(m.start(), m.end(), float(raw.replace(",", "")), is_year))
    quantities = _quantity_atoms(text) if figures_only else []
    if figures_only:
        atoms = [a for a in atoms if not _not_a_quantity(text, a)]
        taken = [(q.start, q.end) for q in quantities]
        atoms = [a for a in atoms if not any(s < a.end and a.start < e for s, e in taken)]
    if figures_only:
        # Dates do not overlap and come in text order, so their ends rise too: the one date
        # that can overlap an atom is the last to start before the atom ends.
        dates = find_dates(text, None)
        starts = [d.start for d in dates]

        def in_date(atom: _Atom) -> bool:
            i = bisect.bisect_left(starts, atom.end)
            return i > 0 and atom.start < dates[i - 1].end

        atoms = [a for a in atoms if not in_date(a)]
    # "a decade ago" dates an event and states a duration: quantities stay
    return sorted(atoms + quantities, key=lambda a: (a.start, -a.end))


def _extend(text: str, atom: _Atom, currency: str) -> tuple[float, int, float, bool]:
    """Value and end after a scale word and percent sign; also the scale and is-percent."""
    value, end, scale = atom.value, atom.end, 1.0
    m = _SCALE_AFTER.match(text, end) or (_SHORT_SCALE.match(text, end) if currency else None)
    if m:
        scale = _SCALES.get(m[1].lower(), 1e9 if m[1] == "bn" else 1e6)
        value, end = value * scale, m.end()
    percent = _PERCENT.match(text, end)
    return value, percent.end() if percent else end, scale, percent is not None


def _currency_before(text: str, start: int) -> tuple[str, int]:
    m = _CURRENCY_BEFORE.search(text, max(0, start - 4), start)
    return (_CURRENCIES[m[1]], m.start()) if m else ("", start)


def _mention(text: str, atoms: list[_Atom], i: int) -> tuple[NumberMention | None, int]:
    """The mention that starts at atoms[i], and the index of the first atom after it."""
    atom = atoms[i]
    currency, start = _currency_before(text, atom.start)
    value, end, scale, percent = _extend(text, atom, currency)
    if atom.is_year and not currency and scale == 1.0 and not percent:
        return None, i + 1
    upper: float | None = atom.upper
    nxt = i + 1
    between = _BETWEEN_BEFORE.search(text, max(0, start - 12), start)
    sep = (_AND_SEP if between else _RANGE_SEP).match(text, end)
    if sep and nxt < len(atoms) and not atoms[nxt].is_year and upper is None:
        y_currency, y_start = _currency_before(text, atoms[nxt].start)
        if y_start == sep.end():
            y_value, y_end, y_scale, y_percent = _extend(text, atoms[nxt], y_currency)
            # "1.5 to 2 million": a scale word after the upper end applies to both
            x_value = value * y_scale if scale == 1.0 else value
            # "rose 6.4% to $42bn" is two figures: a range never mixes % and a currency
            mixed = (percent and y_currency) or (currency and y_percent)
            if y_value > x_value and not mixed:
                value, upper, end, nxt = x_value, y_value, y_end, nxt + 1
                currency, percent = currency or y_currency, percent or y_percent
                start = between.start() if between else start
    negative = _NEGATIVE_BEFORE.search(text, max(0, start - 10), start)
    if negative:
        value, upper, start = -value, None if upper is None else -upper, negative.start()
    qualifier = _QUALIFIER_BEFORE.search(text, max(0, start - 20), start)
    if qualifier:
        start = qualifier.start()
    kind = _QUALIFIERS[re.sub(r"\s+", " ", qualifier[1].lower())] if qualifier else ""
    mention = NumberMention(
        start=start,
        end=end,
        value=value,
        upper=upper,
        qualifier=kind or ("range" if upper is not None else "exact"),
        unit_hint=currency or ("per cent" if percent else atom.unit or _unit_after(text, end)),
        text=text[start:end],
    )
    return mention, nxt


def _unit_after(text: str, end: int) -> str:
    m = _UNIT_AFTER.match(text, end)
    if m is None or m[1].lower() in _NOT_UNITS:
        return ""
    word = m[1].lower()
    return _UNIT_WORDS.get(word, word)


def _scan(text: str, figures_only: bool) -> list[NumberMention]:
    atoms = _atoms(text, figures_only)
    mentions: list[NumberMention] = []
    i = 0
    while i < len(atoms):
        if mentions and atoms[i].start < mentions[-1].end:
            i += 1
            continue
        mention, i = _mention(text, atoms, i)
        if mention is not None and (not mentions or mention.start >= mentions[-1].end):
            mentions.append(mention)
    return mentions


def find_numbers(text: str) -> list[NumberMention]:
    """Find every figure stated in a text.

    Args:
        text: The article text (front matter included or not).

    Returns:
        Non-overlapping mentions sorted by start offset. Years (1900-2100 written
        without a thousands separator), numbers inside dates, ordinals, the lone word
        "one", "5/34"-style counters and names like "5G" are not figures and are left out.
    """
    return _scan(text, figures_only=True)


def parse_number(phrase: str) -> float | None:
    """Parse the first number in a short phrase.

    Args:
        phrase: e.g. "7,000", "seven thousand", "$250 million" or "15 per cent".

    Returns:
        The number with any scale word applied (250000000.0 for "$250 million"), or
        None when the phrase holds no number. Unlike `find_numbers`, years and days
        are numbers here: the phrase is taken to be a figure already.
    """
    mentions = _scan(phrase, figures_only=False)
    return mentions[0].value if mentions else None
