"""Wire copies: near-identical texts found by MinHash LSH and counted once for corroboration."""

from __future__ import annotations

import ast
import random

import pytest

from summarizer.merge import merge
from summarizer.models import GroundedArticle
from summarizer.wire import shingles, wire_groups, wire_reports

from .conftest import ROOT
from .test_merge import figure

WIRE = (
    "GENEVA - Flooding along the upper Rhine forced about 7,000 people from their homes on "
    "Tuesday, regional officials said, as river levels rose to their highest point in two "
    "decades. Emergency crews evacuated villages near Basel overnight and closed three "
    "bridges to traffic while engineers inspected them for damage. The regional government "
    "said 150 soldiers had been sent to help reinforce dikes and that shelters in schools "
    "and sports halls were open to anyone who needed them. Forecasters expect more rain on "
    "Wednesday before conditions improve later in the week, the weather service said in a "
    "statement. Insurance groups said it was too early to estimate the cost of the damage, "
    "but farmers warned that much of the spring harvest was lost."
)
OWN = (
    "Our correspondent in Basel watched as boats ferried families from the flooded old "
    "town. Local fire chief Marta Keller said her teams had worked through the night and "
    "that 7,000 residents had left, many to stay with relatives on higher ground. The city "
    "opened its main exhibition hall to evacuees and appealed for blankets and dry food, "
    "while shopkeepers along the river piled sandbags against their doors."
)


def copies() -> dict[str, str]:
    """One wire report run by three outlets (each its own byline and footer), and one
    outlet's own report of the same event."""
    return {
        "ap-herald": "By The Associated Press\n" + WIRE + "\nCopyright the Herald.",
        "ap-post": WIRE.replace("GENEVA - ", "GENEVA (AP) — ") + "\nAP writer contributed.",
        "ap-times": "Updated 9:14 a.m.\n" + WIRE + "\nRead more: floods in Europe.",
        "basel-daily": OWN,
    }


def test_wire_copies_are_one_report() -> None:
    """Three copies of one wire story are one report; an outlet's own story is its own."""
    reports = wire_reports(copies())
    assert reports == {
        "ap-herald": "ap-herald",
        "ap-post": "ap-herald",
        "ap-times": "ap-herald",
        "basel-daily": "basel-daily",
    }
    assert wire_groups(reports) == [("ap-herald", "ap-post", "ap-times")]


def test_distinct_texts_map_to_themselves() -> None:
    """No near-duplicates: every article is its own report (the brief is unchanged)."""
    texts = {p.stem: p.read_text("utf-8") for p in sorted((ROOT / "articles").iterdir())}
    assert wire_reports(texts) == {k: k for k in texts}


