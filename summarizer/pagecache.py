"""Fetched pages kept in SQLite, so a re-run the same morning fetches nothing it has.

A page is fresh for `max_age_s` (default 12 hours) after it was fetched; older copies are
fetched again. Bodies are stored zlib-compressed. One file may be shared by several runs
(WAL journaling, a busy timeout, one committed statement per write), as the extraction cache.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import zlib
from pathlib import Path
from types import TracebackType

from summarizer.cache import default_cache_path
from summarizer.errors import ConfigError
from summarizer.fetch import Page

log = logging.getLogger(__name__)

DEFAULT_MAX_AGE_S = 12 * 3600.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    final_url TEXT NOT NULL,
    content_type TEXT NOT NULL,
    body BLOB NOT NULL,
    fetched REAL NOT NULL
)
"""


def default_page_cache_path() -> Path:
    """pages.sqlite beside the extraction cache."""
    return default_cache_path().with_name("pages.sqlite")


class PageCache:
    """URL -> the page fetched from it, fresh for `max_age_s` seconds."""

    def __init__(self, path: Path, *, max_age_s: float = DEFAULT_MAX_AGE_S) -> None:
        self.path = path
        self.max_age_s = max_age_s
        self.hits = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=10.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as e:
            raise ConfigError(f"{path}: cannot open the page cache: {e}") from e

    def __enter__(self) -> PageCache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def get(self, url: str) -> Page | None:
        """The page fetched from `url` within `max_age_s`, or None."""
        try:
            row = self._db.execute(
                "SELECT final_url, content_type, body, fetched FROM pages WHERE url = ?", (url,)
            ).fetchone()
        except sqlite3.Error as e:
            log.warning("page cache %s: cannot read: %s", self.path, e)
            return None
        if row is None or time.time() - row[3] > self.max_age_s:
            return None
        self.hits += 1
        return Page(
            url=url,
            final_url=row[0],
            content_type=row[1],
            body=zlib.decompress(row[2]),
            from_cache=True,
        )

    def put(self, page: Page) -> None:
        """Store a fetched page; a cache that cannot be written costs a warning, not the page."""
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?)",
                (
                    page.url,
                    page.final_url,
                    page.content_type,
                    zlib.compress(page.body),
                    time.time(),
                ),
            )
        except sqlite3.Error as e:
            log.warning("page cache %s: cannot write: %s", self.path, e)
