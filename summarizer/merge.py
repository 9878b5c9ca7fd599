"""Merge grounded articles into one brief. Pure: no I/O, no clock, no model, sorted output.

The rules, in the order they run:

- Actors: names are reduced to a core (titles and descriptions dropped: "Chief Executive
  Jane Roe" -> "Jane Roe") and joined when equal ignoring case, when one is an alias or
  acronym of the other, or when a one-word name is the last word of exactly one longer
  person name ("Roe"). A cluster's name is its shortest multi-word form.
- Stories: two articles are one story when the cosine of their TF-IDF term vectors (names,
  content words, title/headline/event words, large numbers) is at least STORY_SIMILARITY;
  stories are the connected groups. IDF is over the batch, so the grouping depends only on
  the set of articles, never on their order.
- Quotes: the same words (ignoring case, punctuation and quote style) from several outlets
  are one quote with every source. A passage that only overlaps another stays separate, so
  every quote shown is word for word what each of its sources prints.
- Figures: the same value and unit class from several sources is one figure, corroborated by
  each. Per place anchor and unit class, each source's figure nearest the anchor is compared:
  values no stated range or qualifier reconciles are a conflict.
- Timeline: a date belongs to an event named by its sentence's kind (the lexicon's event
  kinds: call, meeting, announcement, vote, legal action ...) and the actors in it. Dates of
  one event conflict when their days differ, or a weekday does not match another source's date.
- Summary: the most connected article's summary sentence, then the best-corroborated figure,
  then what sources disagree on. Headline: the most connected article's headline.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache

from wordfreq import zipf_frequency

from summarizer.models import (
    ArticleUsage,
    BriefActor,
    Briefing,
    BriefMeta,
    BriefQuote,
    DateClaim,
    Failure,
    FigureGroup,
    FigureValue,
    GroundedArticle,
    GroundedFigure,
    GroundedQuote,
    SourceRef,
    SourceSpan,
    Story,
    TimelineEvent,
    Usage,
)
from summarizer.names import is_organisation, load_lexicon, person_core

MIN_STORY_FIGURE = 100
#: Cosine of two articles' TF-IDF term vectors above which they tell one story. Chosen as a
#: conservative value before scoring; see README "Story grouping" for how F1 varies with it.
STORY_SIMILARITY = 0.2
#: Terms held by more articles than this (and 5 % of the batch) are background, not topic.
MAX_POSTING = 50
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --- actors -----------------------------------------------------------------------------


def org_name(name: str) -> str:
    """An organisation's name without a leading article or possessive ("The US military's")."""
    words = name.replace("(", " ").replace(")", " ").split()
    while len(words) > 1 and (words[0] in ("The", "the") or words[0].endswith(("’s", "'s"))):
        words.pop(0)
    return " ".join(words).strip(" ,.")


