# The two commands of the README:
#   make verdict   installs what it needs, checks a bundled sample, writes out/verdict.pdf
#   make test      installs what it needs, runs the lint and type gates and the whole test suite
SAMPLE ?= ifc_samples/pass-school
OUT ?= out/verdict.pdf

.PHONY: setup verdict test samples bench

setup:
	@bash scripts/bootstrap.sh

verdict: setup
	.venv/bin/compliance check $(SAMPLE) -o $(OUT)

# the gates first ([tool.ruff], [tool.mypy] in pyproject.toml), then every test
test: setup
	.venv/bin/ruff check .
	.venv/bin/mypy
	.venv/bin/python -m pytest

# samples: ifc_samples/<outcome>-<name>/ and the per-rule examples features/examples/<RULE-ID>/<status>-<name>/
samples: setup
	.venv/bin/python ifc_samples/generate.py

# bench: generates 10k / 100k / 1M-entity submissions and measures them side by side (bench/RESULTS.md)
bench: setup
	.venv/bin/python bench/run.py
