"""The finishing stage: the only path from inputs to a store.

Every input — registers, StatBank, surveys, ready-made figures, the programme's aggregates —
passes the same steps, in this order:

1. disclosure control per input (``protect.py``); suppressed cells lose their numbers;
2. the figure shown for a sampled synthetic delivery: its person counts ÷ the sample fraction
   (the counts stay as counted in ``numerator``); nothing else is ever scaled;
3. the preferred source of each indicator (settings: registers over StatBank over files, …);
4. 95 % intervals, one implementation (``stats.intervals``): Wilson for rates, Newcombe for gaps;
5. ranks of the 98 municipalities, 1 = best by the indicator's polarity;
6. goal status for every goal set and every year, on the preferred source;
7. peer municipalities and their pooled values;
8. the housing early warning for every list year;
9. survey cells: respondents, effective n and the tested change since the previous round;
   shares by district under the same minimum of answers;
10. definitions, sources and provenance.

The result is the tables of one store; ``pipeline.commit`` writes them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from barometer import __version__
from barometer.catalogue.goals import GoalSet
from barometer.catalogue.models import POLARITY_SIGN, Indicator, gap_parts
from barometer.codes import load_municipalities
from barometer.errors import InputError
from barometer.goals import Definitions, GoalParams, evaluate_years
from barometer.goals.lights import compare_proportions
from barometer.housing import early_warning
from barometer.inputs import KEY, Input
from barometer.pipeline.protect import REASON_FEW_RESPONDENTS, protect_input, survey_minimum
from barometer.pipeline.protect import STATUS as SUPPRESSED
from barometer.settings import BuildSettings
from barometer.stats.intervals import add_intervals, wilson_arrays
from barometer.stats.peers import compute_peers, peer_values
from barometer.store import schema
from barometer.store.write import input_file_rows, input_rows

Progress = Callable[[str, int, int], None]
STEPS = ("protect", "intervals", "goals", "peers", "housing warning", "definitions")


@dataclass
class Finished:
    tables: dict[str, pd.DataFrame]
    run_id: str
    notes: list[str]
    observations: int


def finish(
    inputs: list[Input],
    settings: BuildSettings,
    catalogue: dict[str, Indicator],
    goal_sets: list[GoalSet],
    *,
    started: datetime | None = None,
    progress: Progress | None = None,
) -> Finished:
    """All tables of a store from its inputs (see the module docstring for the steps)."""
    started = started or datetime.now()
    check_inputs(inputs, catalogue)

    def step(name: str) -> None:
        if progress:
            progress(name, STEPS.index(name), len(STEPS))

    step("protect")
    obs = (
        pd.concat([_protected(i, catalogue, settings) for i in inputs], ignore_index=True)
        if inputs
        else pd.DataFrame(columns=[*schema.OBSERVATION_COLUMNS])
    )
    obs = mark_preferred(obs, settings)
    step("intervals")
    obs = _with_intervals(obs, catalogue, settings)
    obs = add_ranks(obs, catalogue)
    preferred = obs[obs["preferred"]].reset_index(drop=True)
    step("goals")
    sources = preferred.groupby("indicator_id")["source"].first().to_dict()
    years = sorted(int(y) for y in preferred["year"].unique())
    goal_status, goal_detail = evaluate_years(
        preferred,
        goal_sets,
        years,
        params=GoalParams(alpha=settings.alpha, confidence=settings.confidence),
        definitions=Definitions.from_catalogue(catalogue, sources),
    )
    step("peers")
    peers, pooled = derive_peers(preferred, catalogue, settings)
    step("housing warning")
    registers = next((i for i in inputs if i.kind == "registers"), None)
    housing = registers.tables if registers is not None else {}
    warning = derive_warning(housing, settings)
    step("definitions")
    run_id = uuid.uuid4().hex[:12]
    notes = [n for i in inputs for n in i.notes]
    tables = {
        "observations": obs[list(schema.OBSERVATION_COLUMNS)],
        "definitions": definition_rows(obs, catalogue, goal_sets),
        "goal_sets": goal_set_rows(goal_sets),
        "indicator_sources": source_rows(obs, inputs),
        "runs": run_rows(run_id, started, inputs, settings, notes),
        "inputs": input_rows(inputs),
        "input_files": input_file_rows(inputs),
        "goal_status": goal_status,
        "goal_indicator_status": goal_detail,
        "peers": peers,
        "peer_values": pooled,
        "housing_areas": housing.get("housing_areas", pd.DataFrame()),
        "housing_criteria": housing.get("housing_criteria", pd.DataFrame()),
        "housing_warning": warning,
        "survey_cells": survey_rows(inputs, obs, settings),
        "survey_districts": survey_district_rows(inputs, settings),
    }
    return Finished(tables, run_id, notes, len(obs))


def check_inputs(inputs: list[Input], catalogue: dict[str, Indicator]) -> None:
    """Every indicator an input gives must be defined; every source named once."""
    sources = [i.source for i in inputs]
    if len(set(sources)) != len(sources):
        raise InputError(f"an input source is given twice: {sorted(sources)}")
    for inp in inputs:
        unknown = sorted(set(inp.indicator_ids) - set(catalogue))
        if unknown:
            raise InputError(
                f"{inp.source}: indicator(s) {unknown} are not in the catalogue; add a "
                "definition for each (docs/indicators.md) or remove the input",
                path=inp.location,
            )


def _protected(
    inp: Input, catalogue: dict[str, Indicator], settings: BuildSettings
) -> pd.DataFrame:
    """The input's cells with their disclosure status; hidden cells without numbers."""
    verdict = protect_input(inp, catalogue, settings)
    cells = inp.cells.copy()
    cells["status"] = verdict["status"].to_numpy()
    cells["reason"] = verdict["reason"].to_numpy()
    hidden = cells["status"].ne("ok")
    cells.loc[hidden, ["value", "numerator", "denominator", "ci_low", "ci_high"]] = np.nan
    if inp.kind == "registers" and inp.synthetic and inp.scale != 1.0:
        people = cells["unit"].eq("count") & cells["indicator_id"].map(
            lambda i: catalogue[i].kind == "count"
        )
        cells.loc[people, "value"] = (cells.loc[people, "value"] / inp.scale).round()
    return cells.assign(source=inp.source)


