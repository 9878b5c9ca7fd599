"""Readable plain-text rendering of one extraction, for `summarizer extract`."""

from __future__ import annotations

from summarizer.models import Extraction, Figure
from summarizer.render import printable


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def figure_text(figure: Figure) -> str:
    """'up to 7,000 people' style text for a figure."""
    amount = _number(figure.value)
    if figure.upper is not None:
        amount = f"{amount}-{_number(figure.upper)}"
    qualifier = "" if figure.qualifier in ("exact", "range") else f"{figure.qualifier} "
    return f"{qualifier}{amount} {figure.unit}".strip()


def extraction_text(item: Extraction) -> str:
    """One article's extraction as a short readable block."""
    data, meta, article = item.data, item.meta, item.article
    lines = [f"== {article.id}: {data.headline}", f"   {article.path}", "", data.summary, ""]
    if data.actors:
        lines.append("Actors:")
        lines += [f"  - {a.name} ({a.kind}): {a.role}" for a in data.actors]
    if data.quotes:
        lines.append("Quotes:")
        lines += [f"  - {q.speaker}: \u201c{q.text}\u201d" for q in data.quotes]
    if data.figures:
        lines.append("Figures:")
        lines += [f"  - {figure_text(f)}: {f.measure}" for f in data.figures]
    if data.dates:
        lines.append("Dates:")
        lines += [
            f"  - {d.expression}{f' ({d.iso_date})' if d.iso_date else ''}: {d.event}"
            for d in data.dates
        ]
    usage = meta.usage
    lines += [
        "",
        f"   [{meta.provider}/{meta.model}, prompt {meta.prompt_name}.v{meta.prompt_version}, "
        f"schema v{meta.schema_version}, {usage.total_tokens} tokens, {meta.duration_s:.1f}s]",
        "",
    ]
    return printable("\n".join(lines))