def core_name(name: str) -> str:
    """A person's name without leading titles or lowercase descriptions."""
    return person_core(name)


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class ActorIndex:
    """Resolves any surface name to one canonical actor across all articles."""

    def __init__(self, articles: Sequence[GroundedArticle]) -> None:
        self.union = _Union()
        self.kinds: dict[str, Counter[str]] = defaultdict(Counter)
        self.roles: dict[str, set[str]] = defaultdict(set)
        self.surfaces: dict[str, set[str]] = defaultdict(set)
        self.spans: dict[str, list[SourceSpan]] = defaultdict(list)
        self.counts: Counter[str] = Counter()
        self._clusters: dict[str, list[str]] | None = None
        self._display: dict[str, str] = {}
        self._kind: dict[str, str] = {}
        self._canonical: dict[str, str] = {}
        names: list[tuple[str, str]] = []
        for article in articles:
            for actor in article.actors:
                key = self._add(actor.name, actor.kind)
                self.spans[key].append(actor.span)
                if actor.role:
                    self.roles[key].add(actor.role)
                for alias in actor.aliases:
                    self.union.union(key, self._add(alias, actor.kind, count=False))
                names.append((key, actor.kind))
            for quote in article.quotes:
                if quote.speaker:  # who speaks is a person, unless an organisation's name
                    kind = "organization" if is_organisation(quote.speaker) else "person"
                    self._add(quote.speaker, kind)
        self._join_surnames()

    def _key(self, name: str, kind: str | None = None) -> str:
        person = core_name(name)
        if kind is None:
            kind = "person" if person.lower() in self.kinds else "organization"
        core = person if kind == "person" else org_name(name)
        return core.lower()

    def _add(self, name: str, kind: str, *, count: bool = True) -> str:
        key = self._key(name, kind)
        self.union.find(key)
        self.kinds[key][kind] += 1
        core = core_name(name) if kind == "person" else org_name(name)
        self.surfaces[key].update({name, core})
        if count:
            self.counts[core] += 1
        return key

    def _join_surnames(self) -> None:
        keys = sorted(self.kinds)
        multi = [k for k in keys if " " in k]
        by_last: dict[str, list[str]] = defaultdict(list)
        by_suffix: dict[str, list[str]] = defaultdict(list)
        for m in multi:
            words = m.split()
            by_last[words[-1].removeprefix("al-")].append(m)
            for i in range(1, len(words)):
                by_suffix[" ".join(words[i:])].append(m)
        for key in keys:
            if " " not in key:
                owners = by_last.get(key.removeprefix("al-"), [])
                if len(owners) == 1:
                    self.union.union(key, owners[0])
        for key in multi:  # "central command" inside "us central command"
            longer = by_suffix.get(key, [])
            if len(longer) == 1:
                self.union.union(key, longer[0])
        known = set(multi)
        for key in multi:  # a name run on into the next word: "ann lee paris"
            words = key.split()
            for n in range(len(words) - 1, 1, -1):
                if " ".join(words[:n]) in known:
                    self.union.union(key, " ".join(words[:n]))
                    break

    def canonical(self, name: str) -> str:
        """The cluster id of a name (memoised: the index does not change once built)."""
        found = self._canonical.get(name)
        if found is None:
            found = self._canonical[name] = self.union.find(self._key(name))
        return found

    def clusters(self) -> dict[str, list[str]]:
        """Cluster id -> member keys, sorted. Computed once: the index is complete by now."""
        if self._clusters is None:
            out: dict[str, list[str]] = defaultdict(list)
            for key in sorted(self.kinds):
                out[self.union.find(key)].append(key)
            self._clusters = dict(out)
        return self._clusters

    def display(self, cluster: str) -> str:
        """The cluster's name: the shortest multi-word form, then the most frequent, then
        alphabetical."""
        if cluster not in self._display:
            self._display[cluster] = self._display_name(cluster)
        return self._display[cluster]

    def _display_name(self, cluster: str) -> str:
        members = self.clusters().get(cluster, [cluster])
        forms = [f for m in members for f in self.surfaces[m] if f.lower() == m]
        # A full name before a lone word; of full names the shortest ("Ann Lee", not the
        # run-on "Ann Lee Paris" the index joined to it), then the most frequent.
        best = sorted(
            forms, key=lambda f: (-(" " in f), len(f.split()), -self.counts[f], -len(f), f)
        )
        return best[0] if best else cluster

    def kind(self, cluster: str) -> str:
        """The cluster's most common kind."""
        if cluster not in self._kind:
            self._kind[cluster] = self._kind_of(cluster)
        return self._kind[cluster]

    def _kind_of(self, cluster: str) -> str:
        total: Counter[str] = Counter()
        for member in self.clusters().get(cluster, [cluster]):
            total.update(self.kinds[member])
        return sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if total else "other"

    def lexicon(self, clusters: Iterable[str]) -> Lexicon:
        """A matcher for the surface forms of these clusters."""
        wanted = set(clusters)
        members = self.clusters()
        pairs = {
            (surface, cluster)
            for cluster in wanted
            for key in members.get(cluster, [cluster])
            for surface in self.surfaces.get(key, ())
            if len(surface) > 2
        }
        return Lexicon(sorted(pairs, key=lambda p: (-len(p[0]), p)))


