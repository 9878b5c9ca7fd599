# Developer shortcuts. The README shows the plain commands behind each target.
PY ?= .venv/bin/python

.PHONY: test lint schemas cassettes model bench

test:
	$(PY) -m pytest

lint:
	$(PY) -m ruff check summarizer tests benchmarks
	$(PY) -m ruff format --check summarizer tests
	$(PY) -m mypy

schemas:
	$(PY) -m summarizer.schemas schemas

model:
	$(PY) -m summarizer model pull

# Re-record every cassette from the real local model (needs the `local` extra and `make model`).
cassettes:
	$(PY) -m summarizer record articles/ --provider local

# The three benchmarks of issue #4; each prints its numbers and whether its target is met.
bench:
	$(PY) benchmarks/throughput.py
	$(PY) benchmarks/merge_scale.py
	$(PY) benchmarks/cache_rerun.py
