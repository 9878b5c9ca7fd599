"""Ground a model's extraction in its article: offsets and a status for every item. Pure.

Statuses: exact (the words are in the text as given), normalised (only whitespace, quote
or dash style differ), fuzzy (close enough, with a 0-100 score), not_found. Quotes, figures
and dates are found in the text itself first; the model's items are aligned to them, and
what the model said that the text does not support goes to `unverified`.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import cache
from typing import Any, cast

from pydantic import BaseModel
from rapidfuzz import fuzz

from summarizer.dates import find_dates
from summarizer.models import (
    ActorKind,
    Extraction,
    GroundedActor,
    GroundedArticle,
    GroundedDate,
    GroundedFigure,
    GroundedQuote,
    GroundStatus,
    SourceSpan,
    UnverifiedItem,
)
from summarizer.names import (
    NameMention,
    candidates,
    find_names,
    full_forms,
    is_organisation,
    is_person,
    load_lexicon,
    particle_full_form,
)
from summarizer.numbers import NumberMention, find_numbers, parse_number
from summarizer.quotes import (
    SENTENCE_END,
    SPEECH_VERBS,
    attribute_quotes,
    caveat_for,
    harvest_quotes,
    sentences,
)

FUZZY_MIN = 88.0
_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
UNIT_CLASSES = {
    "USD": "USD",
    "EUR": "EUR",
    "GBP": "GBP",
    "per cent": "per cent",
    "percent": "per cent",
    "km": "km",
    "miles": "miles",
    "minutes": "minutes",
    "hours": "hours",
    "days": "days",
    "weeks": "weeks",
    "months": "months",
    "years": "years",
}


@cache
def _place_re() -> re.Pattern[str]:
    heads = "|".join(sorted(load_lexicon().place_heads))
    return re.compile(rf"\b((?:al-|Al-)?[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)?)\s+({heads})\b")


_SENTENCE = SENTENCE_END


def normalise(text: str) -> tuple[str, list[int]]:
    """Fold quote and dash styles, collapse whitespace; keep a map to original offsets."""
    out: list[str] = []
    index: list[int] = []
    space = False
    for i, ch in enumerate(text.translate(_FOLD)):
        if ch.isspace():
            if not space and out:
                out.append(" ")
                index.append(i)
            space = True
            continue
        space = False
        out.append(ch)
        index.append(i)
    return "".join(out), index


def locate(
    text: str, needle: str, *, fuzzy: bool = True
) -> tuple[GroundStatus, int | None, int | None, float | None]:
    """Find `needle` in `text`: (status, start, end, score)."""
    needle = needle.strip()
    if not needle:
        return "not_found", None, None, None
    at = text.find(needle)
    if at >= 0:
        return "exact", at, at + len(needle), None
    norm_text, index = normalise(text)
    norm_needle, _ = normalise(needle)
    at = norm_text.find(norm_needle)
    if at >= 0 and norm_needle:
        return "normalised", index[at], index[at + len(norm_needle) - 1] + 1, None
    if fuzzy and len(norm_needle) >= 12:
        found = fuzz.partial_ratio_alignment(norm_needle, norm_text, score_cutoff=FUZZY_MIN)
        if found is not None and found.dest_end > found.dest_start:
            start, end = index[found.dest_start], index[found.dest_end - 1] + 1
            return "fuzzy", start, end, round(found.score, 1)
    return "not_found", None, None, None


def _span(
    article_id: str, found: tuple[GroundStatus, int | None, int | None, float | None]
) -> SourceSpan:
    status, start, end, score = found
    return SourceSpan(article_id=article_id, start=start, end=end, status=status, score=score)


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or line) around [start, end)."""
    return sentences(text).bounds(start, end)


