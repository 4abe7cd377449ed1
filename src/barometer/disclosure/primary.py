"""Primary suppression: cells that are small in themselves (DOMAIN.md §4.4).

DST lets researchers take home tables with at least 3 observations per cell; many Danish
publishers (e.g. STIL) blind cells below 5, which DOMAIN.md §4.4 recommends. A rate cell is
sensitive when any of the three counts it reveals is small:

* the numerator ("2 of the 40 are employed" identifies two people's employment),
* the denominator (the group itself is tiny),
* the complement denominator − numerator ("all but two are employed" discloses the two).

A numerator of 0 is treated as small too (0 < threshold): "0 % of the 300" tells every one of
the 300 that none of them has the attribute — the same group disclosure as the complement rule
with the roles swapped. A count of 0 is small for the same reason. A denominator of 0 (or
missing) means there is nobody in the cell: it stays "no data" and is not suppressed, because
an empty group discloses nothing about anyone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_THRESHOLD = 3  # DST's researcher rule (DOMAIN.md §4.4): never publish cells below 3.

COUNT_BELOW = "count_below_threshold"
NUMERATOR_BELOW = "numerator_below_threshold"
DENOMINATOR_BELOW = "denominator_below_threshold"
COMPLEMENT_BELOW = "complement_below_threshold"
PRIMARY_REASONS = (COUNT_BELOW, DENOMINATOR_BELOW, NUMERATOR_BELOW, COMPLEMENT_BELOW)


def check_threshold(threshold: float) -> None:
    """Refuse thresholds below DST's minimum of 3 observations per cell (DOMAIN.md §4.4)."""
    if not isinstance(threshold, int | float | np.integer | np.floating) or isinstance(
        threshold, bool
    ):
        raise ValueError(f"threshold must be a number, got {threshold!r}")
    if not threshold >= MIN_THRESHOLD:
        raise ValueError(
            f"threshold {threshold!r} is below {MIN_THRESHOLD}, the minimum number of "
            "observations per cell Statistics Denmark allows (DOMAIN.md §4.4)"
        )


def find_no_data(obs: pd.DataFrame) -> pd.Series:
    """Rows describing an empty population: a rate with denominator 0 or missing, or a missing
    count. They are published as "no data" rather than suppressed."""
    den = obs["denominator"].astype(float)
    num = obs["numerator"].astype(float)
    is_rate = obs["unit"].eq("pct")
    is_count = obs["unit"].eq("count")
    return (is_rate & (den.isna() | den.eq(0))) | (is_count & num.isna())


def classify_primary(obs: pd.DataFrame, threshold: float) -> pd.Series:
    """Return the primary reason code per row (None where the cell is not small).

    Only rate ('pct') and count rows are judged here; gap rows ('pp') inherit their status
    from their component rates later.
    """
    den = obs["denominator"].astype(float).to_numpy()
    num = obs["numerator"].astype(float).to_numpy()
    unit = obs["unit"].to_numpy()
    no_data = find_no_data(obs).to_numpy()
    is_rate = (unit == "pct") & ~no_data
    is_count = (unit == "count") & ~no_data
    with np.errstate(invalid="ignore"):
        conditions = [
            is_count & (num < threshold),
            is_rate & (den < threshold),
            is_rate & ~(num >= threshold),  # a missing numerator cannot be shown to be safe
            is_rate & ~(den - num >= threshold),
        ]
    reasons = np.select(conditions, list(PRIMARY_REASONS), default="")
    return pd.Series(np.where(reasons == "", None, reasons), index=obs.index, dtype=object)
