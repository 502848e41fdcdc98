# MultiDesk: `make run` starts the product on one port; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := backend/.venv
PY := $(CURDIR)/$(VENV)/bin/python
PORT ?= 8000
export MULTIDESK_DATA_DIR ?= $(CURDIR)/var
PG_TEST_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=
SQLITE_PASS_REDIS_URL ?= redis://127.0.0.1:6379/14
PG_PASS_REDIS_URL ?= redis://127.0.0.1:6379/15

FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) $(wildcard frontend/*.ts frontend/*.mjs frontend/*.json)

.PHONY: help run test test-backend test-backend-sqlite test-backend-postgres test-frontend test-e2e \
	services lint fmt rotate-keys verify-audit migrate clean

help:
	@echo "make run          install what is needed and serve API + web app on http://127.0.0.1:$(PORT)"
	@echo "make test         backend tests on SQLite and PostgreSQL, frontend unit tests, browser end-to-end"
	@echo "make lint         ruff + TypeScript checks"
	@echo "make rotate-keys  re-encrypt client credentials with the newest MULTIDESK_ENCRYPTION_KEYS key"
	@echo "make verify-audit check the audit hash chain"

$(VENV)/.installed: backend/pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e 'backend[dev]'
	touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend/out/index.html: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run build

run: $(VENV)/.installed frontend/out/index.html
	cd backend && PORT=$(PORT) $(PY) -m app.cli serve

services:
	scripts/ensure-services.sh

# Two phases of two lanes (2 cores): the PostgreSQL pass beside the SQLite pass, the frontend's unit tests and its
# build; then the browser tests beside the bench smoke and the infra checks. Each lane's output is printed whole.
test: $(VENV)/.installed frontend/node_modules/.installed services
	$(MAKE) --no-print-directory -j2 --output-sync=target test-backend-postgres test-sqlite-then-frontend
	$(MAKE) --no-print-directory -j2 --output-sync=target test-e2e test-bench-smoke-then-infra

.PHONY: test-sqlite-then-frontend test-bench-smoke-then-infra
test-sqlite-then-frontend:
	$(MAKE) --no-print-directory test-backend-sqlite
	$(MAKE) --no-print-directory test-frontend frontend/out/index.html

test-bench-smoke-then-infra:
	$(MAKE) --no-print-directory test-bench-smoke
	$(MAKE) --no-print-directory test-infra

# The two passes run side by side: most of their time is spent waiting on servers they start (leases, SIGKILLs,
# restarts), not on the CPU. Each has its own Redis database and data directory so they cannot see each other;
# each pass's output is printed whole when it ends.
test-backend: $(VENV)/.installed services
	$(MAKE) --no-print-directory -j2 --output-sync=target test-backend-sqlite test-backend-postgres

test-backend-sqlite: $(VENV)/.installed
	cd backend && MULTIDESK_TEST_DATABASE_URL= MULTIDESK_TEST_REDIS_URL=$(SQLITE_PASS_REDIS_URL) \
		MULTIDESK_DATA_DIR=$(CURDIR)/var/test-sqlite $(PY) -m pytest -q $(PYTEST_ARGS)

test-backend-postgres: $(VENV)/.installed services
	cd backend && MULTIDESK_TEST_DATABASE_URL=$(PG_TEST_URL) MULTIDESK_TEST_REDIS_URL=$(PG_PASS_REDIS_URL) \
		MULTIDESK_DATA_DIR=$(CURDIR)/var/test-postgres $(PY) -m pytest -q $(PYTEST_ARGS)

test-frontend: frontend/node_modules/.installed
	cd frontend && npm run typecheck && npm test

test-e2e: $(VENV)/.installed frontend/out/index.html
	scripts/e2e.sh

.PHONY: bench test-bench-smoke
# Benchmarks (backend/benchmarks): every one on SQLite and PostgreSQL; the table goes to var/bench/results.{md,json}.
bench: $(VENV)/.installed services
	cd backend && BENCH_OUT=$(CURDIR)/var/bench $(PY) -m benchmarks.run

# Each benchmark once at a tiny size: well-formed rows, every order sent reached a verdict (no timing checked).
test-bench-smoke: $(VENV)/.installed services
	cd backend && BENCH_SCALE=tiny BENCH_OUT=$(CURDIR)/var/bench/smoke $(PY) -m benchmarks.run

.PHONY: test-infra
# Deployment checks that need no Docker engine or cluster (tools installed into infra/.tools by the script).
test-infra: $(VENV)/.installed
	PYTHON=$(PYTHON) BACKEND_PYTHON=$(PY) scripts/check-infra.sh

lint: $(VENV)/.installed frontend/node_modules/.installed
	cd backend && .venv/bin/ruff check app tests benchmarks scripts
	cd frontend && npm run typecheck

fmt: $(VENV)/.installed
	cd backend && .venv/bin/ruff format app tests benchmarks scripts && .venv/bin/ruff check --fix app tests benchmarks scripts

migrate: $(VENV)/.installed
	cd backend && $(PY) -m app.cli migrate

rotate-keys: $(VENV)/.installed
	cd backend && $(PY) -m app.cli rotate-keys

verify-audit: $(VENV)/.installed
	cd backend && $(PY) -m app.cli verify-audit

clean:
	rm -rf $(VENV) frontend/node_modules frontend/out frontend/.next var
