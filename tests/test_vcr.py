"""The live openai-compatible path, replayed by vcrpy itself through pytest-recording."""

from __future__ import annotations

import asyncio

import pytest

from summarizer.config import resolve_config
from summarizer.llm import LLM
from summarizer.models import Article


@pytest.fixture
def default_cassette_name() -> str:
    """This module replays the recording of article 001."""
    return "001_92be438c86cfd8fa"


@pytest.mark.vcr
def test_openai_compatible_provider_sends_exactly_what_was_recorded(
    articles: dict[str, Article],
) -> None:
    """A live-provider request, on any host and port, matches the recording byte for byte."""
    config = resolve_config(
        provider="openai-compatible",
        base_url="http://127.0.0.1:9/v1",
        model="qwen2.5-coder-1.5b-instruct",
    )

    async def go() -> object:
        async with LLM(config) as llm:
            return await llm.extract(articles["001_92be438c86cfd8fa"])

    result = asyncio.run(go())
    assert result.data.headline.startswith("Iraq Calls for Shared Responsibility")  # type: ignore[attr-defined]
    assert result.usage.prompt_tokens > 0  # type: ignore[attr-defined]
