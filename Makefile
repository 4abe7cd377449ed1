# Two entry points: `make demo` and `make test`. Both create .venv from nothing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCALE ?= 0.1
YEARS ?= 2012-2024
DEMO_DIR ?= demo
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: demo serve programme-demo welcomehouse-demo test lint format venv venv-dev clean bench

# One .venv, two install levels, each with its own stamp. The demo needs only the base
# dependencies; test, lint, format and bench add the dev tools and PySpark to the same .venv.
# The dev install includes the base one, so it refreshes both stamps: `make demo` after
# `make test` installs nothing, `make test` after `make demo` adds only the extras.
# The packages are installed by uv (from PyPI, into the .venv): the base install took 21 s
# against 48-50 s with pip (docs/performance.md).
BASE_STAMP := $(VENV)/.stamp-base
DEV_STAMP := $(VENV)/.stamp-dev
UV := $(BIN)/uv pip install --quiet --python $(BIN)/python

$(BIN)/python:
	@echo "[setup] a Python environment in $(VENV) with the barometer (about 35 s the first time)"
	$(PY) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/pip install --quiet uv

$(BASE_STAMP): pyproject.toml | $(BIN)/uv
	$(UV) -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/uv
	$(UV) -e '.[dev,spark]'
	touch $(BASE_STAMP) $@

venv: $(BASE_STAMP)

venv-dev: $(DEV_STAMP)

STORE := $(DEMO_DIR)/barometer.duckdb

# The demo in one command and one finishing run (progress and time left for every step), then
# the site. `make serve` serves the store again without rebuilding it; PORT=8080 picks the port.
demo: $(BASE_STAMP)
	$(BIN)/barometer demo --out $(DEMO_DIR) --scale $(SCALE) --years $(YEARS) --seed 1
	@$(MAKE) --no-print-directory serve

serve: $(BASE_STAMP)
	@[ -f $(STORE) ] || { echo "No demo store at $(STORE): run make demo first."; exit 2; }
	@echo "Serving the SYNTHETIC demo on port $(PORT) (another port: make serve PORT=8080; Ctrl-C stops)."
	@echo "Open http://$(HOST):$(PORT)/ first; then http://$(HOST):$(PORT)/municipality/101 (Copenhagen)"
	@echo "and http://$(HOST):$(PORT)/goals?area=101 (its goals by committee); the API at /docs; the"
	@echo "programme and Welcome House modules at /programme/ and /welcomehouse/ (demo login)."
	$(BIN)/barometer serve --store $(STORE) --host $(HOST) --port $(PORT) \
	  --programme-db $(PROGRAMME_DB) --programme-key $(PROGRAMME_KEY) \
	  --welcomehouse-db $(WELCOMEHOUSE_DB) --demo-login --insecure-cookies

# The refugee programme module alone: a synthetic cohort in SQLite, served with the demo login.
PROGRAMME_DB := $(DEMO_DIR)/programme.sqlite
PROGRAMME_KEY := $(DEMO_DIR)/programme.key

programme-demo: $(BASE_STAMP)
	mkdir -p $(DEMO_DIR)
	rm -f $(PROGRAMME_DB) $(PROGRAMME_DB)-wal $(PROGRAMME_DB)-shm
	[ -f $(PROGRAMME_KEY) ] || $(BIN)/barometer programme keygen --out $(PROGRAMME_KEY)
	$(BIN)/barometer programme synth --db $(PROGRAMME_DB) --key-file $(PROGRAMME_KEY) --seed 1
	@echo "Serving the SYNTHETIC programme demo on http://127.0.0.1:8010/programme/ (Ctrl-C to stop)"
	$(BIN)/barometer programme serve --db $(PROGRAMME_DB) --key-file $(PROGRAMME_KEY) \
	  --demo --insecure-cookies --host 127.0.0.1 --port 8010

# Welcome House alone: synthetic houses, organisations, volunteers, certificates and attendance up
# to today, served with the demo login.
WELCOMEHOUSE_DB := $(DEMO_DIR)/welcomehouse.sqlite

welcomehouse-demo: $(BASE_STAMP)
	mkdir -p $(DEMO_DIR)
	rm -f $(WELCOMEHOUSE_DB) $(WELCOMEHOUSE_DB)-wal $(WELCOMEHOUSE_DB)-shm
	$(BIN)/barometer welcomehouse synth --db $(WELCOMEHOUSE_DB) --seed 1
	@echo "Serving the SYNTHETIC Welcome House demo on http://127.0.0.1:8020/welcomehouse/ (Ctrl-C to stop)"
	$(BIN)/barometer welcomehouse serve --db $(WELCOMEHOUSE_DB) \
	  --demo --insecure-cookies --host 127.0.0.1 --port 8020

# The Spark tests need Java 17+ (Debian: openjdk-17-jre-headless); they fail, not skip, without it.
# The programme tests start their own PostgreSQL (Debian: postgresql); they fail without it.
test: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	BAROMETER_REQUIRE_SPARK=1 $(BIN)/pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/build.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache
