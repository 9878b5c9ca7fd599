"""Pydantic types that flow through the pipeline: articles in, extractions out.

`ArticleExtraction` is what the model must return; it is strict (unknown fields are
rejected, types are not coerced) and its JSON Schema is exported to `schemas/`.
Changing it means bumping `SCHEMA_VERSION` and re-recording the cassettes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = "2"
_SCHEMA_CACHE: dict[Any, str] = {}

ActorKind = Literal["person", "organization", "country", "group", "other"]
Qualifier = Literal["exact", "about", "up to", "at least", "more than", "less than", "range"]

# A sentence ends at . ! ? before a space or the end, but not after an initial ("U. S.").
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])[.!?](?:\s|$)")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def check_summary(value: str) -> str:
    """A summary is not blank and has at most six sentences (asked for: 2-3; the bound only
    stops a runaway answer, so abbreviations are not counted as sentence ends)."""
    _not_blank(value)
    sentences = len(_SENTENCE_END.findall(value.strip() + " "))
    if sentences > 6:
        raise ValueError(f"summary has {sentences} sentences; write 2-3")
    return value


Summary = Annotated[str, AfterValidator(check_summary)]
NonBlank = Annotated[str, AfterValidator(_not_blank), Field(max_length=300)]
Short = Annotated[str, Field(max_length=100)]


class StrictModel(BaseModel):
    """Base for every schema type: unknown fields are an error, nothing is coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Actor(StrictModel):
    """A person, organization, country or group that takes part in the story."""

    name: NonBlank = Field(description="Name exactly as written in the article.")
    kind: ActorKind
    role: Short = Field(description="Role in this story, e.g. 'finance minister'.")
    aliases: list[Short] = Field(
        max_length=4, description="Other names for the same actor in the article."
    )


class Quote(StrictModel):
    """Words the article puts inside quotation marks, with who said them."""

    speaker: Short = Field(description="Who said it, as named in the article.")
    text: NonBlank = Field(description="The quoted words, verbatim, without the marks.")


class Figure(StrictModel):
    """A number the article states, with what it measures."""

    value: float = Field(description="The number; for a range, its lower end.")
    upper: float | None = Field(description="Upper end of a range, else null.")
    unit: Short = Field(description="What is counted: 'people', 'USD', 'per cent' ...")
    measure: Short = Field(description="What the number measures in this story.")
    qualifier: Qualifier
    phrase: Annotated[NonBlank, Field(max_length=120)] = Field(
        description="The few words in the article that state it."
    )

    @model_validator(mode="after")
    def _upper_not_below_value(self) -> Figure:
        if self.upper is not None and self.upper < self.value:
            raise ValueError(f"upper ({self.upper}) is below value ({self.value})")
        return self


class DateMention(StrictModel):
    """A date or time expression tied to an event of the story."""

    expression: Short = Field(description="The date as written: 'Saturday', '23 January 2026'.")
    iso_date: Annotated[str, Field(max_length=10)] | None = Field(
        description="YYYY-MM-DD only when the article makes the date certain, else null."
    )
    event: Short = Field(description="What happened on that date.")

    @field_validator("iso_date")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                dt.date.fromisoformat(value)
            except ValueError as e:
                raise ValueError(f"iso_date {value!r} is not a YYYY-MM-DD date") from e
        return value


class ArticleExtraction(StrictModel):
    """Everything the model extracts from one article."""

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The JSON Schema, generated once per set of arguments; each caller gets a fresh copy.

        instructor asks for it on every call; generating it costs milliseconds, which adds up
        to seconds per hundred articles at high concurrency. The copy is made by parsing the
        cached JSON text, several times faster than `copy.deepcopy` of the dict.
        """
        key = (cls, args, tuple(sorted(kwargs.items(), key=lambda kv: kv[0])))
        try:
            text = _SCHEMA_CACHE[key]
        except (KeyError, TypeError):
            text = json.dumps(super().model_json_schema(*args, **kwargs))
            with contextlib.suppress(TypeError):
                _SCHEMA_CACHE[key] = text
        schema: dict[str, Any] = json.loads(text)
        return schema

    headline: NonBlank = Field(description="A factual headline for the article.")
    summary: Summary = Field(max_length=600, description="A 2-3 sentence summary of the article.")
    event: Short = Field(default="", description="The main event, in one line.")
    # Bounds keep a small model from looping: constrained decoders honour maxItems/maxLength.
    actors: list[Actor] = Field(max_length=12)
    quotes: list[Quote] = Field(max_length=60)
    figures: list[Figure] = Field(max_length=8)
    dates: list[DateMention] = Field(max_length=6)


class Article(BaseModel):
    """One input article: its text and what is known about it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Stable id: the file stem, or the `id` field of a JSON record.")
    path: str = Field(description="Where it was read from (file, or file#line for JSON lines).")
    text: str
    title: str | None = None
    source: str | None = Field(default=None, description="The outlet.")
    url: str | None = None
    published: dt.date | None = None
    content_hash: str = Field(description="sha256 of the text, hex.")


