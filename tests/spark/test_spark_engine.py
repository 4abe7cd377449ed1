"""Spark (local mode) computes exactly what DuckDB computes, from the same catalogue.

One Spark session serves the module (starting a JVM costs seconds). Two deliveries:

- the hand-made delivery of tests/unit/test_indicators.py, with bef202012 and udda202009 turned
  into CSV so that Spark reads them from staged typed Parquet; every hand-computed expectation of
  that module is run again on Spark's observations (the test functions are imported below);
- a small synthetic Denmark (Parquet read by Spark in place): every observation equals DuckDB's,
  counts exactly and rates to 1e-12; the housing statistics, which read the DuckDB views
  validation made, are the same after the Spark run.

Skipped where PySpark or Java is missing, unless BAROMETER_REQUIRE_SPARK=1 (CI), which fails.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.spark

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))

from test_indicators import (  # noqa: E402  (the hand-computed tests, run again on Spark)
    _delivery,
    test_danish_test_by_start_cohort,
    test_employment_gap_is_reference_minus_focus,
    test_population_counts_and_years,
    test_public_support_full_time_shares,
    test_rate_by_hand,
)

__all__ = [
    "test_danish_test_by_start_cohort",
    "test_employment_gap_is_reference_minus_focus",
    "test_population_counts_and_years",
    "test_public_support_full_time_shares",
    "test_rate_by_hand",
]

KEYS = ["indicator_id", "area_code", "year", "origin_group", "sex"]


def _unavailable() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed"
    from barometer.compute.spark import java_available

    return None if java_available() else "no Java runtime (JAVA_HOME or java on PATH)"


@pytest.fixture(scope="module")
def session():
    reason = _unavailable()
    if reason:
        if os.environ.get("BAROMETER_REQUIRE_SPARK") == "1":
            pytest.fail(f"Spark tests required but {reason}")
        pytest.skip(reason)
    from barometer.compute.spark import spark_session

    s = spark_session("local[2]", {"spark.sql.shuffle.partitions": "2"})
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def both_engines(registers: Path, session, years=None):
    """(DuckDB result, Spark result) for one delivery."""
    duck, spark, _con, _delivery = run_both_engines(registers, session, years)
    return duck, spark


def run_both_engines(registers: Path, session, years=None):
    """Both engines' results, and the DuckDB connection and delivery validation made."""
    import ibis

    from barometer.catalogue import load_catalogue, register_indicators
    from barometer.compute.engine import compute_observations
    from barometer.compute.spark import compute_with_spark
    from barometer.sources.registers import load_delivery

    catalogue = register_indicators(load_catalogue(None))
    con = ibis.duckdb.connect()
    delivery = load_delivery(registers, con.con)
    duck = compute_observations(con, delivery, catalogue, years=years)
    spark = compute_with_spark(
        delivery, catalogue, duckdb_con=con.con, session=session, years=years
    )
    return duck, spark, con, delivery


def summed_shares() -> list[str]:
    from barometer.catalogue import load_catalogue
    from barometer.catalogue.models import RateIndicator

    return [
        i.id
        for i in load_catalogue(None).values()
        if isinstance(i, RateIndicator) and i.numerator.sum is not None
    ]


def assert_same_observations(duck: pd.DataFrame, spark: pd.DataFrame) -> None:
    assert list(duck.columns) == list(spark.columns)
    a = duck.set_index(KEYS).sort_index()
    b = spark.set_index(KEYS).sort_index()
    assert a.index.equals(b.index), "Spark and DuckDB publish different cells"
    for col in ("unit", "status"):
        assert (a[col] == b[col]).all()
    # Person counts (every count, and every rate's denominator) are exact.
    # Person counts are exact: every denominator, and every numerator but the summed full-time
    # shares of public support (floats, whose summation order may differ between engines).
    shares = a.index.get_level_values("indicator_id").isin(summed_shares())
    for col in ("numerator", "denominator"):
        x, y = a[col].to_numpy(), b[col].to_numpy()
        exact = ~shares if col == "numerator" else np.ones(len(x), dtype=bool)
        np.testing.assert_array_equal(x[exact], y[exact], err_msg=col)
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=0, err_msg=col)
    rate = (a["unit"] != "pp").to_numpy()
    x, y = a["value"].to_numpy(), b["value"].to_numpy()
    np.testing.assert_allclose(x[rate], y[rate], rtol=1e-12, atol=0)
    # A gap is a difference of two rates (in pp): relative error is meaningless near zero.
    np.testing.assert_allclose(x[~rate], y[~rate], rtol=1e-12, atol=1e-10)


@pytest.fixture(scope="module")
def hand_made(session, tmp_path_factory):
    reg = _delivery(tmp_path_factory.mktemp("spark_hand"))
    for stem in ("bef202012", "udda202009"):  # read by Spark only after staging
        src = reg / f"{stem}.parquet"
        pacsv.write_csv(pq.read_table(src), reg / f"{stem}.csv")
        src.unlink()
    return both_engines(reg, session)


@pytest.fixture(scope="module")
def obs(hand_made):
    """Spark's observations, for the hand-computed tests imported above."""
    _duck, spark = hand_made
    return spark.observations.set_index(KEYS)


