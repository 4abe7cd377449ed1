"""The front page, the list of indicators and the search for a municipality."""

from __future__ import annotations

import pandas as pd

from barometer.codes import DENMARK
from barometer.publish.web.data import StoreData
from barometer.publish.web.i18n import (
    MOVEMENT_LABELS,
    ORIGIN_LABELS,
    SEX_LABELS,
    THEME_LABELS,
    UNIT_LABELS,
    label,
    t,
)
from barometer.publish.web.pages.common import (
    View,
    area_options,
    file_name,
    folded,
    indicator_title,
    plain,
)
from barometer.publish.web.pages.indicator import map_block, ranking_rows
from barometer.publish.web.pages.municipality import key_figures

FRONT_MAP = ("employment_rate_25_64", "employment_rate_16_64")


def search(store: StoreData, query: str, lang: str) -> list[dict]:
    """Municipalities whose name or code matches, tolerant of names typed without Danish
    letters ('Kobenhavn', 'laesoe', 'Arhus')."""
    wanted = folded(query or "")
    if not any(wanted):
        return []
    hits = []
    for opt in area_options(store, lang):
        names = folded(opt["name"])
        code = opt["code"]
        if any(q in (code, code.lstrip("0")) for q in wanted) or any(
            n.startswith(q) for n in names for q in wanted
        ):
            hits.append((0, opt))
        elif any(q in n for n in names for q in wanted):
            hits.append((1, opt))
    return [o for _, o in sorted(hits, key=lambda h: (h[0], h[1]["name"]))]


def flag(value: object) -> bool | None:
    """A stored yes/no that may be missing (not tested)."""
    return None if value is None or pd.isna(value) else bool(value)


def needles(store: StoreData, area: str, lang: str) -> list[dict] | None:
    """The national goals' movement for the area in the default evaluation year."""
    if store.goal_status.empty:
        return None
    rows = [r for r in store.goal_status_by_area.get(area, []) if r["goal_set"] == "national"]
    out = []
    for rec in rows:
        movement = rec.get("movement", "no_data")
        key = (rec["goal_set"], rec["goal_id"], area, rec["origin_group"])
        # A goal without data can still have indicators that moved (context indicators, or
        # ones whose base year is missing): say which, so "no data" never hides a change.
        moved = [
            {
                "label": d.get("label") if isinstance(d.get("label"), str) else "",
                "title": indicator_title(store, d["indicator_id"], lang),
                "movement_label": label(MOVEMENT_LABELS, d.get("direction"), lang),
                "significant": flag(d.get("significant")),
            }
            for d in store.goal_detail_by_key.get(key, [])
            if movement == "no_data" and d.get("direction") not in (None, "no_data")
        ]
        out.append(
            {
                "goal_set": rec.get("goal_set"),
                "goal_id": rec.get("goal_id"),
                "title": rec.get(f"title_{lang}") or rec.get("title_da") or "",
                "movement": movement,
                "movement_label": label(MOVEMENT_LABELS, movement, lang),
                "traffic_light": rec.get("traffic_light"),
                "angle": {"positive": 50, "negative": -50, "unchanged": 0}.get(movement),
                "base_year": plain(rec.get("base_year")),
                "year": plain(rec.get("year")),
                "moved": moved,
            }
        )
    return out


def front(store: StoreData, lang: str, *, geo_url: str = "") -> View:
    figures = key_figures(store, DENMARK, lang)
    needle_rows = needles(store, DENMARK, lang)
    table = pd.DataFrame(
        [
            {k: f[k] for k in ("indicator_id", "origin_group", "year", "value", "change", "since")}
            for f in figures
        ]
    )
    map_ind = next((i for i in FRONT_MAP if i in store.by_indicator), None)
    blocks = []
    front_map = None
    if map_ind and store.indicator_years.get(map_ind):
        group = store.headline_group(map_ind)
        year = store.indicator_years[map_ind][-1]
        rows = ranking_rows(store, map_ind, group, "all", year, lang)
        title = (
            f"{indicator_title(store, map_ind, lang)} — {label(ORIGIN_LABELS, group, lang)}, "
            f"{label(SEX_LABELS, 'all', lang)}, {year}"
        )
        block = map_block(
            store, map_ind, rows, title, lang, geo_url, chart_id="chart-front-map", small=True
        )
        blocks.append(block)
        front_map = {"indicator_id": map_ind, "origin_group": group, "year": year}
    data = {
        "areas": area_options(store, lang),
        "key_figures": figures,
        "needles": needle_rows,
        "goals_available": needle_rows is not None,
        "map": front_map,
    }
    return View(
        "front",
        "front.html",
        t("front_title", lang),
        data,
        table,
        blocks,
        download_name=file_name(t("key_figures", lang), t("denmark", lang)),
    )


def indicators_index(store: StoreData, lang: str) -> View:
    rows = []
    for ind in store.indicator_ids():
        spec = store.definitions[ind]
        years = store.indicator_years.get(ind, [])
        rows.append(
            {
                "id": ind,
                "title": indicator_title(store, ind, lang),
                "theme": spec.get("theme"),
                "theme_label": label(THEME_LABELS, spec.get("theme"), lang),
                "unit": spec.get("unit"),
                "unit_label": label(UNIT_LABELS, spec.get("unit"), lang),
                "first_year": years[0] if years else None,
                "last_year": years[-1] if years else None,
            }
        )
    return View(
        "indicators",
        "indicators.html",
        t("indicators_title", lang),
        {"indicators": rows},
        pd.DataFrame(rows),
        download_name=file_name(t("indicators_title", lang)),
    )
