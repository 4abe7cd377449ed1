"""Compare up to six areas on up to six indicators at once, with Denmark as the reference."""

from __future__ import annotations

import pandas as pd

from barometer.codes import DENMARK
from barometer.publish.web.data import StoreData
from barometer.publish.web.i18n import ORIGIN_LABELS, SEX_LABELS, label, t
from barometer.publish.web.pages.common import (
    MAX_COMPARE,
    Invalid,
    NotFound,
    View,
    area_name,
    area_options,
    check_area,
    check_indicator,
    check_origin,
    check_sex,
    file_name,
    indicator_title,
    labelled,
    line_block,
    series_rows,
    suppression_note,
)

REFERENCES = ("000", "none")


def parse_areas(store: StoreData, raw: list[str]) -> list[str]:
    codes: list[str] = []
    for item in raw:
        for part in item.split(","):
            if part.strip():
                code = check_area(store, part)
                if code not in codes:
                    codes.append(code)
    if len(codes) > MAX_COMPARE:
        raise Invalid(f"choose at most {MAX_COMPARE} areas, got {len(codes)}")
    return codes


def parse_indicators(store: StoreData, raw: list[str]) -> list[str]:
    ids: list[str] = []
    for item in raw:
        for part in item.split(","):
            if part.strip():
                ind = check_indicator(store, part.strip())
                if ind not in ids:
                    ids.append(ind)
    if len(ids) > MAX_COMPARE:
        raise Invalid(f"choose at most {MAX_COMPARE} indicators, got {len(ids)}")
    return ids


def default_indicator(store: StoreData) -> str:
    for ind in ("employment_rate_25_64", "employment_rate_16_64"):
        if ind in store.by_indicator:
            return ind
    ids = store.indicator_ids()
    if not ids:
        raise NotFound("the store has no indicators")
    return ids[0]


def compare(
    store: StoreData,
    areas: list[str],
    indicators: list[str] | str | None,
    group: str | None,
    sex: str | None,
    lang: str,
    *,
    reference: str | None = None,
) -> View:
    codes = parse_areas(store, areas)
    if isinstance(indicators, str) or indicators is None:
        indicators = [indicators] if indicators else []
    inds = parse_indicators(store, indicators) or [default_indicator(store)]
    reference = reference or DENMARK
    if reference not in REFERENCES:
        raise Invalid(f"reference must be one of {', '.join(REFERENCES)}, got {reference!r}")
    sex = check_sex(sex)
    shown = list(codes)
    if codes and reference == DENMARK and DENMARK not in shown:
        shown.append(DENMARK)
    blocks = []
    all_rows: list[dict] = []
    groups = {}
    for ind in inds:
        g = check_origin(store, group, ind)
        if group and g not in store.indicator_groups.get(ind, []):
            g = store.headline_group(ind)
        groups[ind] = g
        if not codes:
            continue
        title = indicator_title(store, ind, lang)
        series = [(area_name(store, c, lang), series_rows(store, ind, c, g, sex)) for c in shown]
        chart_id = "chart-compare" if len(inds) == 1 else f"chart-compare-{ind}"
        block, rows = line_block(
            store,
            chart_id,
            f"{title} — {label(ORIGIN_LABELS, g, lang)}, {label(SEX_LABELS, sex, lang)}",
            ind,
            series,
            lang,
        )
        cells = [r for c in codes for r in series_rows(store, ind, c, g, sex)]
        note = suppression_note(store, cells, lang)
        if note:
            block["notes"].append(note)
        blocks.append(block)
        all_rows += [{**r, "indicator_id": ind} for r in rows]
    frames = []
    for ind in inds:
        frame = store.by_indicator[ind]
        frames.append(
            frame[
                frame["area_code"].isin(shown)
                & (frame["origin_group"] == groups[ind])
                & (frame["sex"] == sex)
            ]
        )
    table = labelled(store, pd.concat(frames) if frames else store.obs.iloc[0:0], lang)
    first = inds[0]
    data = {
        "areas": [{"code": c, "name": area_name(store, c, lang)} for c in codes],
        "reference": reference,
        "indicator": first,
        "indicators": inds,
        "origin_group": groups[first],
        "origin_groups": groups,
        "sex": sex,
        "series": [r for r in all_rows if r["indicator_id"] == first],
        "series_by_indicator": {i: [r for r in all_rows if r["indicator_id"] == i] for i in inds},
        "max_areas": MAX_COMPARE,
    }
    ctx = {
        "area_options": [a for a in area_options(store, lang) if a["code"] != DENMARK],
        "indicator_options": [(i, indicator_title(store, i, lang)) for i in store.indicator_ids()],
        "group_options": [
            (g, label(ORIGIN_LABELS, g, lang)) for g in store.indicator_groups.get(first, [])
        ],
        "slots": [*codes, *[""] * (MAX_COMPARE - len(codes))],
        "indicator_title": indicator_title(store, first, lang),
        "group_param": group or "",
    }
    names = [area_name(store, c, lang) for c in codes]
    return View(
        "compare",
        "compare.html",
        t("compare_title", lang),
        data,
        table,
        blocks,
        ctx,
        download_name=file_name(*names, *(c for c in codes)),
    )