def test_hand_made_delivery_equal_on_both_engines(hand_made):
    duck, spark = hand_made
    assert_same_observations(duck.observations, spark.observations)
    assert duck.notes == spark.notes[: len(duck.notes)]
    staged = [n for n in spark.notes if n.startswith("spark: ")]
    assert staged and "bef202012.csv" in staged[0] and "udda202009.csv" in staged[0]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    from barometer.sources.synthetic import generate

    reg = tmp_path_factory.mktemp("spark_syn") / "reg"
    generate(reg, scale=0.002, years=[2019, 2020], seed=3)
    return reg


@pytest.fixture(scope="module")
def synthetic_engines(session, synthetic):
    """Both engines on the synthetic delivery; then, as the build does with --engine spark,
    the housing statistics on the DuckDB views that validation made."""
    from barometer.housing import compute_area_stats

    duck, spark, con, delivery = run_both_engines(synthetic, session)
    return duck, spark, compute_area_stats(delivery, con.con, scale=0.002)


def test_synthetic_denmark_equal_on_both_engines(synthetic_engines):
    duck, spark, _housing = synthetic_engines
    assert len(duck.observations) > 10_000
    assert_same_observations(duck.observations, spark.observations)
    assert duck.notes == spark.notes  # every file is typed Parquet: nothing staged


def test_housing_statistics_after_spark_equal_duckdb_only(synthetic_engines, synthetic):
    """The Spark run leaves the validated views usable: the area statistics computed after it
    equal those of a fresh DuckDB validation of the same delivery."""
    import duckdb

    from barometer.housing import compute_area_stats
    from barometer.sources.registers import load_delivery

    _duck, _spark, after_spark = synthetic_engines
    con = duckdb.connect()
    expected = compute_area_stats(load_delivery(synthetic, con), con, scale=0.002)
    assert len(expected) > 0 and expected["non_western_share"].notna().any()
    pd.testing.assert_frame_equal(after_spark, expected, check_exact=False, rtol=1e-12, atol=0)


def test_duplicate_person_in_a_snapshot_is_named_on_spark(session, tmp_path):
    """The check behind validation runs through the engine layer: an akm file that gains a
    second row for an employed person after it was validated is reported by name on Spark too.
    Validation itself rejects that file (registers.count_duplicate_pnrs)."""
    import ibis
    import pyarrow as pa
    import pyarrow.compute as pc

    from barometer.catalogue import load_catalogue, register_indicators
    from barometer.codes import load_socio13
    from barometer.compute.spark import compute_with_spark
    from barometer.errors import InputError
    from barometer.sources.registers import load_delivery

    reg = _delivery(tmp_path)
    con = ibis.duckdb.connect()
    delivery = load_delivery(reg, con.con)  # the clean delivery passes
    akm = pq.read_table(reg / "akm2020.parquet")
    codes = pa.array([c for c, employed in load_socio13().items() if employed], pa.int64())
    employed = akm.filter(pc.is_in(pc.cast(akm["SOCIO13"], pa.int64()), value_set=codes))
    assert employed.num_rows > 0
    pq.write_table(pa.concat_tables([akm, employed.slice(0, 1)]), reg / "akm2020.parquet")
    message = r"akm2020.parquet: column PNR: 1 duplicate PNR"
    with pytest.raises(InputError, match=message):
        compute_with_spark(
            delivery,
            register_indicators(load_catalogue(None)),
            duckdb_con=con.con,
            session=session,
            years=[2020],
        )
    with pytest.raises(InputError, match=message):
        load_delivery(reg, ibis.duckdb.connect().con)


def test_date_arithmetic_agrees(session):
    """The date rules the catalogue relies on give the same answers on both engines: exact age
    (birthday counts from its day, 29 February included) and start + N years (the test window)."""
    import datetime as dt

    import ibis

    from barometer.compute.person_year import exact_age

    d = dt.date.fromisoformat
    pairs = [
        ("2004-02-29", "2017-02-28"),
        ("2004-02-29", "2017-03-01"),
        ("2004-02-29", "2016-02-29"),
        ("1990-06-15", "2003-06-14"),
        ("1990-06-15", "2003-06-15"),
        ("1990-12-31", "2020-12-31"),
    ]
    rows = {
        "i": list(range(len(pairs))),
        "born": [d(b) for b, _ in pairs],
        "at": [d(a) for _, a in pairs],
    }
    spark_con = ibis.pyspark.connect(session)
    results = []
    for con in (ibis.duckdb.connect(), spark_con):
        t = ibis.memtable(rows)
        expr = t.select(
            "i",
            age=exact_age(t.born, t.at),
            window_end=(t.born + ibis.interval(years=5)).cast("date"),
            inside=t.at <= t.born + ibis.interval(years=13),
        ).order_by("i")
        results.append(con.to_pyarrow(expr).to_pylist())
    assert results[0] == results[1]
    assert [r["age"] for r in results[0]] == [12, 13, 12, 12, 13, 30]
    assert results[0][0]["window_end"] == d("2009-02-28")
