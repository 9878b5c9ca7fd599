"""Grounding time and memory on adversarial text of growing size (issue 13, case 10).

Run: python benchmarks/grounding_scale.py [SIZE_KB ...]   (default: 125 250 500 1000)

What it measures: `summarizer.ground.ground` alone (no model call, no merge, no rendering)
on one article made of a phrase repeated to the size asked, with no sentence end anywhere,
so that every figure and date shares one sentence (the worst case for sentence bounds):
- dates:   "Monday 23 January 2026 yesterday Tuesday " (a date every few words);
- numbers: "$250 million to 300 per cent " (a figure every few words);
- names:   "Jane Roe said 5 Camp Alpha officials met " (names, places and figures).
The model's part of the extraction is three items (one figure, one date, one quote), as a
model would return; grounding work grows with the text, not with them.

Seconds: wall time of one run (this process, one core), best of two. Peak memory: the
largest Python allocation tracemalloc saw during a separate run (it counts Python objects,
not the interpreter or C libraries; RSS would add about 60 MB for the interpreter and
imports). Both grow linearly if `ratio` (this size over the previous, which doubles) stays
near 2; quadratic code shows near 4.

Target (issue 13): 1 MB of adversarial text grounded in under 10 s and under 500 MB. The
10 s is for an unloaded core; on a shared machine the seconds are higher and noisier, and
the ratio column is the honest signal. Exit status 1 if a 1 MB run misses the memory target
or takes over 10 s.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
import tracemalloc

from summarizer.articles import content_hash
from summarizer.ground import ground
from summarizer.models import (
    Article,
    ArticleExtraction,
    Extraction,
    ExtractionMeta,
)

PHRASES = {
    "dates": "Monday 23 January 2026 yesterday Tuesday ",
    "numbers": "$250 million to 300 per cent ",
    "names": "Jane Roe said 5 Camp Alpha officials met ",
}


def extraction(text: str) -> Extraction:
    """One article of `text`, with a model's usual handful of items."""
    article = Article(
        id="adversarial",
        path="adversarial.txt",
        text=text,
        published=dt.date(2026, 1, 24),
        content_hash=content_hash(text),
    )
    data = ArticleExtraction.model_validate(
        {
            "headline": "H",
            "summary": "S.",
            "actors": [],
            "quotes": [{"speaker": "Jane Roe", "text": "not in the text"}],
            "figures": [
                {
                    "phrase": "300 per cent",
                    "value": 300,
                    "upper": None,
                    "qualifier": "exact",
                    "unit": "per cent",
                    "measure": "rise",
                }
            ],
            "dates": [{"expression": "yesterday", "iso_date": None, "event": "met"}],
        }
    )
    meta = ExtractionMeta(
        article_id="adversarial",
        content_hash=article.content_hash,
        provider="benchmark",
        model="none",
        prompt_name="extract_article",
        prompt_version="2",
    )
    return Extraction(article=article, data=data, meta=meta)


def text_of(kind: str, size: int) -> str:
    phrase = PHRASES[kind]
    return (phrase * (size // len(phrase) + 1))[:size]


def seconds(item: Extraction) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        ground(item)
        best = min(best, time.perf_counter() - start)
    return best


def peak_mb(item: Extraction) -> float:
    tracemalloc.start()
    try:
        ground(item)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main(argv: list[str]) -> int:
    sizes_kb = [int(a) for a in argv] or [125, 250, 500, 1000]
    missed = False
    print(f"{'text':8} {'size':>8} {'seconds':>8} {'ratio':>6} {'peak MB':>8}")
    for kind in PHRASES:
        previous = None
        for kb in sizes_kb:
            item = extraction(text_of(kind, kb * 1000))
            took = seconds(item)
            peak = peak_mb(item)
            ratio = f"{took / previous:6.2f}" if previous else f"{'':6}"
            previous = took
            print(f"{kind:8} {kb:>6}KB {took:8.2f} {ratio} {peak:8.1f}")
            if kb >= 1000 and (took > 10 or peak > 500):
                missed = True
    print("target (1 MB in under 10 s and 500 MB):", "missed" if missed else "met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
