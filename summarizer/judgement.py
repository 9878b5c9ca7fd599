"""What the model is asked to judge about one article, and how its answers are read. Pure.

The text is harvested first: every quoted passage (marked [Q1], [Q2] ... in the text the
model reads) and every name the article mentions. The model then judges what the text
alone cannot decide, in forms a small model does reliably:

1. one call about the article: a headline, a summary, the main event, and which of the
   article's names take part and how;
2. one short call per quote: who said it, shown the quote, the paragraph it stands in and
   the two before it; the answer is one of the names in that passage or among the first
   call's actors, or "unknown". A short question with few allowed answers is what a small
   model answers reliably; a whole article with every quote at once is not.

Names are constrained by the JSON Schema (an enum of the article's names), so a constrained
decoder cannot invent one; grounding then checks every answer against the text again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, create_model

from summarizer.models import (
    Actor,
    Article,
    ArticleExtraction,
    NonBlank,
    Quote,
    Short,
    StrictModel,
    Summary,
)
from summarizer.names import candidates, find_names, full_forms
from summarizer.prompts import PromptTemplate, fence_line, fence_text
from summarizer.quotes import CERTAIN_RULES, QuotePassage, attribute_quotes, harvest_quotes

UNKNOWN = "unknown"
#: Names offered to the model per article (most mentioned first, then text order).
MAX_NAMES = 60
#: Paragraphs shown before the one a quote stands in.
CONTEXT_PARAGRAPHS = 2
#: Characters of context at most, before the quote.
CONTEXT_CHARS = 1000
#: Names a quote's speaker may be (those in its passage first, then the article's actors).
MAX_SPEAKERS = 16
#: Quotes asked about per article at most (the rest keep the rules' attribution).
MAX_QUOTE_CALLS = 12
#: Words of a long quote shown in the question; the passage shows all of it.
QUOTE_WORDS = 40


class ActorAnswer(StrictModel):
    """One name that takes part in the story."""

    name: str = Field(description="A name from the list of names.")
    kind: Literal["person", "organization", "country", "group", "other"]
    role: Short = Field(description="What they do in this story, in a few words.")


class ArticleJudgement(StrictModel):
    """The model's judgements about one article."""

    headline: Annotated[NonBlank, Field(max_length=150)] = Field(description="A factual headline.")
    summary: Summary = Field(max_length=600, description="What happened, in 2-3 sentences.")
    event: Short = Field(description="The main event: who did what, where, in one line.")
    actors: list[ActorAnswer] = Field(max_length=10)


class SpeakerJudgement(StrictModel):
    """Who said one quote."""

    speaker: str = Field(description="A name from the list of names, or 'unknown'.")


@dataclass(frozen=True)
class Request:
    """Everything the model calls about an article need, built from its text alone."""

    article: Article
    prompt: PromptTemplate
    messages: list[dict[str, str]]
    passages: list[QuotePassage]
    names: list[str]
    #: ArticleJudgement with the article's names as the allowed actor names.
    response_model: type[BaseModel]
    #: Short form -> full name in this article ("Roe" -> "Jane Roe").
    fold: dict[str, str]
    #: Indexes of the quotes the model is asked about (not those `settled_by_text`).
    asked: tuple[int, ...] = ()


def judges(prompt: PromptTemplate) -> bool:
    """Whether a prompt asks for judgements on harvested items (v2 on), not a free extraction."""
    return bool(prompt.quote) and "names" in prompt.variables


def _enum(values: list[str]) -> Any:
    return Literal[tuple(values)] if values else str


def article_model(names: list[str]) -> type[BaseModel]:
    """`ArticleJudgement` whose actor names are limited to `names`."""
    actor = create_model(
        "ActorAnswer",
        __base__=ActorAnswer,
        name=(_enum(names), Field(description="A name from the list of names.")),
    )
    model = create_model(
        "ArticleJudgement",
        __base__=ArticleJudgement,
        actors=(list[actor], Field(min_length=1 if names else 0, max_length=10)),
    )
    model.__doc__ = ArticleJudgement.__doc__
    return model


def speaker_model(names: list[str]) -> type[BaseModel]:
    """`SpeakerJudgement` whose speaker is one of `names` or "unknown"."""
    model = create_model(
        "SpeakerJudgement",
        __base__=SpeakerJudgement,
        speaker=(_enum([*names, UNKNOWN]), Field(description="A name from the list, or unknown.")),
    )
    model.__doc__ = SpeakerJudgement.__doc__
    return model


def marked_text(text: str, passages: list[QuotePassage]) -> str:
    """The article with each harvested quote's id just before its opening mark: [Q1]“…”."""
    out, at = [], 0
    for i, p in enumerate(passages, 1):
        mark = p.start
        if mark > at and text[mark - 1] in '“"„«':
            mark -= 1
        out += [text[at:mark], f"[Q{i}]"]
        at = mark
    out.append(text[at:])
    return "".join(out)


