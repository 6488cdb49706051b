# riskmap: two commands matter — `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WORKSPACE ?= var/demo
# Leaflet and its plugins for offline maps and the dashboard, from npm (never committed).
ASSETS := maps/static/node_modules/.package-lock.json

.PHONY: demo test lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(ASSETS): maps/static/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix maps/static --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: online maps work, 'riskmap map --offline' and the browser tests need"; \
		echo "  node and npm (apt-get install npm), then 'make install'"; \
	fi

install: $(STAMP) $(ASSETS)

demo: $(STAMP) $(ASSETS)
	$(BIN)/riskmap demo --workspace $(WORKSPACE)

test: $(STAMP) $(ASSETS)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache maps/static/node_modules
