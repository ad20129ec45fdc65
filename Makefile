# Two commands on a fresh machine: `make run` and `make test`.
# Embedded defaults (SQLite and a filesystem broker under var/); set DATABASE_URL
# and REDIS_URL to use PostgreSQL and Redis instead.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
export DEBUG ?= 1
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help install run test lint format check-migrations migrate demo browser messages bench clean

help:
	@echo "make run    install, migrate, load the directive and demo users, start web + worker + beat on 127.0.0.1:8000"
	@echo "make test   install and run the whole test suite"
	@echo "make lint   ruff lint and format check"
	@echo "make bench  benchmark on PostgreSQL and Redis (SCALE=province|national), writes bench/results-<scale>.json"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Development settings for plain `python manage.py ...` in this checkout (never deployed).
.env:
	printf '# Written by make for development; not used in production.\nDEBUG=1\n' > $@

install: .env $(VENV)/.installed node_modules/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_directive
	$(PY) manage.py demo_data

# The demo's e-mails (reminders, returns, acceptances) are written to var/mail.
run: export EMAIL_URL ?= filemail:///$(CURDIR)/var/mail
run: demo
	@echo ""
	@echo "E-mails the demo sends are written to var/mail/."
	@echo "Open http://127.0.0.1:8000 and sign in with one of the demo accounts above (password: demo)."
	@echo "Stop with Ctrl-C."
	$(BIN)/honcho -f Procfile.dev start

# Debian's Chromium for the browser tests, poppler-utils and the PDF report's font
# (root only; elsewhere install them yourself).
browser:
	@if ! command -v chromium >/dev/null || ! command -v pdftotext >/dev/null \
	  || [ ! -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver gettext poppler-utils fonts-liberation2; \
	  else echo "Chromium, pdftotext or Liberation Serif is missing: browser tests are skipped, PDF export tests fail (apt-get install chromium chromium-driver poppler-utils fonts-liberation2)."; fi; \
	fi

# The suite runs on every core (pytest-xdist; TEST_WORKERS=0 runs it in one process).
# Each worker takes the next test when it is free (--maxschedchunk 1) rather than a
# quarter of the suite at once; with the slow tests first (tests/parallel.py), no
# worker is left alone with them at the end.
TEST_WORKERS ?= auto
test: install browser
	$(PY) -m pytest -n $(TEST_WORKERS) --maxschedchunk 1 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run

# The benchmark (README, "Benchmarks"): rebuilds the PostgreSQL database
# tracker_bench_$(SCALE) (BENCH_REUSE=1 keeps a complete one) and uses Redis db 3,
# unless DATABASE_URL / REDIS_URL say otherwise. Needs PostgreSQL and Redis running.
SCALE ?= province
$(VENV)/.bench-installed: requirements-bench.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-bench.txt
	touch $@

bench: install $(VENV)/.bench-installed
	$(PY) -m bench.run --scale $(SCALE) $(BENCH_ARGS)

# Refresh the Vietnamese catalog after changing user-facing strings (needs GNU gettext).
messages: install
	$(PY) manage.py makemessages -l vi --no-location --no-obsolete -i "node_modules/*" -i ".venv/*" -i "var/*"
	$(PY) manage.py compilemessages -l vi -i ".venv" -i "node_modules"

clean:
	rm -rf $(VENV) node_modules var
