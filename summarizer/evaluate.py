"""Score extractions against gold annotations: per-field precision, recall and F1.

Matching rules (documented in eval/gold/README.md and the README):
- actors: equal names after dropping titles and case, or one is a listed alias of the other;
- quotes: equal words ignoring case, punctuation and quote style, or a fuzzy ratio >= 90;
  the speaker is right when it names the gold speaker (name or alias, titles dropped);
- figures: values within 0.5 % (and the range's upper end, when the gold has one);
- dates: the same expression ignoring case and a leading "on", or the same ISO date.
Items match one to one, in text order. Two views are scored: `model` is what the model
returned; `grounded` is what the brief uses (quotes, figures and dates found in the text,
the model's labels attached, actors located or found by pattern).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz import fuzz

from summarizer.errors import ConfigError
from summarizer.extract import ExtractionRun
from summarizer.ground import ground
from summarizer.merge import merge
from summarizer.models import Briefing, GroundedArticle
from summarizer.wire import wire_reports

FIELDS = ("actors", "quotes", "figures", "dates")
LABEL = 44
T = TypeVar("T")
G = TypeVar("G")


class _Gold(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoldActor(_Gold):
    """An actor of the story as the annotator read it."""

    name: str
    kind: str
    aliases: list[str] = Field(default_factory=list)


class GoldQuote(_Gold):
    """A quoted passage and its speaker (None: the article names no single speaker)."""

    text: str
    speaker: str | None


class GoldFigure(_Gold):
    """A stated number."""

    value: float
    upper: float | None = None
    unit: str = ""
    qualifier: str = "exact"
    text: str = ""


class GoldDate(_Gold):
    """A date expression and its day when the article makes it certain."""

    expression: str
    iso: dt.date | None = None
    event: str = ""


class GoldArticle(_Gold):
    """Everything the annotator found in one article."""

    article_id: str
    published: dt.date | None = None
    actors: list[GoldActor] = Field(default_factory=list)
    quotes: list[GoldQuote] = Field(default_factory=list)
    figures: list[GoldFigure] = Field(default_factory=list)
    dates: list[GoldDate] = Field(default_factory=list)


class Corroboration(_Gold):
    """A value the brief must show from at least `min_sources` sources."""

    value: float
    min_sources: int


class FigureConflict(_Gold):
    """A measure (matched by substring) whose values the brief must flag as a conflict."""

    measure_contains: str
    values: list[float]


class DateConflict(_Gold):
    """A timeline event (matched by substring of its label) the brief must flag."""

    label_contains: str


class GoldBrief(_Gold):
    """Corroborations and conflicts the brief must find."""

    corroborated: list[Corroboration] = Field(default_factory=list)
    figure_conflicts: list[FigureConflict] = Field(default_factory=list)
    date_conflicts: list[DateConflict] = Field(default_factory=list)


class FieldScore(BaseModel):
    """Counts and scores for one field in one view."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """tp / (tp + fp), 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn), 1.0 when there was nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


class EvalReport(BaseModel):
    """The scores of one run against the gold."""

    label: str = ""
    fields: dict[str, dict[str, FieldScore]] = Field(default_factory=dict)
    speaker: dict[str, FieldScore] = Field(
        default_factory=dict, description="tp: right speaker; fn: gold speakers missed."
    )
    grounded_share: float = 1.0
    brief_checks: dict[str, bool] = Field(default_factory=dict)
    grouping: FieldScore | None = Field(
        default=None, description="Article pairs in one story: tp, fp, fn against the clusters."
    )

    def scores(self) -> dict[str, float]:
        """Flat name -> score, higher is better, for baselines and comparisons."""
        out = {
            f"{view}.{name}.f1": s.f1 for view, fs in self.fields.items() for name, s in fs.items()
        }
        out |= {f"{view}.speaker.accuracy": s.recall for view, s in self.speaker.items()}
        out["grounded_share"] = self.grounded_share
        out["brief.checks_passed"] = float(sum(self.brief_checks.values()))
        if self.brief_checks:
            out["brief.checks_recall"] = sum(self.brief_checks.values()) / len(self.brief_checks)
        if self.grouping is not None:
            out["grouping.f1"] = self.grouping.f1
        return dict(sorted(out.items()))


def load_gold(folder: Path) -> tuple[dict[str, GoldArticle], GoldBrief | None]:
    """Read `<article_id>.yaml` files and the optional `brief.yaml` from a folder.

    Raises:
        ConfigError: a file is missing, unreadable or does not follow the format.
    """
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such gold folder")
    articles: dict[str, GoldArticle] = {}
    brief = None
    for path in sorted(folder.glob("*.yaml")):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            if path.name == "brief.yaml":
                brief = GoldBrief.model_validate(raw)
            else:
                gold = GoldArticle.model_validate(raw)
                articles[gold.article_id] = gold
        except (OSError, yaml.YAMLError, ValidationError) as e:
            first = str(e).splitlines()[0:3]
            raise ConfigError(f"{path}: not a valid gold file: {' '.join(first)}") from e
    if not articles:
        raise ConfigError(f"{folder}: no gold article files (*.yaml)")
    return articles, brief


