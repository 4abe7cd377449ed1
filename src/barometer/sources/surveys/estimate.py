"""Weighted shares with design-based intervals from respondent weights.

Method (docs/sources.md):

* share p = Σ w·y / Σ w over respondents with a valid answer (y = 1 for a "yes" code);
* Kish's effective sample size n_eff = (Σ w)² / Σ w² — the number of equally weighted
  respondents that would give the same precision; unequal weights make it smaller than n;
* 95 % interval: Wilson's score interval with n_eff in place of n (the approach of Korn &
  Graubard's effective-n intervals), drawn by the pipeline's one interval implementation
  (stats/intervals.py) from numerator = p·n_eff and denominator = n_eff. Wilson rather than
  Wald because survey shares such as 9 % sit near the boundary. It ignores stratification and
  clustering beyond what the weights carry: a design effect of weighting only;
* a cell with fewer than the minimum respondents is not published (pipeline/protect.py).

Raw weighted totals (Σ w·y, Σ w) and the respondent count are kept in ``survey_cells``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Estimate:
    respondents: int
    weight_yes: float
    weight_sum: float
    n_eff: float
    share: float | None  # 0-1


def kish_n_eff(weights: np.ndarray) -> float:
    """(Σw)² / Σw²; 0 when every weight is 0."""
    w = np.asarray(weights, dtype=float)
    sq = float(np.sum(w * w))
    return float(np.sum(w)) ** 2 / sq if sq > 0 else 0.0


def weighted_share(yes: np.ndarray, weights: np.ndarray) -> Estimate:
    """Estimate the share of ``yes`` (booleans) among respondents with ``weights``."""
    y = np.asarray(yes, dtype=bool)
    w = np.asarray(weights, dtype=float)
    total = float(w.sum())
    hit = float(w[y].sum())
    n_eff = kish_n_eff(w)
    if total <= 0 or n_eff <= 0:
        return Estimate(len(w), hit, total, n_eff, None)
    return Estimate(len(w), hit, total, n_eff, hit / total)


def shares_from_sums(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells of summed weights (``weight_sum`` Σw, ``weight_sq`` Σw², ``weight_yes`` Σw·y) →
    the same with ``n_eff`` = (Σw)²/Σw² and ``share`` = Σw·y/Σw in place of Σw²; the share is
    empty (NaN) without weight. The vectorised form of ``kish_n_eff`` and ``weighted_share``."""
    sq = frame["weight_sq"].to_numpy(dtype=float)
    total = frame["weight_sum"].to_numpy(dtype=float)
    yes = frame["weight_yes"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(sq > 0, total**2 / sq, 0.0)
        share = np.where((total > 0) & (n_eff > 0), yes / total, np.nan)
    return frame.drop(columns="weight_sq").assign(n_eff=n_eff, share=share)
