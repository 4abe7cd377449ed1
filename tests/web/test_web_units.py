"""Small pure parts of publishing: number formats, JSON-stat, the spreadsheet guard; and the one
Wilson implementation the pipeline uses."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from barometer.publish.export import to_csv, to_jsonstat
from barometer.publish.web.i18n import babel_number, fmt_change, fmt_date, fmt_value, number
from barometer.stats.intervals import wilson_arrays as wilson_interval


def test_wilson_known_values():
    lo, hi = wilson_interval(np.array([50.0]), np.array([100.0]))
    assert lo[0] == pytest.approx(0.4038, abs=1e-4)
    assert hi[0] == pytest.approx(0.5962, abs=1e-4)
    lo, hi = wilson_interval(0.0, 10.0)
    assert float(lo) == 0.0 and float(hi) == pytest.approx(0.2775, abs=1e-4)


def test_wilson_rejects_impossible_counts():
    lo, hi = wilson_interval(np.array([5.0, -1.0, 3.0]), np.array([0.0, 10.0, 2.0]))
    assert np.isnan(lo).all() and np.isnan(hi).all()


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_wilson_contains_the_share(k, n):
    k = min(k, n)
    lo, hi = wilson_interval(float(k), float(n))
    assert 0.0 <= float(lo) <= k / n + 1e-12
    assert k / n - 1e-12 <= float(hi) <= 1.0


def test_number_matches_babel():
    rnd = random.Random(6)
    values = [rnd.uniform(-1e6, 1e6) for _ in range(2000)]
    values += [round(rnd.uniform(0, 100), 2) for _ in range(2000)] + [0.05, 0.15, 60.25, 1e9]
    for v in values:
        for lang in ("da", "en"):
            for digits in (0, 1, 2):
                mine = number(v, lang, digits)
                if math.isclose(float(mine.replace(",", "").replace(".", "")), 0.0):
                    continue  # Babel writes "-0,0"; we write "0,0"
                assert mine == babel_number(v, lang, digits), (v, lang, digits)


def test_formats_people_read():
    assert fmt_value(60.3, "pct", "da") == "60,3\u00a0%"
    assert fmt_value(60.3, "pct", "en") == "60.3%"
    assert fmt_value(1234567, "count", "da") == "1.234.567"
    assert fmt_value(1234567, "count", "en") == "1,234,567"
    assert fmt_value(5.25, "pp", "da") == "5,2\u00a0pct.-point"  # half even: 5.25 → 5.2
    assert fmt_value(None, "pct", "da", "suppressed_primary") == "diskretioneret"
    assert fmt_value(0.0, "pct", "en", "suppressed_secondary") == "suppressed"
    assert fmt_value(None, "pct", "da") == "–"
    assert fmt_change(-1.5, "pct", "da") == "−1,5\u00a0pct.-point"
    assert fmt_change(2.0, "pct", "en") == "+2.0\u00a0pp"
    # The sign follows the figure as shown: a change that rounds to zero is "±".
    assert fmt_change(0.04, "pct", "en") == "±0.0\u00a0pp"
    assert fmt_change(-0.04, "pp", "da") == "±0,0\u00a0pct.-point"


def test_dates_people_read():
    assert fmt_date("2026-11-21 23:00:40", "da") == "21. november 2026"
    assert fmt_date("2026-11-21", "en") == "21 November 2026"
    assert fmt_date(None, "da") == ""


def test_jsonstat_of_a_plain_table():
    frame = pd.DataFrame({"goal_id": ["a", "b"], "n": [1, 2], "share": [0.5, None]})
    doc = to_jsonstat(frame, {"notice": None}, label="x")
    assert doc["id"] == ["goal_id", "measure"]
    assert doc["size"] == [2, 2]
    assert doc["value"] == {"0": 1, "1": 0.5, "2": 2, "3": None}


def test_csv_export_guards_against_spreadsheet_formulas():
    # A text cell a spreadsheet would run (=, +, -, @) gets a leading apostrophe; numbers,
    # negative ones included, stay numbers.
    frame = pd.DataFrame({"name": ["=HYPERLINK(1)", "@x", "-y", "+z", "ok"], "v": [-1.5] * 5})
    text = to_csv(frame).decode()
    assert text.splitlines() == [
        "name,v",
        "'=HYPERLINK(1),-1.5",
        "'@x,-1.5",
        "'-y,-1.5",
        "'+z,-1.5",
        "ok,-1.5",
    ]
