"""Overnight runs at half price through the OpenAI Batch API: submit, status, collect.

`submit` sends every article's first call (exactly the request a live run sends) as one
JSONL file through the SDK's files and batches endpoints. `collect` validates every answer
against the schema a live run validates with. With a judging prompt (v2 on) the quote calls
depend on the first answers, so the first `collect` submits them as a second batch and says
so; collecting that one fills the cache and makes the brief exactly as a live run would.
Answers that fail validation, and articles too long for one call, are listed to re-run live.
The state of a submitted batch is a JSON file in `$SUMMARIZER_HOME/batches/`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from pydantic import BaseModel, ValidationError

from summarizer.articles import load_articles
from summarizer.chunking import estimate_tokens
from summarizer.config import ProviderConfig
from summarizer.errors import BatchError, ConfigError
from summarizer.extract import ExtractionRun, _key, _meta
from summarizer.judgement import build_request, judges, quote_request, to_extraction
from summarizer.models import Article, ArticleExtraction, Extraction, Failure, Usage
from summarizer.prompts import load_prompt

ENDPOINT = "/v1/chat/completions"
#: The modes whose request body is fixed by the schema alone (what a batch line must hold).
BATCH_MODES = ("grammar", "json_schema")


class BatchState(BaseModel):
    """What `collect` needs to know about a submitted batch."""

    batch_id: str
    stage: int = 1
    provider: str
    model: str
    mode: str
    base_url: str | None = None
    prompt_version: str
    #: Article id -> its path and content hash when submitted.
    articles: dict[str, tuple[str, str]]
    #: Stage 2: the first answers, by article id (JSON), and the quote index of each line.
    first: dict[str, dict[str, Any]] = {}
    lines: dict[str, tuple[str, int]] = {}
    usage: dict[str, dict[str, int]] = {}
    #: Articles not sent: id -> (path, reason).
    skipped: dict[str, tuple[str, str]] = {}


def state_dir() -> Path:
    """Where submitted batches are remembered: $SUMMARIZER_HOME/batches."""
    home = os.environ.get("SUMMARIZER_HOME") or user_data_dir("summarizer")
    return Path(home) / "batches"


def _state_path(batch_id: str) -> Path:
    if not batch_id.replace("_", "").replace("-", "").isalnum():
        raise BatchError(f"{batch_id!r} is not a batch id")
    return state_dir() / f"{batch_id}.json"


def load_state(batch_id: str) -> BatchState:
    """The saved state of a batch this machine submitted.

    Raises:
        BatchError: no batch of that id was submitted from here.
    """
    path = _state_path(batch_id)
    try:
        return BatchState.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise BatchError(f"no batch {batch_id} was submitted from here ({path})") from e


def _save(state: BatchState) -> None:
    path = _state_path(state.batch_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(state.model_dump_json(indent=1), encoding="utf-8")


def config_of(state: BatchState, base: ProviderConfig) -> ProviderConfig:
    """The configuration a batch was submitted with (the key comes from `base`)."""
    from dataclasses import replace

    provider: Any = state.provider
    return replace(
        base, provider=provider, model=state.model, mode=state.mode, base_url=state.base_url
    )


def body(
    config: ProviderConfig, messages: list[dict[str, str]], model: type[BaseModel]
) -> dict[str, Any]:
    """The chat request a live run sends for these messages and response model."""
    schema = model.model_json_schema()
    if config.mode == "grammar":
        response_format: dict[str, Any] = {"type": "json_object", "schema": schema}
    elif config.mode == "json_schema":
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": model.__name__, "schema": schema},
        }
    else:
        raise ConfigError(f"batch runs use --mode {' or '.join(BATCH_MODES)}, not {config.mode}")
    return {
        "model": config.model,
        "messages": messages,
        "temperature": config.temperature,
        "max_tokens": config.max_tokens,
        "response_format": response_format,
    }


def _line(custom_id: str, request: dict[str, Any]) -> bytes:
    return (
        json.dumps(
            {"custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": request}
        ).encode()
        + b"\n"
    )


async def _send(client: Any, lines: list[bytes], note: str) -> str:
    upload = await client.files.create(
        file=("summarizer-batch.jsonl", b"".join(lines)), purpose="batch"
    )
    batch = await client.batches.create(
        input_file_id=upload.id,
        endpoint=ENDPOINT,
        completion_window="24h",
        metadata={"summarizer": note},
    )
    return str(batch.id)


async def submit(
    inputs: list[Path], config: ProviderConfig, client: Any
) -> tuple[BatchState, list[Failure]]:
    """Send every article's first call as one batch; remember it; return its state.

    Raises:
        ConfigError: a mode a batch line cannot express.
        BatchError: no article could be sent.
    """
    if config.mode not in BATCH_MODES:
        raise ConfigError(f"batch runs use --mode {' or '.join(BATCH_MODES)}, not {config.mode}")
    prompt = load_prompt()
    loaded = load_articles(inputs)
    lines, articles, skipped = [], {}, {}
    for article in loaded.articles:
        if estimate_tokens(article.text) > config.max_input_tokens:
            skipped[article.id] = (article.path, "too long for one call in a batch")
            continue
        if judges(prompt):
            request = build_request(article, prompt)
            messages, model = request.messages, request.response_model
        else:
            from summarizer.llm import build_messages

            messages, model = build_messages(article, prompt), ArticleExtraction
        articles[article.id] = (article.path, article.content_hash)
        lines.append(_line(article.id, body(config, messages, model)))
    if not lines:
        raise BatchError("no article could be sent in a batch; nothing was submitted")
    batch_id = await _send(client, lines, "articles")
    state = BatchState(
        batch_id=batch_id,
        provider=config.provider,
        model=config.model,
        mode=config.mode,
        base_url=config.base_url,
        prompt_version=prompt.version,
        articles=articles,
        skipped=skipped,
    )
    _save(state)
    return state, loaded.failures


async def status(batch_id: str, client: Any) -> str:
    """One line: the batch's status and how many of its requests are done."""
    batch = await client.batches.retrieve(batch_id)
    counts = batch.request_counts
    done = f"{counts.completed} of {counts.total} done, {counts.failed} failed" if counts else ""
    return f"{batch_id}: {batch.status}" + (f" ({done})" if done else "")


