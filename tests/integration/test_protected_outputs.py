"""Published outputs of a built (protected) store never contain a suppressed value.

The tiny hand-made delivery of test_indicators has cells of 1-17 persons, so disclosure control
must hide most of them; the raw numbers are computed separately to know what must not appear."""

from __future__ import annotations

import csv
import warnings

import numpy as np
import pytest

from barometer.pipeline import build_store
from barometer.publish.export import export_store as export
from barometer.publish.web import create_app
from barometer.store.read import read_observations

from fixtures.deliveries import tiny_delivery as _delivery
from fixtures.registers import compute_raw

with warnings.catch_warnings():
    # starlette asks for httpx2; plain httpx works and is what the project installs.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

KEY = ["indicator_id", "area_code", "year", "origin_group", "sex"]


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("protected")
    reg = _delivery(tmp)
    build_store(reg, tmp / "s.duckdb")
    raw = compute_raw(reg).set_index(KEY)
    return tmp, raw


def test_small_cells_are_suppressed_with_a_reason(stores):
    tmp, raw = stores
    obs = read_observations(tmp / "s.duckdb").set_index(KEY)
    rates = obs[obs["unit"] == "pct"]
    small = raw.loc[rates.index]
    small = small[
        (small["numerator"] < 5)
        | (small["denominator"] < 5)
        | (small["denominator"] - small["numerator"] < 5)
    ]
    assert len(small) > 0
    hidden = obs.loc[small.index]
    assert (hidden["status"] == "suppressed_primary").all()
    assert hidden[["value", "numerator", "denominator"]].isna().all().all()
    ok = obs[obs["status"] == "ok"]
    counts = ok[ok["unit"] == "count"]
    assert (
        counts[counts.index.get_level_values(0) != "housing_parallelsamfund"]["value"] >= 5
    ).all()
    assert (ok[ok["unit"] == "pct"]["numerator"] >= 5).all()


def test_export_holds_no_suppressed_value(stores, tmp_path):
    tmp, _raw = stores
    out = tmp_path / "all.csv"
    export(tmp / "s.duckdb", "csv", out)
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    suppressed = [r for r in rows if r["status"].startswith("suppressed")]
    assert suppressed
    for r in suppressed:
        assert r["value"] == r["numerator"] == r["denominator"] == ""


def test_api_holds_no_suppressed_value(stores):
    tmp, raw = stores
    client = TestClient(create_app(tmp / "s.duckdb"))
    resp = client.get(
        "/api/v1/observations",
        params={"indicator": "employment_rate_25_64", "area": "101", "year": "2020"},
    )
    assert resp.status_code == 200
    data = resp.json()
    items = data["observations"] if isinstance(data, dict) else data
    assert items
    for item in items:
        if str(item["status"]).startswith("suppressed"):
            assert item["value"] is None and item["numerator"] is None
            key = (
                item["indicator_id"],
                item["area_code"],
                int(item["year"]),
                item["origin_group"],
                item["sex"],
            )
            assert not np.isnan(raw.loc[key, "value"])  # there was a value to hide