class Lexicon:
    """Finds actors' surface forms in a sentence, as whole words, longest form first."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def find(self, sentence: str) -> tuple[str, ...]:
        """The clusters named in a sentence, sorted."""
        found: set[str] = set()
        for surface, cluster in self.pairs:
            if cluster in found:
                continue
            at = sentence.find(surface)
            while at >= 0:
                before = sentence[at - 1] if at else " "
                end = at + len(surface)
                after = sentence[end] if end < len(sentence) else " "
                if not (before.isalnum() or before in "-_") and not (
                    after.isalnum() or after in "-_"
                ):
                    found.add(cluster)
                    break
                at = sentence.find(surface, at + 1)
        return tuple(sorted(found))


# --- figures ----------------------------------------------------------------------------


def _most_common(values: Iterable[str]) -> str | None:
    """The most frequent value, ties broken alphabetically; None for no values."""
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return min(counts, key=lambda v: (-counts[v], v)) if counts else None


def _interval(value: float, upper: float | None, qualifier: str) -> tuple[float, float]:
    if upper is not None:
        return value, upper
    return {
        "up to": (0.0, value),
        "less than": (0.0, value),
        "at least": (value, float("inf")),
        "more than": (value, float("inf")),
        "about": (value * 0.9, value * 1.1),
    }.get(qualifier, (value, value))


def _reconciled(a: GroundedFigure, b: GroundedFigure) -> bool:
    lo_a, hi_a = _interval(a.value, a.upper, a.qualifier)
    lo_b, hi_b = _interval(b.value, b.upper, b.qualifier)
    return lo_a <= hi_b and lo_b <= hi_a


def number_text(value: float) -> str:
    """7000.0 -> '7,000'; 2.5 -> '2.5'; 250000000 -> '250 million'."""
    if value >= 1_000_000 and value % 100_000 == 0:
        millions = value / 1_000_000
        return (
            f"{millions:,.0f} million" if millions == int(millions) else f"{millions:,.1f} million"
        )
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def figure_label(value: float, upper: float | None, qualifier: str, unit: str) -> str:
    """'up to 7,000 people', '1,500-2,000 people', '$250 million'."""
    amount = number_text(value) + (f"-{number_text(upper)}" if upper is not None else "")
    if unit in ("USD", "EUR", "GBP"):
        amount = {"USD": "$", "EUR": "€", "GBP": "£"}[unit] + amount
        unit = ""
    qual = "" if qualifier in ("exact", "range") else qualifier + " "
    return f"{qual}{amount} {unit}".strip()


#: Units a figure keeps apart when sources are compared; every other number is a count, so
#: "7,000 people" and "7,000 detainees" from two outlets corroborate each other.
MEASURED_UNITS = frozenset(
    {"USD", "EUR", "GBP", "per cent", "km", "miles", "minutes", "hours", "days", "weeks"}
    | {"months", "years"}
)


def _coarse(unit_class: str) -> str:
    return unit_class if unit_class in MEASURED_UNITS else "count"


def _display_unit(members: Sequence[GroundedFigure], coarse: str) -> str:
    """The unit most sources give ("people"), or the coarse class when none names one."""
    return _most_common(f.unit_class for f in members if f.unit_class) or (
        "" if coarse == "count" else coarse
    )


def _figure_groups(
    articles: Sequence[GroundedArticle], report: Mapping[str, str]
) -> list[FigureGroup]:
    """Figure groups; corroboration counts independent reports (a wire copy counts once)."""
    figures = [f for a in articles for f in a.figures]
    by_fact: dict[tuple[str, float, float | None], list[GroundedFigure]] = defaultdict(list)
    for f in figures:
        by_fact[(_coarse(f.unit_class), f.value, f.upper)].append(f)
    groups: list[FigureGroup] = []
    conflicted: set[tuple[str, float, float | None]] = set()
    stated = Counter(
        (_coarse(f.unit_class), f.value, f.upper)
        for key, members in by_fact.items()
        for f in {report.get(m.span.article_id, m.span.article_id): m for m in members}.values()
    )
    for chosen in _context_conflicts(figures):
        coarse = _coarse(chosen[0].unit_class)
        unit = _display_unit(chosen, coarse)
        values = _values(chosen, unit)
        for f in chosen:  # a value two sources state stays corroborated as well
            if stated[(coarse, f.value, f.upper)] < 2:
                conflicted.add((coarse, f.value, f.upper))
        note = " vs ".join(f"{v.label} ({len(v.sources)})" for v in values)
        groups.append(
            FigureGroup(
                measure=_conflict_measure(chosen, unit),
                unit_class=unit,
                values=tuple(values),
                corroboration=len({report.get(a, a) for a in (f.span.article_id for f in chosen)}),
                single_source=False,
                conflict=True,
                note=f"sources disagree: {note}",
            )
        )
    for fact in sorted(by_fact, key=lambda k: (k[0], k[1], k[2] or 0.0)):
        if fact in conflicted:
            continue
        members = by_fact[fact]
        values = _values(members, _display_unit(members, fact[0]))
        measure = (
            _most_common(f.measure for f in members if f.origin != "text" and f.measure)
            or members[0].measure
        )
        n = len({report.get(f.span.article_id, f.span.article_id) for f in members})
        groups.append(
            FigureGroup(
                measure=measure,
                unit_class=fact[0],
                values=tuple(values),
                corroboration=n,
                single_source=n == 1,
                conflict=False,
            )
        )
    return sorted(
        groups,
        key=lambda g: (
            not g.conflict,
            -g.corroboration,
            g.unit_class,
            g.values[0].value,
            g.measure,
        ),
    )


#: Two sources state one measure differently when the words around their figures share at
#: least two words with this much weight (word_weight: 'people' 1.3, 'injured' 2.5,
#: 'indictment' 3.1; set on the development corpus, where one shared word was too weak) ...
CONTEXT_OVERLAP = 4.0
#: ... and their values are this close: 25 vs 27 injured is a conflict, 2 vs 20 two measures.
CONFLICT_RATIO = 2.0
#: Words rarer than this (word_weight) index the comparison; commoner ones only add weight.
INDEX_WEIGHT = 2.0


def _context_of(f: GroundedFigure) -> set[str]:
    return set(f.context) | set((f.anchor or "").lower().split())


def _comparable(a: GroundedFigure, b: GroundedFigure, states: set[tuple[str, str, float]]) -> float:
    """How strongly two sources' figures look like one measure stated differently (0: not)."""
    coarse = _coarse(a.unit_class)
    if a.span.article_id == b.span.article_id or coarse != _coarse(b.unit_class):
        return 0.0
    if (a.value, a.upper) == (b.value, b.upper) or _reconciled(a, b):
        return 0.0
    # A source that also states the other value ("15 of the 19 hijackers") is counting two
    # things, not disagreeing.
    if {(a.span.article_id, coarse, b.value), (b.span.article_id, coarse, a.value)} & states:
        return 0.0
    low, high = sorted((abs(a.value), abs(b.value)))
    if low == 0 or high / low >= CONFLICT_RATIO:
        return 0.0
    shared = _context_of(a) & _context_of(b)
    weight = sum(word_weight(w) for w in shared)
    return weight if len(shared) >= 2 and weight >= CONTEXT_OVERLAP else 0.0


