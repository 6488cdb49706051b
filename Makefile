# riskmap: two commands matter — `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WORKSPACE ?= var/demo
# Leaflet and its plugins for offline maps and the dashboard, from npm (never committed).
ASSETS := maps/static/node_modules/.package-lock.json

.PHONY: demo test lint install clean bench load realcheck

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

# make realcheck = the "Load your own data" path through the CLI on three real provinces' geometry
# (../shared/realdata or $$RISKMAP_REALDATA; test data, never shipped): skipped where it is absent.
REALDATA ?= $(firstword $(wildcard $(RISKMAP_REALDATA)/vn2009_dev_provinces.gpkg ../shared/realdata/vn2009_dev_provinces.gpkg ../../shared/realdata/vn2009_dev_provinces.gpkg))
realcheck: $(STAMP)
	@if [ -z "$(REALDATA)" ]; then \
		echo "realcheck skipped: vn2009_dev_provinces.gpkg not found in ../shared/realdata or \$$RISKMAP_REALDATA"; \
	else \
		$(BIN)/python -m benchmarks.realcheck --realdata $(REALDATA); \
	fi

# make bench = national scale (lead runs it on a quiet machine): writes benchmarks/results.json and
# RESULTS.md. SCALE=small (1/100), medium (1/10) or a number (0.05) write into a temporary folder
# (printed) and never touch the committed figures.
SCALE ?= full
BENCH_SCALE_full := 1
BENCH_SCALE_medium := 0.1
BENCH_SCALE_small := 0.01
bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench --scale $(or $(BENCH_SCALE_$(SCALE)),$(SCALE))

# make load = 50 clients for 60 s against `riskmap serve` on a fresh demo (LOAD_CLIENTS=, LOAD_SECONDS=).
# make load SCALE=full (or LOAD_SCALE=full|medium|small|0.05) = on a generated national workspace
# (temp folder): the largest province's /scores and /communes/{code}, p95 < 150 ms, 0 errors; only
# SCALE=full records load_p95_ms and load_errors in benchmarks/results.json.
LOAD_SCALE ?= $(if $(filter command line,$(origin SCALE)),$(SCALE),demo)
load: $(STAMP)
	$(BIN)/python -m benchmarks.load --clients $(or $(LOAD_CLIENTS),50) --seconds $(or $(LOAD_SECONDS),60) \
		$(if $(filter demo,$(LOAD_SCALE)),,--scale $(or $(BENCH_SCALE_$(LOAD_SCALE)),$(LOAD_SCALE)))

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache maps/static/node_modules
