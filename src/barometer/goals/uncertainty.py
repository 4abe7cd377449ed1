"""Confidence intervals for rates and gaps, and the tests behind "significant change".

Why: register figures for small municipalities rest on few people, so a change of several
percentage points can be noise. Every rate carries its numerator and denominator (DESIGN.md
principle 2), which is all we need for binomial intervals.

Methods (documented in docs/goals.md):

* rates: Wilson score interval (Wilson 1927; Newcombe 1998, method 3) — good coverage even
  for shares near 0 or 100 % and for small denominators, unlike the Wald interval;
* gaps (difference of two independent proportions, e.g. DOMAIN.md §1.5 employment gap):
  Newcombe's hybrid score interval (Newcombe 1998b, method 10), built from the two Wilson
  intervals;
* changes between two years: normal approximation with the delta-method (here exact, as the
  statistic is linear) variance, sum of p(1-p)/n over the proportions involved.

Values are on the observation scale: percent (0-100) for ``pct`` and points for ``pp``.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

# Gap indicators and the rate they are built from (DOMAIN.md §1.5 and the task brief):
# (rate indicator, sign) where gap = sign * (rate[danish_origin] - rate[focus group]).
GAP_COMPONENTS: dict[str, tuple[str, int]] = {
    "employment_gap_25_64": ("employment_rate_25_64", +1),  # danish_origin minus focus
    "public_support_gap": ("public_support_share", -1),  # focus minus danish_origin
}
REFERENCE_GROUP = "danish_origin"
OK = "ok"


def quantile_for(confidence: float) -> float:
    """Two-sided normal quantile, e.g. 1.959964 for 95 %."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def two_sided_p(z: float) -> float:
    """Two-sided p-value of a standard normal statistic (math.erfc; no scipy needed)."""
    return math.erfc(abs(z) / math.sqrt(2))


def wilson_interval(x: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for the proportion x/n, as fractions (0-1).

    Closed form: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n). Raises for n <= 0
    or x outside [0, n] because that is a data error, not an uncertain estimate.
    """
    if n <= 0 or x < 0 or x > n:
        raise ValueError(f"need 0 <= x <= n and n > 0, got x={x}, n={n}")
    z = quantile_for(confidence)
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # At x = 0 (x = n) the lower (upper) limit is exactly 0 (1); the closed form only gets
    # there up to floating-point noise (found by a property test), so set it exactly.
    low = 0.0 if x == 0 else max(0.0, centre - half)
    high = 1.0 if x == n else min(1.0, centre + half)
    return low, high


def newcombe_interval(
    x1: float, n1: float, x2: float, n2: float, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe hybrid score interval for p1 - p2 (independent samples), as fractions.

    L = d - sqrt((p1-l1)² + (u2-p2)²), U = d + sqrt((u1-p1)² + (p2-l2)²) with (l, u) the
    Wilson limits of each proportion (Newcombe 1998b, method 10).
    """
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, confidence)
    l2, u2 = wilson_interval(x2, n2, confidence)
    d = p1 - p2
    return (
        d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


def binomial_variance(x: float, n: float) -> float:
    """Variance of the estimated proportion x/n: p(1-p)/n (fractions)."""
    p = x / n
    return p * (1 - p) / n


def _wilson_arrays(
    x: np.ndarray, n: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    z = quantile_for(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        low, high = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    low[x == 0] = 0.0
    high[x == n] = 1.0
    bad = ~((n > 0) & (x >= 0) & (x <= n))
    low[bad] = np.nan
    high[bad] = np.nan
    return low, high


def has_counts(frame: pd.DataFrame) -> pd.Series:
    """Rows usable for binomial inference: status ok, value, numerator and denominator > 0."""
    return (
        (frame["status"] == OK)
        & frame["value"].notna()
        & frame["numerator"].notna()
        & frame["denominator"].notna()
        & (frame["denominator"] > 0)
    )


def add_intervals(obs: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Return a copy of ``obs`` with ``ci_low``, ``ci_high`` and ``ci_method``.

    * ``pct`` rows with counts: Wilson interval × 100;
    * ``pp`` gap rows listed in GAP_COMPONENTS: Newcombe interval × 100 from the component
      rates of the same area, year and sex (reference group danish_origin vs. the row's
      origin group), oriented like the gap;
    * everything else (counts, suppressed or missing cells, gaps without components): null.
    """
    out = obs.reset_index(drop=True)  # a fresh positional index; the caller's is restored
    out["ci_low"] = np.nan
    out["ci_high"] = np.nan
    out["ci_method"] = None
    rate = (out["unit"] == "pct") & has_counts(out)
    if rate.any():
        low, high = _wilson_arrays(
            out.loc[rate, "numerator"].to_numpy(float),
            out.loc[rate, "denominator"].to_numpy(float),
            confidence,
        )
        out.loc[rate, "ci_low"] = 100 * low
        out.loc[rate, "ci_high"] = 100 * high
        out.loc[rate, "ci_method"] = "wilson"
    for gap_id, (rate_id, sign) in GAP_COMPONENTS.items():
        _add_gap_intervals(out, gap_id, rate_id, sign, confidence)
    out.index = obs.index
    return out


def _add_gap_intervals(
    out: pd.DataFrame, gap_id: str, rate_id: str, sign: int, confidence: float
) -> None:
    """Vectorised Newcombe intervals for one gap indicator (joins on area, year, sex)."""
    is_gap = (out["indicator_id"] == gap_id) & (out["status"] == OK) & out["value"].notna()
    if not is_gap.any():
        return
    keys = ["area_code", "year", "sex"]
    rates = out.loc[(out["indicator_id"] == rate_id) & has_counts(out)]
    rates = rates[[*keys, "origin_group", "numerator", "denominator"]]
    ref = rates[rates["origin_group"] == REFERENCE_GROUP].drop(columns="origin_group")
    gaps = out.loc[is_gap, [*keys, "origin_group"]].reset_index()
    m = gaps.merge(rates, on=[*keys, "origin_group"], how="inner")
    m = m.merge(ref, on=keys, suffixes=("", "_ref"), how="inner")
    if m.empty:
        return
    x1, n1 = m["numerator_ref"].to_numpy(float), m["denominator_ref"].to_numpy(float)
    x2, n2 = m["numerator"].to_numpy(float), m["denominator"].to_numpy(float)
    l1, u1 = _wilson_arrays(x1, n1, confidence)
    l2, u2 = _wilson_arrays(x2, n2, confidence)
    p1, p2 = x1 / n1, x2 / n2
    low = (p1 - p2) - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = (p1 - p2) + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    if sign < 0:  # focus minus reference: mirror the interval
        low, high = -high, -low
    idx = m["index"].to_numpy()
    out.loc[idx, "ci_low"] = 100 * low
    out.loc[idx, "ci_high"] = 100 * high
    out.loc[idx, "ci_method"] = "newcombe"