def _conflict_measure(chosen: Sequence[GroundedFigure], unit: str) -> str:
    """'people at Moria camp' when every source ties the figure to one place or name, else
    the unit and the rarest words the sources share around it ('pages indictment')."""
    anchors = {f.anchor.lower() for f in chosen if f.anchor}
    shared = set.intersection(*(_context_of(f) for f in chosen)) - {unit.lower()}
    if len(anchors) == 1 and all(f.anchor for f in chosen):
        anchor = chosen[0].anchor or ""
        words = sorted(shared - set(anchor.lower().split()), key=lambda w: (-word_weight(w), w))
        about = f" ({' '.join(words[:3])})" if words else ""
        return f"{unit} at {anchor}{about}".strip()
    words = sorted(shared, key=lambda w: (-word_weight(w), w))[:3]
    return " ".join([unit, *words] if unit else words)


def _context_conflicts(figures: Sequence[GroundedFigure]) -> list[list[GroundedFigure]]:
    """Figures of different sources whose surrounding words say they measure one thing, but
    whose values disagree. Strongest pairs first; a figure joins a group only when it is
    comparable with every figure already in it, and belongs to one group at most.

    Pairs are only compared when they share a rare context word (an inverted index), so the
    cost follows the number of such pairs, not the square of all figures."""
    states = {(f.span.article_id, _coarse(f.unit_class), f.value) for f in figures}
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, f in enumerate(figures):
        for word in _context_of(f):
            if word_weight(word) >= INDEX_WEIGHT:
                index[(_coarse(f.unit_class), word)].append(i)
    pairs: dict[tuple[int, int], float] = {}
    for members in index.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                if (i, j) not in pairs:
                    pairs[(i, j)] = _comparable(figures[i], figures[j], states)
    group_of: dict[int, list[int]] = {}
    for (i, j), weight in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])):
        if not weight:
            break
        gi, gj = group_of.get(i), group_of.get(j)
        if gi is None and gj is None:
            group_of[i] = group_of[j] = [i, j]
        elif (gi is None) != (gj is None):
            group, new = (gi, j) if gi is not None else (gj, i)
            assert group is not None
            if all(pairs.get((min(k, new), max(k, new)), 0.0) for k in group):
                group.append(new)
                group_of[new] = group
    groups = {id(g): g for g in group_of.values()}.values()
    return sorted(
        ([figures[k] for k in sorted(g)] for g in groups), key=lambda c: _span_key(c[0].span)
    )