def _answers(text: str) -> dict[str, tuple[dict[str, Any] | None, str]]:
    """custom_id -> (the chat completion, or None; the reason when None)."""
    found: dict[str, tuple[dict[str, Any] | None, str]] = {}
    for raw in text.split("\n"):
        if not raw.strip():
            continue
        row = json.loads(raw)
        response = row.get("response") or {}
        error = row.get("error")
        if error or response.get("status_code") != 200:
            said = (error or {}).get("message") or f"HTTP {response.get('status_code')}"
            found[row["custom_id"]] = (None, f"the batch answered with an error: {said}")
        else:
            found[row["custom_id"]] = (response.get("body"), "")
    return found


def _validated(completion: dict[str, Any] | None, model: type[BaseModel]) -> BaseModel:
    if completion is None:
        raise ValueError("no answer")
    content = completion["choices"][0]["message"]["content"]
    return model.model_validate_json(content)


def _usage(completion: dict[str, Any] | None) -> Usage:
    usage = (completion or {}).get("usage") or {}
    return Usage(
        calls=1,
        prompt_tokens=int(usage.get("prompt_tokens", 0)),
        completion_tokens=int(usage.get("completion_tokens", 0)),
        total_tokens=int(usage.get("total_tokens", 0)),
    )


async def _output(client: Any, batch_id: str) -> str:
    batch = await client.batches.retrieve(batch_id)
    if batch.status != "completed":
        counts = batch.request_counts
        done = f" ({counts.completed} of {counts.total} done)" if counts else ""
        raise BatchError(f"batch {batch_id} is {batch.status}{done}; collect it once completed")
    text = ""
    for file_id in (batch.output_file_id, batch.error_file_id):
        if file_id:
            content = await client.files.content(file_id)
            text += content.text + "\n"
    return text


def _articles(state: BatchState) -> tuple[dict[str, Article], list[Failure]]:
    """The submitted articles, read again; one changed since submitting fails alone."""
    loaded = load_articles([path for path, _ in state.articles.values()])
    failures = list(loaded.failures)
    found = {}
    for article in loaded.articles:
        if article.id not in state.articles:
            continue
        if article.content_hash != state.articles[article.id][1]:
            failures.append(_failed(article.id, article.path, "changed since it was submitted"))
            continue
        found[article.id] = article
    return found, failures


def _failed(article_id: str, source: str, why: str, usage: Usage | None = None) -> Failure:
    return Failure(
        source=source,
        article_id=article_id,
        error=f"{source}: {why}; re-run it live (summarizer brief {source})",
        kind=BatchError.__name__,
        usage=usage or Usage(),
    )


async def collect(
    batch_id: str, config: ProviderConfig, client: Any, cache: Any = None
) -> ExtractionRun | BatchState:
    """Validate a completed batch's answers. Returns the next batch's state when the quote
    calls were submitted as a second batch, else the finished run (cache filled).

    Raises:
        BatchError: the batch is not completed yet, or unknown here.
    """
    state = load_state(batch_id)
    config = config_of(state, config)
    answers = _answers(await _output(client, batch_id))
    articles, failures = _articles(state)
    failures += [
        _failed(i, path, why, Usage(**state.usage.get(i, {})))
        for i, (path, why) in state.skipped.items()
    ]
    job = _Job(state, config, load_prompt(version=state.prompt_version), cache)
    if state.stage == 1:
        lines = job.first_answers(articles, answers, failures)
        if lines:
            return await job.submit_quotes(client, lines)
        job.finish_without_quotes(articles)
    else:
        job.quote_answers(articles, answers)
    job.run.failures = failures
    order = list(state.articles)
    job.run.extractions.sort(key=lambda e: order.index(e.article.id))
    return job.run


