"""Split articles too long for the model at paragraph boundaries, and merge the answers. Pure.

Chunks overlap by one paragraph so a quote or figure cut by a boundary is whole in one of them.
Extractions carry no offsets: grounding locates every item in the whole article afterwards,
so spans are always relative to the full text, whatever chunk an item came from.
"""

from __future__ import annotations

import itertools
import re

from summarizer.models import ArticleExtraction

CHARS_PER_TOKEN = 4
_PARAGRAPH = re.compile(r"\n\s*\n|\n")


def estimate_tokens(text: str) -> int:
    """A cheap upper-side estimate of tokens: one per four characters."""
    return len(text) // CHARS_PER_TOKEN + 1


def split_chunks(text: str, max_tokens: int, overlap: int = 1) -> list[tuple[int, str]]:
    """Split `text` into (offset, chunk) pieces of at most about `max_tokens` tokens.

    Cuts fall at paragraph (or line) breaks; a paragraph longer than the budget is cut at
    sentence ends, then hard. Consecutive chunks share `overlap` paragraphs.
    """
    limit = max_tokens * CHARS_PER_TOKEN
    if len(text) <= limit:
        return [(0, text)]
    bounds = [0, *(m.end() for m in _PARAGRAPH.finditer(text)), len(text)]
    pieces: list[tuple[int, int]] = []
    for first, end in itertools.pairwise(bounds):
        start = first
        while end - start > limit:
            cut = text.rfind(". ", start, start + limit)
            cut = cut + 2 if cut > start else start + limit
            pieces.append((start, cut))
            start = cut
        if end > start:
            pieces.append((start, end))
    chunks: list[tuple[int, str]] = []
    i = 0
    while i < len(pieces):
        j = i
        while j + 1 < len(pieces) and pieces[j + 1][1] - pieces[i][0] <= limit:
            j += 1
        chunks.append((pieces[i][0], text[pieces[i][0] : pieces[j][1]]))
        if j + 1 >= len(pieces):
            break
        i = max(j + 1 - overlap, i + 1)
    return chunks


def _unique(items: list, key) -> list:  # type: ignore[no-untyped-def, type-arg]
    seen: set[object] = set()
    out = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


def merge_chunks(parts: list[ArticleExtraction]) -> ArticleExtraction:
    """One extraction from the chunks' answers: first headline and summary, lists deduplicated.

    The per-answer list bounds of the schema apply to one model answer, not to the merge, so
    the result is built without re-validation (every part was validated on arrival).
    """
    if len(parts) == 1:
        return parts[0]
    return ArticleExtraction.model_construct(
        headline=parts[0].headline,
        summary=parts[0].summary,
        actors=_unique([a for p in parts for a in p.actors], lambda a: a.name.lower()),
        quotes=_unique([q for p in parts for q in p.quotes], lambda q: q.text.strip().lower()),
        figures=_unique(
            [f for p in parts for f in p.figures], lambda f: (f.value, f.upper, f.phrase)
        ),
        dates=_unique([d for p in parts for d in p.dates], lambda d: d.expression.lower()),
    )
