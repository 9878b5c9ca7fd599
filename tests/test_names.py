"""The name finder: runs of capitalised words, titles dropped, short forms folded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from summarizer.names import candidates, find_names, full_forms, is_person, load_lexicon

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("German Chancellor Olaf Scholz said on Monday.", "Olaf Scholz"),
        ("Fed Chair Jerome Powell spoke.", "Jerome Powell"),
        ("Apple CEO Tim Cook announced it.", "Tim Cook"),
        ("He met Secretary of State Mike Pompeo there.", "Mike Pompeo"),
        ("The Department of Justice said so.", "Department of Justice"),
        ("The Food and Drug Administration agreed.", "Food and Drug Administration"),
        ("It was the University and College Union that struck.", "University and College Union"),
    ],
)
def test_titles_are_dropped_and_organisations_kept_whole(text: str, name: str) -> None:
    """A title before a person's name is dropped; an organisation's name is kept whole."""
    assert name in [m.name for m in find_names(text)]


def test_sentence_openings_months_and_pairs_are_not_names() -> None:
    """'Officials', weekdays, months and 'Italy and Hawaii' are not one name."""
    text = (
        "Officials said the vote was on Tuesday in March. The trip went to Italy and Hawaii. "
        "officials agreed."
    )
    names = [m.name for m in find_names(text)]
    assert "Officials" not in names
    assert "Tuesday" not in names
    assert "March" not in names
    assert "Italy" in names
    assert "Hawaii" in names
    assert "Italy and Hawaii" not in names


def test_offsets_point_at_the_name() -> None:
    """Every mention's offsets give back its name."""
    text = "Rep. Jane Roe, a Democrat, said Roe’s plan was ready."
    for m in find_names(text):
        assert text[m.start : m.end] == m.name


def test_short_forms_fold_into_one_full_name_only_when_unambiguous() -> None:
    """'McKenna' is Peter McKenna; 'Hunter' stays itself when two Hunters are named."""
    one = find_names("Peter McKenna spoke. Later McKenna left.")
    assert full_forms(one)["McKenna"] == "Peter McKenna"
    two = find_names("Duncan Hunter and Margaret Hunter spoke. Hunter left.")
    assert "Hunter" not in full_forms(two)


def test_candidates_are_distinct_full_names_in_text_order() -> None:
    """Each person once, by the full name, in the order the article first names them."""
    text = "LONDON — Peter McKenna of the London Ambulance Service spoke. McKenna said more."
    # a one-word dateline that opens the text and is never repeated is not a name
    assert candidates(text) == ["Peter McKenna", "London Ambulance Service"]


@pytest.mark.parametrize(
    ("text", "kept", "dropped"),
    [
        ("Lisbon-based Vantor said so.", ["Vantor"], ["Lisbon-based Vantor", "Lisbon"]),
        ("The Vantor-nominated directors met.", ["Vantor"], ["Vantor-nominated"]),
        ("Rural-leaning states voted.", [], ["Rural-leaning"]),
        ("“I’m ready,” Jane Roe said.", ["Jane Roe"], ["I’m"]),
        (
            "said Senator Ann Lee, a Vermont Democrat. Ms. Lee, the Vermont Democrat, left.",
            ["Ann Lee"],
            ["Vermont Democrat"],
        ),
        ("An Acme spokesman said it. Acme agreed.", ["Acme"], []),
        ("Drs. Ann Lee and Sam Poe operated.", ["Ann Lee", "Sam Poe"], ["Drs. Ann Lee"]),
    ],
)
def test_descriptions_are_not_names(text: str, kept: list[str], dropped: list[str]) -> None:
    """A compound adjective ("Lisbon-based"), a contraction, or a capitalised phrase after
    "a"/"an" that ends there ("a Vermont Democrat") describes; it is not a name. A name
    before a noun ("an Acme spokesman") is still one."""
    names = candidates(text)
    assert [n for n in kept if n not in names] == []
    assert [n for n in dropped if n in names] == []


def test_lexicon_is_versioned_data() -> None:
    """The word lists come from the versioned data file, not from code."""
    lexicon = load_lexicon()
    assert lexicon.version == "1"
    assert {"president", "ceo", "chancellor"} <= lexicon.titles
    assert "tuesday" in lexicon.calendar_words


# Words that occur only in the five sample articles (and never in general English lists).
SAMPLE_ONLY = ("Daesh", "Hasakah", "Hasaka", "al-Hol", "CENTCOM", "Kallas", "Chechen", "Iraqi")


def test_no_sample_only_words_in_the_code() -> None:
    """No word that occurs only in the sample articles appears in summarizer/ (code or data)."""
    found = []
    for path in sorted((ROOT / "summarizer").rglob("*")):
        if path.suffix not in (".py", ".yaml", ".html", ".j2", ".md") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        for word in SAMPLE_ONLY:
            if re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE):
                found.append(f"{path.relative_to(ROOT)}: {word}")
    assert found == []


@pytest.mark.parametrize(
    ("name", "text", "person"),
    [
        ("Sam Poe", "Mayor Sam Poe spoke.", True),
        ("Poe", "Mr. Poe spoke.", True),
        ("Ann Lee", "Ann Lee, a former judge, spoke.", True),
        ("Water Board", "Chairman of the Water Board spoke.", False),  # an organisation
        ("Vale Corp", "Vale Corp said it would appeal.", False),  # nothing marks a person
        ("Erie", "Rain fell in Erie, a city in Pennsylvania.", False),  # one word described
    ],
)
def test_is_person_needs_a_title_or_a_description(name: str, text: str, person: bool) -> None:
    """A title before the name, or a description after a full name, marks a person."""
    assert is_person(name, text) is person
