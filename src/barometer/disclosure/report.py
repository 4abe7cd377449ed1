"""The cost of protection: how many cells each rule hid, per indicator and area level.

Backs ``barometer disclosure report --store PATH`` so an analyst can see where suppression
bites (typically small municipalities × descendants) and which rule caused it.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from barometer.codes import DENMARK, load_municipalities

SUMMARY_COLUMNS = ("indicator_id", "area_level", "status", "reason", "cells", "share_pct")


def classify_area_levels(
    codes: pd.Series, municipality_regions: Mapping[str, str] | None = None
) -> pd.Series:
    """'country', 'region' or 'municipality' for each area code."""
    if municipality_regions is None:
        municipality_regions = {c: m.region_code for c, m in load_municipalities().items()}
    regions = set(municipality_regions.values())
    return codes.map(
        lambda c: "country" if c == DENMARK else "region" if c in regions else "municipality"
    )


def summarise_suppression(
    obs: pd.DataFrame,
    *,
    by: str = "area_level",
    municipality_regions: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Count suppressed cells per indicator, area level (or area code) and reason.

    ``obs`` is the output of ``protect``. ``by`` is "area_level" or "area_code". Each row also
    carries the share of that indicator × area group's cells the reason hid; a row with reason
    "all" and status "all_suppressed" gives the total hidden per indicator × area group.
    """
    if by not in ("area_level", "area_code"):
        raise ValueError("by must be 'area_level' or 'area_code'")
    frame = obs[["indicator_id", "area_code", "status"]].copy()
    frame["reason"] = obs.get("reason")
    if by == "area_level":
        frame["area_level"] = classify_area_levels(frame["area_code"], municipality_regions)
    keys = ["indicator_id", by]
    totals = frame.groupby(keys, sort=True).size().rename("total")
    hidden = frame[frame["status"].ne("ok")]
    per_reason = hidden.groupby([*keys, "status", "reason"], sort=True).size().rename("cells")
    overall = hidden.groupby(keys, sort=True).size().rename("cells").reset_index()
    overall["status"] = "all_suppressed"
    overall["reason"] = "all"
    table = pd.concat([per_reason.reset_index(), overall], ignore_index=True)
    table = table.merge(totals.reset_index(), on=keys, how="left")
    table["share_pct"] = (100.0 * table["cells"] / table["total"]).round(1)
    table = table.drop(columns="total").sort_values([*keys, "status", "reason"], kind="stable")
    columns = [c if c != "area_level" else by for c in SUMMARY_COLUMNS]
    return table[columns].reset_index(drop=True)


def render_suppression_report(summary: pd.DataFrame) -> str:
    """Plain-text table of ``summarise_suppression`` output (fixed width, for a terminal)."""
    if summary.empty:
        return "No cells suppressed.\n"
    text = summary.astype({"cells": int}).to_string(index=False)
    return text + "\n"
