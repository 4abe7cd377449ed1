"""W1-W5 and the barometer feed on the hand-made Welcome House, on SQLite and PostgreSQL.

Every expectation below is worked out by hand from tests/welcomehouse/conftest.py's files on
t = 2025-06-30 (window 2025-04-02 … 2025-06-30): active are V1 (S1, S3), V2 (S1, S2), V3 (S4)
and V4 (S5); V5 worked only on 1 March. V1, V2 and V3 worked where a certificate is needed;
V2's expired on 1 May. V1's certificates end on 1 July, within 30 days.
"""

from __future__ import annotations

import csv
import math
from datetime import date

import pytest

from barometer.casework.db import create_db_engine, make_sessionmaker
from barometer.welcomehouse.aggregates import (
    CELL_COLUMNS,
    INDICATOR_DEFINITIONS,
    compute_barometer_cells,
)
from barometer.welcomehouse.importer import import_directory
from barometer.welcomehouse.kpis import KpiParams, compute_kpis, load_data

from .conftest import run_cli

T = date(2025, 6, 30)


def figures(frame) -> dict[tuple[str, str], tuple[float, float | None]]:
    return {
        (r.kpi_id, r.group): (r.numerator, None if math.isnan(r.denominator) else r.denominator)
        for r in frame.itertuples()
    }


def test_w1_to_w5_by_hand(db_url, small_dir):
    import_directory(create_db_engine(db_url), small_dir)
    with make_sessionmaker(create_db_engine(db_url))() as s:
        f = figures(compute_kpis(load_data(s), KpiParams(day=T)))
    # W1: V1 and V3 covered on t, V2 not (expired 2025-05-01).
    assert f[("W1", "all")] == (2, 3)
    assert f[("W1", "house=H1")] == (1, 2) and f[("W1", "organisation=O1")] == (1, 2)
    assert f[("W1", "house=H2")] == (1, 1) and f[("W1", "organisation=O2")] == (1, 1)
    # W2: only V1's cover ends within 30 days (2025-07-01); V2's has ended, so it is not
    # "expiring"; V3's runs to 2026; V4 holds none.
    assert f[("W2", "all")] == (1, 4)
    assert f[("W2", "house=H1")] == (1, 2) and f[("W2", "house=H2")] == (0, 2)
    assert f[("W2", "organisation=O2")] == (0, 1)
    # W3: four active volunteers; O1 and O2 ran sessions in the window, O3 only in March.
    assert f[("W3_volunteers", "all")] == (4, None)
    assert f[("W3_volunteers", "house=H1")] == (2, None)
    assert f[("W3_volunteers", "house=H2")] == (2, None)
    assert f[("W3_volunteers", "organisation=O2")] == (1, None)
    assert f[("W3_organisations", "all")] == (2, None)
    assert f[("W3_organisations", "house=H1")] == (1, None)
    assert ("W3_organisations", "organisation=O3") not in f
    # W4: 13 weeks 2025-W15 … 2025-W27; S1 (W23) 8, S4 (W24) 6, S3 + S5 (W25) 9 + 4.
    weeks = {g: n for (k, g), (n, _d) in f.items() if k == "W4_headcount" and ";" not in g}
    assert len(weeks) == 13 and min(weeks) == "week=2025-W15" and max(weeks) == "week=2025-W27"
    assert {g: n for g, n in weeks.items() if n} == {
        "week=2025-W23": 8,
        "week=2025-W24": 6,
        "week=2025-W25": 13,
    }
    assert f[("W4_headcount", "week=2025-W25;house=H1")] == (9, None)
    assert f[("W4_headcount", "week=2025-W25;house=H2")] == (4, None)
    # W5: June 3 + 2.5 + 3 + 5 + 2; April 3 (S2); March 3 (S6); 12 months from 2024-07.
    months = {g: n for (k, g), (n, _d) in f.items() if k == "W5_hours" and ";" not in g}
    assert len(months) == 12 and min(months) == "month=2024-07"
    assert months["month=2025-06"] == 15.5 and months["month=2025-05"] == 0
    assert months["month=2025-04"] == 3 and months["month=2025-03"] == 3
    assert f[("W5_hours", "month=2025-06;house=H1")] == (8.5, None)
    assert f[("W5_hours", "month=2025-06;house=H2")] == (7, None)
    assert f[("W5_hours", "month=2025-06;organisation=O1")] == (8.5, None)
    assert f[("W5_hours", "month=2025-06;organisation=O2")] == (5, None)
    assert f[("W5_hours", "month=2025-03;organisation=O3")] == (3, None)


