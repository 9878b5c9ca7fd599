"""The extraction schema is strict: unknown fields and coercions are rejected."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from summarizer.models import ArticleExtraction, DateMention, Figure


def _valid() -> dict[str, Any]:
    return {
        "headline": "Iraq receives ISIS detainees",
        "summary": "Iraq took 150 detainees. More may follow.",
        "actors": [{"name": "Fuad Hussein", "kind": "person", "role": "minister", "aliases": []}],
        "quotes": [{"speaker": "Fuad Hussein", "text": "We are ready"}],
        "figures": [
            {
                "value": 7000,
                "upper": None,
                "unit": "detainees",
                "measure": "planned transfers",
                "qualifier": "up to",
                "phrase": "up to 7,000 detainees",
            }
        ],
        "dates": [{"expression": "Saturday", "iso_date": None, "event": "phone call"}],
    }


def test_valid_extraction_parses() -> None:
    """A complete, well-typed answer validates."""
    data = ArticleExtraction.model_validate(_valid())
    assert data.figures[0].value == 7000.0


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("extra_field",), "x"),
        (("actors", 0, "nickname"), "x"),
        (("figures", 0, "value"), "7000"),
        (("actors", 0, "kind"), "politician"),
        (("headline",), "   "),
        (("dates", 0, "iso_date"), "24 January 2026"),
        (("figures", 0, "upper"), 10),
    ],
)
def test_invalid_answers_are_rejected(path: tuple[Any, ...], value: Any) -> None:
    """Unknown fields, strings for numbers, bad enums, blanks and bad dates all fail."""
    data = _valid()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationError):
        ArticleExtraction.model_validate(data)


def test_missing_field_is_rejected() -> None:
    """Every field is required, as OpenAI's strict structured outputs need."""
    data = _valid()
    del data["figures"][0]["upper"]
    with pytest.raises(ValidationError):
        ArticleExtraction.model_validate(data)


def test_range_figure_and_iso_date() -> None:
    """A range keeps both ends; an ISO date must be a real date."""
    fig = Figure(
        value=1500,
        upper=2000,
        unit="people",
        measure="Iraqi nationals",
        qualifier="range",
        phrase="some 1,500 to 2,000",
    )
    assert fig.upper == 2000
    assert DateMention(expression="23 January 2026", iso_date="2026-01-23", event="call").iso_date
    with pytest.raises(ValidationError):
        DateMention(expression="x", iso_date="2026-02-30", event="call")


def test_summary_too_long_is_rejected() -> None:
    """A summary of more than six sentences is sent back for a re-ask; initials ('U. S.')
    are not sentence ends."""
    data = _valid()
    data["summary"] = "The U. S. said it. " * 6
    assert ArticleExtraction.model_validate(data).summary
    data["summary"] = "One. Two. Three. Four. Five. Six. Seven."
    with pytest.raises(ValidationError, match="sentences"):
        ArticleExtraction.model_validate(data)


def test_cached_schema_is_pydantics_and_each_caller_gets_its_own_copy() -> None:
    fresh = BaseModel.model_json_schema.__func__(ArticleExtraction)  # type: ignore[attr-defined]
    first = ArticleExtraction.model_json_schema()
    assert first == fresh
    first["properties"]["headline"]["type"] = "integer"
    first["required"].clear()
    assert ArticleExtraction.model_json_schema() == fresh
