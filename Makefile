# Two commands on a fresh machine with Python >= 3.11 and make:  make run  ·  make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
# Where `make run` listens; given on the command line (make run PORT=8001), not read from the
# environment, where HOST may already name the machine.
HOST := 127.0.0.1
PORT := 8000

.PHONY: run test lint typecheck bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

## Serve the API on SQLite (var/) with the demo store, on http://$(HOST):$(PORT)
## (127.0.0.1:8000 unless given: make run PORT=8001 HOST=0.0.0.0)
run: $(VENV)/.installed
	$(BIN)/tillpoint migrate
	$(BIN)/tillpoint demo --if-missing
	$(BIN)/tillpoint serve --host $(HOST) --port $(PORT)

## Lint, format check, type-check and run the whole suite with its coverage, one process per core
## (PostgreSQL too when TILLPOINT_TEST_POSTGRES_URL is set)
test: $(VENV)/.installed-dev lint typecheck
	$(BIN)/pytest -n auto --cov=tillpoint --cov-report=term $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench probe
	$(BIN)/ruff format --check src tests bench probe

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

## Benchmarks against a real server on PostgreSQL (see bench/README.md)
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.api_locations
	$(BIN)/python -m bench.catalog
	$(BIN)/python -m bench.checkout

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
