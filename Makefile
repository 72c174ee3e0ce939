# Two commands on a fresh machine with Python >= 3.11 and make:  make run  ·  make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
# Where `make run` listens; given on the command line (make run PORT=8001), not read from the
# environment, where HOST may already name the machine.
HOST := 127.0.0.1
PORT := 8000

.PHONY: run test lint typecheck bench clean web

# The browser app: web/ (Preact + Vite, ADR 0014) built into the package, which serves it at /app/.
WEB_DIST    := src/tillpoint/webapp/dist/index.html
WEB_MODULES := web/node_modules/.package-lock.json
WEB_SOURCES := $(shell find web -type f -not -path 'web/node_modules/*' 2>/dev/null)
NODE_OK     := $(shell node -e 'process.exit(parseInt(process.versions.node) < 20 ? 1 : 0)' 2>/dev/null && command -v npm >/dev/null 2>&1 && echo yes)

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

## Serve the API and the app (/app/) on SQLite (var/) with the demo store, on http://$(HOST):$(PORT)
## (127.0.0.1:8000 unless given: make run PORT=8001 HOST=0.0.0.0)
run: $(VENV)/.installed web
	$(BIN)/tillpoint migrate
	$(BIN)/tillpoint demo --if-missing
	$(BIN)/tillpoint serve --host $(HOST) --port $(PORT)

## Lint, format check, type-check and run the whole suite with its coverage, one process per core
## (PostgreSQL too when TILLPOINT_TEST_POSTGRES_URL is set)
test: $(VENV)/.installed-dev lint typecheck web
	$(BIN)/pytest -n auto --dist loadgroup --cov=tillpoint --cov-report=term $(PYTEST_ARGS)

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

## Build the browser app when its sources changed (from web/package-lock.json; needs Node >= 20)
ifeq ($(NODE_OK),yes)
web: $(WEB_DIST)
else
web:
	@echo "make: the browser app (/app/) needs Node.js 20 or newer with npm, which this machine"
	@echo "      lacks (Debian: apt install nodejs npm). The API is served without it meanwhile."
endif

$(WEB_MODULES): web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

$(WEB_DIST): $(WEB_MODULES) $(WEB_SOURCES)
	cd web && npm run build --silent

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache web/node_modules src/tillpoint/webapp/dist
