"""Early warning: how close each area is to each threshold, and what a small move would change.

Lists are published on 1 December (DOMAIN.md §3.1, stk. 5); a municipality that sees an area
near a threshold can act before then. For every area and criterion of the list year's rule set
(plus the 1,000-residents minimum) this reports the distance to the threshold and whether moving
that one criterion by ``margin`` would make the area enter or leave a list.
"""

from __future__ import annotations

import pandas as pd

from barometer.housing.classify import apply_categories, classify_detailed
from barometer.housing.rules import OPERATORS, HousingParams, find_consecutive_years, find_rule_set

WARNING_COLUMNS = [
    "area_id",
    "area_name",
    "municipality_code",
    "list_year",
    "rule_set",
    "criterion",
    "slot",
    "value",
    "op",
    "threshold",
    "distance",
    "met",
    "moved_value",
    "met_if_moved",
    "would_enter",
    "would_leave",
]


def shift_value(value: float, op: str, threshold: float, met: bool, margin: float) -> float:
    """Move a value by margin × threshold in the direction that flips its status.

    A met criterion moves away from meeting (the area improves); an unmet one moves toward
    meeting (the area worsens). The margin is relative to the threshold so one number works for
    shares (0.40), multiples of the national average (3) and residents (1,000).
    """
    step = abs(margin * threshold)
    rising_meets = op in (">", ">=")
    toward_meeting = step if rising_meets else -step
    return value - toward_meeting if met else value + toward_meeting


def early_warning(
    area_stats: pd.DataFrame,
    list_year: int,
    margin: float,
    *,
    params: HousingParams | None = None,
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per area and criterion with distance, and the lists entered or left if moved.

    ``distance`` is value − threshold in the criterion's unit (positive = above). ``would_enter``
    and ``would_leave`` list the category columns (e.g. 'udsat; parallelsamfund') that change
    when this criterion alone moves by ``margin`` × threshold; other criteria stay as they are.
    """
    if margin < 0:
        raise ValueError(f"margin must be non-negative, got {margin}")
    params = params or HousingParams()
    result = classify_detailed(area_stats, list_year, params=params, history=history)
    areas = result.areas.set_index("area_id")
    crit = result.criteria
    rule_set = find_rule_set(list_year)
    n_years = find_consecutive_years(rule_set, list_year, params)
    met = crit.pivot(index="area_id", columns="criterion", values="met").astype(bool)
    residents_ok = areas["residents_ok"].reindex(met.index).astype(bool)
    previous = areas["previous_run"].reindex(met.index)
    now = apply_categories(met, residents_ok, rule_set, previous, n_years)

    def changes(moved: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        enter = moved & ~now
        leave = now & ~moved
        join = lambda flags: "; ".join(c for c in flags.index if flags[c])  # noqa: E731
        return enter.apply(join, axis=1), leave.apply(join, axis=1)

    frames = []
    for key, c in rule_set.criteria.items():
        part = crit[crit["criterion"] == key].set_index("area_id")
        moved_value = [
            shift_value(v, c.op, c.threshold, m, margin) if pd.notna(v) else float("nan")
            for v, m in zip(part["value"], part["met"], strict=True)
        ]
        moved_met = pd.Series([c.is_met(v, params.digits) for v in moved_value], part.index)
        met2 = met.copy()
        met2[key] = moved_met.reindex(met.index).astype(bool)
        enter, leave = changes(apply_categories(met2, residents_ok, rule_set, previous, n_years))
        frames.append(
            pd.DataFrame(
                {
                    "criterion": key,
                    "slot": c.slot,
                    "value": part["value"],
                    "op": c.op,
                    "threshold": c.threshold,
                    "met": part["met"],
                    "moved_value": moved_value,
                    "met_if_moved": moved_met,
                    "would_enter": enter,
                    "would_leave": leave,
                }
            )
        )
    # The residents minimum (§ 61 a, stk. 3) is a threshold too (DOMAIN.md §3.6: Mjølnerparken).
    res = areas["residents"].reindex(met.index)
    moved_res = [
        shift_value(v, ">=", rule_set.min_residents, ok, margin)
        for v, ok in zip(res, residents_ok, strict=True)
    ]
    ok2 = pd.Series(
        [OPERATORS[">="](v, rule_set.min_residents) for v in moved_res], met.index, dtype=bool
    )
    enter, leave = changes(apply_categories(met, ok2, rule_set, previous, n_years))
    frames.append(
        pd.DataFrame(
            {
                "criterion": "residents",
                "slot": "residents",
                "value": res,
                "op": ">=",
                "threshold": float(rule_set.min_residents),
                "met": residents_ok,
                "moved_value": moved_res,
                "met_if_moved": ok2,
                "would_enter": enter,
                "would_leave": leave,
            }
        )
    )
    out = pd.concat(frames).rename_axis("area_id").reset_index()
    out["distance"] = out["value"] - out["threshold"]
    out["list_year"] = list_year
    out["rule_set"] = rule_set.id
    out["area_name"] = out["area_id"].map(areas["area_name"])
    out["municipality_code"] = out["area_id"].map(areas["municipality_code"])
    out["met"] = out["met"].astype(bool)
    out["met_if_moved"] = out["met_if_moved"].astype(bool)
    return out[WARNING_COLUMNS].sort_values(["area_id", "criterion"], ignore_index=True)
