"""Text, CSV and JSON output for ``barometer goals status`` (one area at a time or several).

Why a pure function: the command only wires arguments; the same rendering serves the stored
status (``--store``) and figures evaluated from a file (``--values``).
"""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pandas as pd

FORMATS = ("table", "csv", "json")


def render_status(
    result_frames: tuple[pd.DataFrame, pd.DataFrame], fmt: str = "table", *, lang: str = "en"
) -> str:
    """Render (goal_status, goal_indicator_status) as 'table', 'csv' or 'json'.

    * table: per area and goal a headline (movement, light, target status) and one indented
      line per indicator with base and latest values, 95 % intervals and reasons;
    * csv: one row per indicator joined with its goal's columns (goals without register
      indicators get one row with empty indicator columns);
    * json: a list of goals, each with its ``indicators``.
    """
    goals, detail = result_frames
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    if fmt == "csv":
        return _render_csv(goals, detail)
    if fmt == "json":
        return json.dumps(_nest(goals, detail), ensure_ascii=False, indent=2) + "\n"
    return _render_table(goals, detail, lang)


def _keys(frame: pd.DataFrame) -> list[str]:
    """Columns identifying one goal evaluation: with the evaluation year when the rows carry
    one (stored status holds every year; an evaluation without a year has none)."""
    keys = ["goal_set", "goal_id", "area_code", "origin_group"]
    has_year = "year" in frame.columns and len(frame) and frame["year"].notna().all()
    return [*keys, "year"] if has_year else keys


def _join(goals: pd.DataFrame, detail: pd.DataFrame) -> pd.DataFrame:
    """One row per goal and indicator. The goal's own columns keep their names (goal_id,
    area_code, year, base_year, movement, traffic_light, target_status …); the indicator's
    columns that would clash get an ``indicator_`` prefix."""
    keys = [k for k in _keys(goals) if k in _keys(detail)]
    clash = [c for c in detail.columns if c in goals.columns and c not in keys]
    detail = detail.rename(columns={c: f"indicator_{c}" for c in clash})
    return goals.merge(detail, on=keys, how="left")


def _render_csv(goals: pd.DataFrame, detail: pd.DataFrame) -> str:
    buf = io.StringIO()
    _join(goals, detail).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return _clean(value.item())
    if value is pd.NA:
        return None
    return value


def _nest(goals: pd.DataFrame, detail: pd.DataFrame) -> list[dict[str, Any]]:
    keys = [k for k in _keys(goals) if k in _keys(detail)]
    groups = dict(iter(detail.groupby(keys, sort=False, dropna=False))) if len(detail) else {}
    out = []
    for g in goals.to_dict("records"):
        item = {k: _clean(v) for k, v in g.items()}
        part = groups.get(tuple(g[k] for k in keys))
        item["indicators"] = (
            [
                {k: _clean(v) for k, v in r.items() if k not in _keys(goals)}
                for r in part.to_dict("records")
            ]
            if part is not None
            else []
        )
        out.append(item)
    return out


def _fmt(x: Any, digits: int = 1) -> str:
    x = _clean(x)
    return "–" if x is None else f"{x:.{digits}f}"


def _render_table(goals: pd.DataFrame, detail: pd.DataFrame, lang: str) -> str:
    lines: list[str] = []
    for item in _nest(goals, detail):
        title = item["title_da"] if lang == "da" else item["title_en"]
        lines.append(f"{item['goal_id']} [{item['area_code']}, {item['origin_group']}] {title}")
        lines.append(
            f"  owner: {item['owner']} | base {item['base_year']} → {item['year'] or '–'} | "
            f"movement: {item['movement']} | light: {item['traffic_light']} | "
            f"target: {item['target_status']}"
        )
        for ind in item["indicators"]:
            label = ind.get("label") if isinstance(ind.get("label"), str) else ""
            drive = "*" if ind["drives_movement"] else " "
            ci = (
                f" [{_fmt(ind['latest_ci_low'])}; {_fmt(ind['latest_ci_high'])}]"
                if ind.get("latest_ci_low") is not None
                else ""
            )
            digits = 0 if ind.get("unit") == "count" else 1
            lines.append(
                f"  {drive} {label:>4} {ind['indicator_id']} ({ind['indicator_origin_group']}): "
                f"{ind['base_year']} {_fmt(ind['base_value'], digits)} → "
                f"{ind['latest_year'] or '–'} {_fmt(ind['latest_value'], digits)}{ci} | "
                f"{ind['direction']} | {ind['traffic_light']} | {ind['target_status']}"
            )
            if ind.get("reasons"):
                lines.append(f"        {ind['reasons']}")
        if item.get("reasons"):
            lines.append(f"  → {item['reasons']}")
        lines.append("")
    lines.append("* = drives the movement. Intervals: 95 % (Wilson; Newcombe for gaps).")
    return "\n".join(lines) + "\n"