def unit_class(unit: str, following: str) -> str:
    """A coarse class for grouping figures: people, families, USD, per cent, or the unit."""
    unit = unit.strip().lower()
    if unit in ("usd", "eur", "gbp"):
        return unit.upper()
    if unit in UNIT_CLASSES:
        return UNIT_CLASSES[unit]
    people = load_lexicon().people_nouns
    words = re.findall(r"[a-z]+", following.lower())[:3]
    if words and words[0] in UNIT_CLASSES:  # "5 years", not "97-1 vote hours earlier"
        return UNIT_CLASSES[words[0]]
    if any(w in people for w in ([unit] if unit else []) + words):
        return "people"
    return unit


#: A date's sentence is kept whole up to this many characters (the longest in the samples and
#: the corpus is 457); past it, the text this far around the date. Without a bound, text with
#: no sentence ends would keep the whole text once per date.
MAX_DATE_SENTENCE = 1000

#: How far (characters) from a figure a name may stand and still be what the figure is about.
ANCHOR_REACH = 60


class _Anchors:
    """Places and names of one text, for `_anchor`: the places of each sentence are found
    once, and both lists are searched by offset, so anchoring every figure stays n log n."""

    def __init__(self, text: str, names: list[NameMention]) -> None:
        self.text = text
        self.names = names
        self.name_starts = [n.start for n in names]
        self.longest_name = max((n.end - n.start for n in names), default=0)
        self.places: dict[tuple[int, int], tuple[list[int], list[tuple[int, int, str]], int]] = {}

    def _places(self, bounds: tuple[int, int]) -> tuple[list[int], list[tuple[int, int, str]], int]:
        if bounds not in self.places:
            spots = [
                (m.start(), m.end(), f"{m.group(1)} {m.group(2)}")
                for m in _place_re().finditer(self.text, bounds[0], bounds[1])
            ]
            longest = max((end - start for start, end, _ in spots), default=0)
            self.places[bounds] = ([s[0] for s in spots], spots, longest)
        return self.places[bounds]

    def near(self, mention: NumberMention, bounds: tuple[int, int]) -> list[tuple[int, int, str]]:
        """The sentence's places, then its names, in text order, that may be in reach: those
        starting at most ANCHOR_REACH after the figure and ending at most that before it."""
        last = mention.end + ANCHOR_REACH + 1
        starts, spots, longest = self._places(bounds)
        lo = bisect.bisect_left(starts, mention.start - ANCHOR_REACH - longest)
        found = spots[lo : bisect.bisect_left(starts, last)]
        lo = bisect.bisect_left(
            self.name_starts, max(bounds[0], mention.start - ANCHOR_REACH - self.longest_name)
        )
        hi = bisect.bisect_left(self.name_starts, min(bounds[1], last))
        found += [(n.start, n.end, n.name) for n in self.names[lo:hi]]
        return found


def _anchor(
    anchors: _Anchors, mention: NumberMention, bounds: tuple[int, int]
) -> tuple[str | None, int | None]:
    """The place ("X camp") or name nearest the figure in its sentence: what it is about."""
    best: tuple[int, str] | None = None
    for start, end, name in anchors.near(mention, bounds):
        distance = max(start - mention.end, mention.start - end, 0)
        if distance <= ANCHOR_REACH and (best is None or distance < best[0]):
            best = (distance, name)
    return (best[1], best[0]) if best else (None, None)


#: How many words either side of a figure say what it counts ("at least seven people were
#: killed", "a 48-page indictment"): its context, compared across sources for conflicts.
CONTEXT_WORDS = 6
_CONTEXT_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _context(text: str, mention: NumberMention, bounds: tuple[int, int]) -> tuple[str, ...]:
    """The content words within CONTEXT_WORDS of the number, in its sentence."""
    skip = load_lexicon().function_words
    reach = CONTEXT_WORDS * 16  # characters: bounded, so a huge sentence costs no more
    start, end = max(bounds[0], mention.start - reach), min(bounds[1], mention.end + reach)
    before = _CONTEXT_WORD.findall(text, start, mention.start)[-CONTEXT_WORDS:]
    after = _CONTEXT_WORD.findall(text, mention.end, end)[:CONTEXT_WORDS]
    words = {re.sub(r"['’]s$", "", w.lower()) for w in (*before, *after)}
    return tuple(sorted(w for w in words if len(w) > 2 and w not in skip))