def mark_preferred(obs: pd.DataFrame, settings: BuildSettings) -> pd.DataFrame:
    """Flag the preferred source of each indicator: a per-indicator choice in the settings,
    else the best-ranked source kind that has the indicator."""
    obs = obs.copy()
    best: dict[str, str] = {}
    for ind, sources in obs.groupby("indicator_id")["source"].unique().items():
        chosen = settings.preferred_sources.get(ind)
        if chosen not in set(sources):
            chosen = min(sources, key=lambda s: (settings.rank_of(s), s))
        best[ind] = chosen
    obs["preferred"] = obs["source"].to_numpy() == obs["indicator_id"].map(best).to_numpy()
    return obs


def _with_intervals(obs: pd.DataFrame, catalogue: dict, settings: BuildSettings) -> pd.DataFrame:
    """Wilson and Newcombe intervals for every published cell with counts, per source (survey
    cells too: their counts are effective counts, so the interval is design-based)."""
    out = add_intervals(obs, gap_parts(catalogue), settings.confidence).drop(columns="ci_method")
    out.loc[out["status"].ne("ok"), ["ci_low", "ci_high"]] = np.nan
    return out


def add_ranks(obs: pd.DataFrame, catalogue: dict[str, Indicator]) -> pd.DataFrame:
    """``rank`` of each municipality among the 98 (1 = best by polarity; ties share the best
    rank, standard competition ranking) and ``n_ranked``, for the preferred, published cells."""
    munis = set(load_municipalities())
    ranked = obs["preferred"] & obs["status"].eq("ok") & obs["value"].notna()
    ranked &= obs["area_code"].isin(munis)
    sign = obs["indicator_id"].map(lambda i: POLARITY_SIGN.get(catalogue[i].polarity, 1))
    score = (obs["value"] * sign).where(ranked)
    groups = [obs["indicator_id"], obs["year"], obs["origin_group"], obs["sex"]]
    obs = obs.copy()
    obs["rank"] = score.groupby(groups).rank(ascending=False, method="min").astype("Int64")
    obs["n_ranked"] = score.notna().groupby(groups).transform("sum").astype("Int64")
    obs.loc[~ranked, "n_ranked"] = pd.NA
    return obs


