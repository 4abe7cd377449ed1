"""Observation frames normalised for the statistics over them.

Why normalise: a CSV read without dtypes turns area code '000' into 0 and '081' into 81
(DESIGN.md principle 3 says codes are text); every goal and peer function calls this first so
that ``--values FILE`` and the store give the same results.
"""

from __future__ import annotations

import pandas as pd

REQUIRED = ("indicator_id", "area_code", "year", "origin_group", "sex", "value", "unit", "status")


def normalise_observations(obs: pd.DataFrame) -> pd.DataFrame:
    """Return obs with 3-digit text area codes, integer years and float counts.

    Missing ``numerator``/``denominator`` columns are added as nulls; a missing required
    column is an error naming it.
    """
    missing = [c for c in REQUIRED if c not in obs.columns]
    if missing:
        raise ValueError(f"observations lack column(s) {missing}")
    out = obs.copy()
    for col in ("numerator", "denominator"):
        if col not in out.columns:
            out[col] = float("nan")
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype(float)
    out["area_code"] = out["area_code"].astype(str).str.strip().str.zfill(3)
    out["year"] = pd.to_numeric(out["year"]).astype(int)
    return out
