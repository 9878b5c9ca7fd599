"""Who said each quote: one short call per quote (what `summarizer` does) against one call
about all of an article's quotes at once (which shares the article's prefill).

Run: python benchmarks/quote_calls.py [--limit N] [--articles DIR] [--gold DIR]
Needs the `local` extra and the pulled model. One llama.cpp server is started (threads as
`--provider local` sets them). For each corpus article with gold annotations and at least
one quote the text does not settle, each form is timed from the article call (made after
a short unrelated request, so both start from the same state of llama.cpp's prompt cache)
to its last answer:

- per quote: the article call, then `summarizer.judgement.quote_request` for each open
  quote (the quote, its paragraph and the two before, the names in that passage and the
  article's actors, or "unknown");
- all at once: the article call, then its conversation continued (so the article's
  prefill is reused from llama.cpp's prompt cache) with one question about every open
  quote, marked [Q1], [Q2] ... in the article it read, and one answer field per quote,
  limited to the same names the per-quote form offered for it, or "unknown".

Both are scored against the gold speaker of each quote (the evaluator's name rules), and
timed on the wall clock, the article call included. Tokens count what each form adds after
the article call (the all-at-once call re-sends the article, which the server's prompt cache
does not recompute). The second form's prompt lives here: it is a measurement, not a
prompt the pipeline ships.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from summarizer.articles import load_articles
from summarizer.config import resolve_config
from summarizer.evaluate import GoldActor, _names_same, _quote_same, load_gold
from summarizer.judgement import UNKNOWN, build_request, quote_request
from summarizer.llm import LLM
from summarizer.local import default_model_path, llama_server, threads
from summarizer.prompts import fence_line, load_prompt

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"

BATCH_QUESTION = (
    "Now say who spoke or wrote each of these quotations, marked [Q1], [Q2] ... in the "
    "article just before its opening quotation mark. Answer with one JSON object with one "
    "field per quotation id; each value is one of that quotation's allowed names, exactly as "
    'listed, or "unknown" when the speaker is only described or not given.'
)


def batch_question(quotes: dict[str, tuple[str, list[str]]]) -> str:
    lines = [
        f"{qid}: “{fence_line(' '.join(text.split()[:40]))}” allowed: "
        + "; ".join(fence_line(n) for n in names)
        for qid, (text, names) in quotes.items()
    ]
    return BATCH_QUESTION + "\n" + "\n".join(lines)


def batch_model(quotes: dict[str, tuple[str, list[str]]]) -> type[BaseModel]:
    fields: dict[str, Any] = {
        qid: (Literal[(*names, UNKNOWN)], Field(description=f"Who said {qid}."))
        for qid, (_, names) in quotes.items()
    }
    return create_model("Speakers", **fields)


def right(answer: str, fold: dict[str, str], gold: GoldActor | None) -> bool:
    return gold is not None and answer != UNKNOWN and _names_same(fold.get(answer, answer), gold)


async def unrelated(llm: LLM, article: Any) -> None:
    class Word(BaseModel):
        word: str

    messages = [{"role": "user", "content": 'Answer {"word": "hi"}.'}]
    await llm.extract(article, response_model=Word, messages=messages)


async def one_article(llm: LLM, article: Any, gold: Any, prompt: Any) -> dict[str, Any] | None:
    request = build_request(article, prompt)
    if not request.asked:
        return None
    actors = {a.name: a for a in gold.actors}
    want: dict[int, GoldActor] = {}
    for index in request.asked:
        text = request.passages[index].text
        g = next((q for q in gold.quotes if q.speaker and _quote_same(q, text)), None)
        if g is not None and g.speaker:
            want[index] = actors.get(g.speaker, GoldActor(name=g.speaker, kind="other"))
    if not want:
        return None

    async def article_call() -> Any:
        await unrelated(llm, article)  # both forms start from the same prompt cache
        return await llm.extract(
            article, response_model=request.response_model, messages=request.messages
        )

    start = time.perf_counter()
    first = await article_call()
    questions = {i: quote_request(request, first.data, i) for i in want}
    single_ok, single_tokens = 0, 0
    for i, q in questions.items():
        answer = await llm.extract(article, response_model=q.response_model, messages=q.messages)
        single_ok += right(answer.data.speaker, request.fold, want[i])
        single_tokens += answer.usage.prompt_tokens + answer.usage.completion_tokens
    single_s = time.perf_counter() - start

    quotes = {f"Q{i + 1}": (request.passages[i].text, q.names) for i, q in questions.items()}
    start = time.perf_counter()
    again = await article_call()
    messages = [
        *request.messages,
        {"role": "assistant", "content": again.data.model_dump_json()},
        {"role": "user", "content": batch_question(quotes)},
    ]
    answer = await llm.extract(article, response_model=batch_model(quotes), messages=messages)
    batch_s = time.perf_counter() - start
    said = answer.data.model_dump()
    batch_ok = sum(right(said[f"Q{i + 1}"], request.fold, want[i]) for i in want)
    return {
        "article": article.id,
        "quotes": len(want),
        "gold": {f"Q{i + 1}": g.name for i, g in want.items()},
        "all_at_once_said": said,
        "per_quote": {"right": single_ok, "seconds": round(single_s, 1), "tokens": single_tokens},
        "all_at_once": {
            "right": batch_ok,
            "seconds": round(batch_s, 1),
            "tokens": answer.usage.prompt_tokens + answer.usage.completion_tokens,
        },
    }


async def run(base: str, articles: list[Any], gold: dict[str, Any]) -> list[dict[str, Any]]:
    config = resolve_config(provider="local").with_base_url(base)
    prompt = load_prompt()
    rows = []
    async with LLM(config) as llm:
        for article in articles:
            row = await one_article(llm, article, gold[article.id], prompt)
            if row:
                print(json.dumps(row), flush=True)
                rows.append(row)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=Path, default=CORPUS / "articles")
    parser.add_argument("--gold", type=Path, default=CORPUS / "gold")
    parser.add_argument("--limit", type=int, default=8, help="articles at most (text order)")
    args = parser.parse_args()
    gold, _ = load_gold(args.gold)
    loaded = load_articles([args.articles])
    articles = [a for a in loaded.articles if a.id in gold]
    # evenly spaced through the corpus, so the sample spans its outlets and beats
    articles = articles[:: max(len(articles) // max(args.limit, 1), 1)][: args.limit]
    model = resolve_config(provider="local").model
    with llama_server(default_model_path(), alias=model) as base:
        rows = asyncio.run(run(base, articles, gold))
    if not rows:
        print("no article with an open quote that has a gold speaker")
        return 1
    total = sum(r["quotes"] for r in rows)
    for form in ("per_quote", "all_at_once"):
        ok = sum(r[form]["right"] for r in rows)
        secs = sum(r[form]["seconds"] for r in rows)
        tokens = sum(r[form]["tokens"] for r in rows)
        print(
            f"{form}: {ok}/{total} speakers right ({ok / total:.2f}), {secs:.0f} s "
            f"({secs / total:.1f} s a quote), {tokens} tokens after the article call; "
            f"{len(rows)} articles, {threads()} thread(s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
