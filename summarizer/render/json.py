"""The brief as JSON, validated by the `Briefing` model (schema in schemas/)."""

from __future__ import annotations

from summarizer.models import Briefing


def render_json(briefing: Briefing) -> str:
    """Stable, indented JSON: the same brief always gives the same bytes."""
    return briefing.model_dump_json(indent=2) + "\n"
