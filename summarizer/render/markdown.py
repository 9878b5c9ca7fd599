"""The brief as Markdown an editor reads on a phone: short lines, numbered sources."""

from __future__ import annotations

import re
from collections.abc import Iterable

from summarizer.models import Briefing, BriefQuote, FigureGroup, SourceSpan, Story, TimelineEvent
from summarizer.render import CAVEATS, printable

MAX_SINGLE_SOURCE = 10
MAX_TIMELINE = 12


#: What makes a Markdown line a heading, quote, list, rule, table or fence, at its start.
_BLOCK_START = re.compile(r"^(?:[#>+*=|`~-]|\d+[.)])")


def _inline(text: str) -> str:
    """Article or model text as one Markdown line: no line breaks, so it cannot open a heading,
    list or code block of its own; no terminal controls; and `<` as `&lt;`, so no HTML tag or
    comment (`<script>`, `<img src=...>`, `<!--`) passes into the rendered page."""
    return " ".join(printable(text).split()).replace("<", "&lt;")


def _line(text: str) -> str:
    """Article or model text that starts a Markdown line: `_inline`, and a backslash before
    a `#`, `>`, `-`, `1.` (and the like) that would make it a heading, quote or list."""
    line = _inline(text)
    return "\\" + line if _BLOCK_START.match(line) else line


def _refs(numbers: dict[str, int], article_ids: Iterable[str]) -> str:
    return "".join(f"[{n}]" for n in sorted({numbers[a] for a in article_ids}))


def _figure(group: FigureGroup, numbers: dict[str, int]) -> str:
    if group.conflict:
        values = " vs ".join(
            f"{_inline(v.label)} {_refs(numbers, v.sources)}" for v in group.values
        )
        return f"⚠ **{_inline(group.measure)}**: {values}. Sources disagree."
    value = group.values[0]
    n = group.corroboration
    count = f"{n} sources" if n > 1 else "1 source"
    refs = _refs(numbers, value.sources)
    return f"**{_inline(value.label)}**: {_inline(group.measure)} ({count} {refs})"


def _event(event: TimelineEvent, numbers: dict[str, int]) -> str:
    when = event.date or ", ".join(sorted({c.expression for c in event.claims}))
    line = f"{_inline(when)}: {_inline(event.label)} {_refs(numbers, event.sources)}"
    note = event.note[:1].upper() + event.note[1:]
    return f"⚠ {line}. {note}." if event.conflict else line


def _quote(quote: BriefQuote, numbers: dict[str, int]) -> str:
    caveat = f" ⚠ {CAVEATS[quote.caveat]}" if quote.caveat else ""
    return f"“{_inline(quote.text)}” {_refs(numbers, quote.sources)}{caveat}"


def _where(span: SourceSpan, numbers: dict[str, int]) -> str:
    ref = f"[{numbers[span.article_id]}]"
    if span.status == "not_found":
        return f"{ref}, not found in the text"
    score = f" {span.score:.0f}" if span.score is not None else ""
    return f"{ref}, {span.status}{score} match only"


def _story(index: int, story: Story, numbers: dict[str, int]) -> list[str]:
    lines = [f"## {index}. {_inline(story.headline)}", "", *map(_line, story.summary), ""]
    key = [g for g in story.figures if g.conflict or g.corroboration > 1]
    if key:
        lines += ["### Key figures", *[f"- {_figure(g, numbers)}" for g in key], ""]
    dated = [e for e in story.timeline if e.date or e.conflict or len(e.sources) > 1]
    if dated:
        shown = dated[:MAX_TIMELINE]
        lines += ["### Timeline", *[f"- {_event(e, numbers)}" for e in shown]]
        if len(dated) > len(shown):
            lines.append(f"- … {len(dated) - len(shown)} more dated events in the JSON brief")
        lines.append("")
    if story.quotes:
        lines.append("### Who said what")
        speaker = None
        for quote in story.quotes:
            if quote.speaker != speaker:
                speaker = quote.speaker
                lines.append(f"- **{_inline(speaker or '')}**")
            lines.append(f"  - {_quote(quote, numbers)}")
        lines.append("")
    single = [g for g in story.figures if g.single_source and not g.conflict]
    if single:
        shown_groups = single[:MAX_SINGLE_SOURCE]
        lines.append("### Single-source claims")
        lines += [f"- {_figure(g, numbers)}" for g in shown_groups]
        if len(single) > len(shown_groups):
            lines.append(f"- … {len(single) - len(shown_groups)} more in the JSON brief")
        lines.append("")
    if story.unattributed:
        lines += [
            "### Unattributed quotes",
            *[f"- {_quote(q, numbers)}" for q in story.unattributed],
            "",
        ]
    if story.unverified:
        lines.append("### Unverified (the model said it; the article does not show it)")
        lines += [
            f"- {u.kind}: “{_inline(u.text)}” ({_where(u.span, numbers)})" for u in story.unverified
        ]
        lines.append("")
    return lines


def render_markdown(briefing: Briefing) -> str:
    """The whole brief as Markdown."""
    numbers = {s.article_id: s.number for s in briefing.sources}
    lines = ["# Morning brief", ""]
    for index, story in enumerate(briefing.stories, start=1):
        lines += _story(index, story, numbers)
    lines += ["## Sources", ""]
    for source in briefing.sources:
        parts = [source.outlet or "unknown outlet", source.title or source.article_id]
        if source.published:
            parts.append(source.published.isoformat())
        lines.append(f"{source.number}. {_inline(' · '.join(parts))} ({_inline(source.path)})")
    if briefing.failures:
        lines += ["", "## Not included (failed)", ""]
        lines += [f"- {_inline(f.error)}" for f in briefing.failures]
    return "\n".join(lines).rstrip() + "\n"
