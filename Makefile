# CoreBank. `make run` installs everything and starts the bank on SQLite; `make test` installs and tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-pg test-browser screenshots lint typecheck importlint unit bench bench-console demo clean install

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

# Browser tests: headless Chromium (/usr/bin/chromium) against `corebank serve` over a demo bank. Not part of
# `test`/`test-pg` (pyproject's addopts ignore tests/e2e/browser unless it is named, as here).
test-browser: $(STAMP)
	$(BIN)/python -m pytest tests/e2e/browser -q

# The same, saving the pictures the tests take to docs/screenshots/.
screenshots: $(STAMP)
	$(BIN)/python -m pytest tests/e2e/browser -q --screenshots

bench: $(STAMP)
	$(BIN)/python bench/posting.py
	$(BIN)/python bench/http.py
	$(BIN)/python bench/eod.py

bench-console: $(STAMP)
	$(BIN)/python bench/console.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