def _context_span(text: str, passage: QuotePassage) -> tuple[int, int]:
    paragraphs = [m.span() for m in re.finditer(r"[^\n]+", text)]
    if not paragraphs:
        return 0, len(text)
    here = next((k for k, (a, b) in enumerate(paragraphs) if a <= passage.start <= b), 0)
    last = next((k for k, (a, b) in enumerate(paragraphs) if a <= passage.end <= b), here)
    start = max(paragraphs[max(here - CONTEXT_PARAGRAPHS, 0)][0], passage.start - CONTEXT_CHARS)
    end = min(paragraphs[max(last, here)][1], passage.end + 300)
    return start, end


def quote_context(text: str, passages: list[QuotePassage], index: int) -> str:
    """The paragraph quote `index` stands in and the two before it, bounded in length."""
    start, end = _context_span(text, passages[index])
    return text[start:end].strip()


def settled_by_text(text: str, passages: list[QuotePassage], names: list[str]) -> set[int]:
    """The quotes whose speaker the text names next to a speech verb ("Roe said", "…,” said
    Jane Roe", "according to the Water Board"), or that continue such a quote in the same
    paragraph: no model call is made for them.

    Changing the attribution rules changes which calls are made: re-record the cassettes.
    """
    found = attribute_quotes(text, passages, known_names=names)
    return {i for i, a in enumerate(found) if a.rule in CERTAIN_RULES and a.speaker}


def build_request(article: Article, prompt: PromptTemplate) -> Request:
    """The first call's messages and response models for one article.

    Args:
        article: the article (or one chunk of it).
        prompt: a v2-style template: article_id, title, source, published, names, text,
            and a quote question taking quote_id and context.
    """
    passages = harvest_quotes(article.text)
    names = candidates(article.text, limit=MAX_NAMES)
    system, user = prompt.render(
        article_id=fence_line(article.id),
        title=fence_line(article.title or "(none)"),
        source=fence_line(article.source or "(unknown)"),
        published=article.published.isoformat() if article.published else "(unknown)",
        names="; ".join(fence_line(n) for n in names) or "(none)",
        text=fence_text(marked_text(article.text, passages)),
    )
    fold = full_forms(find_names(article.text))
    settled = settled_by_text(article.text, passages, sorted(set(names) | set(fold)))
    asked = tuple(i for i in range(len(passages)) if i not in settled)[:MAX_QUOTE_CALLS]
    return Request(
        article=article,
        prompt=prompt,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        passages=passages,
        names=names,
        response_model=article_model(names),
        fold=fold,
        asked=asked,
    )


@dataclass(frozen=True)
class QuoteRequest:
    """One call about one quote: its messages, and the names it may answer with."""

    messages: list[dict[str, str]]
    names: list[str]
    response_model: type[BaseModel]


def quote_request(request: Request, answer: BaseModel, index: int) -> QuoteRequest:
    """The call about quote `index`: the names in its passage, then the first call's actors."""
    text, passage = request.article.text, request.passages[index]
    start, end = _context_span(text, passage)
    names: list[str] = []
    for m in find_names(text[start:end]):
        name = request.fold.get(m.name, m.name)
        if name not in names and name in request.names:
            names.append(name)
    for actor in answer.model_dump().get("actors", []):
        if actor["name"] not in names and actor["name"] in request.names:
            names.append(actor["name"])
    names = names[:MAX_SPEAKERS]
    words = passage.text.split()
    shown = " ".join(words[:QUOTE_WORDS]) + (" …" if len(words) > QUOTE_WORDS else "")
    system, user = request.prompt.render_quote(
        quote=fence_line(shown),
        context=fence_text(text[start:end].strip()),
        names="; ".join(fence_line(n) for n in names) or "(none)",
    )
    return QuoteRequest(
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        names=names,
        response_model=speaker_model(names),
    )


def to_extraction(
    answer: BaseModel, speakers: dict[int, str], request: Request
) -> ArticleExtraction:
    """Read the model's answers as an `ArticleExtraction`: quotes get their harvested words.

    Answers outside the offered names (possible when a server ignores the schema) are
    dropped here; grounding checks the rest against the text.
    """
    names = set(request.names)
    data = answer.model_dump()
    quotes = [
        Quote(speaker=speaker, text=request.passages[i].text[:300])
        for i, speaker in sorted(speakers.items())
        if speaker in names and request.passages[i].text.strip()
    ]
    actors: dict[str, Actor] = {}
    for a in data["actors"]:
        if a["name"] in names and a["name"] not in actors:
            actors[a["name"]] = Actor(name=a["name"], kind=a["kind"], role=a["role"], aliases=[])
    return ArticleExtraction(
        headline=data["headline"].strip()[:300],
        summary=data["summary"],
        event=data["event"],
        actors=list(actors.values()),
        quotes=quotes,
        figures=[],
        dates=[],
    )
