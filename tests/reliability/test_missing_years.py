"""Issue #20 item 5: a year missing from a delivery is listed and skipped, not fatal.

The session's small synthetic delivery (2019-2022) loses every file of 2020. Validation notes
the gap and the register input (indicators and housing lists; the finishing stage is
unaffected by years and is left out for time) carries on with the other years.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from barometer.catalogue import load_catalogue
from barometer.pipeline.registers import derive_register_input
from barometer.sources.registers import find_missing_years, split_at_gaps

from fixtures.small_delivery import write_small_delivery


@pytest.fixture(scope="session")
def small_delivery(tmp_path_factory):
    return write_small_delivery(tmp_path_factory)


def without_2020(small_delivery, tmp_path):
    registers = tmp_path / "registers"
    shutil.copytree(small_delivery, registers)
    removed = sorted(p.name for p in registers.glob("*2020*"))
    for name in removed:
        (registers / name).unlink()
    assert "bef202012.parquet" in removed and "akm2020.parquet" in removed
    return registers


def test_gaps_are_found_between_the_first_and_the_last_year() -> None:
    assert find_missing_years([2018, 2019, 2021, 2024]) == [2020, 2022, 2023]
    assert find_missing_years([2020]) == [] and find_missing_years([]) == []
    assert split_at_gaps([2021, 2018, 2019, 2024]) == [[2018, 2019], [2021], [2024]]


def test_a_missing_year_is_noted_and_the_others_are_computed(small_delivery, tmp_path) -> None:
    registers = without_2020(small_delivery, tmp_path)
    result = derive_register_input(registers, load_catalogue())
    assert any(
        n.startswith("data year 2020: no population file (bef202012)") and "skipped" in n
        for n in result.notes
    ), result.notes
    # Housing lists need the residents of the year before: list years 2021 and 2022 cannot
    # be made; 2020 (data 2019) and 2023 (data 2021-2022) can.
    assert "housing lists 2021, 2022: not computed, data year(s) 2020 missing" in result.notes
    obs = result.cells
    population = obs[obs["indicator_id"].eq("population")]
    assert sorted(population["year"].unique()) == [2019, 2021, 2022]
    housing = obs[obs["indicator_id"].str.startswith("housing_")]
    assert sorted(housing["year"].unique()) == [2020, 2023]


def test_validate_reports_the_gap_and_succeeds(small_delivery, tmp_path) -> None:
    registers = without_2020(small_delivery, tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "barometer", "validate", "--registers", str(registers)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    message = " ".join(proc.stderr.split())
    assert "data year 2020: no population file (bef202012)" in message
    assert "years [2019, 2021, 2022]" in message