def test_a_copy_cut_short_is_the_same_report() -> None:
    """An outlet that runs the first two thirds of the wire text carries the same report."""
    texts = copies()
    cut = WIRE[: len(WIRE) * 2 // 3]
    texts["wire-brief"] = cut[: cut.rfind(".") + 1] + "\nMore to follow."
    assert wire_reports(texts)["wire-brief"] == "ap-herald"
    assert wire_groups(wire_reports(texts)) == [("ap-herald", "ap-post", "ap-times", "wire-brief")]


def test_same_story_from_different_outlets_is_not_a_copy() -> None:
    """The development corpus: 2 to 5 outlets' own reports of each story, none a copy."""
    folder = ROOT.parent / "shared" / "corpus" / "articles"
    if not folder.is_dir():
        pytest.skip("the shared corpus is not beside this checkout")
    texts = {p.stem: p.read_text("utf-8") for p in sorted(folder.iterdir())}
    assert len(texts) > 40
    assert wire_reports(texts) == {k: k for k in texts}


def test_order_does_not_matter() -> None:
    """The same texts in any order give the same groups."""
    texts = copies()
    shuffled = dict(
        random.Random(7).sample(  # noqa: S311 - a fixed order, not a secret
            sorted(texts.items()), k=len(texts)
        )
    )
    assert wire_reports(shuffled) == wire_reports(texts)


def test_short_and_empty_texts() -> None:
    """Texts shorter than a shingle still hash; an empty text is its own report."""
    assert shingles("Two words") == {b"two words"}
    assert wire_reports({"a": "", "b": "Two words", "c": "Two words"}) == {
        "a": "a",
        "b": "b",
        "c": "b",
    }


def test_candidates_come_from_the_index_not_from_every_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1,000 texts that each share half their words with a neighbour (so every one is a
    suspect) cost a few similarity checks each, not the 499,500 pairs; none is a copy."""
    from summarizer import wire

    calls = 0
    original = wire.jaccard

    def counting(a: set[bytes], b: set[bytes]) -> float:
        nonlocal calls
        calls += 1
        return original(a, b)

    monkeypatch.setattr(wire, "jaccard", counting)
    rng = random.Random(1)  # noqa: S311 - reproducible test texts, not a secret
    words = [f"w{i}" for i in range(5000)]
    blocks = [" ".join(rng.choices(words, k=40)) for i in range(1001)]
    texts = {f"t{i:04d}": f"{blocks[i]} {blocks[i + 1]}" for i in range(1000)}
    texts["t9999"] = texts["t0000"]
    reports = wire_reports(texts)
    assert reports["t9999"] == "t0000"
    assert sum(1 for k, v in reports.items() if k != v) == 1
    assert 0 < calls < 10_000


def test_a_batch_without_shared_text_never_loads_the_index(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Texts that share too little to be copies are ruled out before any MinHash is made."""
    import datasketch

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the index was built")

    monkeypatch.setattr(datasketch.MinHash, "bulk", refuse)
    texts = {k: v for k, v in copies().items() if k in ("ap-herald", "basel-daily")}
    assert wire_reports(texts) == {"ap-herald": "ap-herald", "basel-daily": "basel-daily"}


def grounded(article_id: str, *values: float) -> GroundedArticle:
    return GroundedArticle(
        article_id=article_id,
        summary="Floods on the Rhine. More.",
        figures=tuple(figure(article_id, v, at=10 * i) for i, v in enumerate(values)),
        terms=(("b:flood", 3), ("b:rhine", 2), ("n:basel", 1)),
    )


def test_corroboration_counts_independent_reports() -> None:
    """Three wire copies and one own report stating 7,000: corroborated by 2 reports, not 4;
    the brief says '4 outlets, 2 independent reports'. Without the map nothing changes."""
    articles = [
        grounded("ap-herald", 7000, 150),
        grounded("ap-post", 7000, 150),
        grounded("ap-times", 7000, 150),
        grounded("basel-daily", 7000),
    ]
    plain = merge(articles)
    (story,) = plain.stories
    by_value = {g.values[0].value: g.corroboration for g in story.figures}
    assert by_value == {7000: 4, 150: 3}
    assert merge(articles, reports={a.article_id: a.article_id for a in articles}) == plain

    counted = merge(articles, reports=wire_reports(copies()))
    (story,) = counted.stories
    by_value = {g.values[0].value: g.corroboration for g in story.figures}
    assert by_value == {7000: 2, 150: 1}
    single = {g.values[0].value: g.single_source for g in story.figures}
    assert single == {7000: False, 150: True}
    assert (
        "4 outlets, 2 independent reports (one wire report run by ap-herald, ap-post, ap-times)."
        in story.summary
    )
    assert any("(2 of 2 independent reports)" in line for line in story.summary)


def test_one_wire_report_everywhere_is_said_so() -> None:
    """Three outlets running one wire text: '3 outlets, 1 wire report'."""
    articles = [grounded(i, 7000) for i in ("ap-herald", "ap-post", "ap-times")]
    reports = dict.fromkeys(("ap-herald", "ap-post", "ap-times"), "ap-herald")
    (story,) = merge(articles, reports=reports).stories
    assert "3 outlets, 1 wire report (run by ap-herald, ap-post, ap-times)." in story.summary
    assert story.figures[0].single_source


def test_wire_module_imports_no_model_code() -> None:
    """wire is pure: no openai, instructor, HTTP client or extraction layer."""
    tree = ast.parse((ROOT / "summarizer" / "wire.py").read_text("utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    forbidden = ("openai", "instructor", "httpx2", "summarizer.llm", "summarizer.extract")
    assert not [n for n in names if n.startswith(forbidden)]