def _values(members: Iterable[GroundedFigure], unit: str) -> list[FigureValue]:
    by_value: dict[tuple[float, float | None], list[GroundedFigure]] = defaultdict(list)
    for f in members:
        by_value[(f.value, f.upper)].append(f)
    out = []
    for (value, upper), fs in sorted(by_value.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        qualifier = _most_common(f.qualifier for f in fs) or "exact"
        spans = tuple(sorted((f.span for f in fs), key=_span_key))
        out.append(
            FigureValue(
                value=value,
                upper=upper,
                qualifier=qualifier,
                label=figure_label(value, upper, qualifier, unit if unit != "people" else "people"),
                sources=tuple(sorted({s.article_id for s in spans})),
                spans=spans,
            )
        )
    return out


def _span_key(span: SourceSpan) -> tuple[str, int, int]:
    return span.article_id, span.start or -1, span.end or -1


# --- quotes -----------------------------------------------------------------------------

_FOLD = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


def quote_key(text: str) -> str:
    """Words of a quote, case, punctuation and quote style folded: equal keys, same quote."""
    return " ".join(re.findall(r"[\w']+", text.translate(_FOLD).lower()))


def _quote_order(q: BriefQuote) -> tuple[str, int, str, int]:
    return q.speaker or "", -len(q.sources), q.spans[0].article_id, q.spans[0].start or 0


def _quotes(
    articles: Sequence[GroundedArticle], actors: ActorIndex
) -> tuple[list[BriefQuote], list[BriefQuote]]:
    items = sorted(
        ((q, quote_key(q.text)) for a in articles for q in a.quotes),
        key=lambda qk: (-len(qk[1]), qk[1], _span_key(qk[0].span)),
    )
    groups: dict[str, list[GroundedQuote]] = {}
    for quote, key in items:
        groups.setdefault(key, []).append(quote)
    attributed: list[BriefQuote] = []
    unattributed: list[BriefQuote] = []
    for members in groups.values():
        speaker = _most_common(
            actors.display(actors.canonical(q.speaker)) for q in members if q.speaker
        )
        longest = sorted(members, key=lambda q: (-len(q.text), _span_key(q.span)))[0]
        spans = tuple(sorted((q.span for q in members), key=_span_key))
        caveats = {q.caveat for q in members}
        item = BriefQuote(
            speaker=speaker,
            text=longest.text,
            spans=spans,
            sources=tuple(sorted({s.article_id for s in spans})),
            caveat="false" if "false" in caveats else "unproven" if "unproven" in caveats else None,
        )
        (attributed if speaker else unattributed).append(item)
    return sorted(attributed, key=_quote_order), sorted(unattributed, key=_quote_order)


# --- timeline ---------------------------------------------------------------------------


@cache
def _event_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (kind, re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.I))
        for kind, words in load_lexicon().event_kinds
    )


def _event_kind(sentence: str) -> str | None:
    return next((name for name, pattern in _event_patterns() if pattern.search(sentence)), None)


def _weekday(iso: str | None, expression: str) -> str | None:
    if iso:
        return WEEKDAYS[dt.date.fromisoformat(iso).weekday()]
    return next((w for w in WEEKDAYS if w.lower() in expression.lower()), None)


#: Dates of one kind of event with the same actors that lie further apart than this are
#: different events ("the vote on Wednesday" and "the Sept. 11 attacks" in one sentence), not
#: sources disagreeing; reports that disagree about a day are days apart.
MAX_CONFLICT_DAYS = 7


def _split_far_dates(
    events: dict[str, list[tuple[DateClaim, str]]],
) -> dict[tuple[str, int], list[tuple[DateClaim, str]]]:
    """Each event's claims split where their days lie more than MAX_CONFLICT_DAYS apart;
    claims without a day stay with the first part. Keyed (event key, part number)."""
    out: dict[tuple[str, int], list[tuple[DateClaim, str]]] = {}
    for key, claims in events.items():
        days = sorted({dt.date.fromisoformat(c.iso) for c, _ in claims if c.iso})
        starts = [days[0]] if days else []
        for before, day in itertools.pairwise(days):
            if (day - before).days > MAX_CONFLICT_DAYS:
                starts.append(day)
        for claim in claims:
            when = dt.date.fromisoformat(claim[0].iso) if claim[0].iso else None
            part = sum(1 for s in starts if s <= when) if when and len(starts) > 1 else 1
            out.setdefault((key, part), []).append(claim)
    return out


