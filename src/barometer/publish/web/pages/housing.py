"""The housing-area lists by year and the stored early warning of the newest list year."""

from __future__ import annotations

import pandas as pd

from barometer.codes.vocab import HOUSING_LIST_LABELS, HOUSING_SLOT_LABELS
from barometer.publish.labels import NBSP, number
from barometer.publish.web.data import StoreData
from barometer.publish.web.i18n import fmt_value, label, t
from barometer.publish.web.pages.common import (
    NotFound,
    View,
    area_name,
    file_name,
    indicator_title,
    parse_year,
    records,
)

SLOTS = ("employment", "crime", "education", "income", "non_western")
HOUSING_SHOW = [
    "area_id",
    "area_name",
    "municipality_code",
    "rule_set",
    "residents",
    *(f"{slot}_{part}" for slot in SLOTS for part in ("value", "threshold", "met")),
    "criteria_met",
    "udsat",
    "parallelsamfund",
    "omdannelsesomraade",
    "forebyggelsesomraade",
]


def criterion_value(value: float | None, metric: str | None, lang: str) -> str:
    """A criterion as the law states it: a share as per cent ('57,0 %'), a ratio to the
    national average as a multiple ('2,30 ×'); a ratio to the region is a per cent of it."""
    if value is None or value != value:
        return "–"
    if metric and "ratio_to_national" in metric:
        return number(value, lang, 2) + NBSP + "×"
    return fmt_value(100 * value, "pct", lang)


def _metrics(store: StoreData) -> dict[tuple[str, str], str]:
    """(rule set, criterion) → metric, from the stored criteria."""
    hc = store.housing_criteria
    if hc is None or hc.empty:
        return {}
    pairs = hc[["rule_set", "criterion", "metric"]].drop_duplicates()
    return {(str(r), str(c)): str(m) for r, c, m in pairs.itertuples(index=False)}


def _names(store: StoreData, lang: str) -> dict[tuple[str, str], str]:
    hc = store.housing_criteria
    if hc is None or hc.empty:
        return {}
    col = "name_en" if lang == "en" else "name_da"
    pairs = hc[["rule_set", "criterion", col]].drop_duplicates()
    return {(str(r), str(c)): str(n) for r, c, n in pairs.itertuples(index=False)}


def _lists(codes: str | None, lang: str) -> str:
    parts = [p.strip() for p in (codes or "").split(";") if p.strip()]
    return ", ".join(label(HOUSING_LIST_LABELS, p, lang) for p in parts) or "–"


def housing(store: StoreData, year: str | None, lang: str) -> View:
    ha = store.housing_areas
    counts = [
        {"id": i, "title": indicator_title(store, i, lang)}
        for i in store.indicator_ids()
        if store.definitions[i].get("kind") == "housing_count"
    ]
    slot_labels = [(s, label(HOUSING_SLOT_LABELS, s, lang)) for s in SLOTS]
    if ha.empty:
        parse_year(year)
        data = {
            "available": False,
            "years": [],
            "year": None,
            "areas": [],
            "warning": [],
            "warning_margin": store.settings.warning_margin,
            "count_indicators": counts,
        }
        return View(
            "housing",
            "housing.html",
            t("housing_title", lang),
            data,
            pd.DataFrame(columns=["area_id", "list_year"]),
            [],
            {"slots": slot_labels},
        )
    years = sorted(int(y) for y in ha["list_year"].unique())
    y = parse_year(year)
    if y is None:
        y = years[-1]
    elif y not in years:
        raise NotFound(f"no housing list for year {y} (list years: {years[0]}-{years[-1]})")
    rows = ha[ha["list_year"] == y].sort_values(["municipality_code", "area_id"])
    cols = [c for c in HOUSING_SHOW if c in rows.columns]
    cat_col = f"categories_{lang}" if f"categories_{lang}" in rows else None
    if cat_col:
        cols.append(cat_col)
    metrics = _metrics(store)
    areas = records(rows, cols)
    for a in areas:
        a["municipality_name"] = area_name(store, str(a.get("municipality_code")), lang)
        a["categories"] = a.pop(cat_col, "") if cat_col else ""
        rule = str(a.get("rule_set"))
        a["cells"] = []
        for slot in SLOTS:
            metric = metrics.get((rule, slot))
            value = a.get(f"{slot}_value")
            a["cells"].append(
                {
                    "value": criterion_value(value, metric, lang),
                    "threshold": criterion_value(a.get(f"{slot}_threshold"), metric, lang),
                    "met": bool(a.get(f"{slot}_met")) if value is not None else False,
                    "present": value is not None,
                }
            )
    warning = _early_warning(store, y, lang)
    data = {
        "available": True,
        "years": years,
        "year": y,
        "areas": areas,
        "warning": warning,
        "warning_margin": store.settings.warning_margin,
        "warning_year": int(store.housing_warning["list_year"].max())
        if not store.housing_warning.empty
        else None,
        "count_indicators": counts,
    }
    return View(
        "housing",
        "housing.html",
        t("housing_title", lang),
        data,
        rows.drop(columns=[c for c in ("run_id",) if c in rows]),
        [],
        {"slots": slot_labels},
        download_name=file_name(t("housing_title", lang), str(y)),
    )


def _early_warning(store: StoreData, year: int, lang: str) -> list[dict]:
    """The stored early warning of the list year: criteria within the run's margin of their
    threshold (pipeline: housing/warning.py), nearest first."""
    w = store.housing_warning
    if w.empty:
        return []
    w = w[(w["list_year"] == year) & w["within_margin"] & (w["criterion"] != "residents")]
    w = w.assign(relative=(w["distance"].abs() / w["threshold"].abs()).round(4))
    w = w.sort_values(["relative", "area_id", "criterion"])
    cols = [
        "area_id",
        "area_name",
        "municipality_code",
        "rule_set",
        "criterion",
        "slot",
        "op",
        "value",
        "threshold",
        "distance",
        "met",
        "would_enter",
        "would_leave",
    ]
    metrics, names = _metrics(store), _names(store, lang)
    out = records(w, [c for c in cols if c in w.columns])[:500]
    for r in out:
        key = (str(r.get("rule_set")), str(r.get("criterion")))
        metric = metrics.get(key)
        r["criterion_name"] = names.get(key, label(HOUSING_SLOT_LABELS, r.get("slot"), lang))
        r["prevention"] = str(r.get("criterion", "")).endswith("_prevention")
        r["value_label"] = criterion_value(r.get("value"), metric, lang)
        r["threshold_label"] = (
            f"{r.get('op', '')} {criterion_value(r.get('threshold'), metric, lang)}"
        )
        r["municipality_name"] = area_name(store, str(r.get("municipality_code")), lang)
        r["enter_label"] = _lists(r.get("would_enter"), lang)
        r["leave_label"] = _lists(r.get("would_leave"), lang)
    return out
