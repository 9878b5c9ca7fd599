"""The command line, run as a user runs it: a subprocess of the installed entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ARTICLES, ROOT


def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `python -m summarizer ARGS` in the checkout with the test's environment."""
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["extract"],
        ["brief"],
        ["eval"],
        ["record"],
        ["model"],
        ["model", "pull"],
        ["cache"],
        ["cache", "stats"],
        ["cache", "clear"],
    ],
)
def test_every_command_explains_itself(command: list[str]) -> None:
    """`--help` works for the tool and every subcommand."""
    done = cli(*command, "--help")
    assert done.returncode == 0
    assert "Usage" in done.stdout


def test_extract_replays_the_samples_and_says_so() -> None:
    """With nothing configured, extract replays the recordings and says so on stderr."""
    done = cli("extract", "articles/")
    assert done.returncode == 0, done.stderr
    assert "no provider configured; replaying" in done.stderr
    assert done.stdout.count("== ") == 5
    assert "Fuad Hussein" in done.stdout


def test_extract_json_is_one_validated_object_per_article() -> None:
    """--format json prints one JSON object per line with the metadata the issue asks for."""
    done = cli("extract", "articles/", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["article"]["id"] for r in rows] == sorted(p.stem for p in ARTICLES.glob("*.txt"))
    for row in rows:
        meta = row["meta"]
        assert meta["provider"] == "replay"
        assert meta["model"] == "qwen2.5-coder-1.5b-instruct"
        assert (meta["prompt_name"], meta["prompt_version"], meta["schema_version"]) == (
            "extract_article",
            "2",
            "2",
        )
        assert meta["usage"]["total_tokens"] > 0
        assert meta["content_hash"] == row["article"]["content_hash"]
        assert set(row["data"]) == {
            *("headline", "summary", "event", "actors", "quotes", "figures", "dates")
        }


def test_unrecorded_and_broken_articles_fail_alone(tmp_path: Path) -> None:
    """An article with no recording and an empty file fail with one line each; others run."""
    (tmp_path / "new.txt").write_text("A story nobody recorded.", "utf-8")
    (tmp_path / "empty.txt").write_text("", "utf-8")
    sample = ARTICLES / "003_b31ba89555d7fd13.txt"
    done = cli("extract", str(sample), str(tmp_path))
    assert done.returncode == 1
    assert done.stdout.count("== ") == 1
    errors = [
        line for line in done.stderr.splitlines() if "error" in line or "no recording" in line
    ]
    assert any("empty.txt: file is empty" in line for line in errors)
    assert any("new.txt" in line and "--provider" in line for line in done.stderr.splitlines())
    assert "Traceback" not in done.stderr
    assert "2 of 3 failed" in done.stderr


def test_usage_errors_exit_2_with_one_line() -> None:
    """A bad provider or format is a usage error: one line, exit status 2, no traceback."""
    done = cli("extract", "articles/", "--provider", "nope")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "summarizer: error: unknown provider 'nope'; choose one of "
        "openai, azure, openai-compatible, local, replay"
    )
    assert cli("extract", "articles/", "--format", "xml").returncode == 2


def test_replay_without_cassettes_is_a_usage_error(tmp_path: Path) -> None:
    """Replaying (the default) from a folder with no cassettes: one line naming it, exit 2."""
    done = cli("brief", "articles/", "--no-cache", "--cassettes", str(tmp_path), "-o", "x.md")
    assert done.returncode == 2
    assert f"summarizer: error: {tmp_path}/: no cassettes to replay" in done.stderr
    assert "--provider" in done.stderr.splitlines()[-1]
    assert "Traceback" not in done.stderr
    assert not (ROOT / "x.md").exists()


def test_local_without_model_says_how_to_get_it(tmp_path: Path) -> None:
    """--provider local with no model file explains `summarizer model pull`."""
    done = cli(
        "extract", "articles/", "--provider", "local", "--model-path", str(tmp_path / "none.gguf")
    )
    assert done.returncode == 2
    assert "summarizer model pull" in done.stderr
    assert "Traceback" not in done.stderr
