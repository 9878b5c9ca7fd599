"""What the model is asked to judge about one article, and how its answer is read. Pure.

The text is harvested first: every quoted passage (with an id, Q1, Q2 ...) and every name
the article mentions. The model then judges what the text alone cannot decide, in a form
a small model can do reliably: who said each quote (one of the article's names, or
"unknown"), which of the names take part in the story and how, and what the story is about.
The answer's speakers and actors are constrained to the article's names by the JSON Schema
(an enum), so a constrained decoder cannot invent one; grounding then checks every answer
against the text again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from summarizer.models import (
    Actor,
    Article,
    ArticleExtraction,
    NonBlank,
    Quote,
    Short,
    StrictModel,
    check_summary,
)
from summarizer.names import candidates
from summarizer.prompts import PromptTemplate, fence_line, fence_text
from summarizer.quotes import QuotePassage, harvest_quotes

UNKNOWN = "unknown"
#: Names offered to the model per article (most mentioned first, then text order).
MAX_NAMES = 60


class ActorAnswer(StrictModel):
    """One name that takes part in the story."""

    name: str = Field(description="A name from the list of names.")
    kind: Literal["person", "organization", "country", "group", "other"]
    role: Short = Field(description="What they do in this story, in a few words.")


class ArticleJudgement(StrictModel):
    """The model's judgements about one article."""

    headline: Annotated[NonBlank, Field(max_length=150)] = Field(description="A factual headline.")
    summary: str = Field(max_length=600, description="What happened, in 2-3 sentences.")
    event: Short = Field(description="The main event: who did what, where, in one line.")
    speakers: BaseModel = Field(description="Quote id -> who said it.")
    actors: list[ActorAnswer] = Field(max_length=10)

    @field_validator("summary")
    @classmethod
    def _short_summary(cls, value: str) -> str:
        return check_summary(value)


@dataclass(frozen=True)
class Request:
    """Everything one model call about an article needs, built from its text alone."""

    messages: list[dict[str, str]]
    passages: list[QuotePassage]
    names: list[str]
    response_model: type[ArticleJudgement]  # with the article's names and quote ids as enums


def judgement_model(names: list[str], quote_ids: list[str]) -> type[ArticleJudgement]:
    """`ArticleJudgement` with speakers, quote ids and actor names limited to these values."""
    name_type: Any = Literal[tuple(names)] if names else str  # type: ignore[valid-type]
    speaker_type: Any = Literal[(*names, UNKNOWN)]  # type: ignore[valid-type]
    # One required property per quote, in order: a constrained decoder must answer each.
    speakers = create_model(
        "Speakers",
        __config__=ConfigDict(extra="forbid", strict=True, frozen=True),
        __doc__="Who said each quote: a name from the list of names, or 'unknown'.",
        **{q: (speaker_type, ...) for q in quote_ids},
    )
    actor = create_model(
        "ActorAnswer",
        __base__=ActorAnswer,
        name=(name_type, Field(description="A name from the list of names.")),
    )
    model = create_model(
        "ArticleJudgement",
        __base__=ArticleJudgement,
        speakers=(speakers, ...),
        actors=(list[actor], Field(min_length=1 if names else 0, max_length=10)),  # type: ignore[valid-type]
    )
    model.__doc__ = ArticleJudgement.__doc__
    return model


def marked_text(text: str, passages: list[QuotePassage]) -> str:
    """The article with each harvested quote's id just before its opening mark: [Q1]“…”."""
    out, at = [], 0
    for i, p in enumerate(passages, 1):
        mark = p.start
        while mark > at and text[mark - 1] in "“\"\u201e ":
            mark -= 1
            if text[mark] != " ":
                break
        out += [text[at:mark], f"[Q{i}]"]
        at = mark
    out.append(text[at:])
    return "".join(out)


def judges(prompt: PromptTemplate) -> bool:
    """Whether a prompt asks for judgements on harvested items (v2 on), not a free extraction."""
    return {"names", "quotes"} <= set(prompt.variables)


def build_request(article: Article, prompt: PromptTemplate) -> Request:
    """The messages and response model for one article.

    Args:
        article: the article (or one chunk of it).
        prompt: a template taking article_id, title, source, published, names, quotes, text.
    """
    passages = harvest_quotes(article.text)
    names = candidates(article.text, limit=MAX_NAMES)
    system, user = prompt.render(
        article_id=fence_line(article.id),
        title=fence_line(article.title or "(none)"),
        source=fence_line(article.source or "(unknown)"),
        published=article.published.isoformat() if article.published else "(unknown)",
        names="; ".join(fence_line(n) for n in names) or "(none)",
        quotes=", ".join(f"Q{i}" for i in range(1, len(passages) + 1)) or "(none)",
        text=fence_text(marked_text(article.text, passages)),
    )
    return Request(
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        passages=passages,
        names=names,
        response_model=judgement_model(names, [f"Q{i}" for i in range(1, len(passages) + 1)]),
    )


def to_extraction(answer: ArticleJudgement, request: Request) -> ArticleExtraction:
    """Read the model's answer as an `ArticleExtraction`: quotes get their harvested words.

    Answers outside the offered values (possible when a server ignores the schema) are
    dropped here; grounding checks the rest against the text.
    """
    names = set(request.names)
    said: dict[int, str] = {}
    for key, speaker in answer.speakers.model_dump().items():
        index = int(key[1:]) - 1 if key[1:].isdigit() else -1
        if 0 <= index < len(request.passages) and speaker in names:
            said.setdefault(index, speaker)
    quotes = [
        Quote(speaker=speaker, text=request.passages[i].text[:300])
        for i, speaker in sorted(said.items())
        if request.passages[i].text.strip()
    ]
    actors: dict[str, Actor] = {}
    for a in answer.actors:
        if a.name in names and a.name not in actors:
            actors[a.name] = Actor(name=a.name, kind=a.kind, role=a.role, aliases=[])
    return ArticleExtraction(
        headline=answer.headline.strip()[:300],
        summary=answer.summary,
        event=answer.event,
        actors=list(actors.values()),
        quotes=quotes,
        figures=[],
        dates=[],
    )
