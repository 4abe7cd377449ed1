"""Goals as a committee reads them: a summary line of the traffic lights, then one row per goal
with its owner, indicators, movement, light, significance and target, filterable by committee
and goal set. The rows are the stored goal status of one evaluation year (goals/ decided it)."""

from __future__ import annotations

import pandas as pd

from barometer.publish import goal_notes
from barometer.publish.web.data import StoreData, goal_rows_for
from barometer.publish.web.i18n import (
    LIGHT_LABELS,
    MOVEMENT_LABELS,
    ORIGIN_LABELS,
    TARGET_LABELS,
    fmt_change,
    fmt_value,
    label,
    t,
)
from barometer.publish.web.pages.common import (
    NotFound,
    View,
    area_name,
    area_options,
    check_area,
    file_name,
    indicator_title,
    light_counts,
    num,
    parse_year,
    plain,
    source_name,
)


def _significance(drec: dict, lang: str) -> str:
    sig = drec.get("significant")
    if sig is None or pd.isna(sig):  # not tested (no interval or no data)
        return "–"
    return t("significant_word", lang) if bool(sig) else t("not_significant", lang)


def goal_rows(store: StoreData, code: str, year: int | None, lang: str) -> dict | None:
    """The stored goal status of an area in an evaluation year, with every indicator's base
    and newest value, change, significance, light and target, in catalogue order."""
    if store.goal_status.empty:
        return None
    if year == store.goal_year:
        rows = store.goal_status_by_area.get(code, [])
        details = store.goal_detail_by_key
    else:
        gs, detail = goal_rows_for(store, year)
        rows = _ordered(store, gs[gs["area_code"] == code].to_dict("records"))
        details = {}
        for rec in detail[detail["area_code"] == code].to_dict("records"):
            key = (rec["goal_set"], rec["goal_id"], code, rec["origin_group"])
            details.setdefault(key, []).append(rec)
    goals = []
    for rec in rows:
        item = {k: plain(v) for k, v in rec.items()}
        item["title"] = rec.get(f"title_{lang}") or rec.get("title_da")
        item["origin_label"] = label(ORIGIN_LABELS, rec.get("origin_group"), lang)
        item["movement_label"] = label(MOVEMENT_LABELS, rec.get("movement"), lang)
        item["light_label"] = label(LIGHT_LABELS, rec.get("traffic_light"), lang)
        item["target_label"] = label(TARGET_LABELS, rec.get("target_status"), lang)
        item["set_title"] = _set_title(store, rec.get("goal_set"), lang)
        spec = goal_notes.goal_spec(store.goal_sets, rec["goal_set"], rec["goal_id"])
        # where a goal without data would get its figures, and what is not confirmed of it
        item["filled_by"] = (
            goal_notes.filled_by(store.definitions, spec, lang) or goal_notes.unmeasured(spec, lang)
            if rec.get("movement") == "no_data"
            else None
        )
        item["unconfirmed"] = goal_notes.unconfirmed_note(spec, lang)
        item["indicators"] = []
        key = (rec["goal_set"], rec["goal_id"], code, rec["origin_group"])
        for drec in details.get(key, []):
            dd = {k: plain(v) for k, v in drec.items()}
            unit = drec.get("unit")
            dd["title"] = indicator_title(store, drec["indicator_id"], lang)
            dd["group_label"] = label(ORIGIN_LABELS, drec.get("indicator_origin_group"), lang)
            dd["base_label"] = fmt_value(num(drec.get("base_value")), unit, lang)
            dd["latest_label"] = fmt_value(num(drec.get("latest_value")), unit, lang)
            dd["change_label"] = fmt_change(num(drec.get("change")), unit, lang)
            dd["light_label"] = label(LIGHT_LABELS, drec.get("traffic_light"), lang)
            dd["movement_label"] = label(MOVEMENT_LABELS, drec.get("direction"), lang)
            dd["target_label"] = label(TARGET_LABELS, drec.get("target_status"), lang)
            dd["significance_label"] = _significance(drec, lang)
            source = drec.get("source")
            dd["source_label"] = source_name(store, source, lang) if isinstance(source, str) else ""
            target = num(drec.get("target"))
            dd["target_value_label"] = fmt_value(target, unit, lang) if target is not None else ""
            item["indicators"].append(dd)
        goals.append(item)
    return {"available": True, "goals": goals}


