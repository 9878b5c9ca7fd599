"""Wire copies: the same AP or Reuters report run by several outlets is one independent report.

Near-identical texts are found with MinHash over word shingles and locality-sensitive
hashing (datasketch's `MinHash` and `MinHashLSH`): each text is hashed once and looked up
in the index, so the work grows with the number of texts, not with the number of pairs.
A candidate pair is kept when its estimated Jaccard similarity reaches the threshold; the
kept pairs are joined into groups. Pure: the same texts give the same groups, in any order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: Estimated Jaccard similarity of word 5-shingles above which two texts are one report.
#: Copies of one wire story with a different lede, byline or footer score 0.7 to 0.95;
#: two outlets' own reports of the same event score under 0.2.
DEFAULT_THRESHOLD = 0.7
SHINGLE_WORDS = 5
NUM_PERM = 128
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The text's overlapping runs of `size` lower-cased words (the words, if fewer)."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def wire_reports(
    texts: Mapping[str, str], *, threshold: float = DEFAULT_THRESHOLD
) -> dict[str, str]:
    """Which report each article is a copy of.

    Args:
        texts: article id -> article text.
        threshold: estimated Jaccard similarity from which two texts are one report.

    Returns:
        Article id -> report id: the smallest article id of its near-duplicate group. An
        article that copies no other maps to itself.
    """
    from datasketch import MinHash, MinHashLSH

    ids = sorted(texts)
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    hashes: dict[str, MinHash] = {}
    for article_id in ids:
        grams = shingles(texts[article_id])
        if not grams:
            continue
        m = MinHash(num_perm=NUM_PERM, seed=1)
        m.update_batch(sorted(grams))
        for other in sorted(lsh.query(m)):
            if m.jaccard(hashes[other]) >= threshold:
                a, b = sorted((find(article_id), find(other)))
                parent[b] = a
        lsh.insert(article_id, m)
        hashes[article_id] = m
    return {i: find(i) for i in ids}


def wire_groups(reports: Mapping[str, str]) -> list[tuple[str, ...]]:
    """The groups of two or more articles that are one report, each sorted, in id order."""
    groups: dict[str, list[str]] = {}
    for article_id, report in sorted(reports.items()):
        groups.setdefault(report, []).append(article_id)
    return [tuple(g) for _, g in sorted(groups.items()) if len(g) > 1]
