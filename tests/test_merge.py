"""The merge on small hand-made grounded articles: pure, deterministic, order-independent."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.merge import ActorIndex, core_name, merge
from summarizer.models import (
    FigureGroup,
    GroundedActor,
    GroundedArticle,
    GroundedDate,
    GroundedFigure,
    GroundedQuote,
    SourceSpan,
)
from summarizer.render.json import render_json
from summarizer.render.markdown import render_markdown


def span(article: str, start: int = 0, end: int = 1) -> SourceSpan:
    return SourceSpan(article_id=article, start=start, end=end, status="exact")


def actor(
    article: str, name: str, kind: str = "person", aliases: tuple[str, ...] = ()
) -> GroundedActor:
    return GroundedActor(name=name, kind=kind, role="", aliases=aliases, span=span(article))  # type: ignore[arg-type]


def figure(
    article: str,
    value: float,
    unit: str = "people",
    *,
    anchor: str | None = None,
    qualifier: str = "exact",
    upper: float | None = None,
    at: int = 0,
    context: tuple[str, ...] = (),
) -> GroundedFigure:
    return GroundedFigure(
        value=value,
        upper=upper,
        qualifier=qualifier,
        unit=unit,
        unit_class=unit,
        measure="detainees",
        anchor=anchor,
        anchor_distance=0 if anchor else None,
        text=str(value),
        context=context,
        span=span(article, at, at + 3),
    )


def quote(article: str, text: str, speaker: str | None, at: int = 0) -> GroundedQuote:
    return GroundedQuote(
        text=text, speaker=speaker, speaker_rule="explicit", span=span(article, at, at + len(text))
    )


def date(
    article: str, expression: str, iso: str | None, sentence: str, kind: str = "explicit"
) -> GroundedDate:
    return GroundedDate(
        expression=expression,
        iso=iso,
        kind=kind,
        sentence=sentence,
        precision="day" if iso else "unresolved",
        span=span(article, 5, 9),
    )


def article(article_id: str, **items: object) -> GroundedArticle:
    return GroundedArticle(article_id=article_id, summary="A summary. More.", **items)  # type: ignore[arg-type]


A = article(
    "a",
    actors=(
        actor("a", "Iraqi Foreign Minister Fuad Hussein"),
        actor("a", "Kaja Kallas"),
        actor("a", "Daesh", "group"),
    ),
    quotes=(quote("a", "Iraq should not bear the costs alone", "Fuad Hussein"),),
    figures=(
        figure("a", 7000, qualifier="up to"),
        figure("a", 150),
        figure("a", 45000, anchor="al-Hol camp", at=40),
    ),
    dates=(
        date(
            "a",
            "23 January 2026",
            "2026-01-23",
            "Fuad Hussein spoke with Kaja Kallas on 23 January 2026.",
        ),
    ),
)
B = article(
    "b",
    actors=(actor("b", "Hussein"), actor("b", "Islamic State", "group", ("ISIS",))),
    quotes=(
        quote("b", "Iraq should not bear the costs alone.", "Hussein"),
        quote("b", "preliminary approval", None, 50),
    ),
    figures=(
        figure("b", 7000, qualifier="about"),
        figure("b", 150),
        figure("b", 25183, anchor="al-Hol camp", at=40),
        figure("b", 120, upper=1500, anchor="al-Shaddadi prison", at=60),
    ),
    dates=(
        date(
            "b",
            "Saturday",
            None,
            "Hussein held a phone call with Kaja Kallas on Saturday.",
            "weekday",
        ),
    ),
)
C = article(
    "c",
    actors=(actor("c", "ISIS", "group"), actor("c", "Fuad Hussein")),
    figures=(figure("c", 7000, qualifier="up to"), figure("c", 120, anchor="al-Shaddadi prison")),
)
OTHER = article(
    "z",
    actors=(actor("z", "Angela Merkel"), actor("z", "Olaf Scholz")),
    figures=(figure("z", 300, "USD"),),
)


def test_titles_and_descriptions_are_dropped_from_names() -> None:
    """'Iraqi Foreign Minister Fuad Hussein' and 'EU foreign policy chief Kaja Kallas' reduce."""
    assert core_name("Iraqi Foreign Minister Fuad Hussein") == "Fuad Hussein"
    assert core_name("EU foreign policy chief Kaja Kallas") == "Kaja Kallas"


def test_actors_resolve_across_articles() -> None:
    """Fuad Hussein / Hussein / the titled form are one person; an acronym joins its name.

    No list of synonyms: "Daesh" is another group's name unless an article says it is the
    same (as an alias), which the model or the text must show.
    """
    index = ActorIndex([A, B, C])
    assert index.canonical("Hussein") == index.canonical("Iraqi Foreign Minister Fuad Hussein")
    assert index.canonical("Islamic State") == index.canonical("ISIS")
    assert index.canonical("Daesh") != index.canonical("ISIS")
    brief = merge([A, B, C])
    names = {a.name: a for a in brief.stories[0].actors}
    assert names["Fuad Hussein"].sources == ("a", "b", "c")
    assert names["Islamic State"].sources == ("b", "c")


def test_quotes_are_deduplicated_across_outlets() -> None:
    """The same words from two outlets are one quote with both sources."""
    story = merge([A, B]).stories[0]
    (q,) = [q for q in story.quotes if q.text.startswith("Iraq should")]
    assert q.sources == ("a", "b")
    assert q.speaker == "Fuad Hussein"
    assert [u.text for u in story.unattributed] == ["preliminary approval"]


def test_corroboration_and_single_source() -> None:
    """Same value and unit from several sources is corroborated by each, qualifiers aside."""
    story = merge([A, B, C]).stories[0]
    by_value = {g.values[0].value: g for g in story.figures if not g.conflict}
    assert by_value[7000.0].corroboration == 3
    assert by_value[150.0].corroboration == 2
    assert not by_value[150.0].single_source


def test_conflicts_are_flagged_and_ranges_reconcile() -> None:
    """45,000 vs 25,183 at al-Hol is a conflict; 120 inside 120-1,500 is not."""
    story = merge([A, B, C]).stories[0]
    conflicts = [g for g in story.figures if g.conflict]
    assert [g.measure for g in conflicts] == ["people at al-Hol camp"]
    assert {v.value for v in conflicts[0].values} == {45000.0, 25183.0}
    assert "sources disagree" in conflicts[0].note


INJURED = ("injured", "passengers", "people", "police", "said")


def told(article_id: str, *figures: GroundedFigure) -> GroundedArticle:
    """An article about one event (the same two people in every outlet), with these figures."""
    people = (actor(article_id, "Anna Meier"), actor(article_id, "Jonas Brandt"))
    return article(article_id, actors=people, figures=figures)


def _conflicts(*articles: GroundedArticle) -> list[FigureGroup]:
    (story,) = merge(list(articles)).stories
    return [g for g in story.figures if g.conflict]


def test_figures_whose_words_agree_but_values_do_not_conflict() -> None:
    """'27 people were injured, police said' vs '25 ... injured': one measure, two values,
    named by the words the sources share."""
    a = told("a", figure("a", 27, context=INJURED))
    b = told("b", figure("b", 25, context=("injured", "people", "police")))
    (group,) = _conflicts(a, b)
    assert {v.value for v in group.values} == {25.0, 27.0}
    assert "injured" in group.measure


def test_a_conflict_at_one_place_says_what_the_sources_share_about_it() -> None:
    """Two sources' figures tied to one name are labelled by it and by the rarest words they
    share around the figure: "USD at Vantor (takeover bid)", not "USD at Vantor" alone."""
    words = ("takeover", "bid", "billion")
    a = told("a", figure("a", 38e9, "USD", anchor="Vantor", context=words))
    b = told("b", figure("b", 47e9, "USD", anchor="Vantor", context=(*words, "vantor")))
    (group,) = _conflicts(a, b)
    assert group.measure.startswith("USD at Vantor (")
    assert "takeover" in group.measure
    assert "bid" in group.measure
    assert "vantor" not in group.measure.removeprefix("USD at Vantor")


def test_context_alone_does_not_make_a_conflict() -> None:
    """No conflict when one source states both values ('15 of the 19'), when the sources
    share one word only, or when the values are far apart (2 vs 20)."""
    a = told("a", figure("a", 27, context=INJURED))
    both = told("a", figure("a", 27, context=INJURED), figure("a", 25, context=INJURED, at=9))
    b = told("b", figure("b", 25, context=INJURED))
    one_word = told("c", figure("c", 25, context=("injured", "crash")))
    far = told("d", figure("d", 60, context=INJURED))
    assert _conflicts(a, b)
    assert not _conflicts(both, b)
    assert not _conflicts(a, one_word)
    assert not _conflicts(a, far)


def test_timeline_flags_a_weekday_that_contradicts_a_date() -> None:
    """23 January 2026 was a Friday; another outlet's 'Saturday' for the same call conflicts."""
    story = merge([A, B]).stories[0]
    (call,) = [e for e in story.timeline if e.label.startswith("Call")]
    assert call.conflict
    assert call.sources == ("a", "b")
    assert "Friday" in call.note