def _ordered(store: StoreData, recs: list[dict]) -> list[dict]:
    order = {}
    for pos, (set_id, spec) in enumerate(store.goal_sets.items()):
        for gpos, goal in enumerate(spec.get("goals", [])):
            order[(set_id, goal["id"])] = (pos, gpos)
    return sorted(recs, key=lambda r: order.get((r["goal_set"], r["goal_id"]), (99, 99)))


def _set_title(store: StoreData, set_id: str | None, lang: str) -> str:
    cat = store.goal_sets.get(set_id or "", {})
    return (cat.get("title") or {}).get(lang) or (cat.get("title") or {}).get("da") or ""


def goals(
    store: StoreData,
    area: str | None,
    lang: str,
    *,
    goal_set: str | None = None,
    committee: str | None = None,
    year: str | None = None,
) -> View:
    code = check_area(store, area)
    y = parse_year(year)
    if y is None:
        y = store.goal_year
    elif y not in store.goal_years:
        raise NotFound(f"no goal status for year {y} (years: {store.goal_years})")
    if goal_set and goal_set not in store.goal_sets:
        raise NotFound(f"unknown goal set {goal_set!r}")
    status = goal_rows(store, code, y, lang)
    every = (status or {}).get("goals", [])
    committees = sorted({g.get("owner") for g in every if g.get("owner")})
    if committee and committee not in committees:
        raise NotFound(f"no goal of {area_name(store, code, lang)} is owned by {committee!r}")
    shown = [
        g
        for g in every
        if (not goal_set or g.get("goal_set") == goal_set)
        and (not committee or g.get("owner") == committee)
    ]
    sets = []
    by_set: dict[str, list[dict]] = {}
    for g in shown:
        by_set.setdefault(g.get("goal_set") or "", []).append(g)
    for set_id in [*dict.fromkeys([*store.goal_sets, *by_set])]:
        if goal_set and set_id != goal_set:
            continue
        cat = store.goal_sets.get(set_id, {})
        sets.append(
            {
                "id": set_id,
                "title": _set_title(store, set_id, lang) or set_id,
                "owner": cat.get("owner"),
                "base_year": cat.get("base_year"),
                "period": goal_notes.period_text(cat, lang),
                "pending": bool(cat.get("pending")),
                "status": by_set.get(set_id, []),
                "counts": light_counts(by_set.get(set_id, [])),
            }
        )
    gs = store.goal_status
    table = gs[(gs["area_code"] == code) & (gs["year"] == y)] if not gs.empty else gs
    if goal_set and not table.empty:
        table = table[table["goal_set"] == goal_set]
    if committee and not table.empty:
        table = table[table["owner"] == committee]
    counts = light_counts(shown)
    data = {
        "area": {"code": code, "name": area_name(store, code, lang)},
        "year": y,
        "years": store.goal_years,
        "available": status is not None,
        "goal_set": goal_set,
        "committee": committee,
        "committees": committees,
        "summary": {"goals": len(shown), **counts},
        "goal_sets": sets,
    }
    ctx = {
        "area_options": area_options(store, lang),
        "set_options": [(s, _set_title(store, s, lang) or s) for s in store.goal_sets],
        "light_labels": {k: label(LIGHT_LABELS, k, lang) for k in counts},
    }
    return View(
        "goals",
        "goals.html",
        t("goals_title", lang),
        data,
        table.drop(columns=[c for c in ("run_id",) if c in table]),
        [],
        ctx,
        download_name=file_name(t("goals_file", lang), area_name(store, code, lang), code),
    )