class Usage(BaseModel):
    """Token usage of one or more calls."""

    model_config = ConfigDict(extra="forbid")

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    calls: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            calls=self.calls + other.calls,
        )

    def tokens(self) -> dict[str, int]:
        """The token counts alone, as `LLMError.usage` carries them."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }


class ExtractionMeta(BaseModel):
    """How an extraction was made."""

    model_config = ConfigDict(extra="forbid")

    article_id: str
    content_hash: str
    provider: str
    model: str
    prompt_name: str
    prompt_version: str
    schema_version: str = SCHEMA_VERSION
    usage: Usage = Field(default_factory=Usage)
    duration_s: float = 0.0
    cached: bool = Field(default=False, description="Answered from the cache in this run.")


class Extraction(BaseModel):
    """One article's validated extraction with its metadata."""

    model_config = ConfigDict(extra="forbid")

    article: Article
    data: ArticleExtraction
    meta: ExtractionMeta


class Failure(BaseModel):
    """An article that could not be read or extracted, and why."""

    model_config = ConfigDict(extra="forbid")

    source: str
    article_id: str | None = None
    error: str
    kind: str = Field(description="The error class, e.g. ArticleError or LLMError.")
    usage: Usage = Field(
        default_factory=Usage,
        description="What the article's calls cost before it failed (0 when none was made).",
    )


# --- Grounding and the brief -------------------------------------------------------------

GroundStatus = Literal["exact", "normalised", "fuzzy", "not_found"]
#: false: the article says the attribution is false ("falsely claimed that X said");
#: unproven: it reports the words as alleged, purported or unverified.
Caveat = Literal["false", "unproven"]


class Frozen(BaseModel):
    """Base for brief types: immutable, unknown fields rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpan(Frozen):
    """Where an item stands in one article: offsets [start, end) and how it was matched."""

    article_id: str
    start: int | None = None
    end: int | None = None
    status: GroundStatus
    score: float | None = Field(default=None, description="Fuzzy match score, 0-100.")


class GroundedActor(Frozen):
    """An actor the model named, located in its article."""

    name: str
    kind: ActorKind
    role: str
    aliases: tuple[str, ...] = ()
    span: SourceSpan


class GroundedQuote(Frozen):
    """A quoted passage. `origin` text: harvested from the article; model: only the model."""

    text: str
    speaker: str | None
    speaker_rule: str
    span: SourceSpan
    origin: Literal["text", "model"] = "text"
    caveat: Caveat | None = Field(
        default=None,
        description="The article reports this attribution as false, or as unproven.",
    )


class GroundedFigure(Frozen):
    """A number: the model's reading of it, the text's, or both."""

    value: float
    upper: float | None = None
    qualifier: str = "exact"
    unit: str = ""
    unit_class: str = ""
    measure: str = ""
    anchor: str | None = Field(default=None, description="A place the sentence ties it to.")
    anchor_distance: int | None = None
    text: str = Field(description="The words in the article (or the model's phrase).")
    sentence_start: int | None = None
    context: tuple[str, ...] = Field(
        default=(), description="Content words around the number in its sentence, lowercase."
    )
    span: SourceSpan
    origin: Literal["text", "model", "both"] = "text"


class GroundedDate(Frozen):
    """A date expression, resolved against the article's published date where possible."""

    expression: str
    iso: str | None = None
    precision: str = "unresolved"
    kind: str = "unknown"
    event: str = ""
    sentence: str = Field(default="", description="The sentence it stands in.")
    span: SourceSpan
    origin: Literal["text", "model", "both"] = "text"