def test_a_renewal_keeps_w1_and_a_later_day_moves_the_window(small_dir, tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    from barometer.casework.db import upgrade_database

    upgrade_database(create_db_engine(url))
    import_directory(create_db_engine(url), small_dir)
    with make_sessionmaker(create_db_engine(url))() as s:
        data = load_data(s)
    # On 2 July V1's certificates have expired: W1 1/3 (only V3); S2 (15 April) is still in
    # the window (4 April … 2 July), so V2 is still counted.
    f = figures(compute_kpis(data, KpiParams(day=date(2025, 7, 2))))
    assert f[("W1", "all")] == (1, 3)
    # On 15 July the window starts 17 April: V2's only certificate work (S2) drops out.
    f = figures(compute_kpis(data, KpiParams(day=date(2025, 7, 15))))
    assert f[("W1", "all")] == (1, 2) and f[("W3_volunteers", "all")] == (4, None)


def test_kpis_cli_writes_the_issue_columns(small_dir, tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "cli.db")
    code, _o, err = run_cli(monkeypatch, capsys, "welcomehouse", "import", "--db", db,
                            str(small_dir))  # fmt: skip
    assert code == 0, err
    out = tmp_path / "w.csv"
    code, _o, err = run_cli(monkeypatch, capsys, "welcomehouse", "kpis", "--db", db,
                            "--date", "2025-06-30", "--out", str(out))  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["kpi_id", "group", "numerator", "denominator", "value"]
    w1 = next(r for r in rows if r["kpi_id"] == "W1" and r["group"] == "all")
    assert float(w1["value"]) == pytest.approx(200 / 3)
    w3 = next(r for r in rows if r["kpi_id"] == "W3_volunteers" and r["group"] == "all")
    assert (w3["numerator"], w3["denominator"], w3["value"]) == ("4.0", "", "4.0")
    code, _o, err = run_cli(monkeypatch, capsys, "welcomehouse", "kpis", "--db", db,
                            "--date", "30-06-2025", "--out", str(out))  # fmt: skip
    assert code == 2 and "--date" in err and "Traceback" not in err


def test_barometer_feed_by_hand(small_dir, tmp_path):
    url = f"sqlite:///{tmp_path / 'f.db'}"
    from barometer.casework.db import upgrade_database

    upgrade_database(create_db_engine(url))
    import_directory(create_db_engine(url), small_dir)
    cells, definitions = compute_barometer_cells(url, "101", as_of=date(2025, 12, 31))
    assert list(cells.columns) == CELL_COLUMNS
    assert set(cells.indicator_id) == set(definitions) == set(INDICATOR_DEFINITIONS)
    assert set(cells.origin_group) == {"all"} and set(cells.unit) == {"count"}
    c = {(r.indicator_id, r.sex): (r.numerator, r.denominator, r.value) for r in cells.itertuples()}
    assert c[("welcomehouse_active_volunteers", "all")] == (5, 5, 5)  # V1-V5 worked in 2025
    assert c[("welcomehouse_active_organisations", "all")] == (3, 3, 3)  # O1, O2, O3
    assert c[("welcomehouse_volunteer_hours", "all")] == (21.5, 21.5, 21.5)
    assert c[("welcomehouse_attendance", "all")][0] == 34
    assert c[("welcomehouse_attendance", "female")][0] == 21
    assert c[("welcomehouse_attendance", "male")][0] == 13
    assert ("welcomehouse_active_volunteers", "male") not in c  # volunteers have no sex here
    # 2025 is not complete on 30 June: no cells yet.
    early, _ = compute_barometer_cells(url, "101", as_of=date(2025, 6, 30))
    assert early.empty
    for d in definitions.values():
        assert d["title"]["da"] and d["title"]["en"] and d["unit"] == "count"