def _match(
    gold: Sequence[G], predicted: Sequence[T], same: Callable[[G, T], bool]
) -> tuple[FieldScore, list[tuple[G, T]]]:
    used: set[int] = set()
    pairs = []
    for g in gold:
        for i, p in enumerate(predicted):
            if i not in used and same(g, p):
                used.add(i)
                pairs.append((g, p))
                break
    tp = len(pairs)
    return FieldScore(tp=tp, fp=len(predicted) - tp, fn=len(gold) - tp), pairs


# The scorer's own normalisation, independent of the merge's, so a merge bug cannot hide here:
# honorifics and a few common titles before a name, possessives, punctuation and case.
_HONORIFICS = frozenset(
    "mr mrs ms miss dr prof sir rep sen gov gen col lt sgt capt rev president senator "
    "representative governor mayor judge justice secretary minister chancellor chief "
    "spokesman spokeswoman spokesperson ceo chairman chairwoman the".split()
)
_PUNCT = re.compile(r"[^\w\s-]")


def _norm_name(name: str) -> str:
    words = _PUNCT.sub(" ", name.replace("’s", "").replace("'s", "")).casefold().split()
    while len(words) > 1 and words[0] in _HONORIFICS:
        words.pop(0)
    return " ".join(words)


def _norm_quote(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _forms(name: str, aliases: Sequence[str] = ()) -> set[str]:
    return {_norm_name(n) for n in (name, *aliases) if n and _norm_name(n)}


def _names_same(predicted: str, gold: GoldActor) -> bool:
    """Equal forms, or the prediction is the gold's full name with a description before it
    ("House Speaker Jane Roe" names Jane Roe; "Roe" alone names nobody unless listed)."""
    said, known = _forms(predicted), _forms(gold.name, gold.aliases)
    if said & known:
        return True
    return any(s.endswith(" " + k) for s in said for k in _forms(gold.name) if " " in k)


def _actor_same(gold: GoldActor, name: str) -> bool:
    return _names_same(name, gold)


def _quote_same(gold: GoldQuote, text: str) -> bool:
    a, b = _norm_quote(gold.text), _norm_quote(text)
    return a == b or fuzz.ratio(a, b) >= 90


def _figure_same(gold: GoldFigure, value: float, upper: float | None) -> bool:
    close = abs(gold.value - value) <= 0.005 * max(abs(gold.value), 1.0)
    if gold.upper is not None:
        return close and upper is not None and abs(gold.upper - upper) <= 0.005 * gold.upper
    return close


def _date_same(gold: GoldDate, expression: str, iso: str | None) -> bool:
    def norm(text: str) -> str:  # "on Tuesday" is "Tuesday", "the end of July" "end of July"
        return " ".join(text.casefold().removeprefix("on ").removeprefix("the ").split())

    if norm(gold.expression) == norm(expression):
        return True
    return gold.iso is not None and iso == gold.iso.isoformat()


def _speaker_score(gold: GoldArticle, pairs: list[tuple[GoldQuote, str | None]]) -> FieldScore:
    actors = {a.name: a for a in gold.actors}
    with_speaker = [q for q in gold.quotes if q.speaker]
    right = 0
    for g, speaker in pairs:
        if g.speaker and speaker:
            actor = actors.get(g.speaker, GoldActor(name=g.speaker, kind="other"))
            if _names_same(speaker, actor):
                right += 1
    return FieldScore(tp=right, fn=len(with_speaker) - right)


def _add(total: FieldScore, more: FieldScore) -> FieldScore:
    return FieldScore(tp=total.tp + more.tp, fp=total.fp + more.fp, fn=total.fn + more.fn)


def load_clusters(path: Path) -> dict[str, list[str]]:
    """Read a clusters file: story name -> the article ids that cover it.

    Raises:
        ConfigError: the file is unreadable, not a mapping of lists, or names an id twice.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"{path}: not a readable clusters file ({type(e).__name__})") from e
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and all(isinstance(i, str) for i in v) for v in raw.values()
    ):
        raise ConfigError(f"{path}: a clusters file maps each story to a list of article ids")
    seen: dict[str, str] = {}
    for story, ids in raw.items():
        for article_id in ids:
            if article_id in seen:
                raise ConfigError(f"{path}: {article_id} is in both {seen[article_id]} and {story}")
            seen[article_id] = str(story)
    return {str(k): list(v) for k, v in raw.items()}


def _grouping(briefing: Briefing, clusters: dict[str, list[str]]) -> FieldScore:
    """Pairwise precision and recall of the brief's stories against the gold clusters."""
    gold_of = {a: c for c, ids in clusters.items() for a in ids}
    story_of = {a: s.id for s in briefing.stories for a in s.article_ids}
    ids = sorted(set(gold_of) & set(story_of))
    score = FieldScore()
    for a, b in itertools.combinations(ids, 2):
        same_gold, same_story = gold_of[a] == gold_of[b], story_of[a] == story_of[b]
        score = _add(
            score,
            FieldScore(
                tp=same_gold and same_story,
                fp=same_story and not same_gold,
                fn=same_gold and not same_story,
            ),
        )
    return score


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.005 * max(abs(a), 1.0)


def _home(
    values: Sequence[float], need: int, clusters: dict[str, list[str]], gold: dict[str, GoldArticle]
) -> str | None:
    """The cluster where `need` articles state the value (one value), or where the values
    of a conflict are each stated (several: the cluster whose articles state most of them)."""
    best: tuple[int, str] | None = None
    for name, ids in sorted(clusters.items()):
        states = [
            [any(_close(f.value, v) for f in gold[i].figures) for v in values]
            for i in ids
            if i in gold
        ]
        holders = sum(any(s) for s in states)
        every = all(any(s[k] for s in states) for k in range(len(values)))
        if every and holders >= need and (best is None or holders > best[0]):
            best = (holders, name)
    return best[1] if best else None


def _brief_checks(
    briefing: Briefing,
    gold: GoldBrief,
    clusters: dict[str, list[str]] | None = None,
    articles: dict[str, GoldArticle] | None = None,
) -> dict[str, bool]:
    """Each expected corroboration or conflict, looked for in every story of the brief.

    With clusters, each expectation belongs to the cluster whose gold figures state it, and
    only sources of that cluster count: "c3: corroborated 50 by >= 2".
    """
    checks: dict[str, bool] = {}
    clusters, articles = clusters or {}, articles or {}
    groups = [g for story in briefing.stories for g in story.figures]
    events = [e for story in briefing.stories for e in story.timeline]

    def prefix(values: Sequence[float], need: int) -> tuple[str, set[str] | None]:
        home = _home(values, need, clusters, articles) if clusters else None
        return (f"{home}: " if home else ""), (set(clusters[home]) if home else None)

    for corroboration in gold.corroborated:
        where, members = prefix([corroboration.value], corroboration.min_sources)
        found = max(
            (
                len({s for v in g.values for s in v.sources if members is None or s in members})
                for g in groups
                if not g.conflict and any(_close(v.value, corroboration.value) for v in g.values)
            ),
            default=0,
        )
        name = f"{where}corroborated {corroboration.value:g} by >= {corroboration.min_sources}"
        checks[name] = found >= corroboration.min_sources
    for conflict in gold.figure_conflicts:
        where, _ = prefix(conflict.values, 2)
        shown = " vs ".join(f"{v:g}" for v in conflict.values)
        checks[f"{where}conflict {conflict.measure_contains} ({shown})"] = any(
            g.conflict
            and conflict.measure_contains.casefold() in g.measure.casefold()
            and all(any(_close(v.value, c) for v in g.values) for c in conflict.values)
            for g in groups
        )
    for dated in gold.date_conflicts:
        checks[f"date conflict {dated.label_contains}"] = any(
            e.conflict and dated.label_contains in e.label for e in events
        )
    return checks


def _predicted(
    actors: list[str],
    quotes: list[tuple[str, str | None]],
    figures: list[tuple[float, float | None]],
    dates: list[tuple[str, str | None]],
) -> dict[str, tuple[list[Any], Callable[[Any, Any], bool]]]:
    """One view's predictions per field, each with the rule that matches it to the gold."""
    return {
        "actors": (actors, _actor_same),
        "quotes": (quotes, lambda g, p: _quote_same(g, p[0])),
        "figures": (figures, lambda g, p: _figure_same(g, p[0], p[1])),
        "dates": (dates, lambda g, p: _date_same(g, p[0], p[1])),
    }


def evaluate(
    run: ExtractionRun,
    gold: dict[str, GoldArticle],
    brief: GoldBrief | None,
    *,
    label: str = "",
    clusters: dict[str, list[str]] | None = None,
) -> EvalReport:
    """Score a finished extraction run against the gold.

    Args:
        run: extractions of (at least) the gold's articles.
        gold: gold annotations by article id.
        brief: the brief's expected corroborations and conflicts, if any.
        label: a name for this run in reports and comparisons.
        clusters: story name -> article ids; scores the brief's story grouping and places
            each expected corroboration and conflict in its cluster.
    """
    by_id = {e.article.id: e for e in run.extractions}
    views = {v: {f: FieldScore() for f in FIELDS} for v in ("model", "grounded")}
    speaker = {"model": FieldScore(), "grounded": FieldScore()}
    model_items = unsupported = 0
    grounded_articles: list[GroundedArticle] = []
    for article_id, g in sorted(gold.items()):
        extraction = by_id.get(article_id)
        if extraction is None:
            for scores in views.values():
                for name in FIELDS:
                    scores[name] = _add(scores[name], FieldScore(fn=len(getattr(g, name))))
            speaker = {
                k: _add(v, FieldScore(fn=sum(1 for q in g.quotes if q.speaker)))
                for k, v in speaker.items()
            }
            continue
        data, grounded = extraction.data, ground(extraction)
        grounded_articles.append(grounded)
        model_items += len(data.actors) + len(data.quotes) + len(data.figures) + len(data.dates)
        unsupported += len(grounded.unverified)
        predictions = {
            "model": _predicted(
                [a.name for a in data.actors],
                [(q.text, q.speaker) for q in data.quotes],
                [(f.value, f.upper) for f in data.figures],
                [(d.expression, d.iso_date) for d in data.dates],
            ),
            "grounded": _predicted(
                [a.name for a in grounded.actors],
                [(q.text, q.speaker) for q in grounded.quotes],
                [(f.value, f.upper) for f in grounded.figures],
                [(d.expression, d.iso) for d in grounded.dates],
            ),
        }
        for view, by_field in predictions.items():
            for name, (items, same) in by_field.items():
                score, pairs = _match(getattr(g, name), items, same)
                views[view][name] = _add(views[view][name], score)
                if name == "quotes":
                    spoken = [(gq, p[1]) for gq, p in pairs]
                    speaker[view] = _add(speaker[view], _speaker_score(g, spoken))
    # Wire copies count once, as in the brief the CLI makes.
    texts = {a.article_id: by_id[a.article_id].article.text for a in grounded_articles}
    briefing = merge(grounded_articles, reports=wire_reports(texts))
    checks = _brief_checks(briefing, brief, clusters, gold) if brief else {}
    return EvalReport(
        label=label,
        grouping=_grouping(briefing, clusters) if clusters else None,
        fields=views,
        speaker=speaker,
        grounded_share=1 - unsupported / model_items if model_items else 1.0,
        brief_checks=checks,
    )


def table(reports: Sequence[EvalReport]) -> str:
    """A plain-text table of one or more reports side by side."""
    names = [r.label or f"run {i + 1}" for i, r in enumerate(reports)]
    width = max(14, *(len(n) for n in names))
    lines = ["metric".ljust(LABEL) + "".join(n.rjust(width + 2) for n in names)]
    for view in ("grounded", "model"):
        for name in FIELDS:
            cells = []
            for r in reports:
                s = r.fields.get(view, {}).get(name, FieldScore())
                cells.append(f"{s.precision:.2f}/{s.recall:.2f}/{s.f1:.2f}")
            lines.append(
                f"{view} {name} P/R/F1".ljust(LABEL) + "".join(c.rjust(width + 2) for c in cells)
            )
        cells = []
        for r in reports:
            s = r.speaker.get(view, FieldScore())
            cells.append(f"{s.recall:.2f} ({s.tp}/{s.tp + s.fn})")
        lines.append(
            f"{view} speaker accuracy".ljust(LABEL) + "".join(c.rjust(width + 2) for c in cells)
        )
    cells = []
    for r in reports:
        g = r.grouping
        cells.append("-" if g is None else f"{g.precision:.2f}/{g.recall:.2f}/{g.f1:.2f}")
    lines.append(
        "story grouping pairs P/R/F1".ljust(LABEL) + "".join(c.rjust(width + 2) for c in cells)
    )
    cells = []
    for r in reports:
        n = len(r.brief_checks)
        cells.append(f"{sum(r.brief_checks.values())}/{n}" if n else "-")
    lines.append("brief checks found".ljust(LABEL) + "".join(c.rjust(width + 2) for c in cells))
    lines.append(
        "model items grounded".ljust(LABEL)
        + "".join(f"{r.grounded_share:.2f}".rjust(width + 2) for r in reports)
    )
    checks = sorted({c for r in reports for c in r.brief_checks})
    for check in checks:
        cells = [
            "-" if check not in r.brief_checks else ("yes" if r.brief_checks[check] else "NO")
            for r in reports
        ]
        lines.append("".join(c.rjust(5) for c in cells) + f"  brief: {check}")
    return "\n".join(lines) + "\n"


def regressions(report: EvalReport, baseline: EvalReport, tolerance: float = 1e-9) -> list[str]:
    """Every score that fell below the baseline, as 'name: now < before' lines."""
    now = report.scores()
    return [
        f"{name}: {now.get(name, 0.0):.3f} < {before:.3f}"
        for name, before in baseline.scores().items()
        if now.get(name, 0.0) < before - tolerance
    ]
