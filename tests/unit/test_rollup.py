"""Roll-ups are exact: municipalities → regions → Denmark, groups → all, sexes → all."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer.catalogue import load_catalogue
from barometer.codes import DETAILED_ORIGIN_GROUPS, load_countries, load_municipalities
from barometer.compute.rollup import roll_up

from fixtures.registers import compute_raw, write_register

MUNIS = sorted(load_municipalities())
CELLS = list(DETAILED_ORIGIN_GROUPS)


@st.composite
def finest_cells(draw):
    n = draw(st.integers(1, 60))
    rows = []
    for _ in range(n):
        den = draw(st.integers(1, 500))
        cell = draw(st.sampled_from(CELLS))
        rows.append(
            {
                "indicator_id": "employment_rate_25_64",
                "year": draw(st.sampled_from([2019, 2020])),
                "municipality_code": draw(st.sampled_from([*MUNIS[:12], "101", "751"])),
                "origin_cell": cell,
                # MENAPT countries are non-western (DOMAIN.md §4.2)
                "menapt": cell.endswith("non_western") and draw(st.booleans()),
                "sex": draw(st.sampled_from(["male", "female"])),
                "numerator": float(draw(st.integers(0, den))),
                "denominator": float(den),
            }
        )
    keys = ["indicator_id", "year", "municipality_code", "origin_cell", "menapt", "sex"]
    return pd.DataFrame(rows).groupby(keys, as_index=False).sum()


def _sum(obs, mask, by=("year", "origin_group", "sex")):
    return obs[mask].groupby(list(by))[["numerator", "denominator"]].sum()


@settings(max_examples=30, deadline=None)
@given(finest_cells())
def test_rollup_sums_exactly(finest):
    obs = roll_up(finest, load_catalogue())
    munis = set(load_municipalities())
    area = obs["area_code"]
    dk = _sum(obs, area == "000")
    pd.testing.assert_frame_equal(dk, _sum(obs, area.isin(munis)))
    pd.testing.assert_frame_equal(dk, _sum(obs, area.str.startswith("08")))
    # the Denmark total equals the input summed directly
    assert dk.loc[(slice(None), "all", "all"), "denominator"].sum() == finest["denominator"].sum()
    # sexes add up; the detailed groups add up to all; non-western = its two parts
    k = ["area_code", "year"]
    by_sex = obs[obs["origin_group"] == "all"].pivot_table(
        index=k, columns="sex", values="denominator", aggfunc="sum", fill_value=0
    )
    assert (by_sex.get("male", 0) + by_sex.get("female", 0) == by_sex["all"]).all()
    allsex = obs[obs["sex"] == "all"].pivot_table(
        index=k, columns="origin_group", values="numerator", aggfunc="sum", fill_value=0
    )
    allsex = allsex.reindex(
        columns=[*DETAILED_ORIGIN_GROUPS, "all", "non_western", "menapt"], fill_value=0
    )
    assert (allsex[list(DETAILED_ORIGIN_GROUPS)].sum(axis=1) == allsex["all"]).all()
    nw = allsex["immigrants_non_western"] + allsex["descendants_non_western"]
    assert (nw == allsex["non_western"]).all()
    assert (allsex["menapt"] <= allsex["non_western"]).all()
    # every rate is the ratio of its sums
    assert np.allclose(obs["value"], 100 * obs["numerator"] / obs["denominator"])


@pytest.mark.parametrize("seed", [1, 2])
def test_engine_matches_an_independent_pandas_count(tmp_path, seed):
    """Random persons; employment 16-64 and population recomputed directly with pandas."""
    rng = np.random.default_rng(seed)
    n = 3000
    countries = list(load_countries())
    ie = rng.choice([1, 2, 3], n, p=[0.7, 0.2, 0.1])
    born_year = rng.integers(1940, 2020, n)
    people = pd.DataFrame(
        {
            "PNR": [f"{i:08d}" for i in range(n)],
            "FOED_DAG": [dt.date(int(y), 6, 1) for y in born_year],
            "ALDER": 2020 - born_year,
            "KOEN": rng.choice([1, 2], n),
            "KOM": rng.choice(MUNIS, n),
            "IE_TYPE": ie,
            "OPR_LAND": np.where(ie == 1, "5100", rng.choice(countries, n)),
            "FOERSTE_INDVANDRING": [
                dt.date(int(y) + 1, 1, 1) if t == 2 else None
                for y, t in zip(born_year, ie, strict=True)
            ],
            "ADRESSE_ID": None,
        }
    )
    people.loc[people["OPR_LAND"] == "5100", "IE_TYPE"] = 1
    employed = rng.random(n) < 0.6
    socio = np.where(employed, 131, 210)
    reg = tmp_path / "reg"
    write_register(reg, "bef202012", people.to_dict("records"))
    has_akm = rng.random(n) < 0.95
    write_register(
        reg,
        "akm2020",
        [
            {"PNR": p, "SOCIO13": int(s)}
            for p, s, h in zip(people["PNR"], socio, has_akm, strict=True)
            if h
        ],
    )
    obs = compute_raw(reg).set_index(["indicator_id", "area_code", "year", "origin_group", "sex"])
    countries_w = {c: v.is_western for c, v in load_countries().items()}
    people["western"] = people["OPR_LAND"].map(countries_w)
    people["emp"] = employed & has_akm
    people["region"] = people["KOM"].map(lambda k: load_municipalities()[k].region_code)
    sel = people[(people["ALDER"] >= 16) & (people["ALDER"] <= 64)]
    nw = sel[(sel["IE_TYPE"] != 1) & ~sel["western"]]
    r = obs.loc[("employment_rate_16_64", "000", 2020, "non_western", "all")]
    assert (r["numerator"], r["denominator"]) == (nw["emp"].sum(), len(nw))
    for region, g in sel.groupby("region"):
        r = obs.loc[("employment_rate_16_64", region, 2020, "all", "all")]
        assert (r["numerator"], r["denominator"]) == (g["emp"].sum(), len(g))
    women = people[(people["KOM"] == "101") & (people["KOEN"] == 2)]
    assert obs.loc[("population", "101", 2020, "all", "female"), "value"] == len(women)