def test_dates_weeks_apart_are_two_events_not_a_conflict() -> None:
    """One sentence kind and actor with days weeks apart ("the 11 September attacks" and "the
    vote on Wednesday") are two events; days within a week that differ are a conflict."""
    said = "Jane Roe held a call with Sam Poe"

    def dated(article_id: str, expression: str, iso: str) -> GroundedArticle:
        people = (actor(article_id, "Jane Roe"), actor(article_id, "Sam Poe"))
        when = date(article_id, expression, iso, f"{said} on {expression}.")
        return article(article_id, actors=people, dates=(when,))

    far = merge([dated("a", "11 September", "2026-09-11"), dated("b", "Wednesday", "2026-09-30")])
    near = merge([dated("a", "Tuesday", "2026-09-29"), dated("b", "Wednesday", "2026-09-30")])
    far_events = [e for story in far.stories for e in story.timeline]
    near_events = [e for story in near.stories for e in story.timeline]
    assert not any(e.conflict for e in far_events)
    assert [e.date for e in far_events if e.label.startswith("Call")] == [
        "2026-09-11",
        "2026-09-30",
    ]
    assert [e.conflict for e in near_events if e.label.startswith("Call")] == [True]


def test_an_article_id_with_a_hash_sign_keeps_its_timeline() -> None:
    """Article ids come from file names and JSON; a '#' in one is no part of an event key."""
    (story,) = merge(
        [article("issue#12", dates=(date("issue#12", "Tuesday", "2026-03-03", "It rained."),))]
    ).stories
    assert [e.label for e in story.timeline] == ["It rained."]


