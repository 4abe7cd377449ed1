"""Weighted shares, Kish n_eff and their Wilson intervals, checked against hand calculations.

The interval is drawn by the pipeline's one implementation (stats/intervals.py) from the
effective counts the survey gives: numerator p·n_eff, denominator n_eff.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barometer.sources.surveys.estimate import kish_n_eff, weighted_share
from barometer.stats.intervals import wilson_interval


def interval(est):
    """The interval the pipeline stores for a survey cell (fractions)."""
    return wilson_interval(est.share * est.n_eff, est.n_eff)


def test_kish_effective_sample_size_by_hand() -> None:
    assert kish_n_eff(np.array([1.0, 2.0, 3.0, 4.0])) == pytest.approx(100 / 30)
    assert kish_n_eff(np.ones(50)) == pytest.approx(50)  # equal weights: n_eff = n
    assert kish_n_eff(np.array([0.0, 0.0])) == 0.0


def test_weighted_share_and_interval_by_hand() -> None:
    # Σw = 10, Σw·y = 1 + 3 = 4 → 0.4; n_eff = 100/30; Wilson worked out in
    # tests/data/surveys/README.md: 0.091098 .. 0.815984.
    est = weighted_share(np.array([True, False, True, False]), np.array([1.0, 2.0, 3.0, 4.0]))
    assert est.respondents == 4
    assert (est.weight_yes, est.weight_sum) == (4.0, 10.0)
    assert est.share == pytest.approx(0.4)
    assert est.n_eff == pytest.approx(3.333333, abs=1e-6)
    assert interval(est) == pytest.approx((0.091098, 0.815984), abs=1e-6)


def test_equal_weights_give_the_plain_wilson_interval() -> None:
    # 50 of 200 with equal weights: Wilson(0.25, 200) = 0.195082 .. 0.314341 (hand/calculator).
    yes = np.array([True] * 50 + [False] * 150)
    est = weighted_share(yes, np.full(200, 3.7))
    assert est.share == pytest.approx(0.25)
    assert est.n_eff == pytest.approx(200)
    assert interval(est) == pytest.approx((0.195082, 0.314341), abs=1e-6)


def test_unequal_weights_widen_the_interval() -> None:
    yes = np.array([True] * 50 + [False] * 150)
    w = np.where(np.arange(200) % 2 == 0, 1.0, 3.0)
    est = weighted_share(yes, w)
    # n_eff = (100·1 + 100·3)² / (100·1 + 100·9) = 160000 / 1000 = 160
    assert est.n_eff == pytest.approx(160)
    plain = wilson_interval(0.25 * 200, 200)
    low, high = interval(est)
    assert high - low > plain[1] - plain[0]


def test_interval_stays_in_0_1_at_the_edges() -> None:
    assert wilson_interval(0.0, 10)[0] == 0.0
    assert wilson_interval(10.0, 10)[1] == 1.0
    zero = weighted_share(np.array([True]), np.array([0.0]))
    assert zero.share is None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.floats(0.01, 100, allow_nan=False)), min_size=1, max_size=60
    ),
    st.floats(0.1, 50),
)
def test_properties_of_the_estimate(rows, scale) -> None:
    yes = np.array([r[0] for r in rows])
    w = np.array([r[1] for r in rows])
    est = weighted_share(yes, w)
    assert 0 < est.n_eff <= len(rows) + 1e-9  # unequal weights never add information
    low, high = interval(est)
    assert low <= est.share + 1e-12 and est.share - 1e-12 <= high
    assert 0 <= low and high <= 1
    scaled = weighted_share(yes, w * scale)  # only relative weights matter
    assert scaled.share == pytest.approx(est.share)
    assert scaled.n_eff == pytest.approx(est.n_eff)