def _timeline(articles: Sequence[GroundedArticle], actors: ActorIndex) -> list[TimelineEvent]:
    present_clusters = {actors.canonical(a.name) for art in articles for a in art.actors}
    present_clusters |= {
        actors.canonical(q.speaker) for art in articles for q in art.quotes if q.speaker
    }
    lexicon = actors.lexicon(present_clusters)
    events: dict[str, list[tuple[DateClaim, str]]] = defaultdict(list)
    labels: dict[str, str] = {}
    for article in articles:
        for date in article.dates:
            if date.kind not in ("explicit", "partial", "weekday") and date.iso is None:
                continue
            kind = _event_kind(date.sentence)
            present = lexicon.find(date.sentence)
            # A person in an event's key has a full name: a lone word ("German", "Scholz")
            # the index could not join to one does not tell two events apart.
            people = tuple(
                c for c in present if actors.kind(c) == "person" and " " in actors.display(c)
            )
            who = people or tuple(c for c in present if actors.kind(c) == "organization")
            claim = DateClaim(
                expression=date.expression,
                iso=date.iso,
                weekday=_weekday(date.iso, date.expression),
                span=date.span,
            )
            if kind and who:
                key = f"{kind}|{'+'.join(who)}"
                names = ", ".join(sorted(actors.display(c) for c in who))
                labels[key] = f"{kind.capitalize()}: {names}"
            else:
                key = f"{article.article_id}@{date.span.start}"
                labels[key] = (
                    date.sentence if len(date.sentence) <= 140 else date.sentence[:137] + "..."
                )
            events[key].append((claim, article.article_id))
    out = []
    for (base, part), claims in _split_far_dates(events).items():
        key = base if part == 1 else f"{base}#{part}"
        dated = sorted({c.iso for c, _ in claims if c.iso})
        weekdays = {c.weekday for c, _ in claims if c.weekday}
        sources = tuple(sorted({a for _, a in claims}))
        conflict = len(sources) > 1 and (len(dated) > 1 or len(weekdays) > 1)
        note = ""
        if conflict:
            seen = sorted({(c.iso or "", c.expression, c.weekday or "") for c, _ in claims})
            note = "sources disagree: " + " vs ".join(
                f"{e}{f' ({w})' if w and w.lower() not in e.lower() else ''}" for _, e, w in seen
            )
        out.append(
            TimelineEvent(
                key=key,
                label=labels[base],
                date=dated[0] if dated else None,
                claims=tuple(sorted((c for c, _ in claims), key=lambda c: _span_key(c.span))),
                sources=sources,
                conflict=conflict,
                note=note,
            )
        )
    return sorted(out, key=lambda e: (e.date or "9999", e.label, e.key))


# --- stories ----------------------------------------------------------------------------


def _features(article: GroundedArticle, actors: ActorIndex) -> set[str]:
    feats = {
        f"actor:{actors.canonical(a.name)}"
        for a in article.actors
        if a.kind in ("person", "organization")
    }
    feats |= {f"actor:{actors.canonical(q.speaker)}" for q in article.quotes if q.speaker}
    feats |= {f"anchor:{f.anchor}" for f in article.figures if f.anchor}
    feats |= {
        f"figure:{f.unit_class}:{f.value:g}"
        for f in article.figures
        if f.unit_class and f.value >= MIN_STORY_FIGURE
    }
    return feats


#: Zipf frequency (log10 per billion words) above which a word says nothing about a story.
COMMON_ZIPF = 7.0
#: Weights of a large figure and of a place anchor shared by two articles.
FIGURE_WEIGHT, ANCHOR_WEIGHT = 4.0, 5.0
#: A word of the title, the model's headline or its one-line event counts this many times
#: a body word: what the article is about, free of the page's asides and furniture.
HEADLINE_WEIGHT = 2.0


@cache
def term_weight(term: str) -> float:
    """How much a shared term says that two articles tell one story: its rarity in English
    (wordfreq's Zipf scale: 'said' 6.0 weighs 1.0, 'tram' 3.5 weighs 3.5, an unknown name
    weighs 7.0), twice that for a word of the title, headline or event; large figures and
    places weigh a fixed amount."""
    kind, _, value = term.partition(":")
    if kind == "f":
        return FIGURE_WEIGHT
    if kind == "a":
        return ANCHOR_WEIGHT
    rarity = max(COMMON_ZIPF - zipf_frequency(value, "en"), 0.5)
    return rarity * HEADLINE_WEIGHT if kind == "w" else rarity


def word_weight(word: str) -> float:
    """term_weight of a plain word: its rarity in English."""
    return term_weight("b:" + word)


def _bag(article: GroundedArticle, actors: ActorIndex) -> dict[str, int]:
    """The article's terms, plus its resolved actors and speakers, large figures and places."""
    bag = dict(article.terms)
    for name in [a.name for a in article.actors] + [q.speaker for q in article.quotes if q.speaker]:
        bag.setdefault(f"n:{actors.canonical(name)}", 1)
    for f in article.figures:
        if f.value >= MIN_STORY_FIGURE:
            bag.setdefault(f"f:{f.value:g}", 1)
        if f.anchor:
            bag.setdefault(f"a:{f.anchor.casefold()}", 1)
    return bag


