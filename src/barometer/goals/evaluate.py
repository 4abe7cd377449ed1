"""Evaluate goal sets against observations: per-indicator detail, then one row per goal.

Why two frames: committees read one line per goal (movement, traffic light, target status),
but every verdict must be traceable to the values, tests and reasons behind it (DESIGN.md
principle 6), so the per-indicator detail is kept alongside.

For every goal set, goal, area and focus group:

* base value = the indicator's value in the base year (DOMAIN.md §1.2: 2012; 2018 for
  housing areas; Copenhagen 2014, §2.2); latest value = the newest year with data, at most
  ``year`` (each indicator has its own newest year, as on integrationsbarometer.dk §1.4);
* movement: the national rule (§1.3, ``movement.py``) over the driving indicators;
* traffic light: Copenhagen's colours (§2.2, ``lights.py``), combined across the driving
  indicators by the same majority rule (green ~ positive, red ~ negative, yellow ~
  unchanged, white ~ no data);
* target status: ``targets.py`` per indicator with a target, combined as described in
  ``combine_target_statuses``.

Suppressed or missing cells count as no data (status other than 'ok' or a null value).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from barometer.catalogue.goals import Goal, GoalIndicator, GoalSet
from barometer.catalogue.models import GapParts
from barometer.goals import lights, movement, targets
from barometer.goals.observations import Cell, Series, index_observations
from barometer.stats.intervals import binomial_variance, newcombe_interval, wilson_interval
from barometer.stats.observations import normalise_observations
from barometer.store.schema import GOAL_INDICATOR_STATUS_COLUMNS, GOAL_STATUS_COLUMNS

LIGHT_AS_DIRECTION = {
    lights.GREEN: movement.POSITIVE,
    lights.RED: movement.NEGATIVE,
    lights.YELLOW: movement.UNCHANGED,
    lights.WHITE: movement.NO_DATA,
}
DIRECTION_AS_LIGHT = {v: k for k, v in LIGHT_AS_DIRECTION.items()}
GOAL_KEYS = ("goal_set", "goal_id", "area_code", "origin_group")


@dataclass(frozen=True)
class GoalParams:
    """Parameters of the goal evaluation; defaults are documented in docs/goals.md."""

    alpha: float = 0.05  # significance level of the traffic-light tests
    confidence: float = 0.95  # level of every confidence interval
    undecided: str = movement.UNCHANGED  # movement when no majority (DOMAIN.md §1.3)
    use_all_indicators: bool = False  # True: every indicator drives, ignoring the flags
    on_track_ratio: float = 0.95  # Open SDG threshold of actual / required pace
    focus_groups: tuple[str, ...] | None = None  # None: each goal's own origin group
    areas: tuple[str, ...] | None = None  # None: every area in the observations
    base_year_fallback: bool = False  # True: use the first year after a missing base year

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1 or not 0 < self.confidence < 1:
            raise ValueError("alpha and confidence must lie strictly between 0 and 1")
        if self.undecided not in movement.MOVEMENTS:
            raise ValueError(f"undecided must be one of {movement.MOVEMENTS}")
        if self.on_track_ratio <= 0:
            raise ValueError("on_track_ratio must be positive")


@dataclass(frozen=True)
class Definitions:
    """What the evaluation needs from the indicator catalogue: units, gap parts, sources."""

    units: dict[str, str]
    gaps: dict[str, GapParts]
    sources: dict[str, str]  # indicator → the source its observations come from
    # indicator → where its figures come from (the catalogue's sources), named when missing
    origins: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_catalogue(cls, catalogue: dict, sources: dict[str, str] | None = None) -> Definitions:
        from barometer.catalogue.models import gap_parts

        return cls(
            {k: v.unit for k, v in catalogue.items()},
            gap_parts(catalogue),
            sources or {},
            catalogue_origins(catalogue),
        )


MODULE_ORIGINS = {
    "programme": "the refugee programme module (barometer programme publish)",
    "welcomehouse": "the Welcome House module (barometer welcomehouse publish)",
}


def catalogue_origins(catalogue: dict) -> dict[str, str]:
    """Indicator → where its figures come from, as one phrase: the survey's name, the case
    module that publishes it, or the catalogue's sources (registers, tables)."""
    out = {}
    for k, v in catalogue.items():
        survey = getattr(v, "survey", None)
        if survey is not None:
            out[k] = survey.name.en
        else:
            out[k] = MODULE_ORIGINS.get(v.kind) or ", ".join(v.sources)
    return out


