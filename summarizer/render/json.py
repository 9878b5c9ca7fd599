"""The brief as JSON, validated by the `Briefing` model (schema in schemas/)."""

from __future__ import annotations

from summarizer.models import Briefing
from summarizer.render import json_safe


def render_json(briefing: Briefing) -> str:
    """Stable, indented JSON: the same brief always gives the same bytes. Terminal controls
    and bidi overrides in article or model text are written as `\\u` escapes."""
    return json_safe(briefing.model_dump_json(indent=2)) + "\n"
