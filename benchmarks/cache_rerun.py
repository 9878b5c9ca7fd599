"""A cache-hit re-run of a 200-article brief, end to end through the command line.

Run: python benchmarks/cache_rerun.py [--articles 200]
The first run extracts the articles from a loopback OpenAI-compatible server
(`python -m summarizer.testing`, no delay) into a fresh cache; the second, timed run is the
same `summarizer brief` command, answered entirely from the cache (it must make zero calls).
Target (issue #4): the second run under 2 s, process start to exit.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write_articles(folder: Path, n: int) -> None:
    """n small articles with figures, dates and a quote each."""
    for i in range(n):
        (folder / f"a{i:04d}.txt").write_text(
            f"Officials said {100 + i} detainees were moved on Tuesday to camp {i % 20}. "
            f"“We are ready,” minister Person{i % 20} Family said. Up to {7000 + i % 5} more "
            f"may follow, according to the ministry.\n",
            encoding="utf-8",
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=200)
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-m", "summarizer.testing", "--delay", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline().split()[1])
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "articles"
            folder.mkdir()
            write_articles(folder, args.articles)
            cmd = [
                sys.executable,
                "-m",
                "summarizer",
                "brief",
                str(folder),
                "--provider",
                "openai-compatible",
                "--model",
                "fake",
                "--base-url",
                f"http://127.0.0.1:{port}/v1",
                "--cache",
                str(Path(tmp) / "cache.sqlite"),
                "-o",
                str(Path(tmp) / "b.md"),
            ]
            first = subprocess.run(cmd, capture_output=True, text=True, check=True)
            start = time.perf_counter()
            second = subprocess.run(cmd, capture_output=True, text=True, check=True)
            elapsed = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait()
    print("first run: ", first.stderr.strip().splitlines()[-1])
    print("second run:", second.stderr.strip().splitlines()[-1])
    hits = re.search(r"\((\d+) from cache, (\d+) model calls\)", second.stderr)
    zero_calls = hits is not None and hits.group(2) == "0"
    ok = elapsed < 2.0 and zero_calls
    print(
        f"second run: {elapsed:.2f} s end to end for {args.articles} articles; "
        f"target < 2 s with zero model calls: {'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
