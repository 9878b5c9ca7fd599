"""Read articles from files: text/Markdown with YAML front matter, HTML, JSON and JSON lines.

Every problem becomes an `ArticleError` naming the file; `load_articles` collects them
as failures and goes on with the rest of the batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from summarizer.errors import ArticleError
from summarizer.html import MAX_HTML_BYTES, extract_html
from summarizer.models import Article, Failure

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSON_SUFFIXES = frozenset({".json", ".jsonl"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
MAX_ARTICLE_BYTES = 2_000_000
#: A JSON or JSON Lines feed may be this large; each article in it is held to the article limit.
MAX_FEED_BYTES = 256_000_000
FRONT_MATTER_KEYS = frozenset({"title", "source", "url", "published"})
JSON_KEYS = FRONT_MATTER_KEYS | {"id", "text"}


@dataclass
class LoadResult:
    """Articles read successfully, and one failure per input that could not be read."""

    articles: list[Article] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    #: Files a folder held that are briefs this program wrote, not articles: left out.
    skipped: list[str] = field(default_factory=list)


def content_hash(text: str) -> str:
    """sha256 of the article text, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _visible(text: str) -> str:
    """The text without format characters (zero-width spaces and joiners, bidi marks)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _newlines(text: str) -> str:
    """Windows (CRLF) and old Mac (lone CR) line endings as LF, before anything is parsed."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _decode(path: Path, data: bytes) -> str:
    return _newlines(_decode_bytes(path, data))


