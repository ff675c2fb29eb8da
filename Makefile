# audit-service: `make run` to try it, `make test` to check it.
# Everything installs into .venv (Python) and node_modules (GOV.UK Frontend, axe-core).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ASSETS := audit_service/static/govuk/.built
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

export AUDIT_INSECURE_COOKIES ?= 1

.PHONY: install assets migrate demo run serve test lint audit bench wheel wheel-check clean

install: $(INSTALLED) $(ASSETS)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "audit-service needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): setup.cfg setup.py pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,dev]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: $(ASSETS)

$(ASSETS): node_modules/.package-lock.json scripts/build_assets.py | $(INSTALLED)
	$(BIN)/python scripts/build_assets.py
	touch $@

migrate: install
	$(BIN)/audit-service migrate

demo: migrate
	$(BIN)/audit-service rubrics load
	$(BIN)/audit-service demo --if-empty

# Migrate, load the demo council when the database is empty, then serve the web app with the
# scheduler beside it (its own process: web workers never run jobs). Ctrl-C stops both.
run: demo
	@trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/audit-service scheduler & scheduler=$$!; \
	$(BIN)/audit-service serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The installable package: a wheel in dist/ with the GOV.UK assets, rubrics, migrations and
# default plugins inside it. `make wheel-check` installs it in a clean virtual environment and
# runs migrate, rubrics load, demo and serve from an empty folder (tests/test_wheel.py does too).
wheel: $(ASSETS)
	rm -rf build dist
	$(BIN)/python -m pip wheel --no-deps --no-build-isolation -q -w dist .
	rm -rf build

wheel-check: $(ASSETS)
	$(BIN)/python scripts/check_wheel.py

# Static security checks: bandit, medium severity and above, must be clean.
audit: install
	$(BIN)/bandit -q -r audit_service plugins -ll

# Every performance target, measured beside its same-run reference, as one table (issue 9).
# The first run builds the large demo on SQLite and PostgreSQL (minutes); later runs reuse it.
# BENCH_ARGS="--quick" for a shorter run, "--only summaries" for one area.
BENCH_ARGS ?=
bench: install
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules audit_service/static/govuk audit_service/static/vendor build dist .pytest_cache .ruff_cache
