# Verzuimportaal: `make run` serves the portal with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
AXE_VERSION := 4.14.1
AXE := .cache/axe-core-$(AXE_VERSION)/axe.min.js
export FLASK_APP := wsgi

.PHONY: run test test-pg lint format typecheck migrate chromium pdf-libs axe clean help bench load faults

help:
	@echo "make run     - set up, migrate, load demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test    - set up and run every test (SQLite; PostgreSQL with TEST_DATABASE_URL)"
	@echo "make lint    - ruff check and format check"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(VENV)/.installed $@

# The worker (task queue: mail, deadline notices, the April round, signals) runs beside the
# server, its queue in instance/tasks.db (mails are printed in development), and stops with it.
run: $(VENV)/.installed pdf-libs
	$(BIN)/flask db upgrade
	$(BIN)/flask demo-data
	$(BIN)/flask worker & trap 'kill $$! 2>/dev/null' EXIT; \
		$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

migrate: $(VENV)/.installed
	$(BIN)/flask db upgrade

# Debian's Chromium for the Playwright tests (Playwright's own browser download is not used).
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Chromium (Debian package)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Chromium is missing: install the 'chromium' package to run the browser tests"; fi

# Pango for WeasyPrint's PDF reports (Debian packages; Chromium pulls them in as well).
pdf-libs:
	@if ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Pango for PDF reports (Debian packages)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	else echo "Pango is missing: PDF reports are unavailable (printing the page still works)"; fi

# axe-core is a test tool: fetched from npm into .cache/, never served from static/.
$(AXE):
	@mkdir -p $(dir $@)
	@cd $(dir $@) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && \
		tar xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js && mv package/axe.min.js . && \
		rm -rf package axe-core-$(AXE_VERSION).tgz

axe: $(AXE)

test: $(VENV)/.installed-dev chromium pdf-libs $(AXE)
	AXE_PATH=$(AXE) $(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check portal devdata tests migrations bench wsgi.py
	$(BIN)/ruff format --check portal devdata tests bench wsgi.py

format: $(VENV)/.installed-dev
	$(BIN)/ruff format portal devdata tests bench wsgi.py
	$(BIN)/ruff check --fix portal devdata tests bench wsgi.py

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# Region-scale benchmark of the main pages (see bench/run.py and README "Prestaties"):
# SQLite and PostgreSQL (when reachable), gunicorn with 2 workers, wrk for the inbox.
# make bench BENCH_ARGS="--db sqlite --scale 0.1,1" for the growth check.
bench: $(VENV)/.installed-dev
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing wrk (Debian package)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else echo "wrk is missing: the inbox load test is skipped"; fi; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/imports.py $(BENCH_IMPORT_ARGS)

# Load test at region scale on PostgreSQL (bench/load.py, README "Load"): 50 users of all roles,
# a stress run per gunicorn configuration and a realistic run with think time; every
# acknowledged write counted in the database. LOAD_ARGS="--seconds 30" for a quick look.
$(VENV)/.installed-load: pyproject.toml | $(VENV)/.installed-dev
	$(BIN)/pip install --quiet -e '.[dev,load]'
	@touch $@

load: $(VENV)/.installed-load
	$(BIN)/python bench/load.py $(LOAD_ARGS)

# PostgreSQL restarted under load (bench/faults.py, README "Faults"): only 503s while it is
# down, recovery by itself, every acknowledged write once. It restarts this machine's
# PostgreSQL (pg_ctlcluster, as root; FAULT_RESTART_CMD overrides): not for a shared server.
faults: $(VENV)/.installed-load
	$(BIN)/python bench/faults.py $(FAULT_ARGS)

clean:
	rm -rf $(VENV) .cache .pytest_cache instance/portal.db*
