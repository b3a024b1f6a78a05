# The two commands that matter: `make run` (a working app on http://127.0.0.1:8000, no services
# needed) and `make test` (lint, migrations check and the whole suite on PostgreSQL and Redis).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# The lock files are for CPython 3.11: prefer python3.11, fall back to python3.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin
# A copy of the lock file that was last installed: reinstall only when the lock file changes.
STAMP := $(VENV)/.installed-requirements-dev.lock
# The same for the npm packages (GOV.UK Frontend, MoJ Frontend...): `npm ci` empties
# node_modules, so a stamp inside it goes with what it describes.
NPM_STAMP := node_modules/.installed-package-lock.json

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1

TEST_DATABASE_URL := postgres://postgres@127.0.0.1:5432/safeguarding
TEST_CELERY_BROKER_URL := redis://127.0.0.1:6379/0

# Dummy production values: enough for the deployment checks, never used to connect anywhere.
DEPLOY_CHECK_ENV := \
	SAFEGUARDING_MODE=production \
	SECRET_KEY=check-deploy-only-7Gq2Lx9VbN4kR8sT1wZ6yP3mF5jH0cD2aE9uK7nQ4vB8 \
	ALLOWED_HOSTS=safeguarding.example.org \
	DATABASE_URL=postgres://safeguarding:unused@db.invalid:5432/safeguarding \
	CELERY_BROKER_URL=redis://redis.invalid:6379/0 \
	SITE_URL=https://safeguarding.example.org \
	EMAIL_URL=smtp+tls://notifications:unused@smtp.invalid:587 \
	DEFAULT_FROM_EMAIL=notifications@safeguarding.example.org \
	FIELD_ENCRYPTION_KEYS=Y2hlY2stZGVwbG95LW9ubHktbm90LWEtc2VjcmV0LSE=

.PHONY: help install assets run test lint check-deploy lock bench

help:
	@echo "make run           install, migrate, seed the demo borough, serve on http://127.0.0.1:8000"
	@echo "make test          ruff, migrations check and pytest (PostgreSQL :5432 and Redis :6379;"
	@echo "                   tests marked both_databases again on SQLite)"
	@echo "make assets        npm ci (when package-lock.json changed) and build static/build/app.css"
	@echo "make check-deploy  Django's deployment checks in production mode, with dummy values"
	@echo "make bench         the benchmark (BENCHMARKS.md): SCALE=100 USERS=10 BENCH_ARGS=..."
	@echo "make lock          regenerate requirements.lock and requirements-dev.lock with uv"
	@echo "                   (make lock UPGRADE=1 moves every pin to the newest allowed release)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else \
		"The lock files are for Python 3.11; $(PYTHON) is " + sys.version.split()[0] + \
		". Run: make PYTHON=/path/to/python3.11 ...")'
	$(PYTHON) -m venv $(VENV)

# Phony on purpose: the check compares contents, so a touched or re-checked-out lock file that
# did not change installs nothing, and an edited one always reinstalls.
install: $(BIN)/python
	@if cmp -s requirements-dev.lock $(STAMP); then \
		echo "Dependencies are up to date with requirements-dev.lock."; \
	else \
		$(BIN)/python -m pip install --require-hashes -r requirements-dev.lock; \
		cp requirements-dev.lock $(STAMP); \
	fi

# Front-end packages from npm, reinstalled only when package-lock.json changes (no install
# scripts: none of them needs one), then the stylesheet built from static/scss/app.scss.
assets:
	@if cmp -s package-lock.json $(NPM_STAMP); then \
		echo "npm packages are up to date with package-lock.json."; \
	else \
		npm ci --ignore-scripts --no-audit --no-fund; \
		cp package-lock.json $(NPM_STAMP); \
	fi
	npm run build

# The embedded defaults: SQLite in var/ and Celery tasks run in-process. Set DATABASE_URL or
# CELERY_BROKER_URL in your environment to run against real services instead.
run: install assets
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_borough
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
	exec $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Values already in the environment win (CI or a developer may point elsewhere).
# pytest runs twice: the whole suite on PostgreSQL, then the tests marked `both_databases`
# again on the embedded SQLite database `make run` uses (in memory), because their SQL differs
# there (search matches names differently). Tests of PostgreSQL-only behaviour (misspelt names,
# index use) are simply not marked; nothing is skipped.
# The browser, API and accounts tests (tests/browser: Chromium and a live server; tests/api:
# Schemathesis against a live server) run beside the rest, in a second pytest
# with a database
# (`<name>_browser`) and a Redis database (BROWSER_CELERY_BROKER_URL) of their own, so the two
# share nothing but the machine's two cores; its output follows the rest's.
BROWSER_CELERY_BROKER_URL ?= redis://127.0.0.1:6379/1
test: export DATABASE_URL ?= $(TEST_DATABASE_URL)
test: export CELERY_BROKER_URL ?= $(TEST_CELERY_BROKER_URL)
test: install assets
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# Needs no database: SQLite in memory keeps the consistency check quiet.
	DATABASE_URL=sqlite://:memory: $(BIN)/python manage.py makemigrations --check --dry-run
	@log="$$(mktemp -t browser-tests.XXXXXX.log)"; \
	DATABASE_URL="$${DATABASE_URL}_browser" CELERY_BROKER_URL="$(BROWSER_CELERY_BROKER_URL)" \
		$(BIN)/pytest tests/browser tests/api > "$$log" 2>&1 & browser=$$!; \
	rc=0; $(BIN)/pytest --ignore=tests/browser --ignore=tests/api \
		|| rc=$$?; \
	browser_rc=0; wait $$browser || browser_rc=$$?; \
	echo "============ tests/browser, tests/api (ran beside the rest) ============"; \
	cat "$$log"; rm -f "$$log"; \
	test $$rc -eq 0 -a $$browser_rc -eq 0
	DATABASE_URL=sqlite://:memory: $(BIN)/pytest -m both_databases

# The benchmark (BENCHMARKS.md, `python -m safeguarding.bench --help`): seeds a borough of
# SCALE into a PostgreSQL database of its own (or reuses it), serves it with gunicorn in
# production mode on 127.0.0.1 and drives USERS concurrent users through every page and the API.
# Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, like make test.
SCALE ?= 100
USERS ?= 10
BENCH_ARGS ?=
bench: install assets
	$(BIN)/python -m safeguarding.bench --scale $(SCALE) --users $(USERS) $(BENCH_ARGS)

check-deploy: install
	$(DEPLOY_CHECK_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

# Both lock files from pyproject.toml, for CPython 3.11, with hashes. The runtime lock is
# constrained by the dev lock so the two never pin different versions. Uses uv from PATH, or
# installs it into a throwaway venv.
lock:
	@uv="$$(command -v uv || true)"; tmp=""; \
	if [ -z "$$uv" ]; then \
		tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
		echo "Installing uv into $$tmp ..."; \
		$(PYTHON) -m venv "$$tmp/venv"; \
		"$$tmp/venv/bin/python" -m pip install --quiet uv; \
		uv="$$tmp/venv/bin/uv"; \
	fi; \
	opts=(--quiet --python-version 3.11 --generate-hashes --custom-compile-command "make lock"); \
	if [ -n "$(UPGRADE)" ]; then opts+=(--upgrade); fi; \
	set -x; \
	"$$uv" pip compile pyproject.toml --extra dev "$${opts[@]}" -o requirements-dev.lock; \
	"$$uv" pip compile pyproject.toml -c requirements-dev.lock "$${opts[@]}" -o requirements.lock