class _Job:
    """One collect: the answers read so far and the run they make."""

    def __init__(self, state: BatchState, config: ProviderConfig, prompt: Any, cache: Any) -> None:
        self.state, self.config, self.prompt, self.cache = state, config, prompt, cache
        self.run = ExtractionRun(config=config)
        self.first: dict[str, dict[str, Any]] = {}
        self.usage: dict[str, dict[str, int]] = {}
        #: Articles whose first answer failed: carried into the quote batch's state.
        self.failed: dict[str, tuple[str, str]] = {}

    def first_answers(
        self,
        articles: dict[str, Article],
        answers: dict[str, tuple[dict[str, Any] | None, str]],
        failures: list[Failure],
    ) -> list[bytes]:
        """Validate the article calls; return the quote calls they lead to (batch lines)."""
        judging = judges(self.prompt)
        lines = []
        for article_id, article in articles.items():
            completion, why = answers.get(article_id, (None, "no answer in the batch"))
            spent = _usage(completion) if completion else Usage()
            request = build_request(article, self.prompt) if judging else None
            model = request.response_model if request else ArticleExtraction
            try:
                answer = _validated(completion, model)
            except (ValueError, ValidationError, KeyError, IndexError, TypeError) as e:
                reason = why or f"the answer does not fit the schema ({type(e).__name__})"
                failures.append(_failed(article_id, article.path, reason, spent))
                self.failed[article_id] = (article.path, reason)
                self.usage[article_id] = spent.model_dump()
                continue
            if request is None:
                data = ArticleExtraction.model_validate(answer.model_dump())
                self.done(article, data, spent)
                continue
            self.usage[article_id] = spent.model_dump()
            self.first[article_id] = answer.model_dump()
            for index in request.asked:
                question = quote_request(request, answer, index)
                lines.append(
                    _line(
                        f"{article_id}#q{index}",
                        body(self.config, question.messages, question.response_model),
                    )
                )
        return lines

    async def submit_quotes(self, client: Any, lines: list[bytes]) -> BatchState:
        state = self.state
        next_id = await _send(client, lines, f"quotes of {state.batch_id}")
        following = state.model_copy(
            update={
                "batch_id": next_id,
                "stage": 2,
                "first": self.first,
                "usage": self.usage,
                "articles": {i: state.articles[i] for i in self.first},
                "skipped": {**state.skipped, **self.failed},
            }
        )
        _save(following)
        return following

    def finish_without_quotes(self, articles: dict[str, Article]) -> None:
        for article_id, data in self.first.items():
            request = build_request(articles[article_id], self.prompt)
            answer = request.response_model.model_validate(data)
            usage = Usage(**self.usage[article_id])
            self.done(articles[article_id], to_extraction(answer, {}, request), usage)

    def quote_answers(
        self, articles: dict[str, Article], answers: dict[str, tuple[dict[str, Any] | None, str]]
    ) -> None:
        for article_id, data in self.state.first.items():
            found = articles.get(article_id)
            if found is None:
                continue
            request = build_request(found, self.prompt)
            answer = request.response_model.model_validate(data)
            spent = Usage(**self.state.usage.get(article_id, {}))
            speakers = {}
            for index in request.asked:
                question = quote_request(request, answer, index)
                completion, _ = answers.get(f"{article_id}#q{index}", (None, ""))
                if completion is not None:
                    spent = spent + _usage(completion)
                try:
                    said = _validated(completion, question.response_model)
                except (ValueError, ValidationError, KeyError, IndexError, TypeError):
                    continue  # as live: a failed quote call costs that quote its model speaker
                speakers[index] = str(said.model_dump()["speaker"])
            self.done(found, to_extraction(answer, speakers, request), spent)

    def done(self, article: Article, data: ArticleExtraction, usage: Usage) -> None:
        _done(self.run, self.config, self.prompt, article, data, usage, self.cache)


def _done(
    run: ExtractionRun,
    config: ProviderConfig,
    prompt: Any,
    article: Article,
    data: ArticleExtraction,
    usage: Usage,
    cache: Any,
) -> None:
    meta = _meta(config, prompt, article, usage, 0.0, cached=False)
    run.extractions.append(Extraction(article=article, data=data, meta=meta))
    if cache is not None:
        cache.put(
            _key(config, prompt, article),
            content_hash=article.content_hash,
            provider=config.provider,
            model=config.model,
            prompt=f"{prompt.name}.v{prompt.version}",
            data=data,
            usage=usage,
            duration_s=0.0,
        )
