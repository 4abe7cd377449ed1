"""Everything a report shows, read from the store once (``store.read``) and gathered per area.

Nothing here computes: goal status (every year), peers and their pooled values, intervals and
the housing warning are the pipeline's. ``store.read`` blanks every suppressed cell, so nothing
downstream (tables, charts, summary sentences) can see a suppressed number.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from barometer.catalogue.goals import GoalSet
from barometer.codes import DENMARK, load_municipalities
from barometer.errors import InputError
from barometer.publish.snapshot import default_year, goal_frames, is_housing_count
from barometer.store.read import RunInfo, read_snapshot
from barometer.store.read import Snapshot as StoreSnapshot

FOCUS = "non_western"
# Origin groups in the origin chart and table: the five that partition the population, the
# focus roll-up and everyone.
ORIGIN_ROWS = (
    "danish_origin",
    "immigrants_western",
    "immigrants_non_western",
    "descendants_western",
    "descendants_non_western",
    "non_western",
    "all",
)


@dataclass
class Snapshot:
    """The parts of a store a report reads, for some or all areas."""

    store: Path
    source: StoreSnapshot
    run: RunInfo
    definitions: dict[str, dict]
    obs: pd.DataFrame  # preferred source, sex 'all'; suppressed cells blanked
    peers: pd.DataFrame
    peer_values: pd.DataFrame
    housing_areas: pd.DataFrame
    housing_criteria: pd.DataFrame
    housing_warning: pd.DataFrame
    goal_sets: list[GoalSet]
    data_years: tuple[int, int] | None


def load_snapshot(store: Path, area: str | None = None) -> Snapshot:
    """Read the store; with ``area``, only that area, Denmark and the area's peers."""
    store = Path(store)
    areas = None
    if area is not None:
        peers = read_snapshot(store, areas=[area], sexes=["all"]).peers
        areas = sorted({area, DENMARK, *peers["peer_code"]})
    snap = read_snapshot(store, areas=areas, sexes=["all"])
    obs = snap.observations[snap.observations["preferred"]].reset_index(drop=True)
    kinds = obs["indicator_id"].map(lambda i: is_housing_count(snap, i))
    years = obs.loc[~kinds, "year"]
    first = int(years.min()) if len(years) else None
    last = default_year(snap)
    data_years = (first, last) if first is not None and last is not None else None
    return Snapshot(
        store=store,
        source=snap,
        run=snap.run,
        definitions=snap.definitions,
        obs=obs,
        peers=snap.peers,
        peer_values=snap.peer_values,
        housing_areas=snap.housing_areas,
        housing_criteria=snap.housing_criteria,
        housing_warning=snap.housing_warning,
        goal_sets=[GoalSet.model_validate(spec) for spec in snap.goal_sets.values()],
        data_years=data_years,
    )


def area_name(code: str, lang: str) -> str:
    if code == DENMARK:
        return "Hele landet" if lang == "da" else "Denmark"
    m = load_municipalities().get(code)
    if m is None:
        raise InputError(f"unknown area code {code!r}: give a municipality code or 000")
    return f"{m.name} Kommune" if lang == "da" else f"{m.name} Municipality"


def short_name(code: str, lang: str) -> str:
    if code == DENMARK:
        return "Hele landet" if lang == "da" else "Denmark"
    m = load_municipalities().get(code)
    return m.name if m else code


def goals_for(snap: Snapshot, area: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored goal status and per-indicator detail of ``area`` in evaluation year ``year``
    (the same rows the dashboard, the API and ``barometer goals status`` show)."""
    return goal_frames(snap.source, area, year)


def peer_frame(snap: Snapshot, area: str) -> pd.DataFrame:
    """The stored pooled peer-group values of ``area`` (sex 'all')."""
    pv = snap.peer_values
    if pv.empty:
        return pd.DataFrame(columns=["indicator_id", "year", "origin_group", "peer_value"])
    part = pv[(pv["area_code"] == area) & (pv["sex"] == "all")]
    return part[["indicator_id", "year", "origin_group", "peer_value"]]


def peer_codes(snap: Snapshot, area: str) -> list[str]:
    return list(snap.peers.loc[snap.peers["area_code"] == area, "peer_code"])
