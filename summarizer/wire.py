"""Wire copies: the same AP or Reuters report run by several outlets is one independent report.

Near-identical texts are found with MinHash over word shingles and locality-sensitive
hashing (datasketch's `MinHash` and `MinHashLSH`): each text is hashed once and looked up
in the index, so the work grows with the number of texts, not with the number of pairs.
The index is asked with a lower threshold than the one that decides, so that few true
copies are missed; each candidate pair is then kept when the exact Jaccard similarity of
its shingle sets reaches the threshold, and the kept pairs are joined into groups.
Pure: the same texts give the same groups, in any order.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

#: Jaccard similarity of word 5-shingles from which two texts are one report.
#: A copy of a wire story with its own byline and footer scores 0.8 to 0.95, one cut to its
#: first two thirds about 0.6; two outlets' own reports of one event score at most 0.16 in
#: the development corpus (../shared/corpus: 46 articles, 2 to 5 outlets a story).
DEFAULT_THRESHOLD = 0.5
#: The index's threshold, as a share of the deciding one: candidates are cheap to check.
RECALL_MARGIN = 0.7
SHINGLE_WORDS = 5
NUM_PERM = 128
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The text's overlapping runs of `size` lower-cased words (the words, if fewer)."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def jaccard(a: set[bytes], b: set[bytes]) -> float:
    """|a & b| / |a | b| of two shingle sets."""
    return len(a & b) / len(a | b) if a or b else 0.0


def wire_reports(
    texts: Mapping[str, str], *, threshold: float = DEFAULT_THRESHOLD
) -> dict[str, str]:
    """Which report each article is a copy of.

    Args:
        texts: article id -> article text.
        threshold: Jaccard similarity of shingle sets from which two texts are one report.

    Returns:
        Article id -> report id: the smallest article id of its near-duplicate group. An
        article that copies no other maps to itself.
    """
    ids = sorted(texts)
    parent = {i: i for i in ids}
    sets = {i: shingles(texts[i]) for i in ids}
    # Jaccard(A, B) >= t needs at least t of A's shingles (and of B's) to occur in another
    # text: one count over all shingles rules out most texts exactly, in linear time, and a
    # batch with no candidate at all never loads the index.
    seen = Counter(g for grams in sets.values() for g in grams)
    suspects = [
        i for i in ids if sets[i] and sum(seen[g] > 1 for g in sets[i]) >= threshold * len(sets[i])
    ]
    if len(suspects) < 2:
        return {i: i for i in ids}
    from datasketch import MinHash, MinHashLSH

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    lsh = MinHashLSH(threshold=threshold * RECALL_MARGIN, num_perm=NUM_PERM)
    hashed = suspects
    # One set of permutations for all texts (`bulk`), not one made per text.
    signatures = MinHash.bulk([sorted(sets[i]) for i in hashed], num_perm=NUM_PERM, seed=1)
    grams: dict[str, set[bytes]] = {}
    for article_id, m in zip(hashed, signatures, strict=True):
        mine = sets[article_id]
        for other in sorted(lsh.query(m)):
            if jaccard(mine, grams[other]) >= threshold:
                a, b = sorted((find(article_id), find(other)))
                parent[b] = a
        lsh.insert(article_id, m)
        grams[article_id] = mine
    return {i: find(i) for i in ids}


def wire_groups(reports: Mapping[str, str]) -> list[tuple[str, ...]]:
    """The groups of two or more articles that are one report, each sorted, in id order."""
    groups: dict[str, list[str]] = {}
    for article_id, report in sorted(reports.items()):
        groups.setdefault(report, []).append(article_id)
    return [tuple(g) for _, g in sorted(groups.items()) if len(g) > 1]
