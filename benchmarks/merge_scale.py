"""Merge scaling on synthetic grounded articles: 1,000 and 10,000 articles in many stories.

Run: python benchmarks/merge_scale.py
Targets (issue #4): 10,000 merged in under 5 s on a 2-core machine, and
time(10,000) / time(1,000) at most 12. Times are the best of 5 (1,000) and 3 (10,000) runs;
peak memory is reported from a separate tracemalloc run. Exit status 1 if a target is missed.
"""

from __future__ import annotations

import random
import sys
import time
import tracemalloc

from summarizer.merge import merge
from summarizer.models import (
    GroundedActor,
    GroundedArticle,
    GroundedDate,
    GroundedFigure,
    GroundedQuote,
    SourceSpan,
)

ARTICLES_PER_STORY = 8


def _span(aid: str, start: int) -> SourceSpan:
    return SourceSpan(article_id=aid, start=start, end=start + 10, status="exact")


def synthetic(n: int, seed: int = 7) -> list[GroundedArticle]:
    """n articles, about ARTICLES_PER_STORY per story, with shared actors, figures and dates."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    out = []
    for i in range(n):
        story = i // ARTICLES_PER_STORY
        aid = f"art-{i:06d}"
        a, b = f"Person{story}a Family{story}a", f"Person{story}b Family{story}b"
        org = f"Agency{story} Council"
        anchor = f"Camp{story} camp"
        actors = (
            GroundedActor(name=a, kind="person", role="minister", span=_span(aid, 0)),
            GroundedActor(name=b, kind="person", role="envoy", span=_span(aid, 20)),
            GroundedActor(name=org, kind="organization", role="", span=_span(aid, 40)),
            GroundedActor(name="ISIS", kind="group", role="", span=_span(aid, 60)),
        )
        figures = tuple(
            GroundedFigure(
                value=float(v),
                unit="people",
                unit_class="people",
                measure="held",
                anchor=anchor if k == 0 else None,
                anchor_distance=3 if k == 0 else None,
                text=str(v),
                span=_span(aid, 100 + 20 * k),
            )
            for k, v in enumerate(
                [1_000_000 + story * 10 + rng.randint(0, 1), 500_000 + story, 7000]
            )
        )
        quotes = (
            GroundedQuote(
                text=f"We will act on case {story}",
                speaker=a,
                speaker_rule="explicit",
                span=_span(aid, 200),
            ),
            GroundedQuote(
                text=f"Outlet {i} adds its own words",
                speaker=None,
                speaker_rule="unattributed",
                span=_span(aid, 240),
            ),
        )
        day = 20 + rng.randint(0, 1)
        dates = (
            GroundedDate(
                expression=f"{day} January 2026",
                iso=f"2026-01-{day}",
                kind="explicit",
                precision="day",
                sentence=f"{a} spoke with {b} on {day} January 2026.",
                span=_span(aid, 300),
            ),
        )
        out.append(
            GroundedArticle(
                article_id=aid,
                summary=f"Story {story}. More.",
                actors=actors,
                figures=figures,
                quotes=quotes,
                dates=dates,
            )
        )
    return out


def measure(n: int) -> tuple[float, int, int]:
    """(seconds, peak bytes, stories) for merging n synthetic articles."""
    articles = synthetic(n)
    tracemalloc.start()
    start = time.perf_counter()
    brief = merge(articles)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak, len(brief.stories)


def main() -> int:
    results = {}
    for n, repeats in ((1_000, 5), (10_000, 3)):
        # Best of a few runs, timed without tracemalloc (it slows allocation-heavy code);
        # peak memory is then measured in a separate run with it.
        articles = synthetic(n)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            brief = merge(articles)
            times.append(time.perf_counter() - start)
        seconds = min(times)
        _, peak, _ = measure(n)
        results[n] = seconds
        print(
            f"{n:>6} articles, {len(brief.stories):>5} stories: {seconds:6.2f} s, "
            f"peak {peak / 2**20:6.1f} MiB (tracemalloc)"
        )
    ratio = results[10_000] / results[1_000]
    ok = results[10_000] < 5.0 and ratio <= 12
    print(
        f"time(10,000) / time(1,000) = {ratio:.1f}; targets: < 5 s and <= 12: "
        f"{'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
