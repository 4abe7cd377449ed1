"""Shared by the reliability tests: one small synthetic delivery per session.

A module rather than a conftest.py, so that ``from conftest import ...`` in this folder still
reaches tests/conftest.py; each test module wraps ``write_small_delivery`` in a fixture, and
all of them share the one delivery in the session's base folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from barometer.sources.synthetic import generate

YEARS = [2019, 2020, 2021, 2022]


def write_small_delivery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic Denmark at 1 % for four years (a few seconds to write, once a session)."""
    directory = tmp_path_factory.getbasetemp() / "reliability-delivery"
    if not (directory / "manifest.json").is_file():
        generate(directory, scale=0.01, years=YEARS, seed=20)
    return directory