def _vectors(
    articles: Sequence[GroundedArticle], actors: ActorIndex
) -> dict[str, dict[str, float]]:
    """Unit vectors of the articles' terms, each weighted (1 + ln tf) x `term_weight`: how rare
    the term is in English at large, so a batch of five articles on one event weighs its
    words as a batch of five hundred does.

    Terms held by more than `MAX_POSTING` articles and more than 5 % of the batch are left
    out: they weigh little, and comparing their holders pairwise would be quadratic.
    """
    n = len(articles)
    bags = {a.article_id: _bag(a, actors) for a in articles}
    df: Counter[str] = Counter(t for bag in bags.values() for t in bag)
    common = max(MAX_POSTING, n // 20)
    vectors: dict[str, dict[str, float]] = {}
    for article in articles:
        weights = {
            t: (1 + math.log(c)) * term_weight(t)
            for t, c in bags[article.article_id].items()
            if c > 0 and df[t] <= common
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors[article.article_id] = {t: w / norm for t, w in sorted(weights.items())}
    return vectors


def _stories(
    articles: Sequence[GroundedArticle], actors: ActorIndex
) -> list[list[GroundedArticle]]:
    """Articles whose term vectors have a cosine of at least `STORY_SIMILARITY` are one story
    (and so, transitively, are their stories). Dot products are summed term by term over
    the articles holding each term, so only pairs sharing a term are ever compared."""
    vectors = _vectors(articles, actors)
    postings: dict[str, list[str]] = defaultdict(list)
    for aid in sorted(vectors):
        for term in vectors[aid]:
            postings[term].append(aid)
    dots: dict[tuple[str, str], float] = defaultdict(float)
    for term in sorted(postings):
        holders = postings[term]
        for i, a in enumerate(holders):
            wa = vectors[a][term]
            for b in holders[i + 1 :]:
                dots[(a, b)] += wa * vectors[b][term]
    union = _Union()
    for article in articles:
        union.find(article.article_id)
    for (a, b), dot in sorted(dots.items()):
        if dot >= STORY_SIMILARITY - 1e-9:
            union.union(a, b)
    groups: dict[str, list[GroundedArticle]] = defaultdict(list)
    for article in sorted(articles, key=lambda a: a.article_id):
        groups[union.find(article.article_id)].append(article)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0].article_id))


def _central(members: list[GroundedArticle], feats: dict[str, set[str]]) -> GroundedArticle:
    """The article sharing the most features with the others (ties: smallest id)."""
    freq: dict[str, int] = {}
    for a in members:
        for f in feats[a.article_id]:
            freq[f] = freq.get(f, 0) + 1
    return min(
        members,
        key=lambda a: (-sum(freq[f] - 1 for f in feats[a.article_id]), a.article_id),
    )


def _first_sentence(text: str) -> str:
    m = re.search(r"(?<=[.!?])\s+(?=[A-Z])", text)
    return text[: m.start()].strip() if m else text.strip()


def _summary(
    central: GroundedArticle,
    figures: list[FigureGroup],
    timeline: list[TimelineEvent],
    n_articles: int,
    wire: Sequence[tuple[str, ...]] = (),
) -> tuple[str, ...]:
    lines = []
    if central.summary:
        lines.append(f"{_first_sentence(central.summary)} (model summary of {central.article_id})")
    if wire:
        copies = sum(len(g) for g in wire)
        reports = n_articles - copies + len(wire)
        run_by = "; ".join(f"one wire report run by {', '.join(g)}" for g in wire)
        if reports == 1:
            lines.append(f"{n_articles} outlets, 1 wire report (run by {', '.join(wire[0])}).")
        else:
            lines.append(f"{n_articles} outlets, {reports} independent reports ({run_by}).")
        n_articles = reports
    unit = "independent reports" if wire else "sources"
    corroborated = [g for g in figures if not g.conflict and g.corroboration >= 2]
    if corroborated:
        top = ", ".join(
            f"{g.values[0].label} ({g.corroboration} of {n_articles} {unit})"
            for g in corroborated[:2]
        )
        lines.append(f"Corroborated: {top}.")
    disputes = [g.measure for g in figures if g.conflict] + [
        e.label for e in timeline if e.conflict
    ]
    if disputes:
        lines.append(f"Sources disagree on: {'; '.join(disputes[:3])}.")
    single = sum(1 for g in figures if g.single_source)
    if single:
        lines.append(f"{single} figure{'s rest' if single > 1 else ' rests'} on a single source.")
    return tuple(lines[:5])


def _headline(
    central: GroundedArticle, members: list[GroundedArticle], feats: dict[str, set[str]]
) -> str:
    """A real title from the story's articles if any has one, else the model's headline."""
    titled = [a for a in members if a.title]
    if titled:
        return _central(titled, feats).title or ""
    return f"{central.headline} (model headline)" if central.headline else central.article_id


