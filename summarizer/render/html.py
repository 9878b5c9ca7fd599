"""The brief as one self-contained HTML file: every item links to its highlighted span.

All article and model text goes through Jinja2's autoescaping; the page has no scripts and
loads nothing from elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from summarizer.models import Briefing, SourceSpan
from summarizer.render import CAVEATS, printable
from summarizer.render.markdown import MAX_SINGLE_SOURCE


@dataclass(frozen=True)
class Piece:
    """A run of source text, highlighted (with an anchor id) or plain."""

    text: str
    anchor: str | None = None


def _printable(value: object) -> object:
    """Every value the template shows, without terminal controls or bidi overrides."""
    if isinstance(value, Markup):
        return Markup(printable(str(value)))  # noqa: S704 - escaped already; only removes
    return printable(value) if isinstance(value, str) else value


def span_id(span: SourceSpan, numbers: Mapping[str, int]) -> str:
    """The HTML id of a span: source number and offsets (article ids may hold any character)."""
    return f"s{numbers[span.article_id]}-{span.start}-{span.end}"


def _spans(briefing: Briefing) -> list[SourceSpan]:
    found: list[SourceSpan] = []
    for story in briefing.stories:
        for actor in story.actors:
            found += actor.spans
        for quote in (*story.quotes, *story.unattributed):
            found += quote.spans
        for group in story.figures:
            for value in group.values:
                found += value.spans
        for event in story.timeline:
            found += [c.span for c in event.claims]
        found += [u.span for u in story.unverified]
    return [s for s in found if s.start is not None and s.end is not None]


def pieces(
    text: str, spans: Iterable[SourceSpan], numbers: Mapping[str, int]
) -> tuple[list[Piece], dict[str, str]]:
    """Cut a text into plain and highlighted pieces; map every span id to a highlight."""
    ordered = sorted({(s.start or 0, -(s.end or 0), span_id(s, numbers)) for s in spans})
    out: list[Piece] = []
    targets: dict[str, str] = {}
    pos = 0
    current: tuple[int, str] | None = None  # (end, anchor) of the open highlight
    for start, neg_end, ident in ordered:
        end = -neg_end
        if current is not None and start < current[0]:
            targets[ident] = current[1]
            continue
        out.append(Piece(text[pos:start]))
        out.append(Piece(text[start:end], ident))
        targets[ident] = ident
        current, pos = (end, ident), end
    out.append(Piece(text[pos:]))
    return [p for p in out if p.text], targets


def render_html(briefing: Briefing, texts: Mapping[str, str]) -> str:
    """The brief as HTML.

    Args:
        briefing: the merged brief.
        texts: article id -> article text, for the highlighted source section.
    """
    env = Environment(
        loader=PackageLoader("summarizer", "render/templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        finalize=_printable,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    spans = _spans(briefing)
    numbers = {s.article_id: s.number for s in briefing.sources}
    sources = []
    targets: dict[str, str] = {}
    for source in briefing.sources:
        own = [s for s in spans if s.article_id == source.article_id]
        cut, mapping = pieces(texts.get(source.article_id, ""), own, numbers)
        targets.update(mapping)
        sources.append((source, cut))

    def link(span: SourceSpan) -> str:
        return "#" + targets.get(span_id(span, numbers), f"source-{numbers[span.article_id]}")

    return env.get_template("brief.html.j2").render(
        briefing=briefing,
        sources=sources,
        numbers=numbers,
        link=link,
        max_single=MAX_SINGLE_SOURCE,
        caveats=CAVEATS,
    )
