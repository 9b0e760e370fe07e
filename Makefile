# One command per chore. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install run test lint format migrate seed worker cron bench clean check-deploy

$(BIN)/python:
	$(shell command -v $(PYTHON) >/dev/null 2>&1 && echo $(PYTHON) || echo python3) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements/base.txt requirements/dev.txt requirements/production.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements/dev.txt -r requirements/production.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## The embedded default: SQLite, in-process jobs, demo data, server on :8000.
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 0.0.0.0:8000

## The whole suite on PostgreSQL and Redis (DATABASE_URL and REDIS_URL override the defaults).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

seed: $(STAMP)
	$(BIN)/python manage.py seed_demo

worker: $(STAMP)
	$(BIN)/python manage.py rqworker scrape sync notify default --with-scheduler

cron: $(STAMP)
	$(BIN)/python manage.py rqcron dropship_central.cron

## Benchmarks on a throwaway PostgreSQL database (dc_bench); `make bench BENCH=ingest` runs one.
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH)

check-deploy: $(STAMP)
	DJANGO_SETTINGS_MODULE=dropship_central.settings.production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/dropship_central REDIS_URL=redis://127.0.0.1:6379/0 \
	FIELD_ENCRYPTION_KEYS=$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
	ALLOWED_HOSTS=example.com $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
