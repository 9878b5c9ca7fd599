"""Provider configuration: argument, then SUMMARIZER_*, then OPENAI_*, then default."""

from __future__ import annotations

import pytest

from summarizer.config import resolve_config
from summarizer.errors import ConfigError


def test_nothing_configured_means_replay() -> None:
    """With no flags and no environment the provider is replay, and says it was defaulted."""
    config = resolve_config()
    assert config.provider == "replay"
    assert config.defaulted
    assert config.model == "qwen2.5-coder-1.5b-instruct"


def test_openai_key_selects_openai(monkeypatch: pytest.MonkeyPatch) -> None:
    """OPENAI_API_KEY alone selects OpenAI with its strict structured outputs."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0000")
    config = resolve_config()
    assert (config.provider, config.mode) == ("openai", "json_schema")
    assert "sk-test" not in repr(config)


def test_base_url_selects_openai_compatible(monkeypatch: pytest.MonkeyPatch) -> None:
    """A base URL selects an OpenAI-compatible server in grammar mode."""
    monkeypatch.setenv("SUMMARIZER_BASE_URL", "http://localhost:11434/v1")
    monkeypatch.setenv("SUMMARIZER_MODEL", "qwen2.5:1.5b")
    config = resolve_config()
    assert (config.provider, config.mode, config.model) == (
        "openai-compatible",
        "grammar",
        "qwen2.5:1.5b",
    )


def test_arguments_beat_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """An explicit argument wins over SUMMARIZER_* which wins over OPENAI_*."""
    monkeypatch.setenv("OPENAI_BASE_URL", "http://openai-env/v1")
    monkeypatch.setenv("SUMMARIZER_BASE_URL", "http://summarizer-env/v1")
    monkeypatch.setenv("SUMMARIZER_PROVIDER", "openai-compatible")
    config = resolve_config(model="m", mode="json")
    assert config.base_url == "http://summarizer-env/v1"
    assert config.mode == "json"
    assert resolve_config(model="m", base_url="http://arg/v1").base_url == "http://arg/v1"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"provider": "anthropic"}, "unknown provider"),
        ({"provider": "openai"}, "needs an API key"),
        ({"provider": "openai-compatible", "model": "m"}, "needs --base-url"),
        ({"provider": "openai-compatible", "base_url": "http://x/v1"}, "needs --model"),
        ({"mode": "yaml"}, "unknown mode"),
    ],
)
def test_incomplete_configuration_is_a_clear_error(kwargs: dict[str, str], message: str) -> None:
    """Each missing piece is named in the error."""
    with pytest.raises(ConfigError, match=message):
        resolve_config(**kwargs)