def _ground_figures(extraction: Extraction) -> tuple[list[GroundedFigure], list[UnverifiedItem]]:
    article = extraction.article
    text = article.text
    mentions = find_numbers(text)
    claimed: dict[int, tuple[str, str, str]] = {}
    unverified: list[UnverifiedItem] = []
    for figure in extraction.data.figures:
        phrase_found = locate(text, figure.phrase)
        candidates = [
            i
            for i, m in enumerate(mentions)
            if abs(m.value - figure.value) < 1e-6
            and (figure.upper is None or m.upper is None or abs(m.upper - figure.upper) < 1e-6)
        ]
        if not candidates:
            unverified.append(
                UnverifiedItem(
                    kind="figure",
                    text=f"{figure.phrase} ({figure.value:g})",
                    detail=f"the number {figure.value:g} is not in the article",
                    span=_span(article.id, ("not_found", None, None, None)),
                )
            )
            continue
        near = phrase_found[1]
        best = min(
            candidates, key=lambda i: (abs(mentions[i].start - near) if near is not None else 0, i)
        )
        claimed.setdefault(best, (figure.unit, figure.measure, figure.qualifier))
    figures = []
    names = find_names(text)
    fold = full_forms(names)
    names = [NameMention(fold.get(n.name, n.name), n.start, n.end) for n in names]
    anchors = _Anchors(text, names)
    for i, m in enumerate(mentions):
        bounds = sentence_bounds(text, m.start, m.end)
        following = text[m.end : m.end + 40]
        unit, measure, _ = claimed.get(i, (m.unit_hint, "", m.qualifier))
        anchor, distance = _anchor(anchors, m, bounds)
        label_words = re.findall(r"[\w’'-]+", following)[:3]
        figures.append(
            GroundedFigure(
                value=m.value,
                upper=m.upper,
                qualifier=m.qualifier,
                unit=unit or m.unit_hint,
                unit_class=unit_class(
                    m.unit_hint
                    if m.unit_hint in ("USD", "EUR", "GBP", "per cent")
                    else unit or m.unit_hint,
                    following,
                ),
                measure=measure or " ".join(label_words),
                anchor=anchor,
                anchor_distance=distance,
                text=m.text,
                sentence_start=bounds[0],
                context=_context(text, m, bounds),
                span=SourceSpan(article_id=article.id, start=m.start, end=m.end, status="exact"),
                origin="both" if i in claimed else "text",
            )
        )
    return figures, unverified


def _ground_dates(extraction: Extraction) -> tuple[list[GroundedDate], list[UnverifiedItem]]:
    article = extraction.article
    text = article.text
    found = find_dates(text, article.published)
    events: dict[int, str] = {}
    unverified: list[UnverifiedItem] = []
    for date in extraction.data.dates:
        where = locate(text, date.expression, fuzzy=False)
        hit = next(
            (
                i
                for i, d in enumerate(found)
                if (where[1] is not None and d.start <= where[1] < d.end)
                or date.expression.strip().lower() == d.text.lower()
            ),
            None,
        )
        if hit is None:
            unverified.append(
                UnverifiedItem(
                    kind="date",
                    text=date.expression,
                    detail=date.event,
                    span=_span(article.id, where),
                )
            )
            continue
        events.setdefault(hit, date.event)
    dates = []
    for i, d in enumerate(found):
        bounds = sentence_bounds(text, d.start, d.end)
        if bounds[1] - bounds[0] > MAX_DATE_SENTENCE:  # text with no sentence ends
            half = MAX_DATE_SENTENCE // 2
            bounds = (max(bounds[0], d.start - half), min(bounds[1], d.end + half))
        dates.append(
            GroundedDate(
                expression=d.text,
                iso=d.resolution.iso,
                precision=d.resolution.precision,
                kind=d.resolution.kind,
                event=events.get(i, ""),
                sentence=text[bounds[0] : bounds[1]].strip(),
                span=SourceSpan(article_id=article.id, start=d.start, end=d.end, status="exact"),
                origin="both" if i in events else "text",
            )
        )
    return dates, unverified


