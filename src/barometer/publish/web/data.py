"""Everything the web app shows, read from the store once at startup (``store.read``).

Why in memory: the store is read-only and small (a few hundred thousand observations), so
requests answer from dictionaries of plain rows and never touch DuckDB. Nothing here computes a
figure: intervals, peers, goal status, ranks, the housing warning and the population shown for
a sampled store were all decided by the pipeline; this module only indexes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from barometer.catalogue import load_catalogue
from barometer.codes import DENMARK, ORIGIN_GROUPS, load_municipalities, load_regions
from barometer.codes.vocab import SOURCE_KIND_LABELS, label
from barometer.publish.export import describe_run
from barometer.publish.snapshot import default_year, goal_year, goal_years, indicator_ids
from barometer.settings import BuildSettings
from barometer.store.read import RunInfo, Snapshot, read_snapshot
from barometer.store.schema import OBSERVATION_COLUMNS

CELL_FIELDS = (
    "year",
    "value",
    "numerator",
    "denominator",
    "unit",
    "status",
    "reason",
    "source",
    "ci_low",
    "ci_high",
    "rank",
    "n_ranked",
)
# Origin groups in their display order: the headline groups first, then the detailed ones.
GROUP_ORDER = ("all", "danish_origin", "non_western", "western", "menapt", "immigrants")


@dataclass
class StoreData:
    path: Path
    run: RunInfo
    settings: BuildSettings
    meta: dict
    definitions: dict[str, dict]
    goal_sets: dict[str, dict]
    obs: pd.DataFrame  # every source, export columns
    by_indicator: dict[str, pd.DataFrame]
    by_area: dict[str, pd.DataFrame]
    years: list[int]
    data_year: int | None
    indicator_years: dict[str, list[int]]
    indicator_groups: dict[str, list[str]]
    indicator_sources: dict[str, list[dict]]
    areas: dict[str, dict]
    tables: list[str]
    goal_status: pd.DataFrame
    goal_indicator_status: pd.DataFrame
    goal_years: list[int]
    goal_year: int | None
    housing_areas: pd.DataFrame
    housing_criteria: pd.DataFrame
    housing_warning: pd.DataFrame
    survey_cells: pd.DataFrame = field(default_factory=pd.DataFrame)
    survey_districts: pd.DataFrame = field(default_factory=pd.DataFrame)
    peers: dict[str, list[str]] = field(default_factory=dict)
    # (indicator, area) → (origin group, sex) → rows by year: the preferred source's cells,
    # the other sources' cells, and the pooled peer values.
    cells: dict[tuple[str, str], dict[tuple[str, str], list[dict]]] = field(default_factory=dict)
    other_cells: dict[tuple[str, str], dict[tuple[str, str], list[dict]]] = field(
        default_factory=dict
    )
    peer_cells: dict[tuple[str, str], dict[tuple[str, str], list[dict]]] = field(
        default_factory=dict
    )
    # Goal rows of the default evaluation year by area, and their indicator rows by goal.
    goal_status_by_area: dict[str, list[dict]] = field(default_factory=dict)
    goal_detail_by_key: dict[tuple, list[dict]] = field(default_factory=dict)
    # A source as a reader names it, per language ('survey:copenhagen_safety' → the survey's
    # title), and the titles of indicators the goals name but the store has no figures of.
    source_names: dict[tuple[str, str], str] = field(default_factory=dict)
    other_titles: dict[str, dict] = field(default_factory=dict)

    @property
    def synthetic(self) -> bool:
        return self.run.synthetic

    def indicator_ids(self) -> list[str]:
        return [i for i in self._order if i in self.by_indicator]

    def headline_group(self, indicator_id: str, preferred: str = "non_western") -> str:
        groups = self.indicator_groups.get(indicator_id, [])
        if preferred in groups:
            return preferred
        for g in ("non_western", "all"):
            if g in groups:
                return g
        return groups[0] if groups else preferred

    _order: list[str] = field(default_factory=list)


def _areas() -> dict[str, dict]:
    out = {DENMARK: {"code": DENMARK, "name": "Danmark", "level": "country", "region": None}}
    for code, name in load_regions().items():
        out[code] = {"code": code, "name": name, "level": "region", "region": None}
    for m in load_municipalities().values():
        out[m.code] = {
            "code": m.code,
            "name": m.name,
            "level": "municipality",
            "region": m.region_code,
            "region_name": m.region_name,
        }
    return out


def load(path: Path) -> StoreData:
    return from_snapshot(read_snapshot(Path(path)))


def from_snapshot(snap: Snapshot) -> StoreData:
    obs = snap.observations[list(OBSERVATION_COLUMNS)].copy()
    # Categories: the frames are sliced and compared per request, and arrow-backed or object
    # strings make every slice and comparison slow.
    for c in ("indicator_id", "area_code", "origin_group", "sex", "unit", "status", "source"):
        obs[c] = obs[c].astype("category")
    preferred = obs[obs["preferred"]]
    by_indicator = {
        k: g.reset_index(drop=True) for k, g in obs.groupby("indicator_id", observed=True)
    }
    by_area = {k: g.reset_index(drop=True) for k, g in obs.groupby("area_code", observed=True)}
    indicator_years = {
        k: sorted(int(y) for y in g["year"].unique())
        for k, g in preferred.groupby("indicator_id", observed=True)
    }
    indicator_groups = {
        k: sorted(g["origin_group"].unique(), key=_group_order)
        for k, g in preferred.groupby("indicator_id", observed=True)
    }
    sources: dict[str, list[dict]] = {}
    for rec in snap.indicator_sources.to_dict("records"):
        sources.setdefault(rec["indicator_id"], []).append(rec)
    gy = goal_year(snap, None)
    data = StoreData(
        path=snap.path,
        run=snap.run,
        settings=snap.settings,
        meta=describe_run(snap.run),
        definitions=snap.definitions,
        goal_sets=snap.goal_sets,
        obs=obs,
        by_indicator=by_indicator,
        by_area=by_area,
        years=sorted(int(y) for y in obs["year"].unique()),
        data_year=default_year(snap),
        indicator_years=indicator_years,
        indicator_groups=indicator_groups,
        indicator_sources=sources,
        areas=_areas(),
        tables=snap.tables,
        goal_status=snap.goal_status,
        goal_indicator_status=snap.goal_indicator_status,
        goal_years=goal_years(snap),
        goal_year=gy,
        housing_areas=snap.housing_areas,
        housing_criteria=snap.housing_criteria,
        housing_warning=snap.housing_warning,
        survey_cells=snap.survey_cells,
        survey_districts=snap.survey_districts,
        _order=indicator_ids(snap),
    )
    data.peers = {
        a: list(g.sort_values("rank")["peer_code"]) for a, g in snap.peers.groupby("area_code")
    }
    data.cells = index_cells(preferred)
    data.other_cells = index_cells(obs[~obs["preferred"]])
    data.peer_cells = _index_peer_cells(snap.peer_values)
    _index_goals(data, gy)
    data.source_names = _source_names(snap)
    data.other_titles = _other_titles(snap)
    return data


def _source_names(snap: Snapshot) -> dict[tuple[str, str], str]:
    """Names of the store's sources in both languages, from each input's own description."""
    out: dict[tuple[str, str], str] = {}
    inputs = snap.inputs if snap.inputs is not None else pd.DataFrame()
    for rec in inputs.to_dict("records") if len(inputs) else []:
        source, kind = str(rec["source"]), str(rec["kind"])
        try:
            details = json.loads(rec["details"]) if isinstance(rec["details"], str) else {}
        except ValueError:
            details = {}
        name = source.partition(":")[2]
        for lang in ("da", "en"):
            word = label(SOURCE_KIND_LABELS, kind, lang)
            title = (details.get("title") or {}) if isinstance(details.get("title"), dict) else {}
            area = details.get("area")
            if title.get(lang):
                text = f"{title[lang]} ({word})"
            elif kind in ("programme", "welcomehouse") and area:
                places = {m.code: m.name for m in load_municipalities().values()}
                text = f"{word}, {places.get(str(area), area)}"
            elif name:
                text = f"{word} {name.replace('_', ' ')}"
            else:
                text = word
            out[(source, lang)] = text
    return out


def _other_titles(snap: Snapshot) -> dict[str, dict]:
    """Titles of indicators named by a goal but without figures in the store (the catalogue
    the store was finished with still defines them)."""
    named = set(snap.goal_indicator_status.get("indicator_id", pd.Series(dtype=str)).dropna())
    missing = named - set(snap.definitions)
    if not missing:
        return {}
    catalogue = load_catalogue(snap.settings.catalogue)
    return {i: catalogue[i].title.model_dump() for i in missing if i in catalogue}


def index_cells(obs: pd.DataFrame) -> dict:
    """Observations as nested dicts of plain rows, built once (rendering avoids pandas)."""
    cols = ["indicator_id", "area_code", "origin_group", "sex", *CELL_FIELDS]
    arrays = [obs[c].astype(object).to_numpy() for c in cols]
    cells: dict = {}
    for row in zip(*arrays, strict=True):
        ind, area, group, sex = row[:4]
        rec = dict(zip(CELL_FIELDS, row[4:], strict=True))
        rec["year"] = int(rec["year"])
        for k in ("value", "numerator", "denominator", "ci_low", "ci_high"):
            v = rec[k]
            rec[k] = None if v is None or v != v else float(v)
        for k in ("rank", "n_ranked"):
            v = rec[k]
            rec[k] = None if v is None or v is pd.NA or v != v else int(v)
        cells.setdefault((ind, area), {}).setdefault((group, sex), []).append(rec)
    return cells


def _index_peer_cells(values: pd.DataFrame) -> dict:
    """Pooled peer-group values by (indicator, area) → (origin group, sex) → rows by year."""
    out: dict = {}
    if values is None or values.empty:
        return out
    values = values.sort_values(["indicator_id", "area_code", "origin_group", "sex", "year"])
    cols = ["indicator_id", "area_code", "origin_group", "sex", "year", "peer_value"]
    arrays = [values[c].astype(object).to_numpy() for c in cols]
    for ind, area, group, sex, year, value in zip(*arrays, strict=True):
        out.setdefault((ind, area), {}).setdefault((group, sex), []).append(
            {
                "year": int(year),
                "value": None if value is None or value != value else float(value),
                "status": "ok",
                "ci_low": None,
                "ci_high": None,
            }
        )
    return out


def _group_order(group: str) -> int:
    if group in GROUP_ORDER:
        return GROUP_ORDER.index(group)
    return 10 + (ORIGIN_GROUPS.index(group) if group in ORIGIN_GROUPS else 50)


def goal_rows_for(data: StoreData, year: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored goal rows of one evaluation year (every area)."""
    gs, detail = data.goal_status, data.goal_indicator_status
    if year is None or gs.empty:
        return gs.iloc[0:0], detail.iloc[0:0]
    return gs[gs["year"] == year], detail[detail["year"] == year]


def _index_goals(data: StoreData, year: int | None) -> None:
    gs, detail = goal_rows_for(data, year)
    order = {}
    for pos, (set_id, spec) in enumerate(data.goal_sets.items()):
        for gpos, goal in enumerate(spec.get("goals", [])):
            order[(set_id, goal["id"])] = (pos, gpos)
    records = sorted(
        gs.to_dict("records"), key=lambda r: order.get((r["goal_set"], r["goal_id"]), (99, 99))
    )
    for rec in records:
        data.goal_status_by_area.setdefault(rec["area_code"], []).append(rec)
    for rec in detail.sort_values(["label", "indicator_id"], na_position="last").to_dict("records"):
        key = (rec["goal_set"], rec["goal_id"], rec["area_code"], rec["origin_group"])
        data.goal_detail_by_key.setdefault(key, []).append(rec)