def _decode_bytes(path: Path, data: bytes) -> str:
    if not data.strip():
        raise ArticleError(str(path), "file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise ArticleError(str(path), f"invalid UTF-16 at byte {e.start}") from e
    if b"\x00" in data:
        raise ArticleError(str(path), "looks binary (contains NUL bytes), not a text article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ArticleError(
            str(path),
            f"not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start}); re-save as UTF-8",
        ) from e
    if not _visible(text).strip():
        raise ArticleError(str(path), "file is empty (only invisible characters)")
    return text


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """A regular file's bytes (a symlink is followed). A FIFO, device or socket is refused
    before it is opened, and the limit holds while reading, whatever `stat` said."""
    info = path.stat()
    mode = info.st_mode
    if not stat.S_ISREG(mode):
        kind = (
            "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not a regular file"
        )
        raise ArticleError(str(path), f"is {kind}; only regular files are read")
    size = info.st_size
    if size > max_bytes:
        raise ArticleError(str(path), f"file is {size:,} bytes, over the {max_bytes:,} limit")
    # O_NONBLOCK: a file swapped for a FIFO after the check cannot hang the open.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise ArticleError(str(path), "is not a regular file; only regular files are read")
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ArticleError(str(path), f"file grew past the {max_bytes:,} byte limit while read")
    return data


def _read_text(path: Path, max_bytes: int) -> str:
    try:
        data = _read_bytes(path, max_bytes)
    except FileNotFoundError as e:
        raise ArticleError(str(path), "no such file") from e
    except IsADirectoryError as e:
        raise ArticleError(str(path), "is a directory") from e
    except OSError as e:
        raise ArticleError(str(path), f"cannot read: {e.strerror or e}") from e
    return _decode(path, data)


def _parse_date(source: str, value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:  # a timestamp ("2026-01-23T10:00:00Z") dates the article by its day
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError as e:
        raise ArticleError(source, f"published {value!r} is not a YYYY-MM-DD date") from e


def _text_field(value: Any) -> Any:
    """A title, outlet or URL as text: YAML reads `title: 1984` as a number. Lists and
    mappings pass through unchanged, for validation to refuse with a clear message."""
    if isinstance(value, int | float | dt.date):
        return str(value)
    return value


def _make_article(source: str, article_id: str, text: str, meta: dict[str, Any]) -> Article:
    if not text.strip():
        raise ArticleError(source, "article text is empty")
    try:
        return Article(
            id=article_id,
            path=source,
            text=text,
            title=_text_field(meta.get("title")),
            source=_text_field(meta.get("source")),
            url=_text_field(meta.get("url")),
            published=_parse_date(source, meta.get("published")),
            content_hash=content_hash(text),
        )
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ArticleError(source, f"{where}: {first['msg']}") from e


#: Front matter is a flat mapping; deeper nesting than this is refused before it is built.
MAX_FRONT_MATTER_DEPTH = 8


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as text, for `_parse_date` to check and word."""


def _timestamp_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_text)


def _yaml_problem(e: yaml.YAMLError) -> str:
    """A YAML error in one line: what is wrong and where in the file (PyYAML's own text spans
    lines, and counts from the line after the opening ---)."""
    if isinstance(e, yaml.MarkedYAMLError) and e.problem:
        where = e.problem_mark or e.context_mark
        at = f" at line {where.line + 2}, column {where.column + 1}" if where else ""
        return f"{e.problem}{at}"
    return " ".join(str(e).split())


def _front_matter_yaml(source: str, header: str) -> Any:
    """Parse front matter as data only: no aliases (a few hundred bytes of them expand to
    gigabytes), no deep nesting (it exhausts the recursion limit), any YAML error in one line.
    The events are checked first with `yaml.parse`, before anything is built."""
    try:
        depth = 0
        for event in yaml.parse(header, Loader=_FrontMatterLoader):
            if isinstance(event, yaml.AliasEvent):
                raise ArticleError(
                    source, "front matter uses a YAML alias (*name); write values out"
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_FRONT_MATTER_DEPTH:
                    raise ArticleError(
                        source, f"front matter is nested over {MAX_FRONT_MATTER_DEPTH} levels deep"
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return yaml.load(header, Loader=_FrontMatterLoader) or {}  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as e:
        raise ArticleError(source, f"front matter is not valid YAML: {_yaml_problem(e)}") from e
    except (ValueError, TypeError, OverflowError, RecursionError) as e:
        problem = " ".join(str(e).split()) or type(e).__name__
        raise ArticleError(source, f"front matter cannot be read: {problem}") from e


def split_front_matter(source: str, raw: str) -> tuple[dict[str, Any], str]:
    """Split optional `---` YAML front matter from the body; the body is returned unchanged."""
    if not raw.startswith("---"):
        return {}, raw
    first_nl = raw.find("\n")
    if raw[:first_nl].strip() != "---":
        return {}, raw
    end = raw.find("\n---", first_nl)
    if end == -1:
        raise ArticleError(source, "front matter opened with --- but never closed")
    header = raw[first_nl + 1 : end]
    after = raw.find("\n", end + 4)
    body = "" if after == -1 else raw[after + 1 :]
    meta = _front_matter_yaml(source, header)
    if not isinstance(meta, dict):
        raise ArticleError(source, "front matter must be a mapping of keys to values")
    unknown = sorted(str(key) for key in set(meta) - FRONT_MATTER_KEYS)
    if unknown:
        allowed = ", ".join(sorted(FRONT_MATTER_KEYS))
        raise ArticleError(source, f"unknown front matter keys {unknown}; allowed: {allowed}")
    return meta, body


def _html_text(source: str, raw: str, max_bytes: int) -> tuple[dict[str, Any], str]:
    """Main text and metadata of an HTML page; `max_bytes` limits the text, not the markup."""
    page = extract_html(source, raw, max_text_bytes=max_bytes)
    return page.meta(), page.text


def _json_records(path: Path, raw: str) -> Iterator[tuple[str, Any]]:
    """(source, record) pairs; a JSON Lines line that does not parse is an `ArticleError` record.

    Raises:
        ArticleError: a .json file that does not parse as a whole.
    """
    if path.suffix.lower() == ".jsonl":
        # Records are split on "\n" only: str.splitlines() also splits on U+2028, U+0085 and
        # others, which json.dumps(ensure_ascii=False) leaves inside strings.
        for lineno, line in enumerate(raw.split("\n"), start=1):
            if line.strip():
                source = f"{path}:{lineno}"
                try:
                    yield source, json.loads(line)
                except json.JSONDecodeError as e:
                    yield source, ArticleError(source, f"invalid JSON: {e.msg}")
                except RecursionError:
                    yield source, ArticleError(source, "invalid JSON: nested too deeply")
        return
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as e:
        raise ArticleError(str(path), f"invalid JSON at line {e.lineno}: {e.msg}") from e
    except RecursionError as e:
        raise ArticleError(str(path), "invalid JSON: nested too deeply") from e
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items):
        yield (f"{path}[{index}]" if isinstance(value, list) else str(path)), item


def _json_article(
    path: Path, source: str, index: int, record: Any, id_prefix: str, max_bytes: int
) -> Article:
    if isinstance(record, ArticleError):
        raise record
    if not isinstance(record, dict):
        raise ArticleError(source, "each JSON article must be an object")
    unknown = sorted(set(record) - JSON_KEYS)
    if unknown:
        raise ArticleError(source, f"unknown fields {unknown}; allowed: {sorted(JSON_KEYS)}")
    text = record.get("text")
    if not isinstance(text, str):
        raise ArticleError(source, "missing string field 'text'")
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise ArticleError(source, f"text is {size:,} bytes, over the {max_bytes:,} limit")
    stem = f"{id_prefix}/{path.stem}" if id_prefix else path.stem
    default_id = stem if source == str(path) else f"{stem}-{index + 1}"
    article_id = str(record.get("id") or default_id)
    return _make_article(source, article_id, text, record)


def _read_items(path: Path, max_bytes: int, id_prefix: str) -> list[Article | ArticleError]:
    """The articles in one file; in a JSON feed, a record that is not an article is an error
    item of its own, so the rest of the feed still runs.

    Raises:
        ArticleError: the file as a whole cannot be read, decoded or parsed.
    """
    suffix = path.suffix.lower()
    if not path.exists() and not path.is_symlink():
        raise ArticleError(str(path), "no such file or folder")
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise ArticleError(str(path), f"unsupported file type {suffix or '(none)'}; use {kinds}")
    if suffix in JSON_SUFFIXES:
        raw = _read_text(path, max(MAX_FEED_BYTES, max_bytes))
        items: list[Article | ArticleError] = []
        for index, (source, record) in enumerate(_json_records(path, raw)):
            try:
                items.append(_json_article(path, source, index, record, id_prefix, max_bytes))
            except ArticleError as e:
                items.append(e)
        return items
    if suffix in HTML_SUFFIXES:
        raw = _read_text(path, max(MAX_HTML_BYTES, max_bytes))
        meta, text = _html_text(str(path), raw, max_bytes)
        stem = f"{id_prefix}/{path.stem}" if id_prefix else path.stem
        return [_make_article(str(path), stem, text, meta)]
    raw = _read_text(path, max_bytes)
    meta, text = split_front_matter(str(path), raw)
    stem = f"{id_prefix}/{path.stem}" if id_prefix else path.stem
    return [_make_article(str(path), stem, text, meta)]


def read_file(
    path: Path, *, max_bytes: int = MAX_ARTICLE_BYTES, id_prefix: str = ""
) -> list[Article]:
    """Read every article in one file. Ids default to the file stem, after `id_prefix/`.

    `max_bytes` limits a text file, the text extracted from an HTML page (whose markup may
    be up to `html.MAX_HTML_BYTES`), and each article of a JSON or JSON Lines feed
    (a feed itself may be up to `MAX_FEED_BYTES`).

    Raises:
        ArticleError: the file, or any article in it, cannot be read, decoded or parsed;
            names the file (and the record, for a feed). `load_articles` instead keeps the
            good articles of a feed and reports each bad record on its own.
    """
    items = _read_items(path, max_bytes, id_prefix)
    for item in items:
        if isinstance(item, ArticleError):
            raise item
    return [item for item in items if isinstance(item, Article)]


#: How each output format of `summarizer brief` begins.
BRIEF_STARTS = ("# Morning brief\n", '{\n  "stories": [')


def looks_like_a_brief(path: Path) -> bool:
    """Whether a file is a brief this program wrote (Markdown, HTML or JSON), by its start."""
    try:
        with path.open("rb") as f:
            head = f.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    return head.startswith(BRIEF_STARTS) or (
        head.startswith("<!DOCTYPE html>") and "<title>Morning brief</title>" in head
    )


def _walk(inputs: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[Path, str | None]]:
    """(file, id prefix) pairs: a folder's files carry their sub-folder path as the prefix
    (None for a file named as an input itself)."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found: list[Path] = []
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(
                    Path(root) / name
                    for name in files
                    if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_SUFFIXES
                )
            if not found:
                yield path, ""  # reported as a folder with no articles
            for file in sorted(found):
                yield file, file.parent.relative_to(path).as_posix().removeprefix(".")
        else:
            yield path, None


def iter_paths(inputs: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Expand directories into their supported files, sorted by path; files pass through."""
    for path, _ in _walk(inputs):
        if not path.is_dir():
            yield path


def load_articles(
    inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    max_bytes: int = MAX_ARTICLE_BYTES,
    skip: Collection[Path] = (),
) -> LoadResult:
    """Load articles from files and directories, collecting per-file failures.

    Args:
        inputs: files or directories; a directory contributes its supported files in path order.
        max_bytes: text files larger than this are refused, and so are HTML pages whose
            extracted text is larger, and each larger article in a JSON or JSON Lines feed.
        skip: files (resolved paths) a folder may hold that are not inputs: the output
            being written (a brief is never read as an article).

    Returns:
        The articles read, in input order, and one `Failure` per unreadable input (per bad
        record, in a feed: the feed's other articles are still read).
    """
    if isinstance(inputs, str | os.PathLike):
        inputs = [inputs]  # one path, never the characters of its name
    result = LoadResult()
    seen: dict[str, str] = {}
    for path, prefix in _walk(inputs):
        if skip and path.resolve() in skip:
            continue
        if prefix is not None and path.is_file() and looks_like_a_brief(path):
            result.skipped.append(f"{path}: a brief summarizer wrote, not an article; left out")
            continue
        if path.is_dir():
            kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
            problem = f"no articles found (supported: {kinds})"
            result.failures.append(
                Failure(source=str(path), error=f"{path}: {problem}", kind="ArticleError")
            )
            continue
        try:
            items = _read_items(path, max_bytes, prefix or "")
        except ArticleError as e:
            items = [e]
        for article in items:
            if isinstance(article, ArticleError):
                failure = Failure(source=article.source, error=str(article), kind="ArticleError")
                result.failures.append(failure)
                continue
            if article.id in seen:
                error = ArticleError(article.path, f"duplicate article id {article.id!r}")
                error_msg = f"{error} (first seen in {seen[article.id]})"
                result.failures.append(
                    Failure(
                        source=article.path,
                        article_id=article.id,
                        error=error_msg,
                        kind="ArticleError",
                    )
                )
                continue
            seen[article.id] = article.path
            result.articles.append(article)
    return result
