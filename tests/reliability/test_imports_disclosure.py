"""Issue #20 item 8: imported figures and surveys pass disclosure control, with a floor of 3.

Through the real command line: `barometer import` of a cell of 1 employed of 3 persons
publishes it suppressed (no value, no counts), as a register cell would be; a survey cell
of fewer respondents than the store's threshold is suppressed whatever the spec says; and
every threshold below 3 (`--disclosure-threshold`, BAROMETER_DISCLOSURE_THRESHOLD,
`--min-respondents`, a spec's `min_respondents`) is refused with a clear message, exit
code 2 and the store unchanged.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd

SURVEYS = Path(__file__).parents[1] / "data" / "surveys"
# 1 of 3 employed (every count of the cell is below 3 or 5), 3 of 6 (publishable at 3, not
# at 5: 3 employed, 3 not) and 600 of 1,000.
FIGURES = "area,year,numerator,denominator\n101,2021,1,3\n101,2022,3,6\n101,2023,600,1000\n"


def barometer(*args: object, threshold: int | None = None):
    env = {k: v for k, v in os.environ.items() if k != "BAROMETER_DISCLOSURE_THRESHOLD"}
    if threshold is not None:
        env["BAROMETER_DISCLOSURE_THRESHOLD"] = str(threshold)
    return subprocess.run(
        [sys.executable, "-m", "barometer", *map(str, args)],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip


def observations(store: Path, source: str) -> pd.DataFrame:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(
            "SELECT year, origin_group, sex, value, numerator, denominator, status, reason "
            "FROM observations WHERE source = ? ORDER BY year, origin_group",
            [source],
        ).df()


def digests(*paths: Path) -> list[str]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def import_figures(tmp_path: Path, threshold: int) -> pd.DataFrame:
    figures = tmp_path / "kk.csv"
    figures.write_text(FIGURES, encoding="utf-8")
    store = tmp_path / f"t{threshold}.duckdb"
    proc = barometer("import", figures, "--indicator", "employment_rate_25_64", "--store",
                     store, threshold=threshold)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"disclosure threshold {threshold}" in " ".join(proc.stderr.split())
    return observations(store, "file:kk").set_index("year")


def test_an_imported_cell_of_one_of_three_persons_is_published_suppressed(tmp_path) -> None:
    for threshold in (5, 3):
        df = import_figures(tmp_path, threshold)
        small = df.loc[2021]
        assert small["status"] == "suppressed_primary", (threshold, small.to_dict())
        assert small[["value", "numerator", "denominator"]].isna().all()
        assert df.loc[2023, "status"] == "ok" and df.loc[2023, "value"] == 60.0
        # 3 of 6: every count (3 employed, 3 not, 6 in all) reaches 3 but not 5.
        middle = df.loc[2022]
        if threshold == 3:
            assert middle["status"] == "ok" and middle["value"] == 50.0
        else:
            assert middle["status"] == "suppressed_primary" and pd.isna(middle["value"])


def test_survey_cells_below_the_threshold_are_suppressed_whatever_the_spec_says(
    tmp_path,
) -> None:
    # tiny_safety: four answers count (README of tests/data/surveys), two of Danish origin and
    # two non-Western; its spec asks for 3 respondents.
    results = {}
    for threshold in (3, 5):
        store = tmp_path / f"survey{threshold}.duckdb"
        proc = barometer("survey", "import", SURVEYS / "tiny_safety.csv", "--spec",
                         SURVEYS / "tiny_safety.yaml", "--store", store,
                         threshold=threshold)  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-2000:]
        results[threshold] = observations(store, "survey:tiny_safety").set_index(
            ["origin_group", "sex"]
        )
    at3, at5 = results[3], results[5]
    assert at3.loc[("all", "all"), "status"] == "ok" and at3.loc[("all", "all"), "value"] > 0
    # Two respondents each: of Danish origin, non-Western, men, women.
    small = at3.drop(index=("all", "all"))
    assert len(small) >= 4 and (small["status"] == "suppressed_primary").all()
    assert small["value"].isna().all()
    # At the store's threshold of 5 the four respondents are too few, whatever the spec says.
    assert (at5["status"] == "suppressed_primary").all() and at5["value"].isna().all()
    assert set(at5["reason"]) == {"survey_min_respondents"}


def test_every_threshold_has_a_floor_of_three(tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    figures = tmp_path / "kk.csv"
    figures.write_text(FIGURES, encoding="utf-8")
    proc = barometer("import", figures, "--indicator", "employment_rate_25_64", "--store", store)
    assert proc.returncode == 0, proc.stderr[-2000:]
    files = [store, store.with_name("s.inputs.duckdb")]
    before = digests(*files)
    spec = tmp_path / "low.yaml"
    spec.write_text(
        (SURVEYS / "tiny_safety.yaml")
        .read_text()
        .replace("min_respondents: 3", "min_respondents: 1")
    )
    attempts = [
        (("refinish", "--store", store, "--disclosure-threshold", "2"), None, "got 2"),
        (("refinish", "--store", store), 1, "got '1'"),
        (("import", figures, "--indicator", "employment_rate_25_64", "--store", store), 2,
         "got '2'"),
        (("survey", "import", SURVEYS / "tiny_safety.csv", "--spec", SURVEYS / "tiny_safety.yaml",
          "--store", store, "--min-respondents", "1"), None, "min_respondents must be at least 3"),
        (("survey", "import", SURVEYS / "tiny_safety.csv", "--spec", spec, "--store", store),
         None, "low.yaml"),
    ]  # fmt: skip
    for args, env_threshold, needle in attempts:
        proc = barometer(*args, threshold=env_threshold)
        message = " ".join(proc.stderr.split())
        assert proc.returncode == 2, (args, proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr and needle in message, (args, message)
        assert "3" in message
        assert digests(*files) == before, args
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".s.duckdb.lock", "kk.csv", "low.yaml", "s.duckdb", "s.inputs.duckdb"]
    )
