# Two entry points: `make demo` and `make test`. Both create .venv from nothing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCALE ?= 0.1
YEARS ?= 2012-2024
DEMO_DIR ?= demo

.PHONY: demo test lint format venv clean bench

$(BIN)/barometer: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/barometer

venv: $(BIN)/barometer

demo: venv
	$(BIN)/barometer synth --scale $(SCALE) --years $(YEARS) --seed 1 --out $(DEMO_DIR)/registers
	$(BIN)/barometer build --registers $(DEMO_DIR)/registers --store $(DEMO_DIR)/barometer.duckdb
	$(BIN)/barometer summary --store $(DEMO_DIR)/barometer.duckdb

test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: venv
	$(BIN)/python benchmarks/build.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache
