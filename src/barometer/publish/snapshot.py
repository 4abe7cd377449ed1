"""Shared reading of a snapshot for every medium: the default year, orders, goal rows.

Nothing here computes a statistic: it picks rows the pipeline stored.
"""

from __future__ import annotations

import pandas as pd

from barometer.codes.vocab import THEMES
from barometer.store.read import Snapshot

HOUSING_KIND = "housing_count"
# Kinds whose year is not a data year: a housing list year is published in December from the
# year before's data; a programme cohort year is the year of T0, with figures up to today;
# Welcome House's year is its activity year, the current one counted up to today.
NOT_DATA_YEARS = (HOUSING_KIND, "programme", "welcomehouse")


def is_housing_count(snap: Snapshot, indicator_id: str) -> bool:
    return snap.definitions.get(indicator_id, {}).get("kind") == HOUSING_KIND


def default_year(snap: Snapshot) -> int | None:
    """The newest data year: the newest year of any preferred figure other than the housing
    lists and the programme's cohorts (NOT_DATA_YEARS)."""
    obs = snap.observations
    if obs.empty:
        return None
    kinds = obs["indicator_id"].map(lambda i: snap.definitions.get(i, {}).get("kind"))
    data = obs[obs["preferred"] & ~kinds.isin(NOT_DATA_YEARS)]
    years = data["year"] if len(data) else obs["year"]
    return int(years.max())


def indicator_ids(snap: Snapshot) -> list[str]:
    """Indicators with observations, in the catalogue's display order."""
    present = set(snap.observations["indicator_id"].unique())
    return sorted(
        (i for i in snap.definitions if i in present),
        key=lambda i: (snap.definitions[i].get("order", 999), i),
    )


def theme_order(theme: str) -> int:
    return THEMES.index(theme) if theme in THEMES else len(THEMES)


def goal_years(snap: Snapshot) -> list[int]:
    if snap.goal_status.empty:
        return []
    return sorted(int(y) for y in snap.goal_status["year"].unique())


def goal_year(snap: Snapshot, year: int | None) -> int | None:
    """The evaluation year to show: the one asked for, else the default data year (or the
    newest evaluated year before it)."""
    years = goal_years(snap)
    if not years:
        return None
    if year is not None:
        return year
    wanted = default_year(snap) or years[-1]
    earlier = [y for y in years if y <= wanted]
    return earlier[-1] if earlier else years[0]


def goal_frames(
    snap: Snapshot, area: str, year: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored goal status and per-indicator detail of one area in one evaluation year,
    goal sets in their order and goals in catalogue order."""
    y = goal_year(snap, year)
    gs, detail = snap.goal_status, snap.goal_indicator_status
    gs = gs[(gs["area_code"] == area) & (gs["year"] == y)]
    detail = detail[(detail["area_code"] == area) & (detail["year"] == y)]
    order = {}
    for pos, (set_id, spec) in enumerate(snap.goal_sets.items()):
        for gpos, goal in enumerate(spec.get("goals", [])):
            order[(set_id, goal["id"])] = (pos, gpos)
    key = [order.get((s, g), (99, 99)) for s, g in zip(gs["goal_set"], gs["goal_id"], strict=True)]
    gs = gs.assign(_o=key).sort_values("_o").drop(columns="_o").reset_index(drop=True)
    return gs, detail.reset_index(drop=True)