def _ground_actors(extraction: Extraction) -> tuple[list[GroundedActor], list[UnverifiedItem]]:
    article = extraction.article
    actors, unverified = [], []
    for actor in extraction.data.actors:
        where = locate(article.text, actor.name)
        if where[0] == "not_found":
            unverified.append(
                UnverifiedItem(
                    kind="actor", text=actor.name, detail=actor.role, span=_span(article.id, where)
                )
            )
            continue
        aliases = tuple(a for a in actor.aliases if a.strip() and a in article.text)
        actors.append(
            GroundedActor(
                name=actor.name,
                kind=actor.kind,
                role=actor.role.strip(),
                aliases=aliases,
                span=_span(article.id, where),
            )
        )
    return actors, unverified


def _known_names(actors: list[GroundedActor], text: str) -> list[str]:
    names: set[str] = set(candidates(text))
    for actor in actors:
        for name in (actor.name, *actor.aliases):
            names.add(name)
            if actor.kind == "person":
                last = name.split()[-1]
                if re.search(rf"\b{re.escape(last)}\b", text):
                    names.add(last)
    return sorted(names)


def _quote_score(model_text: str, passage: str) -> float:
    """How well the model's quote matches a passage: a part of it, or nearly all of it."""
    if min(len(model_text), len(passage)) < 4:
        return 0.0
    if len(model_text) <= len(passage) * 1.1:
        return float(fuzz.partial_ratio(model_text, passage))
    return float(fuzz.ratio(model_text, passage))


ACRONYM_RE = re.compile(r"\b((?:[A-Z][\w.’'-]*[ \t]+){0,5}[A-Z][\w.’'-]*)[ \t]+\(([A-Z]{2,8})\)")


def harvest_entities(article_id: str, text: str) -> list[GroundedActor]:
    """Organisations the article introduces with an acronym: "Federal Election Commission (FEC)"."""
    found: dict[str, GroundedActor] = {}
    for m in ACRONYM_RE.finditer(text):
        words = m.group(1).split()
        while words and (words[0] in ("The", "the") or words[0].endswith(("’s", "'s"))):
            words.pop(0)
        name = " ".join(words)
        if not name or name in found:
            continue
        if name.isupper() and name[0] != m.group(2)[0]:
            continue  # "BERLIN (AP) —": a dateline and its wire, not a name and its acronym
        start = m.start(1) + m.group(1).find(name)
        found[name] = GroundedActor(
            name=name,
            kind="organization",
            role="",
            aliases=(m.group(2),),
            span=SourceSpan(
                article_id=article_id, start=start, end=start + len(name), status="exact"
            ),
        )
    return sorted(found.values(), key=lambda a: (a.span.start or 0, a.name))


def _ground_quotes(
    extraction: Extraction, actors: list[GroundedActor]
) -> tuple[list[GroundedQuote], list[UnverifiedItem]]:
    article = extraction.article
    text = article.text
    passages = harvest_quotes(text)
    norm_passages = [normalise(p.text)[0].lower() for p in passages]
    model_speakers: dict[int, str] = {}
    unverified = []
    for quote in extraction.data.quotes:
        needle = normalise(quote.text.strip(" .,"))[0].lower()
        scores = [(_quote_score(needle, p), -i) for i, p in enumerate(norm_passages)]
        best = max(scores, default=(0.0, 0))
        if best[0] >= FUZZY_MIN:
            # the outlet is not quoted in its own article: "" leaves the quote to the rules
            publisher = _publisher(quote.speaker, "speaker", article.source)
            model_speakers.setdefault(-best[1], "" if publisher else quote.speaker)
            continue
        unverified.append(
            UnverifiedItem(
                kind="quote",
                text=quote.text,
                detail=f"attributed by the model to {quote.speaker}",
                span=_span(article.id, locate(text, quote.text)),
            )
        )
    known = [n for n in _known_names(actors, text) if not _publisher(n, "name", article.source)]
    attributions = attribute_quotes(
        text, passages, known_names=known, model_speakers=model_speakers
    )
    mentions = find_names(text)
    fold = full_forms(mentions)
    quotes = [
        GroundedQuote(
            text=p.text,
            caveat=caveat_for(text, passages, i),
            speaker=(
                _full_speaker(text, fold.get(a.speaker, a.speaker), mentions) if a.speaker else None
            ),
            speaker_rule=a.rule,
            span=SourceSpan(article_id=article.id, start=p.start, end=p.end, status="exact"),
        )
        for i, (p, a) in enumerate(zip(passages, attributions, strict=True))
    ]
    return quotes, unverified


