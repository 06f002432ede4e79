# CoreBank. `make run` installs everything and starts the bank on SQLite; `make test` installs and tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-pg lint typecheck importlint unit bench demo clean install

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/corebank init --demo
	$(BIN)/corebank serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

importlint: $(STAMP)
	$(BIN)/lint-imports

test: lint typecheck importlint
	$(BIN)/python -m pytest

test-pg: $(STAMP)
	bash scripts/pg-test.sh

bench: $(STAMP)
	$(BIN)/python bench/posting.py
	$(BIN)/python bench/http.py
	$(BIN)/python bench/eod.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
