"""Shared fixtures; the helpers behind them live in tests/fixtures/."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.postgres import postgres_server  # noqa: F401 (the session's PostgreSQL)
from fixtures.registers import write_register
from fixtures.session import SESSION_FIGURES, SESSION_YEARS


@pytest.fixture
def write():
    return write_register


# --- the session store: one store built by the real pipeline, for web, report and CLI tests ---


@pytest.fixture(scope="session")
def session_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic Denmark (1 % scale, 2012-2024, seed 7) built by the pipeline, then given
    every other kind of input: the four demo surveys (Copenhagen's safety, youth citizenship
    and health surveys and the national citizenship survey), three StatBank tables (replayed
    from the constructed answers over local HTTP) and a file of ready-made figures."""
    from barometer.catalogue import load_catalogue
    from barometer.pipeline import add_inputs, build_store
    from barometer.sources.files import figures_input
    from barometer.sources.statbank import fetch_tables
    from barometer.sources.surveys import generate_demo_surveys, survey_input
    from barometer.sources.synthetic import generate

    from fixtures.statbank_server import ReplayServer

    tmp = tmp_path_factory.mktemp("session")
    generate(tmp / "reg", scale=0.01, years=SESSION_YEARS, seed=7)
    store = tmp / "store.duckdb"
    build_store(tmp / "reg", store)
    catalogue = load_catalogue()
    inputs = [
        survey_input(data, spec, catalogue)
        for data, spec in generate_demo_surveys(tmp / "surveys", seed=7).values()
    ]
    server = ReplayServer().start()
    try:
        tables = ["FOLK1E", "RAS200", "STRAFNA9"]
        for table in tables:
            server.add_table(table)
        inputs += fetch_tables(catalogue, tables, [2022, 2023], server.base_url).inputs
    finally:
        server.stop()
    figures = tmp / "kk_employment.csv"
    figures.write_text(SESSION_FIGURES, encoding="utf-8")
    inputs.append(figures_input(figures, "employment_rate_25_64", catalogue))
    add_inputs(store, inputs)
    return store