_SUFFIX_WORDS = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def _full_speaker(text: str, speaker: str, mentions: list[NameMention]) -> str:
    """A one-word speaker's full name, when the article gives exactly one person it can be:
    "Roe" -> "Jane A. Roe", "Lee-Park" -> "Ann Lee-Park", "Poe" ->
    "Sam Poe" (also written "Sam Poe Jr"), "Said" -> "Karim al-Said" (a name
    particle). Two people it could be ("Sam Poe", "Sam L. Poe Jr.") keep it."""
    if " " in speaker:
        return speaker
    found: dict[str, str] = {}
    for name in sorted({m.name for m in mentions}, key=lambda n: (len(n), n)):
        words = [w for w in name.split() if w.lower() not in _SUFFIX_WORDS]
        if len(words) >= 2 and speaker in (words[-1], words[-1].rsplit("-", 1)[-1]):
            found.setdefault(" ".join(words), name)
    if len(found) == 1:
        return next(iter(found.values()))
    return particle_full_form(text, speaker) or speaker


_WORD = re.compile(r"[A-Za-z][a-z’'-]{3,}")
_BODY_WORD = re.compile(r"(?<![\w’'-])[a-z][a-z’'-]{3,}")


def article_terms(
    text: str, titles: list[str], figures: list[GroundedFigure]
) -> tuple[tuple[str, int], ...]:
    """The article's terms for story grouping, with counts (see `GroundedArticle.terms`).

    Names count once per mention (short forms folded into the full name); lowercase content
    words of the body once per use; words of the title, headline and event once; numbers of
    100 or more that are not years once.
    """
    lexicon = load_lexicon()
    counts: dict[str, int] = {}
    text = _without_furniture(text)
    mentions = find_names(text)
    fold = full_forms(mentions)
    for m in mentions:
        key = "n:" + fold.get(m.name, m.name).casefold()
        counts[key] = counts.get(key, 0) + 1
    for word in _BODY_WORD.findall(text):
        if word not in lexicon.function_words:
            counts["b:" + word] = counts.get("b:" + word, 0) + 1
    for word in {w.casefold() for t in titles for w in _WORD.findall(t)}:
        if word not in lexicon.function_words:
            counts["w:" + word] = 1
    for f in figures:
        year_like = 1900 <= f.value <= 2100 and f.unit_class not in ("USD", "EUR", "GBP")
        if f.value >= 100 and not year_like:
            counts[f"f:{f.value:g}"] = 1
    return tuple(sorted(counts.items()))


#: A run of this many lines or more in a row that open with the same words is page furniture
FURNITURE_REPEATS = 3
#: ... words compared at the start of each line.
FURNITURE_WORDS = 4
#: Words the story must keep without its furniture; a page with fewer is all list, and kept.
FURNITURE_MIN_STORY = 100
# A line that opens a list ("* ", "- ", "• ", "1. ", "2) "): the story's own list, not furniture
_LIST_ITEM = re.compile(r"\s*(?:[*\-–•·]|\d{1,2}[.)])\s")


# A photo gallery's slide: a line that opens with its counter, "3/34 28 November 2017 …"
_SLIDE = re.compile(r"\s*(\d{1,3})/(\d{1,3})\b")