def _default_definitions() -> Definitions:
    from barometer.catalogue import load_catalogue

    return Definitions.from_catalogue(load_catalogue())


def evaluate_indicators(
    obs: pd.DataFrame,
    goal_sets: list[GoalSet],
    *,
    year: int | None = None,
    params: GoalParams | None = None,
    definitions: Definitions | None = None,
) -> pd.DataFrame:
    """One row per goal set × goal × indicator × area × focus group (GOAL_INDICATOR_STATUS)."""
    return evaluate_indicators_for_years(
        obs, goal_sets, [year], params=params, definitions=definitions
    )


def evaluate_indicators_for_years(
    obs: pd.DataFrame,
    goal_sets: list[GoalSet],
    years: list[int | None],
    *,
    params: GoalParams | None = None,
    definitions: Definitions | None = None,
) -> pd.DataFrame:
    """The detail rows for several evaluation years at once (the index is built once)."""
    rows = _indicator_rows(
        normalise_observations(obs), goal_sets, years, params or GoalParams(), definitions
    )
    return _with_integer_columns(pd.DataFrame(rows, columns=list(GOAL_INDICATOR_STATUS_COLUMNS)))


def _indicator_rows(
    obs: pd.DataFrame,
    goal_sets: list[GoalSet],
    years: list[int | None],
    params: GoalParams,
    definitions: Definitions | None,
) -> list[dict[str, Any]]:
    defs = definitions or _default_definitions()
    needed = {i.indicator_id for gs in goal_sets for g in gs.goals for i in g.indicators}
    needed |= {defs.gaps[i].rate_id for i in needed if i in defs.gaps}
    groups = {defs.gaps[i].reference for i in needed if i in defs.gaps}
    groups |= set(params.focus_groups or ())
    groups |= {g.origin_group for gs in goal_sets for g in gs.goals}
    groups |= {i.origin_group for gs in goal_sets for g in gs.goals for i in g.indicators}
    sexes = {i.sex for gs in goal_sets for g in gs.goals for i in g.indicators}
    index = index_observations(obs, needed, groups - {None}, sexes)
    withheld = _withheld(obs, needed)
    areas_in_obs = sorted(obs["area_code"].unique())
    rows = []
    for year in years:
        for goal_set in goal_sets:
            if not goal_set.in_force(year):
                continue
            for area in _areas_for(goal_set, params, areas_in_obs):
                for goal in goal_set.goals:
                    for focus in params.focus_groups or (goal.origin_group,):
                        for ind in goal.indicators:
                            rows.append(
                                _evaluate_one(
                                    index,
                                    goal_set,
                                    goal,
                                    ind,
                                    area,
                                    focus,
                                    year,
                                    params,
                                    defs,
                                    withheld,
                                )
                            )
    return rows


def evaluate_goals(
    obs: pd.DataFrame,
    goal_sets: list[GoalSet],
    *,
    year: int | None = None,
    params: GoalParams | None = None,
    detail: pd.DataFrame | None = None,
    definitions: Definitions | None = None,
) -> pd.DataFrame:
    """One row per goal set × goal × area × focus group (GOAL_STATUS columns).

    Pass ``detail`` (the output of evaluate_indicators) to avoid computing it twice.
    """
    params = params or GoalParams()
    obs = normalise_observations(obs)
    if detail is None:
        detail = evaluate_indicators(
            obs, goal_sets, year=year, params=params, definitions=definitions
        )
    return _summarise_years(obs, goal_sets, [year], params, detail)


