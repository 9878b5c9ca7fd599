"""Provider configuration, resolved at call time.

Order: argument, SUMMARIZER_* env, OPENAI_* env, default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from summarizer.errors import ConfigError

Provider = Literal["openai", "azure", "openai-compatible", "local", "replay"]
PROVIDERS: tuple[Provider, ...] = ("openai", "azure", "openai-compatible", "local", "replay")

#: The model the sample cassettes were recorded with; `local` and `replay` default to it.
LOCAL_MODEL_NAME = "qwen2.5-coder-1.5b-instruct"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_CASSETTE_DIR = "cassettes"
#: How the schema reaches the model, per provider:
#: - grammar: the schema goes only as `response_format={"type": "json_object", "schema": ...}`,
#:   which llama.cpp, Ollama and vLLM turn into constrained decoding; the prompt stays short.
#:   (llama-cpp-python's server rejects `{"type": "json_schema"}` with HTTP 500.)
#: - json: the same, plus instructor's copy of the schema in the system prompt.
#: - json_schema: OpenAI's strict structured outputs. tools, tools_strict, md_json: instructor's.
DEFAULT_MODES: dict[Provider, str] = {
    "openai": "json_schema",
    "azure": "json_schema",
    "openai-compatible": "grammar",
    "local": "grammar",
    "replay": "grammar",
}
MODES = ("grammar", "json", "json_schema", "tools", "tools_strict", "md_json")


@dataclass(frozen=True)
class ProviderConfig:
    """Everything needed to talk to one model. `api_key` never appears in repr."""

    provider: Provider
    model: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    #: Azure OpenAI's `api-version` (the `azure` provider only).
    api_version: str | None = None
    mode: str = "grammar"
    cassette_dir: Path = Path(DEFAULT_CASSETTE_DIR)
    model_path: Path | None = None
    timeout_s: float = 600.0
    max_attempts: int = 4
    max_total_s: float = 1800.0
    reasks: int = 2
    #: Backoff between transient failures: exponential from `retry_initial_s`, with jitter,
    #: capped at `retry_max_s` (a longer Retry-After from the server wins).
    retry_initial_s: float = 1.0
    retry_max_s: float = 30.0
    temperature: float = 0.0
    max_tokens: int = 3000
    #: Articles estimated above this many input tokens are extracted in chunks.
    max_input_tokens: int = 4500
    defaulted: bool = False

    def with_base_url(self, base_url: str) -> ProviderConfig:
        """A copy pointing at another server (used once `local` has started its own)."""
        return replace(self, base_url=base_url)


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


def resolve_config(
    *,
    provider: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    mode: str | None = None,
    cassette_dir: str | Path | None = None,
    model_path: str | Path | None = None,
    timeout_s: float | None = None,
    max_attempts: int | None = None,
    reasks: int | None = None,
    api_version: str | None = None,
) -> ProviderConfig:
    """Resolve the provider configuration.

    Order: explicit arguments, then `SUMMARIZER_*` variables, then `OPENAI_API_KEY` and
    `OPENAI_BASE_URL`, then defaults. With nothing set at all the provider is `replay`
    and `defaulted` is true, so the CLI can say so. The `azure` provider reads
    `AZURE_OPENAI_ENDPOINT`, `AZURE_OPENAI_API_KEY` and `OPENAI_API_VERSION` before the
    `OPENAI_*` variables; its model is the deployment name.

    Raises:
        ConfigError: an unknown provider or mode, or a live provider missing what it needs.
    """
    chosen = provider or _env("SUMMARIZER_PROVIDER")
    azure = chosen == "azure"
    base_url = (
        base_url
        or _env("SUMMARIZER_BASE_URL")
        or (_env("AZURE_OPENAI_ENDPOINT") if azure else None)
        or _env("OPENAI_BASE_URL")
    )
    api_key = (
        api_key
        or _env("SUMMARIZER_API_KEY")
        or (_env("AZURE_OPENAI_API_KEY") if azure else None)
        or _env("OPENAI_API_KEY")
    )
    api_version = api_version or _env("SUMMARIZER_API_VERSION") or _env("OPENAI_API_VERSION")
    defaulted = False
    if chosen is None:
        if base_url:
            chosen = "openai-compatible"
        elif api_key:
            chosen = "openai"
        else:
            chosen, defaulted = "replay", True
    if chosen not in PROVIDERS:
        raise ConfigError(f"unknown provider {chosen!r}; choose one of {', '.join(PROVIDERS)}")
    name: Provider = chosen
    mode = mode or _env("SUMMARIZER_MODE") or DEFAULT_MODES[name]
    if mode not in MODES:
        raise ConfigError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    model = model or _env("SUMMARIZER_MODEL")
    if name == "openai":
        if not api_key:
            raise ConfigError(
                "provider openai needs an API key: set OPENAI_API_KEY or SUMMARIZER_API_KEY"
            )
        model = model or DEFAULT_OPENAI_MODEL
    elif name == "azure":
        missing = [
            what
            for what, value in (
                ("AZURE_OPENAI_ENDPOINT (or --base-url)", base_url),
                ("AZURE_OPENAI_API_KEY", api_key),
                ("OPENAI_API_VERSION", api_version),
                ("the deployment name as --model (or SUMMARIZER_MODEL)", model),
            )
            if not value
        ]
        if missing or not model:
            raise ConfigError(f"provider azure needs {', '.join(missing)}")
    elif name == "openai-compatible":
        if not base_url:
            raise ConfigError(
                "provider openai-compatible needs --base-url or SUMMARIZER_BASE_URL "
                "(e.g. http://localhost:11434/v1 for Ollama)"
            )
        if not model:
            raise ConfigError("provider openai-compatible needs --model or SUMMARIZER_MODEL")
    else:
        model = model or LOCAL_MODEL_NAME
    path = model_path or _env("SUMMARIZER_MODEL_PATH")
    cassettes = cassette_dir or _env("SUMMARIZER_CASSETTE_DIR") or DEFAULT_CASSETTE_DIR
    return ProviderConfig(
        provider=name,
        model=model,
        base_url=base_url if name in ("openai", "azure", "openai-compatible") else None,
        api_key=api_key if name in ("openai", "azure", "openai-compatible") else None,
        api_version=api_version if name == "azure" else None,
        mode=mode,
        cassette_dir=Path(cassettes),
        model_path=Path(path) if path else None,
        timeout_s=timeout_s if timeout_s is not None else ProviderConfig.timeout_s,
        max_attempts=max_attempts if max_attempts is not None else ProviderConfig.max_attempts,
        reasks=reasks if reasks is not None else ProviderConfig.reasks,
        defaulted=defaulted,
    )
