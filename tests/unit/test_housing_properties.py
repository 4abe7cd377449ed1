"""Property test: the rule engine against a direct transcription of DOMAIN.md §3.5 (2021+)."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barometer.housing import classify

share = st.floats(0, 1, allow_nan=False).map(lambda x: round(x, 3))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    residents=st.integers(900, 1100),
    nw=share,
    k1=st.tuples(share, share),
    conv=st.floats(0, 0.05).map(lambda x: round(x, 4)),
    k3=share,
    k4=st.floats(0, 1.5).map(lambda x: round(x, 3)),
)
def test_matches_algorithm_sketch(
    residents: int,
    nw: float,
    k1: tuple[float, float],
    conv: float,
    k3: float,
    k4: float,
) -> None:
    rows = [
        {"area_id": "A", "area_name": "A", "municipality_code": "101", "data_year": y,
         "residents": residents, "non_western_share": nw, "outside_labour_share_18_64": k1[i],
         "convicted_share_18plus": conv, "national_convicted_share_18plus": 0.01,
         "basic_education_only_share_30_59": k3, "income_ratio_to_region": k4}
        for i, y in enumerate((2020, 2021))
    ]  # fmt: skip
    r = classify(pd.DataFrame(rows), 2022).iloc[0]
    # DOMAIN.md §3.5, written out independently of rules.yaml (compared in hundredths of
    # percent to sidestep binary rounding; all inputs have at most 4 decimals).
    pct = lambda x: round(x * 10_000)  # noqa: E731
    k1_avg2 = pct(k1[0]) + pct(k1[1])  # twice the average
    crime_ratio_x100 = round(conv / 0.01 * 100)
    main = [k1_avg2 > 2 * 4000, crime_ratio_x100 >= 300, pct(k3) > 6000, pct(k4) < 5500]
    prev = [k1_avg2 > 2 * 3000, crime_ratio_x100 >= 200, pct(k3) > 6000, pct(k4) < 6500]
    pop_ok = residents >= 1000
    udsat = pop_ok and sum(main) >= 2
    assert r["criteria_met"] == sum(main)
    assert r["udsat"] == udsat
    assert r["parallelsamfund"] == (udsat and pct(nw) > 5000)
    assert r["forebyggelsesomraade"] == (pop_ok and pct(nw) > 3000 and sum(prev) >= 2)
    assert not r["omdannelsesomraade"]  # two data years cannot make a five-year run
