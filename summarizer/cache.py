"""A persistent extraction cache in SQLite, safe for several runs sharing one file.

Key: sha256 of article content hash + provider + model + prompt name and version + schema
version (+ base URL for OpenAI-compatible servers, whose model names are not global) + the
title, outlet and publication date the prompt shows the model + the instructor mode,
temperature and token limits (everything else that changes the request).
Each row holds the validated `ArticleExtraction` and the usage of the call that made it.
A second table keeps each extraction's grounded article, keyed by the article, the
extraction and a fingerprint of the package's code and data, so a re-run of the same
articles skips grounding too, and any change to the code grounds again.
WAL journaling and a busy timeout let concurrent runs read and write one file; every write is
a single committed statement, so a killed run leaves the rows it finished and nothing torn.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import sys
import threading
import time
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from platformdirs import user_cache_dir

from summarizer.errors import ConfigError
from summarizer.models import (
    SCHEMA_VERSION,
    ArticleExtraction,
    Extraction,
    GroundedArticle,
    Usage,
)

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS extractions (
    key TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt TEXT NOT NULL,
    schema_version TEXT NOT NULL,
    data TEXT NOT NULL,
    usage TEXT NOT NULL,
    duration_s REAL NOT NULL,
    created REAL NOT NULL
)
"""


_GROUNDED_SCHEMA = """
CREATE TABLE IF NOT EXISTS grounded (
    key TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    created REAL NOT NULL
)
"""


@cache
def code_fingerprint() -> str:
    """sha256 of the package's own source and data files, the Python version and the versions
    of the libraries grounding uses: what grounding is a function of, besides its input. Read
    once per process (about 1 ms), when a cache is opened."""
    digest = hashlib.sha256()
    root = resources.files("summarizer")
    stack = [root]
    files = []
    while stack:
        for entry in stack.pop().iterdir():
            if entry.is_dir():
                if entry.name != "__pycache__":
                    stack.append(entry)
            elif entry.name.endswith((".py", ".yaml", ".json")):
                files.append(entry)
    for entry in sorted(files, key=str):
        digest.update(str(entry).removeprefix(str(root)).encode())
        digest.update(entry.read_bytes())
    # grounding also rests on these libraries' behaviour and Python's Unicode tables
    digest.update(sys.version.encode())
    for dist in _GROUNDING_LIBRARIES:
        try:
            digest.update(f"{dist}=={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{dist} missing".encode())
    return digest.hexdigest()


_GROUNDING_LIBRARIES = ("pydantic", "rapidfuzz", "text2num", "wordfreq", "PyYAML")


