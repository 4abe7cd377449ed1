"""The barometer feed, retention with its destruction register, and the package's boundaries."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from barometer.casework.db import create_db_engine, make_sessionmaker
from barometer.casework.models import DestructionEntry
from barometer.codes import ORIGIN_GROUPS
from barometer.programme.aggregates import (
    CELL_COLUMNS,
    INDICATOR_DEFINITIONS,
    compute_barometer_cells,
)
from barometer.programme.kpis import KpiParams, compute_kpis
from barometer.programme.models import AnonymisedCase, Person
from barometer.programme.records import load_records
from barometer.programme.retention import run_retention
from barometer.programme.synthetic import generate_cohort, write_database

from fixtures.casework import imported_modules, under

SRC = Path(__file__).parents[2] / "src/barometer"
AS_OF = date(2025, 6, 30)


def test_feed_cells_add_up_and_match_the_internal_kpis(tmp_path, vault):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    from barometer.casework.db import upgrade_database

    upgrade_database(create_db_engine(url))
    write_database(create_db_engine(url), generate_cohort(seed=5, scale=0.3), vault, 5)
    cells, definitions = compute_barometer_cells(url, "101", as_of=AS_OF)
    assert list(cells.columns) == CELL_COLUMNS
    assert set(cells.origin_group) <= set(ORIGIN_GROUPS) and "menapt" in set(cells.origin_group)
    assert set(definitions) == set(cells.indicator_id) == set(INDICATOR_DEFINITIONS)
    for d in definitions.values():
        assert d["title"]["da"] and d["title"]["en"] and d["unit"] in ("pct", "count")
    igu = cells[cells.indicator_id == "programme_igu_start_3y"].set_index(
        ["year", "origin_group", "sex"]
    )
    # The sexes add up to 'all'; western + non-western immigrants are all immigrants.
    for year in igu.index.get_level_values(0).unique():
        both = (
            igu.loc[(year, "all", "male"), "denominator"]
            + igu.loc[(year, "all", "female"), "denominator"]
        )
        assert both == igu.loc[(year, "all", "all"), "denominator"]
    # The same persons and events as the internal K15_start.
    with make_sessionmaker(create_db_engine(url))() as s:
        k = compute_kpis(load_records(s), KpiParams(as_of=AS_OF))
    k15 = k[(k.kpi_id == "K15_start") & (k.sex == "all")].set_index("cohort_year")
    for year, row in k15.iterrows():
        cell = igu.loc[(year, "all", "all")]
        assert (cell.numerator, cell.denominator) == (row.numerator, row.denominator)
        assert cell.value == pytest.approx(row.value)


def test_retention_anonymises_keeps_kpis_and_registers_counts_only(db_url, vault):
    engine = create_db_engine(db_url)
    write_database(engine, generate_cohort(seed=6, scale=0.05), vault, 6)
    with make_sessionmaker(engine)() as s:
        before = compute_kpis(load_records(s), KpiParams(as_of=AS_OF))
        closed = s.scalar(
            select(func.count()).where(
                Person.exit_date.is_not(None), Person.exit_date <= date(2021, 6, 30)
            )
        )
    assert closed > 0
    res = run_retention(engine, as_of=date(2026, 6, 30), case_years=5)
    assert res.cases == closed
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(AnonymisedCase)) == closed
        after = compute_kpis(load_records(s), KpiParams(as_of=AS_OF))
        register = {(r.entity_kind, r.mode): r.count for r in s.scalars(select(DestructionEntry))}
    assert register[("case", "anonymised")] == closed
    # K1 and K12 are computed from T0 offsets: anonymisation changes no figure.
    cols = ["kpi_id", "cohort_year", "sex", "numerator", "denominator"]
    for kpi in ("K1", "K4", "K12_3y", "K15_start"):
        a = before[before.kpi_id == kpi][cols].reset_index(drop=True)
        b = after[after.kpi_id == kpi][cols].reset_index(drop=True)
        assert a.equals(b), kpi


def test_package_boundaries():
    # The programme builds on the shared platform (barometer.casework), codes and errors only.
    allowed = ("barometer.programme", "barometer.casework", "barometer.codes", "barometer.errors")
    for path in (SRC / "programme").rglob("*.py"):
        mods = imported_modules(path) - {"barometer"}
        outside = {m for m in mods if not any(under(m, a) for a in allowed)}
        assert outside == set(), (path, outside)
    # The platform imports no case domain, and no publisher imports the programme.
    for folder in ("casework", "publish"):
        for path in (SRC / folder).rglob("*.py"):
            mods = imported_modules(path)
            assert not any(under(m, "barometer.programme") for m in mods), path
    # The check sees imports at all: the programme's web app is built on the platform's.
    assert "barometer.casework.web" in imported_modules(SRC / "programme/web/app.py")