class UnverifiedItem(Frozen):
    """Something the model said that the article does not support."""

    kind: Literal["actor", "quote", "figure", "date"]
    text: str
    detail: str = ""
    span: SourceSpan


class GroundedArticle(Frozen):
    """One article after grounding: every item located, or marked not found."""

    article_id: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    path: str = ""
    published: dt.date | None = None
    headline: str = ""
    summary: str = ""
    event: str = Field(default="", description="The main event, as the model put it.")
    actors: tuple[GroundedActor, ...] = ()
    quotes: tuple[GroundedQuote, ...] = ()
    figures: tuple[GroundedFigure, ...] = ()
    dates: tuple[GroundedDate, ...] = ()
    unverified: tuple[UnverifiedItem, ...] = ()
    terms: tuple[tuple[str, int], ...] = Field(
        default=(),
        description="What the article is about, for grouping into stories: its names "
        "('n:'), content words ('b:'), title, headline and event words ('w:') and large "
        "numbers ('f:'), with counts, sorted.",
    )


class SourceRef(Frozen):
    """A numbered source of the brief."""

    number: int
    article_id: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    path: str = ""
    published: dt.date | None = None


class BriefActor(Frozen):
    """One actor resolved across articles."""

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    spans: tuple[SourceSpan, ...] = ()


class BriefQuote(Frozen):
    """One quotation, deduplicated across outlets."""

    speaker: str | None
    text: str
    sources: tuple[str, ...]
    spans: tuple[SourceSpan, ...]
    caveat: Caveat | None = Field(
        default=None, description="A source reports the attribution as false, or unproven."
    )


class FigureValue(Frozen):
    """One value of a measure and who states it."""

    value: float
    upper: float | None = None
    qualifier: str = "exact"
    label: str
    sources: tuple[str, ...]
    spans: tuple[SourceSpan, ...]


class FigureGroup(Frozen):
    """The values given for one measure, with corroboration and conflicts."""

    measure: str
    unit_class: str
    values: tuple[FigureValue, ...]
    corroboration: int = Field(description="How many distinct sources state a value here.")
    single_source: bool
    conflict: bool
    note: str = ""


class DateClaim(Frozen):
    """One source's date for an event."""

    expression: str
    iso: str | None
    weekday: str | None = None
    span: SourceSpan


class TimelineEvent(Frozen):
    """An event with the dates sources give it."""

    key: str
    label: str
    date: str | None = Field(description="The agreed or earliest resolved ISO date.")
    claims: tuple[DateClaim, ...]
    sources: tuple[str, ...]
    conflict: bool
    note: str = ""


class Story(Frozen):
    """Articles about one story, merged."""

    id: str
    headline: str
    summary: tuple[str, ...]
    article_ids: tuple[str, ...]
    actors: tuple[BriefActor, ...] = ()
    quotes: tuple[BriefQuote, ...] = ()
    unattributed: tuple[BriefQuote, ...] = ()
    figures: tuple[FigureGroup, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()
    unverified: tuple[UnverifiedItem, ...] = ()


class ArticleUsage(Frozen):
    """What one article's extraction cost when it was made, or what a failed one cost."""

    article_id: str
    model: str
    usage: Usage
    cost_usd: float | None = Field(default=None, description="None: the price is unknown.")
    cached: bool = Field(
        default=False, description="Answered from the cache: this run spent nothing on it."
    )
    failed: bool = Field(default=False, description="The article failed after these calls.")


class BriefMeta(Frozen):
    """What made the brief. No clock: the same inputs give the same bytes."""

    schema_version: str = SCHEMA_VERSION
    prompts: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    usage: Usage = Field(
        default_factory=Usage,
        description="Spent by this run's model calls, failed ones included; cache hits are 0.",
    )
    cost_usd: float | None = Field(
        default=None,
        description="Cost of `usage`: the articles not cached; None when no price is known.",
    )
    articles: tuple[ArticleUsage, ...] = ()


class Briefing(Frozen):
    """The morning brief: stories, numbered sources and what failed."""

    stories: tuple[Story, ...]
    sources: tuple[SourceRef, ...]
    failures: tuple[Failure, ...] = ()
    meta: BriefMeta = Field(default_factory=BriefMeta)
