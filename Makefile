# VAWG Partnership Tracker. `make run` to try it, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# The suite runs on two processes (pytest-xdist; each has its own test database and live server).
PYTEST_ARGS ?= -n 2

.PHONY: install system-deps run test test-fast lint format check-deploy clean

install: $(STAMPS)/python $(STAMPS)/assets

# Debian packages the browser tests and PDF checks need. Installed only when missing and when run as root.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Liberation Sans" || missing="$$missing fonts-liberation"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing (run 'sudo apt-get install$$missing'; browser tests skip without Chromium)"; \
	  fi; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMPS)/python: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --upgrade "pip>=24"
	$(BIN)/pip install -q -r requirements.txt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/npm: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/assets: $(STAMPS)/npm scripts/build-assets.mjs $(shell find frontend -type f 2>/dev/null)
	npm run --silent build
	@mkdir -p $(STAMPS) && touch $@

run: install
	DEBUG=true $(BIN)/python manage.py migrate --no-input -v0
	DEBUG=true $(BIN)/python manage.py load_demo
	@echo "Serving on http://127.0.0.1:8000/ (Ctrl+C to stop)"
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install system-deps
	$(BIN)/pytest $(PYTEST_ARGS)

# Without the browser journeys: quick feedback while working.
test-fast: install
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

lint: $(STAMPS)/python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --recursive --severity-level high --confidence-level medium \
	  vawg partnership actions referrals consultations activity reports audit api
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run -v0

format: $(STAMPS)/python
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The production configuration must pass Django's deployment checks with no warning.
check-deploy: install
	DEBUG=false SECRET_KEY="$$(head -c 48 /dev/urandom | base64)" ALLOWED_HOSTS=vawg.example.org \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(STAMPS) static_build staticfiles node_modules $(VENV)