def gallery_spans(text: str) -> list[tuple[int, int]]:
    """Where a photo gallery's slides stand: runs of three or more lines, blank lines
    between allowed, that open with counters "1/34", "2/34", "3/34" … of one gallery, rising.
    A gallery on a page is the page's (often other news), not the story's."""
    spans: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []  # (start, end) of each slide line of the current run
    last: tuple[int, int] | None = None  # (number, of) of the run's last slide
    at = 0
    for line in text.split("\n"):
        start, at = at, at + len(line) + 1
        if not line.strip():
            continue
        m = _SLIDE.match(line)
        slide = (int(m[1]), int(m[2])) if m else None
        valid = slide is not None and 0 < slide[0] <= slide[1]
        if valid and slide and last and slide[1] == last[1] and slide[0] > last[0]:
            run.append((start, start + len(line)))
        else:
            if len(run) >= FURNITURE_REPEATS:
                spans.append((run[0][0], run[-1][1]))
            run = [(start, start + len(line))] if valid else []
        last = slide if run else None
    if len(run) >= FURNITURE_REPEATS:
        spans.append((run[0][0], run[-1][1]))
    return spans


def _without_furniture(text: str) -> str:
    """The text without page furniture: a photo gallery's slides (`gallery_spans`), and
    three or more lines in a row (blank lines between
    allowed) that open with the same few words, none of them a list item and none reporting
    speech, such as a photo gallery's captions, each under the gallery's title. They are the
    page's, not the story's, and would outweigh the story's own words in grouping. Lines
    apart ("Q: ..." between answers), lines that say who said what, and a page that would
    keep fewer than `FURNITURE_MIN_STORY` words (the page is the list) are kept."""
    for start, end in reversed(gallery_spans(text)):  # a gallery's slides go first
        text = text[:start] + text[end:]
    lines = text.split("\n")
    runs: list[list[int]] = []  # indices of lines in a row with the same opening
    opening: tuple[str, ...] | None = None
    for i, line in enumerate(lines):
        words = line.split()
        if not words:
            continue  # a blank line does not break a run
        key = tuple(words[:FURNITURE_WORDS]) if len(words) > FURNITURE_WORDS else None
        if key is not None and key == opening:
            runs[-1].append(i)
        else:
            runs.append([i])
        opening = key
    dropped = {
        i
        for run in runs
        if len(run) >= FURNITURE_REPEATS
        and not any(_LIST_ITEM.match(lines[i]) or _SPEECH_VERB_RE.search(lines[i]) for i in run)
        for i in run
    }
    kept = "\n".join(line for i, line in enumerate(lines) if i not in dropped)
    return kept if len(kept.split()) >= FURNITURE_MIN_STORY else text


def named_actors(article_id: str, text: str) -> list[GroundedActor]:
    """Who the text itself shows taking part, beyond the model's short list: people it marks
    as people (a title, or a role after the full name: `names.is_person`), named
    organisations ("Water Board", "Department of Justice"), and any name that speaks ("X
    said", quoted or not; not "officials in Ohio said"). Places and other bare names are left
    out. In text order; one pass over the text for each kind of mark."""
    speaking = _speakers(text)
    found = []
    for name in candidates(text):
        if " " in name and is_person(name, text):  # a full name: a surname alone may be
            kind: ActorKind = "person"  # anyone's
        elif is_organisation(name):
            kind = "organization"
        elif _speaks(name, speaking):
            kind = _speaker_kind(name)
        else:
            continue
        where = locate(text, name, fuzzy=False)
        if where[0] != "not_found":
            found.append(
                GroundedActor(name=name, kind=kind, role="named", span=_span(article_id, where))
            )
    return found


_SPEECH_VERB_RE = re.compile(rf"\s+(?:{SPEECH_VERBS})\b")
_APPOSITIVE_END = re.compile(r",[^,\n“”\"]{3,80},$")


def _speakers(text: str) -> list[str]:
    """The text just before each speech verb, and before a description that ends there
    ("Vale Corp said", "Ann Lee, a judge, said"): a name that ends one of them speaks."""
    found = []
    for m in _SPEECH_VERB_RE.finditer(text):
        before = text[max(m.start() - 200, 0) : m.start()]
        found.append(before)
        appositive = _APPOSITIVE_END.search(before)
        if appositive:
            found.append(before[: appositive.start()])
    return found