def _summarise_years(
    obs: pd.DataFrame,
    goal_sets: list[GoalSet],
    years: list[int | None],
    params: GoalParams,
    detail: pd.DataFrame | list[dict[str, Any]],
) -> pd.DataFrame:
    records = detail.to_dict("records") if isinstance(detail, pd.DataFrame) else detail
    by_goal: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        year = None if r["year"] is None or pd.isna(r["year"]) else int(r["year"])
        by_goal[(year, *(r[k] for k in GOAL_KEYS))].append(r)
    areas_in_obs = sorted(obs["area_code"].unique())
    rows = []
    for year in years:
        for goal_set in goal_sets:
            if not goal_set.in_force(year):
                continue
            for area in _areas_for(goal_set, params, areas_in_obs):
                for goal in goal_set.goals:
                    for focus in params.focus_groups or (goal.origin_group,):
                        part = by_goal.get((year, goal_set.id, goal.id, area, focus))
                        rows.append(_summarise(goal_set, goal, area, focus, part, year, params))
    return _with_integer_columns(pd.DataFrame(rows, columns=list(GOAL_STATUS_COLUMNS)))


def evaluate(
    obs: pd.DataFrame,
    goal_sets: list[GoalSet],
    *,
    year: int | None = None,
    params: GoalParams | None = None,
    definitions: Definitions | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both frames at once: (goal_status, goal_indicator_status)."""
    return evaluate_years(obs, goal_sets, [year], params=params, definitions=definitions)


def evaluate_years(
    obs: pd.DataFrame,
    goal_sets: list[GoalSet],
    years: list[int | None],
    *,
    params: GoalParams | None = None,
    definitions: Definitions | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(goal_status, goal_indicator_status) for every evaluation year in ``years``.

    Year Y reads, per indicator, the newest value up to Y; ``None`` means the newest there is
    (and the goal's row then carries the newest year its indicators reached).
    """
    params = params or GoalParams()
    obs = normalise_observations(obs)
    rows = _indicator_rows(obs, goal_sets, years, params, definitions)
    detail = _with_integer_columns(pd.DataFrame(rows, columns=list(GOAL_INDICATOR_STATUS_COLUMNS)))
    return _summarise_years(obs, goal_sets, years, params, rows), detail


def combine_target_statuses(statuses: list[str]) -> str:
    """Goal-level target status from its indicators' statuses.

    No indicator with a target → no_target; all insufficient → insufficient_data; any off
    track → off_track; all met → target_met; any insufficient → insufficient_data (one
    cannot claim "on track" with part of the evidence missing); else on_track.
    """
    with_target = [s for s in statuses if s != targets.NO_TARGET]
    if not with_target:
        return targets.NO_TARGET
    if all(s == targets.INSUFFICIENT_DATA for s in with_target):
        return targets.INSUFFICIENT_DATA
    if targets.OFF_TRACK in with_target:
        return targets.OFF_TRACK
    if all(s == targets.TARGET_MET for s in with_target):
        return targets.TARGET_MET
    if targets.INSUFFICIENT_DATA in with_target:
        return targets.INSUFFICIENT_DATA
    return targets.ON_TRACK


# --- internals -------------------------------------------------------------------------


def _areas_for(goal_set: GoalSet, params: GoalParams, areas_in_obs: list[str]) -> list[str]:
    areas = list(params.areas) if params.areas is not None else areas_in_obs
    if goal_set.areas is not None:
        areas = [a for a in areas if a in goal_set.areas]
    return areas


def _evaluate_one(
    index: dict[tuple[str, str, str, str], Series],
    goal_set: GoalSet,
    goal: Goal,
    ind: GoalIndicator,
    area: str,
    focus: str,
    year: int | None,
    params: GoalParams,
    defs: Definitions,
    withheld: dict[tuple, set[int]] | None = None,
) -> dict[str, Any]:
    origin = ind.origin_group or focus
    series = index.get((ind.indicator_id, area, origin, ind.sex), {})
    base_year = goal_set.base_year_of(goal, ind)
    reasons: list[str] = []
    until = goal_set.data_until(year)
    base_year = _resolve_base_year(series, base_year, until, params, reasons)
    latest_year = _latest_year(series, base_year, until)
    base, latest = series.get(base_year), series.get(latest_year) if latest_year else None
    hidden_years = (withheld or {}).get((ind.indicator_id, area, origin, ind.sex), ())
    if base is None:
        hidden = base_year in hidden_years
        reasons.append(
            f"base year {base_year} withheld by disclosure control"
            if hidden
            else f"no value for base year {base_year}"
        )
    if latest is None:
        later_hidden = any(base_year < y and (until is None or y <= until) for y in hidden_years)
        reasons.append(
            f"no value after base year {base_year}"
            + _until_text(year, until)
            + (" (withheld by disclosure control)" if later_hidden else "")
        )
    if base is None or latest is None:
        origins = defs.origins.get(ind.indicator_id)
        if origins:
            reasons.append(f"figures come from: {origins}")
    elif until != year:
        reasons.append(
            f"policy period {goal_set.valid_from}-{goal_set.valid_to}: figures up to {until}"
        )
    drives = ind.drives_movement or params.use_all_indicators
    row: dict[str, Any] = {
        "goal_set": goal_set.id,
        "goal_id": goal.id,
        "indicator_id": ind.indicator_id,
        "label": ind.label,
        "area_code": area,
        "origin_group": focus,
        "year": year,
        "source": defs.sources.get(ind.indicator_id),
        "indicator_origin_group": origin,
        "sex": ind.sex,
        "unit": (latest or base).unit if (latest or base) else defs.units.get(ind.indicator_id),
        "polarity": ind.polarity,
        "drives_movement": drives,
        "base_year": base_year,
        "latest_year": latest_year,
        "base_value": base.value if base else None,
        "latest_value": latest.value if latest else None,
        "target": ind.target,
        "target_year": ind.target_year,
    }
    row["base_rounded"] = movement.round_half_away(base.value) if base else None
    row["latest_rounded"] = movement.round_half_away(latest.value) if latest else None
    row["direction"] = movement.classify_change(
        row["base_value"], row["latest_value"], ind.polarity
    )
    base_info = _uncertainty(index, ind, area, origin, base_year, base, params, defs)
    latest_info = _uncertainty(index, ind, area, origin, latest_year, latest, params, defs)
    row["base_ci_low"], row["base_ci_high"] = base_info["ci"]
    row["latest_ci_low"], row["latest_ci_high"] = latest_info["ci"]
    test = _test_change(ind, base, latest, base_info, latest_info, defs)
    row["change"] = latest.value - base.value if base and latest else None
    row["z"] = test.z if test else None
    row["p_value"] = test.p_value if test else None
    row["test_method"] = test.method if test else None
    if test is not None:
        row["significant"] = bool(test.p_value < params.alpha and test.change != 0)
        row["traffic_light"] = lights.choose_light(test, ind.polarity, params.alpha)
    else:
        row["significant"] = None
        row["traffic_light"] = DIRECTION_AS_LIGHT[row["direction"]]
        if base and latest:
            reasons.append("no counts to test the change: colour from the rounded direction")
    assessment = targets.assess_target(
        base=row["base_value"],
        base_year=base_year,
        latest=row["latest_value"],
        latest_year=latest_year if latest else None,
        target=ind.target,
        target_year=ind.target_year,
        polarity=ind.polarity,
        on_track_ratio=params.on_track_ratio,
        base_variance=base_info["variance"],
        latest_variance=latest_info["variance"],
        confidence=params.confidence,
    )
    row.update(
        target_status=assessment.status,
        progress_ratio=assessment.ratio,
        progress_category=assessment.category,
        projected_value=assessment.projected,
        projected_low=assessment.projected_low,
        projected_high=assessment.projected_high,
    )
    if base and latest:
        reasons.insert(0, _describe_change(row, test, params))
    if ind.target is not None:
        reasons.append(f"target: {assessment.reason}")
    row["reasons"] = "; ".join(reasons)
    return row


def _withheld(obs: pd.DataFrame, needed: set[str]) -> dict[tuple, set[int]]:
    """(indicator, area, origin group, sex) → the years of its cells that disclosure control
    withheld, so that a goal can say its figure exists but may not be shown."""
    hidden = obs[(obs["status"] != "ok") & obs["indicator_id"].isin(sorted(needed))]
    cols = ["indicator_id", "area_code", "origin_group", "sex", "year"]
    out: dict[tuple, set[int]] = defaultdict(set)
    for r in hidden[cols].itertuples(index=False):
        out[tuple(r[:4])].add(int(r[4]))
    return out


def _until_text(year: int | None, until: int | None) -> str:
    return f" up to {until} (the end of the policy period)" if until != year else ""


def _resolve_base_year(
    series: Series, base_year: int, year: int | None, params: GoalParams, reasons: list[str]
) -> int:
    if base_year in series or not params.base_year_fallback:
        return base_year
    later = sorted(y for y in series if y > base_year and (year is None or y <= year))
    if len(later) >= 2:  # keep at least one later year to compare with
        reasons.append(f"base year {base_year} missing: using {later[0]} instead")
        return later[0]
    return base_year


def _latest_year(series: Series, base_year: int, year: int | None) -> int | None:
    later = [y for y in series if y > base_year and (year is None or y <= year)]
    return max(later) if later else None


def _uncertainty(
    index: dict[tuple[str, str, str, str], Series],
    ind: GoalIndicator,
    area: str,
    origin: str,
    year: int | None,
    cell: Cell | None,
    params: GoalParams,
    defs: Definitions,
) -> dict[str, Any]:
    """CI (observation scale), variance (scale²) and the counts used for testing."""
    info: dict[str, Any] = {"ci": (None, None), "variance": None, "counts": None}
    if cell is None or year is None:
        return info
    if ind.indicator_id in defs.gaps:
        parts = defs.gaps[ind.indicator_id]
        rate_id, sign = parts.rate_id, parts.sign
        ref = index.get((rate_id, area, parts.reference, ind.sex), {}).get(year)
        foc = index.get((rate_id, area, origin, ind.sex), {}).get(year)
        if _has_counts(ref) and _has_counts(foc):
            counts = (ref.numerator, ref.denominator, foc.numerator, foc.denominator)
            low, high = newcombe_interval(*counts, confidence=params.confidence)
            info["ci"] = (100 * low, 100 * high) if sign > 0 else (-100 * high, -100 * low)
            info["variance"] = 1e4 * (
                binomial_variance(*counts[:2]) + binomial_variance(*counts[2:])
            )
            info["counts"] = counts
            info["sign"] = sign
        elif cell.ci_low is not None and cell.ci_high is not None:
            info["ci"] = (cell.ci_low, cell.ci_high)
        return info
    if cell.unit == "pct" and _has_counts(cell):
        low, high = wilson_interval(cell.numerator, cell.denominator, params.confidence)
        info["ci"] = (100 * low, 100 * high)
        info["variance"] = 1e4 * binomial_variance(cell.numerator, cell.denominator)
        info["counts"] = (cell.numerator, cell.denominator)
    elif cell.ci_low is not None and cell.ci_high is not None:
        info["ci"] = (cell.ci_low, cell.ci_high)
    return info


def _test_change(
    ind: GoalIndicator,
    base: Cell | None,
    latest: Cell | None,
    base_info: dict[str, Any],
    latest_info: dict[str, Any],
    defs: Definitions,
) -> lights.ChangeTest | None:
    if base is None or latest is None:
        return None
    b, la = base_info["counts"], latest_info["counts"]
    if b is not None and la is not None:
        if ind.indicator_id in defs.gaps:
            return lights.compare_gaps(b, la, base_info["sign"])
        return lights.compare_proportions(*b, *la)
    if base.unit == "count" and latest.unit == "count":
        return lights.compare_counts(base.value, latest.value)
    if None not in base_info["ci"] and None not in latest_info["ci"]:
        return lights.compare_by_overlap(
            base_info["ci"], latest_info["ci"], latest.value - base.value
        )
    return None


def _describe_change(row: dict[str, Any], test: lights.ChangeTest | None, p: GoalParams) -> str:
    text = (
        f"{row['base_year']}: {row['base_value']:.1f} (rounded {row['base_rounded']}) → "
        f"{row['latest_year']}: {row['latest_value']:.1f} (rounded {row['latest_rounded']}): "
        f"{row['direction']}"
    )
    if test is not None and test.method != "exact_count":
        verdict = "significant" if row["significant"] else "not significant"
        p_text = f"p = {test.p_value:.3f}" if test.z is not None else test.method
        text += f"; change {verdict} at {p.alpha:g} ({p_text})"
    return text


def _summarise(
    goal_set: GoalSet,
    goal: Goal,
    area: str,
    focus: str,
    part: list[dict[str, Any]] | None,
    year: int | None,
    params: GoalParams,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "goal_set": goal_set.id,
        "goal_id": goal.id,
        "area_code": area,
        "origin_group": focus,
        "base_year": goal_set.base_year_of(goal),
        "owner": goal.owner,
        "title_da": goal.title.da,
        "title_en": goal.title.en,
        "n_indicators": len(goal.indicators),
    }
    if goal.status == "no_data" or not part:
        row.update(
            year=year,
            movement=movement.NO_DATA,
            traffic_light=lights.WHITE,
            target_status=targets.NO_TARGET,
            n_driving=0,
            n_with_data=0,
            reasons=goal.status_reason or "no indicators",
        )
        return row
    drivers = [r for r in part if bool(r["drives_movement"])]
    latest_years = [int(r["latest_year"]) for r in part if not pd.isna(r["latest_year"])]
    row["year"] = year if year is not None else (max(latest_years) if latest_years else None)
    row["movement"] = movement.decide_movement([r["direction"] for r in drivers], params.undecided)
    as_dirs = [LIGHT_AS_DIRECTION[r["traffic_light"]] for r in drivers]
    row["traffic_light"] = DIRECTION_AS_LIGHT[movement.decide_movement(as_dirs, params.undecided)]
    row["target_status"] = combine_target_statuses([r["target_status"] for r in part])
    row["n_driving"] = len(drivers)
    row["n_with_data"] = sum(r["direction"] != movement.NO_DATA for r in part)
    named = [
        f"{r['label'] if isinstance(r['label'], str) else r['indicator_id']}: "
        f"{r['direction']}/{r['traffic_light']}"
        for r in drivers
    ]
    row["reasons"] = "decided by " + ", ".join(named)
    if row["movement"] == movement.NO_DATA:
        missing = [
            f"{r['indicator_id']}: {r['reasons']}"
            for r in drivers
            if r["direction"] == movement.NO_DATA and r["reasons"]
        ]
        row["reasons"] += "; no data - " + " | ".join(missing) if missing else ""
    return row


INTEGER_COLUMNS = (
    "year",
    "base_year",
    "latest_year",
    "base_rounded",
    "latest_rounded",
    "target_year",
    "n_indicators",
    "n_driving",
    "n_with_data",
)


def _with_integer_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Years and counts as nullable integers (not floats because of missing values)."""
    for col in INTEGER_COLUMNS:
        if col in frame.columns:
            frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    return frame


def _has_counts(cell: Cell | None) -> bool:
    return (
        cell is not None
        and cell.numerator is not None
        and cell.denominator is not None
        and cell.denominator > 0
        and 0 <= cell.numerator <= cell.denominator
    )
