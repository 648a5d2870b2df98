# pmdash: `make run` serves the dashboard on the sample corpus, `make test` runs the tests,
# `make check` runs every check CI runs.
# Both create .venv and install pmdash into it first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
STORE ?= data/pmdash.duckdb

.PHONY: run test lint check bench sync clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

run: $(INSTALLED)
	@test -e $(STORE) || $(BIN)/pmdash sync --db $(STORE)
	$(BIN)/pmdash serve --db $(STORE)

sync: $(INSTALLED)
	$(BIN)/pmdash sync --db $(STORE)

# The tests on every core (pytest-xdist): on 2 cores the suite takes 11 min instead of 16.
test: $(INSTALLED)
	$(BIN)/python -m pytest -n auto

# Formatting, lint, types, import contracts, declared dependencies.
lint: $(INSTALLED)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy loaders queries figures pages cli.py dashboard.py
	$(BIN)/lint-imports
	$(BIN)/deptry .

# Everything CI runs (.ci/run): the lint, then the tests.
check: lint test

bench: $(INSTALLED)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(STORE) $(STORE).lock