def _speaks(name: str, speaking: list[str]) -> bool:
    """Whether a name stands right before a speech verb, not as a place ("officials in
    Ohio said")."""
    for before in speaking:
        if before.endswith(name):
            rest = before[: -len(name)]
            if not rest[-1:].isalnum() and not re.search(r"\b(?:of|in|from|at)\s+$", rest):
                return True
    return False


def _speaker_kind(name: str) -> ActorKind:
    words = {w.lower().strip(".,") for w in name.split()}
    return "organization" if words & load_lexicon().organisation_words else "person"


def _visible(text: str) -> tuple[str, list[int]]:
    """The text without format characters (zero-width spaces and joiners, soft hyphens, bidi
    marks), which hide inside numbers and names ("1\u200b50"); and each kept character's
    offset in the original."""
    kept = [i for i, ch in enumerate(text) if unicodedata.category(ch) != "Cf"]
    return "".join(text[i] for i in kept), kept


def _offsets_back(value: Any, kept: list[int], length: int) -> Any:
    """A grounded value with every offset into the visible text moved back to the original."""

    def back(pos: int | None, *, end: bool = False) -> int | None:
        if pos is None:
            return None
        if end:
            return kept[pos - 1] + 1 if pos > 0 else 0
        return kept[pos] if pos < len(kept) else length

    if isinstance(value, SourceSpan):
        return value.model_copy(
            update={"start": back(value.start), "end": back(value.end, end=True)}
        )
    if isinstance(value, BaseModel):
        update = {
            name: _offsets_back(getattr(value, name), kept, length)
            for name in type(value).model_fields
        }
        if isinstance(value, GroundedFigure):
            update["sentence_start"] = back(value.sentence_start)
        return value.model_copy(update=update)
    if isinstance(value, tuple):
        return tuple(_offsets_back(v, kept, length) for v in value)
    if isinstance(value, list):
        return [_offsets_back(v, kept, length) for v in value]
    return value


def ground(extraction: Extraction) -> GroundedArticle:
    """Locate every item of an extraction in its article.

    Format characters (zero-width spaces, say) are set aside first, so that "1\u200b50" is
    one number; every offset returned is into the article's own text.

    Args:
        extraction: one article's validated extraction.

    Returns:
        The grounded article: quotes, figures and dates found in the text (with the model's
        labels where it gave them), actors located, and the model's unsupported items.
    """
    text = extraction.article.text
    visible, kept = _visible(text)
    if len(visible) == len(text):
        grounded = _ground(extraction)
    else:
        article = extraction.article.model_copy(update={"text": visible})
        grounded = _ground(extraction.model_copy(update={"article": article}))
        grounded = cast(GroundedArticle, _offsets_back(grounded, kept, len(text)))
    return _without_gallery(grounded, gallery_spans(text))


def _without_gallery(grounded: GroundedArticle, spans: list[tuple[int, int]]) -> GroundedArticle:
    """The grounded article without the quotes, figures and dates of a photo gallery on its
    page (`gallery_spans`): the slides' captions and dates are the page's, not the story's."""
    if not spans:
        return grounded

    def outside(span: SourceSpan) -> bool:
        return span.start is None or not any(a <= span.start < b for a, b in spans)

    return grounded.model_copy(
        update={
            "quotes": tuple(q for q in grounded.quotes if outside(q.span)),
            "figures": tuple(f for f in grounded.figures if outside(f.span)),
            "dates": tuple(d for d in grounded.dates if outside(d.span)),
        }
    )


