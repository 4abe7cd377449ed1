"""Shared by the reliability tests: one small synthetic delivery per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from barometer.sources.synthetic import generate

YEARS = [2019, 2020, 2021, 2022]


@pytest.fixture(scope="session")
def small_delivery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic Denmark at 1 % for four years (a few seconds to write)."""
    directory = tmp_path_factory.mktemp("reliability") / "registers"
    generate(directory, scale=0.01, years=YEARS, seed=20)
    return directory
