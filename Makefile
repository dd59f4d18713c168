# Pasarkita: set-up, local run and tests.  `make run` serves http://127.0.0.1:5000,
# `make test` runs the whole suite (SQLite, browser tests included), ruff (check and format),
# the import contracts (lint-imports) and mypy.
#   make test PYTEST_ARGS="-m 'not browser' tests/integration"
#   DATABASE_URL_TEST=postgresql+psycopg://... make test PYTEST_WORKERS=0   (one server;
#   .ci/run gives each of the two workers its own: DATABASE_URL_TEST_WORKERS="URL1 URL2")

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
# pytest-xdist workers (one per core; 0 runs the suite in this process). Each worker has its
# own database; the browser tests stay together on one worker (--dist loadgroup).
PYTEST_WORKERS ?= 2
CHROMIUM := /usr/bin/chromium
LOCALSTRIPE_PORT ?= 8420
APP_PORT ?= 5000

.PHONY: help venv translations chromium run test lint clean i18n

help:
	@echo "make run    - migrate, seed the demo data, start localstripe and the app on http://127.0.0.1:$(APP_PORT)"
	@echo "make test   - the whole suite (browser tests included), ruff, import contracts, mypy; PYTEST_ARGS=... to narrow"
	@echo "make lint   - ruff check, ruff format --check, lint-imports, mypy"
	@echo "make venv | translations | node_modules | chromium | instance/secret_key | clean"

venv: $(VENV)/.installed

# Re-installs when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -e '.[test]'
	@touch $@

# Compiles the .po catalogs when there are any; harmless without them.
translations: venv
	@if compgen -G 'marketplace/translations/*/LC_MESSAGES/*.po' >/dev/null; then \
	  $(BIN)/pybabel compile -d marketplace/translations -f; \
	else \
	  echo "translations: no catalogs under marketplace/translations, nothing to compile"; \
	fi

# axe-core for the browser accessibility checks (test tool only).
node_modules: node_modules/.installed

node_modules/.installed: package.json $(wildcard package-lock.json)
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	@touch $@

# Debian's Chromium for Playwright (no downloaded browser builds).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	fi

instance/secret_key:
	@mkdir -p instance
	@umask 077 && python3 -c 'import secrets;print(secrets.token_hex(32))' > $@.tmp && mv $@.tmp $@
	@chmod 600 $@
	@echo "wrote $@"

# Local development: SQLite in instance/, localstripe on 127.0.0.1:$(LOCALSTRIPE_PORT).
run: venv translations instance/secret_key
	@export PASARKITA_ENV=development \
	  STRIPE_API_BASE=http://127.0.0.1:$(LOCALSTRIPE_PORT) \
	  STRIPE_JS_URL=http://127.0.0.1:$(LOCALSTRIPE_PORT)/js.stripe.com/v3/ \
	  STRIPE_WEBHOOK_SECRET=$${STRIPE_WEBHOOK_SECRET:-whsec_pasarkita_dev}; \
	set -e; \
	$(BIN)/flask --app wsgi db upgrade; \
	$(BIN)/flask --app wsgi seed-demo; \
	$(BIN)/python -m tests.localstripe_server --port $(LOCALSTRIPE_PORT) \
	  --store instance/localstripe.pickle > instance/localstripe.log 2>&1 & \
	ls_pid=$$!; \
	trap 'kill $$ls_pid 2>/dev/null || true' EXIT; \
	trap 'exit 130' INT TERM; \
	for _ in $$(seq 50); do \
	  curl -fs -o /dev/null http://127.0.0.1:$(LOCALSTRIPE_PORT)/js.stripe.com/v3/ && break; \
	  kill -0 $$ls_pid 2>/dev/null || { echo "localstripe did not start, see instance/localstripe.log"; exit 1; }; \
	  sleep 0.2; \
	done; \
	curl -fs -o /dev/null -X POST \
	  -d url=http://127.0.0.1:$(APP_PORT)/payments/stripe/webhook -d secret=$$STRIPE_WEBHOOK_SECRET \
	  http://127.0.0.1:$(LOCALSTRIPE_PORT)/_config/webhooks/pasarkita; \
	echo "localstripe: http://127.0.0.1:$(LOCALSTRIPE_PORT) (log: instance/localstripe.log); test card 4242 4242 4242 4242"; \
	echo "Pasarkita:   http://127.0.0.1:$(APP_PORT)  (Ctrl-C stops both)"; \
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(APP_PORT)

test: venv translations node_modules chromium
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Extract UI strings (Indonesian) and update the English catalog; then translate the
# new empty entries in marketplace/translations/en/LC_MESSAGES/messages.po.
i18n: venv
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --omit-header \
	  -o marketplace/translations/messages.pot .
	$(BIN)/pybabel update -i marketplace/translations/messages.pot -d marketplace/translations \
	  --no-fuzzy-matching

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Caches only: keeps .venv, node_modules and instance/ (the dev database and secret key).
clean:
	rm -rf .pytest_cache .ruff_cache .hypothesis test-results build
	find . -path ./.venv -prune -o -path ./node_modules -prune -o \
	  -name __pycache__ -type d -prune -exec rm -rf {} +