def grounded_key(extraction: Extraction) -> str:
    """The key of an extraction's grounded article: the article as read (text, date, title,
    outlet), the model's answer, and the code that grounds them."""
    parts = [
        code_fingerprint(),
        extraction.article.model_dump_json(),
        extraction.data.model_dump_json(),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def default_cache_path() -> Path:
    """The cache file: $SUMMARIZER_HOME/cache.sqlite, else the user's cache directory."""
    home = os.environ.get("SUMMARIZER_HOME")
    base = Path(home) if home else Path(user_cache_dir("summarizer"))
    return base / "cache.sqlite"


def cache_key(
    content_hash: str,
    provider: str,
    model: str,
    prompt: str,
    base_url: str | None = None,
    schema_version: str = SCHEMA_VERSION,
    context: str = "",
) -> str:
    """The cache key of one extraction.

    `context` is what else the prompt shows the model about the article (title, outlet,
    publication date): changing it changes the model's input, so it changes the key.
    """
    parts = [content_hash, provider, model, prompt, schema_version, base_url or "", context]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedExtraction:
    """What the cache returns: the model's data, the usage and time it cost then."""

    data: ArticleExtraction
    usage: Usage
    duration_s: float


@dataclass(frozen=True)
class CacheStats:
    """Rows and size of a cache file."""

    path: Path
    entries: int
    bytes: int
    by_model: dict[str, int]


class Cache:
    """An open cache file. Use as a context manager or call `close()`."""

    def __init__(self, path: Path, *, timeout_s: float = 30.0) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path, timeout=timeout_s, check_same_thread=False, isolation_level=None
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.execute(_GROUNDED_SCHEMA)
        except (OSError, sqlite3.Error) as e:
            raise ConfigError(f"{path}: cannot open the cache: {e}") from e
        self.hits = 0
        self.misses = 0
        #: Extractions that could not be stored; after the first failure, writes stop.
        self.write_errors = 0
        self._grounded_off = False
        code_fingerprint()  # taken now: code upgraded during a long run is not mistaken for it
        self._write_lock = threading.Lock()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def get(self, key: str) -> CachedExtraction | None:
        """The cached extraction for a key, or None. A row that no longer validates is a miss,
        and so is a read that fails (the file locked past the busy timeout, say)."""
        try:
            row = self._db.execute(
                "SELECT data, usage, duration_s FROM extractions WHERE key = ?", (key,)
            ).fetchone()
        except sqlite3.Error as e:
            log.warning("%s: cache read failed, extracting again: %s", self.path, e)
            row = None
        if row is None:
            self.misses += 1
            return None
        try:
            found = CachedExtraction(
                data=ArticleExtraction.model_validate_json(row[0]),
                usage=Usage.model_validate_json(row[1]),
                duration_s=row[2],
            )
        except ValueError:
            self.misses += 1
            return None
        self.hits += 1
        return found

    def put(
        self,
        key: str,
        *,
        content_hash: str,
        provider: str,
        model: str,
        prompt: str,
        data: ArticleExtraction,
        usage: Usage,
        duration_s: float,
    ) -> bool:
        """Store one extraction (one committed statement); safe to call from any thread.

        A write that fails (the file locked past the busy timeout, a full disk) never fails
        the run: it is logged once, counted in `write_errors`, and no later write is tried,
        so a stuck cache cannot stall every article in turn. Returns whether it was stored.
        """
        row = (
            key,
            content_hash,
            provider,
            model,
            prompt,
            SCHEMA_VERSION,
            data.model_dump_json(),
            usage.model_dump_json(),
            duration_s,
            time.time(),
        )
        with self._write_lock:
            if self.write_errors:
                self.write_errors += 1
                return False
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO extractions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
            except sqlite3.Error as e:
                self.write_errors += 1
                log.warning(
                    "%s: cannot store extractions (%s); this run goes on without caching",
                    self.path,
                    e,
                )
                return False
        return True

    def get_grounded(self, key: str) -> GroundedArticle | None:
        """The grounded article stored under `key` (see `grounded_key`), or None. A row that
        no longer validates, or a failed read, is a miss: the article is grounded again."""
        try:
            row = self._db.execute("SELECT data FROM grounded WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as e:  # grounding again costs milliseconds: no warning
            log.debug("%s: grounded read failed: %s", self.path, e)
            return None
        if row is None:
            return None
        try:
            return GroundedArticle.model_validate_json(row[0])
        except ValueError:
            return None

    def put_grounded(self, key: str, grounded: GroundedArticle) -> bool:
        """Store one grounded article. After a failed write (here or in `put`) none is tried
        again; a lost row only means grounding again next time, so it is logged at debug
        level. Returns whether it was stored."""
        with self._write_lock:
            if self.write_errors or self._grounded_off:
                return False
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO grounded VALUES (?, ?, ?)",
                    (key, grounded.model_dump_json(), time.time()),
                )
            except sqlite3.Error as e:
                self._grounded_off = True
                log.debug("%s: cannot store grounded articles: %s", self.path, e)
                return False
        return True

    def stats(self) -> CacheStats:
        """How many rows, by provider/model, and the file size."""
        rows = self._db.execute(
            "SELECT provider || '/' || model, COUNT(*) FROM extractions GROUP BY 1 ORDER BY 1"
        ).fetchall()
        size = sum(
            p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file()
        )
        return CacheStats(
            path=self.path,
            entries=sum(n for _, n in rows),
            bytes=size,
            by_model=dict(rows),
        )

    def clear(self) -> int:
        """Delete every row; return how many there were."""
        (count,) = self._db.execute("SELECT COUNT(*) FROM extractions").fetchone()
        self._db.execute("DELETE FROM extractions")
        self._db.execute("DELETE FROM grounded")
        self._db.execute("VACUUM")
        return int(count)