def test_a_quote_without_a_speaker_is_listed_as_unattributed() -> None:
    """A quote the rules and the model leave without a speaker gets its own section."""
    md = render_markdown(merge([A, B]))
    section = md.split("### Unattributed quotes", 1)[1]
    assert "preliminary approval" in section.split("##", 1)[0]


def test_unrelated_articles_form_separate_stories() -> None:
    """Articles sharing nothing are different stories; related ones stay together."""
    brief = merge([A, B, C, OTHER])
    assert [s.article_ids for s in brief.stories] == [("a", "b", "c"), ("z",)]
    assert [s.number for s in brief.sources] == [1, 2, 3, 4]


def test_merge_does_not_mutate_or_depend_on_the_clock() -> None:
    """Two merges of the same inputs are equal, and the inputs are unchanged."""
    before = A.model_dump_json()
    assert merge([A, B]) == merge([A, B])
    assert A.model_dump_json() == before


@settings(max_examples=30, deadline=None)
@given(st.permutations([A, B, C, OTHER]))
def test_brief_is_byte_identical_for_any_input_order(order: list[GroundedArticle]) -> None:
    """Any order of the same inputs renders the same JSON and Markdown, byte for byte."""
    reference = merge([A, B, C, OTHER])
    brief = merge(order)
    assert render_json(brief) == render_json(reference)
    assert render_markdown(brief) == render_markdown(reference)
