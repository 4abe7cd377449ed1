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
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $(BIN)/barometer

venv: $(BIN)/barometer

STORE := $(DEMO_DIR)/barometer.duckdb

demo: venv
	$(BIN)/barometer synth --scale $(SCALE) --years $(YEARS) --seed 1 --out $(DEMO_DIR)/registers
	$(BIN)/barometer build --registers $(DEMO_DIR)/registers --store $(STORE)
	$(BIN)/barometer survey demo --out $(DEMO_DIR)/surveys
	$(BIN)/barometer survey import $(DEMO_DIR)/surveys/copenhagen_safety_SYNTHETIC.csv \
	  --spec $(DEMO_DIR)/surveys/copenhagen_safety.yaml --store $(STORE) --replace
	$(BIN)/barometer survey import $(DEMO_DIR)/surveys/copenhagen_citizenship_SYNTHETIC.sav \
	  --spec $(DEMO_DIR)/surveys/copenhagen_citizenship.yaml --store $(STORE) --replace
	$(BIN)/barometer summary --store $(STORE)
	@echo "Serving the SYNTHETIC demo on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(BIN)/barometer serve --store $(STORE) --host 127.0.0.1 --port 8000

# The Spark tests need Java 17+ (Debian: openjdk-17-jre-headless); they fail, not skip, without it.
test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	OPENBLAS_NUM_THREADS=1 BAROMETER_REQUIRE_SPARK=1 $(BIN)/pytest

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