def derive_peers(
    preferred: pd.DataFrame, catalogue: dict[str, Indicator], settings: BuildSettings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each municipality's k most similar municipalities in the latest population year, and
    the pooled values of its peers for every indicator, year, origin group and sex."""
    years = preferred.loc[preferred["indicator_id"] == "population", "year"]
    if years.empty:
        return pd.DataFrame(), pd.DataFrame()
    year = int(years.max())
    peers = compute_peers(preferred, year, k=settings.peers_k).assign(year=year)
    pooled = peer_values(preferred, peers, gap_parts(catalogue))
    pooled = pooled.dropna(subset=["peer_value"]).reset_index(drop=True)
    return peers, pooled


def derive_warning(housing: dict[str, pd.DataFrame], settings: BuildSettings) -> pd.DataFrame:
    """The early warning (housing/warning.py) for the newest list year: the list that is still
    to come when the data are new, and the one a municipality can act on."""
    stats, areas = housing.get("housing_stats"), housing.get("housing_areas")
    if stats is None or areas is None or areas.empty:
        return pd.DataFrame()
    out = early_warning(stats, int(areas["list_year"].max()), settings.warning_margin)
    with np.errstate(invalid="ignore"):
        out["within_margin"] = (
            out["distance"].abs() <= settings.warning_margin * out["threshold"].abs()
        ).fillna(False)
    for col in ("would_enter", "would_leave"):
        out[col] = out[col].fillna("")
    return out


def definition_rows(
    obs: pd.DataFrame, catalogue: dict[str, Indicator], goal_sets: list[GoalSet] = ()
) -> pd.DataFrame:
    """The definitions of every indicator with observations or named by a goal (a goal
    without figures still says where they would come from)."""
    import hashlib

    present = set(obs["indicator_id"].unique())
    present |= {i.indicator_id for gs in goal_sets for g in gs.goals for i in g.indicators}
    rows = []
    for ind in catalogue.values():
        if ind.id not in present:
            continue
        spec = json.dumps(ind.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        rows.append((ind.id, spec, hashlib.sha256(spec.encode()).hexdigest()))
    return pd.DataFrame(rows, columns=["indicator_id", "spec", "sha256"])


def goal_set_rows(goal_sets: list[GoalSet]) -> pd.DataFrame:
    """The evaluated goal sets, national first, then in the order they were loaded."""
    ordered = sorted(goal_sets, key=lambda gs: gs.id != "national")
    return pd.DataFrame(
        [
            (gs.id, i, json.dumps(gs.model_dump(mode="json"), sort_keys=True, ensure_ascii=False))
            for i, gs in enumerate(ordered)
        ],
        columns=["goal_set", "position", "spec"],
    )


def source_rows(obs: pd.DataFrame, inputs: list[Input]) -> pd.DataFrame:
    notes = {i.source: i.details.get("differences", {}) for i in inputs}
    rows = []
    for (ind, source), g in obs.groupby(["indicator_id", "source"], sort=True):
        diff = notes.get(source, {})
        rows.append(
            {
                "indicator_id": ind,
                "source": source,
                "preferred": bool(g["preferred"].iloc[0]),
                "cells": len(g),
                "published": int(g["status"].eq("ok").sum()),
                "first_year": int(g["year"].min()),
                "last_year": int(g["year"].max()),
                "notes": json.dumps(diff.get(ind, diff.get("*", [])), ensure_ascii=False),
            }
        )
    return pd.DataFrame(rows)


def run_rows(
    run_id: str,
    started: datetime,
    inputs: list[Input],
    settings: BuildSettings,
    notes: list[str],
) -> pd.DataFrame:
    registers = next((i for i in inputs if i.kind == "registers"), None)
    details = registers.details if registers is not None else {}
    return pd.DataFrame(
        [
            {
                "run_id": run_id,
                "schema_version": schema.SCHEMA_VERSION,
                "started_at": started,
                "finished_at": datetime.now(),
                "code_version": __version__,
                "engine": details.get("engine", "none"),
                "source_kind": "+".join(sorted({i.kind for i in inputs})) or "none",
                "synthetic": any(i.synthetic for i in inputs),
                "scale": registers.scale if registers is not None else 1.0,
                "parameters": json.dumps(settings.to_record(), sort_keys=True),
                "manifest": json.dumps(details["manifest"], sort_keys=True)
                if details.get("manifest") is not None
                else None,
                "notes": json.dumps(notes, ensure_ascii=False),
            }
        ]
    )


def survey_rows(inputs: list[Input], obs: pd.DataFrame, settings: BuildSettings) -> pd.DataFrame:
    """Respondents, effective n and interval of each survey cell; the share only where
    published; and the change since the cell's previous published round, tested."""
    frames = []
    for inp in inputs:
        detail = inp.tables.get("survey_cells")
        if detail is None or detail.empty:
            continue
        mine = obs.loc[obs["source"] == inp.source, [*KEY, "status", "ci_low", "ci_high"]]
        d = detail.drop(columns=["weight_yes", "weight_sum"]).merge(mine, on=KEY, how="inner")
        hidden = d["status"].ne("ok")
        d["share"] = pd.to_numeric(d["share"], errors="coerce").astype(float)
        d.loc[hidden, "share"] = np.nan
        d["ci_low"] = d["ci_low"] / 100
        d["ci_high"] = d["ci_high"] / 100
        d["min_respondents"] = survey_minimum(inp, settings, d["indicator_id"])
        d = with_round_changes(d, settings.alpha)
        frames.append(d.drop(columns="status").assign(source=inp.source))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def with_round_changes(cells: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """``previous_year``, ``change`` (percentage points), ``z``, ``p_value`` and ``significant``
    of each published cell against the previous round with a published share of the same
    indicator, area, origin group and sex: the two-proportion z-test on the effective counts
    (share·n_eff, n_eff) that the goals use (goals/lights.py, docs/goals.md)."""
    out = cells.copy()
    for col in ("previous_year", "change", "z", "p_value"):
        out[col] = np.nan
    out["significant"] = pd.array([None] * len(out), dtype="boolean")
    ok = out["share"].notna() & out["n_eff"].gt(0)
    keys = ["indicator_id", "area_code", "origin_group", "sex"]
    part = out[ok].sort_values([*keys, "year"])
    prev = part.groupby(keys, sort=False)[["year", "share", "n_eff"]].shift(1)
    for idx, before in prev.dropna(subset=["year"]).iterrows():
        row = part.loc[idx]
        test = compare_proportions(
            before["share"] * before["n_eff"],
            before["n_eff"],
            row["share"] * row["n_eff"],
            row["n_eff"],
        )
        out.loc[idx, ["previous_year", "change", "z", "p_value"]] = (
            before["year"],
            test.change,
            test.z,
            test.p_value,
        )
        out.loc[idx, "significant"] = bool(test.p_value < alpha and test.change != 0)
    out["previous_year"] = out["previous_year"].astype("Int64")
    return out


def survey_district_rows(inputs: list[Input], settings: BuildSettings) -> pd.DataFrame:
    """Shares by district, published by the same minimum of answers as the survey's cells,
    with Wilson intervals on n_eff (percent). The weighted totals are not published."""
    frames = []
    for inp in inputs:
        d = inp.tables.get("survey_districts")
        if d is None or d.empty:
            continue
        d = d.copy()
        d["min_respondents"] = survey_minimum(inp, settings, d["indicator_id"])
        share = pd.to_numeric(d["share"], errors="coerce").astype(float)
        ok = share.notna() & (d["respondents"] >= d["min_respondents"]) & d["n_eff"].gt(0)
        low, high = wilson_arrays(
            (share * d["n_eff"]).where(ok, 0.0).to_numpy(),
            d["n_eff"].where(ok, 1.0).to_numpy(),
            settings.confidence,
        )
        d["value"] = (100 * share).where(ok)
        d["ci_low"] = pd.Series(100 * low, index=d.index).where(ok)
        d["ci_high"] = pd.Series(100 * high, index=d.index).where(ok)
        d["status"] = np.where(ok, "ok", SUPPRESSED)
        d["reason"] = np.where(ok, None, REASON_FEW_RESPONDENTS)
        frames.append(
            d.drop(columns=["weight_yes", "weight_sum", "share"]).assign(source=inp.source)
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
