# Developer shortcuts. The README shows the plain commands behind each target.
PY ?= .venv/bin/python

.PHONY: test lint schemas cassettes eval model bench bench-local

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

CORPUS ?= ../shared/corpus

# Re-record every cassette from the real local model (needs the `local` extra and `make model`):
# the five samples into cassettes/, the development corpus into cassettes/corpus/. About 2 to 3
# minutes an article on 2 cores; run it in the background (`nohup make cassettes &`).
cassettes:
	$(PY) -m summarizer record articles/ --provider local
	$(PY) -m summarizer record $(CORPUS)/articles --provider local --cassettes cassettes/corpus

# Score the replayed corpus and samples (each against its own baseline).
eval:
	$(PY) -m summarizer eval $(CORPUS)/gold --articles $(CORPUS)/articles --cassettes cassettes/corpus --baseline eval/baseline.corpus.json
	$(PY) -m summarizer eval eval/gold --baseline eval/baseline.json

# The benchmarks of issues #4 and #13 (each prints its numbers and whether its target is
# met), and issue #14's fetch throughput (pages/s and the share of time in text extraction).
bench:
	$(PY) benchmarks/throughput.py
	$(PY) benchmarks/merge_scale.py
	$(PY) benchmarks/cache_rerun.py
	$(PY) benchmarks/grounding_scale.py
	$(PY) benchmarks/fetch_throughput.py

# Our overhead on the local provider against the same requests sent straight to llama.cpp
# (needs the `local` extra and `make model`; minutes on 2 cores).
bench-local:
	$(PY) benchmarks/local_overhead.py