def _story(
    index: int,
    members: list[GroundedArticle],
    actors: ActorIndex,
    feats: dict[str, set[str]],
    report: Mapping[str, str],
) -> Story:
    central = _central(members, feats)
    figures = _figure_groups(members, report)
    copies: dict[str, list[str]] = defaultdict(list)
    for a in members:
        copies[report.get(a.article_id, a.article_id)].append(a.article_id)
    wire = [tuple(sorted(g)) for _, g in sorted(copies.items()) if len(g) > 1]
    timeline = _timeline(members, actors)
    quotes, unattributed = _quotes(members, actors)
    clusters: dict[str, list[tuple[str, str, SourceSpan]]] = defaultdict(list)
    for article in members:
        for actor in article.actors:
            clusters[actors.canonical(actor.name)].append((actor.role, actor.name, actor.span))
    brief_actors = []
    for cluster, entries in clusters.items():
        spans = tuple(sorted((e[2] for e in entries), key=_span_key))
        brief_actors.append(
            BriefActor(
                name=actors.display(cluster),
                kind=actors.kind(cluster),
                aliases=tuple(sorted({e[1] for e in entries} - {actors.display(cluster)})),
                roles=tuple(sorted({e[0] for e in entries if e[0]})),
                sources=tuple(sorted({s.article_id for s in spans})),
                spans=spans,
            )
        )
    brief_actors.sort(key=lambda a: (-len(a.sources), a.name))
    unverified = sorted(
        (u for a in members for u in a.unverified),
        key=lambda u: (_span_key(u.span), u.kind, u.text),
    )
    return Story(
        id=f"story-{index}",
        headline=_headline(central, members, feats),
        summary=_summary(central, figures, timeline, len(members), wire),
        article_ids=tuple(a.article_id for a in members),
        actors=tuple(brief_actors),
        quotes=tuple(quotes),
        unattributed=tuple(unattributed),
        figures=tuple(figures),
        timeline=tuple(timeline),
        unverified=tuple(unverified),
    )


def merge(
    articles: Iterable[GroundedArticle],
    *,
    failures: Iterable[Failure] = (),
    prompts: Iterable[str] = (),
    models: Iterable[str] = (),
    usage: Usage | None = None,
    article_usage: Iterable[ArticleUsage] = (),
    reports: Mapping[str, str] | None = None,
) -> Briefing:
    """Combine grounded articles into one brief; the same inputs in any order give the same brief.

    Args:
        articles: grounded articles (duplicates by id keep the first in id order).
        failures: inputs that could not be read or extracted; listed in the brief.
        prompts, models: provenance strings for the metadata.
        usage: tokens spent by the run's model calls (cache hits cost nothing).
        article_usage: per-article usage and cost, for the metadata; the total cost sums
            the entries not answered from the cache.
        reports: article id -> the independent report it carries (`wire.wire_reports`):
            articles with one report count once for corroboration. Default: each its own.

    Returns:
        The `Briefing`.
    """
    with _bulk():
        return _merge(
            list(articles), failures, prompts, models, usage, article_usage, reports or {}
        )


@contextlib.contextmanager
def _bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while the merge allocates many small objects.

    The merge makes no reference cycles, so reference counting frees everything; without
    this, full collections walk the whole (growing) heap and the merge of 10,000 articles
    costs about 20% more than ten times the merge of 1,000. The previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _merge(
    articles: list[GroundedArticle],
    failures: Iterable[Failure],
    prompts: Iterable[str],
    models: Iterable[str],
    usage: Usage | None,
    article_usage: Iterable[ArticleUsage],
    reports: Mapping[str, str],
) -> Briefing:
    by_id: dict[str, list[GroundedArticle]] = defaultdict(list)
    for article in articles:
        by_id[article.article_id].append(article)
    # Duplicate ids keep one article chosen by content, so input order never matters.
    ordered = [
        group[0] if len(group) == 1 else min(group, key=lambda a: a.model_dump_json())
        for _, group in sorted(by_id.items())
    ]
    actors = ActorIndex(ordered)
    feats = {a.article_id: _features(a, actors) for a in ordered}
    groups = _stories(ordered, actors)
    stories = tuple(_story(i + 1, g, actors, feats, reports) for i, g in enumerate(groups))
    sources = tuple(
        SourceRef(
            number=i + 1,
            article_id=a.article_id,
            title=a.title,
            outlet=a.source,
            url=a.url,
            path=a.path,
            published=a.published,
        )
        for i, a in enumerate(ordered)
    )
    per_article = tuple(sorted(article_usage, key=lambda u: (u.article_id, u.model)))
    priced = [(u.cost_usd, u.cached) for u in per_article if u.cost_usd is not None]
    costs = [cost for cost, cached in priced if not cached]
    if priced and not costs:  # all answered from the cache: this run cost nothing
        costs = [0.0]
    meta = BriefMeta(
        prompts=tuple(sorted(set(prompts))),
        models=tuple(sorted(set(models))),
        usage=usage or Usage(),
        cost_usd=round(sum(costs), 6) if costs else None,
        articles=per_article,
    )
    failed = tuple(sorted(failures, key=lambda f: (f.source, f.error)))
    return Briefing(stories=stories, sources=sources, failures=failed, meta=meta)