def _publisher(name: str, kind: str, source: str | None) -> bool:
    """Whether `name` is the outlet that published the article ("Reuters" in Reuters' own
    story; "Times", an organisation, in The New York Times'): the publisher reports the
    story, it takes no part in it and is not quoted in it. A place in an outlet's name
    ("Washington" in The Washington Post) is no outlet."""
    if not source:
        return False
    outlet = source.casefold().removeprefix("the ").strip()
    name = name.casefold().removeprefix("the ").strip()
    if name == outlet:
        return True
    if kind != "organization":
        return False
    words = outlet.split()
    if " " in name:
        return name in outlet
    # "Times" of The New York Times, "Bloomberg" of Bloomberg News; not "Houston" of the
    # Houston Chronicle, a city before the outlet's own noun
    return len(name) > 3 and (
        name == words[-1] or (name == words[0] and set(words[1:]) <= _OUTLET_WORDS)
    )


#: Words that name what an outlet is, after its own name ("Bloomberg News", "Vale Press")
_OUTLET_WORDS = frozenset({"news", "media", "online", "wire", "press", "network", "digital", "tv"})


# Just before a place that only locates: "in", "near" ..., or "in Town, " before its state
_LOCATING = re.compile(
    r"\b(?:in|near|outside|across|throughout|around)\s+"
    r"(?:the\s+)?(?:[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*,\s*)?$"
)


def _only_locates(actor: GroundedActor, text: str) -> bool:
    """Whether a country or place the model listed only says where things happen: every
    mention follows "in", "near" ... ("in Ohio", "in Redmond, Washington"). Places that act
    ("Ohio sued", "a delegation from Ohio") stay."""
    if actor.kind not in ("country", "other"):
        return False
    found = list(re.finditer(rf"(?<!\w){re.escape(actor.name)}(?!\w)", text))
    return bool(found) and all(_locates(text, m) for m in found)


def _locates(text: str, mention: re.Match[str]) -> bool:
    before = _LOCATING.search(text, max(mention.start() - 30, 0), mention.start())
    if before is None:
        return False
    if "," not in before.group(0):
        return True
    # "in Redmond, Washington" ends there; "in Erie, Velmar agreed" goes on with Velmar acting
    return bool(_PLACE_ENDS.match(text, mention.end()))


_PLACE_ENDS = re.compile(r"\s*(?:[,.;:)]|$)|\s+(?:on|in|and|at|last|this)\b")


def _ground(extraction: Extraction) -> GroundedArticle:
    article = extraction.article
    actors, bad_actors = _ground_actors(extraction)
    harvested = harvest_entities(article.id, article.text)
    known = {a.name for a in actors}
    actors += [a for a in harvested if a.name not in known]
    quotes, bad_quotes = _ground_quotes(extraction, actors)
    known |= {a.name for a in harvested}
    for quote in quotes:  # whoever is quoted takes part in the story
        if quote.speaker and quote.speaker not in known and quote.span.start is not None:
            known.add(quote.speaker)
            where = locate(article.text, quote.speaker, fuzzy=False)
            if where[0] != "not_found":
                actors.append(
                    GroundedActor(
                        name=quote.speaker,
                        kind=_speaker_kind(quote.speaker),
                        role="quoted",
                        span=_span(article.id, where),
                    )
                )
    for actor in named_actors(article.id, article.text):
        if actor.name not in known:
            known.add(actor.name)
            actors.append(actor)
    actors = [
        a
        for a in actors
        if not _publisher(a.name, a.kind, article.source) and not _only_locates(a, article.text)
    ]
    figures, bad_figures = _ground_figures(extraction)
    dates, bad_dates = _ground_dates(extraction)
    return GroundedArticle(
        article_id=article.id,
        title=article.title,
        source=article.source,
        url=article.url,
        path=article.path,
        published=article.published,
        headline=extraction.data.headline,
        summary=extraction.data.summary,
        event=extraction.data.event,
        terms=article_terms(
            article.text,
            [article.title or "", extraction.data.headline, extraction.data.event],
            figures,
        ),
        actors=tuple(actors),
        quotes=tuple(quotes),
        figures=tuple(figures),
        dates=tuple(dates),
        unverified=tuple(bad_actors + bad_quotes + bad_figures + bad_dates),
    )


__all__ = [
    "ground",
    "harvest_entities",
    "locate",
    "named_actors",
    "parse_number",
    "sentence_bounds",
    "unit_class",
]
