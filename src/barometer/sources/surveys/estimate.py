"""Weighted shares with design-based intervals from respondent weights.

Method (docs/sources.md):

* share p = Σ w·y / Σ w over respondents with a valid answer (y = 1 for a "yes" code);
* Kish's effective sample size n_eff = (Σ w)² / Σ w² — the number of equally weighted
  respondents that would give the same precision; unequal weights make it smaller than n;
* 95 % interval: Wilson's score interval with n_eff in place of n (the approach of Korn &
  Graubard's effective-n intervals). Wilson rather than Wald because survey shares such as
  9 % sit near the boundary. It ignores stratification and clustering beyond what the weights
  carry: a design effect of weighting only;
* a cell with fewer than ``min_respondents`` valid answers is not published.

Why numerator = p·n_eff and denominator = n_eff in the store: the rest of the system treats
numerator/denominator as binomial counts (goals/uncertainty.py draws Wilson intervals from
them), and with these effective counts it reproduces exactly the interval above. Raw weighted
totals (Σ w·y, Σ w) and the respondent count are kept in ``survey_cells``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np


@dataclass(frozen=True)
class Estimate:
    respondents: int
    weight_yes: float
    weight_sum: float
    n_eff: float
    share: float | None  # 0-1
    ci_low: float | None
    ci_high: float | None


def kish_n_eff(weights: np.ndarray) -> float:
    """(Σw)² / Σw²; 0 when every weight is 0."""
    w = np.asarray(weights, dtype=float)
    sq = float(np.sum(w * w))
    return float(np.sum(w)) ** 2 / sq if sq > 0 else 0.0


def wilson(p: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a share p on n (effective) observations, as fractions."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # At p = 0 (1) the lower (upper) end is exactly 0 (1); rounding would leave 1e-17.
    low = 0.0 if p <= 0 else max(0.0, centre - half)
    high = 1.0 if p >= 1 else min(1.0, centre + half)
    return low, high


def weighted_share(yes: np.ndarray, weights: np.ndarray, confidence: float = 0.95) -> Estimate:
    """Estimate the share of ``yes`` (booleans) among respondents with ``weights``."""
    y = np.asarray(yes, dtype=bool)
    w = np.asarray(weights, dtype=float)
    total = float(w.sum())
    hit = float(w[y].sum())
    n_eff = kish_n_eff(w)
    if total <= 0 or n_eff <= 0:
        return Estimate(len(w), hit, total, n_eff, None, None, None)
    p = hit / total
    low, high = wilson(p, n_eff, confidence)
    return Estimate(len(w), hit, total, n_eff, p, low, high)
