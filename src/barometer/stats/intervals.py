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
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np
import pandas as pd

OK = "ok"


@dataclass(frozen=True)
class GapParts:
    """How a gap indicator is made (its catalogue definition, ``GapIndicator.parts``):
    gap = sign · (rate[reference] − rate[focus group]) of the rate indicator ``rate_id``."""

    rate_id: str
    reference: str
    sign: int  # +1 reference minus focus, -1 focus minus reference


def quantile_for(confidence: float) -> float:
    """Two-sided normal quantile, e.g. 1.959964 for 95 %."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def two_sided_p(z: float) -> float:
    """Two-sided p-value of a standard normal statistic (math.erfc; no scipy needed)."""
    return math.erfc(abs(z) / math.sqrt(2))


def wilson_arrays(
    x: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score intervals for the proportions x/n, as fractions (0-1); NaN where invalid.

    Closed form: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n). At x = 0 (x = n) the
    lower (upper) limit is exactly 0 (1); the closed form only gets there up to floating-point
    noise (found by a property test), so it is set exactly.
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    z = quantile_for(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        low, high = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    low = np.where(x == 0, 0.0, low)
    high = np.where(x == n, 1.0, high)
    bad = ~((n > 0) & (x >= 0) & (x <= n))
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def newcombe_arrays(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe hybrid score intervals for p1 - p2 (independent samples), as fractions.

    L = d - sqrt((p1-l1)² + (u2-p2)²), U = d + sqrt((u1-p1)² + (p2-l2)²) with (l, u) the
    Wilson limits of each proportion (Newcombe 1998b, method 10).
    """
    x1, n1, x2, n2 = (np.asarray(a, dtype=float) for a in (x1, n1, x2, n2))
    l1, u1 = wilson_arrays(x1, n1, confidence)
    l2, u2 = wilson_arrays(x2, n2, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        d = p1 - p2
        return (
            d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
        )


def wilson_interval(x: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """One Wilson interval (``wilson_arrays``); raises for n <= 0 or x outside [0, n],
    because that is a data error, not an uncertain estimate."""
    if n <= 0 or x < 0 or x > n:
        raise ValueError(f"need 0 <= x <= n and n > 0, got x={x}, n={n}")
    return _wilson_one(float(x), float(n), confidence)


@lru_cache(maxsize=65536)
def _wilson_one(x: float, n: float, confidence: float) -> tuple[float, float]:
    """Cached: a goal evaluation of every year asks for the same cells' intervals again and
    again (the base year's, above all), and a one-element array costs more than the sums."""
    low, high = wilson_arrays(np.array([x]), np.array([n]), confidence)
    return float(low[0]), float(high[0])


def newcombe_interval(
    x1: float, n1: float, x2: float, n2: float, confidence: float = 0.95
) -> tuple[float, float]:
    """One Newcombe interval (``newcombe_arrays``); raises on invalid counts."""
    for x, n in ((x1, n1), (x2, n2)):
        if n <= 0 or x < 0 or x > n:
            raise ValueError(f"need 0 <= x <= n and n > 0, got x={x}, n={n}")
    return _newcombe_one(float(x1), float(n1), float(x2), float(n2), confidence)


@lru_cache(maxsize=65536)
def _newcombe_one(
    x1: float, n1: float, x2: float, n2: float, confidence: float
) -> tuple[float, float]:
    low, high = newcombe_arrays(*(np.array([v]) for v in (x1, n1, x2, n2)), confidence)
    return float(low[0]), float(high[0])


def binomial_variance(x: float, n: float) -> float:
    """Variance of the estimated proportion x/n: p(1-p)/n (fractions)."""
    p = x / n
    return p * (1 - p) / n


def has_counts(frame: pd.DataFrame) -> pd.Series:
    """Rows usable for binomial inference: status ok, value, numerator and denominator > 0."""
    return (
        (frame["status"] == OK)
        & frame["value"].notna()
        & frame["numerator"].notna()
        & frame["denominator"].notna()
        & (frame["denominator"] > 0)
    )


def add_intervals(
    obs: pd.DataFrame, gaps: Mapping[str, GapParts], confidence: float = 0.95
) -> pd.DataFrame:
    """Return a copy of ``obs`` with ``ci_low``, ``ci_high`` and ``ci_method``.

    * ``pct`` rows with counts: Wilson interval × 100;
    * ``pp`` rows of a gap in ``gaps``: Newcombe interval × 100 from the component rates of
      the same area, year, sex (and source, when the frame has sources): the reference group
      vs. the row's origin group, oriented like the gap;
    * everything else (counts, suppressed or missing cells, gaps without components): null.
    """
    out = obs.reset_index(drop=True)  # a fresh positional index; the caller's is restored
    out["ci_low"] = np.nan
    out["ci_high"] = np.nan
    out["ci_method"] = None
    rate = (out["unit"] == "pct") & has_counts(out)
    if rate.any():
        low, high = wilson_arrays(
            out.loc[rate, "numerator"].to_numpy(float),
            out.loc[rate, "denominator"].to_numpy(float),
            confidence,
        )
        out.loc[rate, "ci_low"] = 100 * low
        out.loc[rate, "ci_high"] = 100 * high
        out.loc[rate, "ci_method"] = "wilson"
    for gap_id, parts in gaps.items():
        _add_gap_intervals(out, gap_id, parts, confidence)
    out.index = obs.index
    return out


def _add_gap_intervals(out: pd.DataFrame, gap_id: str, parts: GapParts, confidence: float) -> None:
    """Vectorised Newcombe intervals for one gap indicator (joins on area, year, sex, source)."""
    is_gap = (out["indicator_id"] == gap_id) & (out["status"] == OK) & out["value"].notna()
    if not is_gap.any():
        return
    keys = ["area_code", "year", "sex", *(["source"] if "source" in out else [])]
    rate_id, sign = parts.rate_id, parts.sign
    rates = out.loc[(out["indicator_id"] == rate_id) & has_counts(out)]
    rates = rates[[*keys, "origin_group", "numerator", "denominator"]]
    ref = rates[rates["origin_group"] == parts.reference].drop(columns="origin_group")
    gaps = out.loc[is_gap, [*keys, "origin_group"]].reset_index()
    m = gaps.merge(rates, on=[*keys, "origin_group"], how="inner")
    m = m.merge(ref, on=keys, suffixes=("", "_ref"), how="inner")
    if m.empty:
        return
    low, high = newcombe_arrays(
        m["numerator_ref"].to_numpy(float),
        m["denominator_ref"].to_numpy(float),
        m["numerator"].to_numpy(float),
        m["denominator"].to_numpy(float),
        confidence,
    )
    if sign < 0:  # focus minus reference: mirror the interval
        low, high = -high, -low
    idx = m["index"].to_numpy()
    out.loc[idx, "ci_low"] = 100 * low
    out.loc[idx, "ci_high"] = 100 * high
    out.loc[idx, "ci_method"] = "newcombe"
