"""A progress bar on stderr for long runs: done, failed, tokens, elapsed, ETA. Terminal only."""

from __future__ import annotations

import sys
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from summarizer.models import Extraction, Failure


class RunProgress:
    """Counts outcomes; draws a bar only when stderr is a terminal and not told to be quiet."""

    def __init__(self, total: int, *, quiet: bool = False) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.tokens = 0
        self.cached = 0
        console = Console(stderr=True)
        self.enabled = not quiet and console.is_terminal and sys.stderr.isatty()
        self._progress = (
            Progress(
                TextColumn("extracting"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("failed {task.fields[failed]}"),
                TextColumn("{task.fields[tokens]:,} tok"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            if self.enabled
            else None
        )
        self._task = (
            self._progress.add_task("extract", total=total, failed=0, tokens=0)
            if self._progress
            else None
        )

    def __enter__(self) -> RunProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, outcome: Extraction | Failure) -> None:
        """Count one finished article."""
        self.done += 1
        if isinstance(outcome, Failure):
            self.failed += 1
            self.tokens += outcome.usage.total_tokens  # failed calls are billed too
        elif outcome.meta.cached:
            self.cached += 1
        else:
            self.tokens += outcome.meta.usage.total_tokens
        if self._progress is not None and self._task is not None:
            self._progress.update(
                self._task, completed=self.done, failed=self.failed, tokens=self.tokens
            )
