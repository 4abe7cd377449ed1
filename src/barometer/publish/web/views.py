"""One function per page: read the in-memory store, return what the page shows.

A view returns a :class:`View`: ``data`` is the page's JSON twin (plain values, no formatting),
``charts`` and ``ctx`` feed the template, and ``table`` is what the download links deliver.
Nothing statistical happens here: values, intervals and peers were read or derived at load.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd

from barometer.catalogue.describe import describe_spec
from barometer.codes import DENMARK, ORIGIN_GROUPS, SEXES
from barometer.publish import charts, goal_notes, surveys
from barometer.publish.web.data import StoreData
from barometer.publish.web.i18n import (
    LIGHT_LABELS,
    MOVEMENT_LABELS,
    ORIGIN_LABELS,
    POLARITY_LABELS,
    SEX_LABELS,
    TARGET_LABELS,
    THEME_LABELS,
    UNIT_LABELS,
    fmt_change,
    fmt_value,
    label,
    source_label,
    t,
)
from barometer.store.schema import OBSERVATION_COLUMNS

MAX_COMPARE = 6


class NotFound(Exception):  # noqa: N818 — maps to HTTP 404
    """An unknown municipality, indicator, year, …"""


class Invalid(Exception):  # noqa: N818 — maps to HTTP 422
    """A malformed parameter."""


@dataclass
class View:
    page: str
    template: str
    title: str
    data: dict
    table: pd.DataFrame
    charts: list[dict] = field(default_factory=list)
    ctx: dict = field(default_factory=dict)


# --- lookups and parameter checks -------------------------------------------------------------


def area_name(store: StoreData, code: str, lang: str) -> str:
    if code == DENMARK:
        return t("denmark", lang)
    info = store.areas.get(code)
    return info["name"] if info else code


def indicator_title(store: StoreData, indicator_id: str, lang: str) -> str:
    spec = store.definitions.get(indicator_id, {})
    title = spec.get("title") or {}
    return title.get(lang) or title.get("da") or indicator_id


def check_area(store: StoreData, code: str | None, *, default: str | None = DENMARK) -> str:
    if code is None or code == "":
        if default is None:
            raise Invalid("an area code is required")
        return default
    code = code.strip()
    if code.isdigit() and len(code) < 3:
        code = code.zfill(3)
    if code not in store.areas or code not in store.by_area:
        raise NotFound(f"unknown municipality or area code {code!r}")
    return code


def check_indicator(store: StoreData, indicator_id: str | None) -> str:
    if not indicator_id:
        raise Invalid("an indicator id is required")
    if indicator_id not in store.by_indicator:
        raise NotFound(f"unknown indicator {indicator_id!r}")
    return indicator_id


def check_origin(store: StoreData, group: str | None, indicator_id: str | None = None) -> str:
    if group is None or group == "":
        return store.headline_group(indicator_id) if indicator_id else "non_western"
    if group not in ORIGIN_GROUPS:
        raise Invalid(f"unknown origin group {group!r}; choose one of {', '.join(ORIGIN_GROUPS)}")
    return group


def check_sex(sex: str | None) -> str:
    if sex is None or sex == "":
        return "all"
    if sex not in SEXES:
        raise Invalid(f"unknown sex {sex!r}; choose one of {', '.join(SEXES)}")
    return sex


def parse_year(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not value.strip().isdigit() or len(value.strip()) != 4:
        raise Invalid(f"year must be four digits, got {value!r}")
    return int(value)


def parse_year_range(value: str | None) -> tuple[int, int] | None:
    """'2020' or '2015-2024' (inclusive) or None."""
    if value is None or value == "":
        return None
    parts = value.split("-")
    if len(parts) == 1:
        y = parse_year(parts[0])
        return (y, y)
    if len(parts) != 2:
        raise Invalid(f"year must be YYYY or YYYY-YYYY, got {value!r}")
    lo, hi = parse_year(parts[0]), parse_year(parts[1])
    if lo is None or hi is None or lo > hi:
        raise Invalid(f"year range must be YYYY-YYYY with the first year first, got {value!r}")
    return lo, hi


def check_year(store: StoreData, value: str | None, indicator_id: str | None = None) -> int:
    years = store.indicator_years.get(indicator_id, store.years) if indicator_id else store.years
    year = parse_year(value)
    if year is None:
        if not years:
            raise NotFound("the store has no observations")
        return years[-1]
    if year not in years:
        raise NotFound(f"no observations for year {year} (years: {years[0]}-{years[-1]})")
    return year


# --- formatting helpers ---------------------------------------------------------------------


def _num(v: object) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _cell(row: pd.Series | dict, lang: str) -> str:
    return fmt_value(_num(row["value"]), row["unit"], lang, row["status"])


def _ci_text(row: dict, lang: str) -> str:
    lo, hi = _num(row.get("ci_low")), _num(row.get("ci_high"))
    if lo is None or hi is None:
        return "–"
    return f"{fmt_value(lo, 'pct', lang)} – {fmt_value(hi, 'pct', lang)}"


def _records(frame: pd.DataFrame, cols: list[str]) -> list[dict]:
    out = []
    for rec in frame[cols].to_dict("records"):
        out.append({k: (_num(v) if isinstance(v, float) else _plain(v)) for k, v in rec.items()})
    return out


def _plain(v: object) -> object:
    if hasattr(v, "item"):
        return v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if v is pd.NA or v is pd.NaT:
        return None
    return v


def _series(store: StoreData, ind: str, area: str, group: str, sex: str) -> list[dict]:
    """Rows by year for one cell series (plain dicts, built at load)."""
    return store.cells.get((ind, area), {}).get((group, sex), [])


def _spec_fields(spec: dict, lang: str) -> list[tuple[str, str]]:
    """Definition lines as (label, text) pairs: the catalogue's one description
    (catalogue/describe.py), then unit, polarity and sources."""
    out = [(t(key, lang), text) for key, text in describe_spec(spec, lang)]
    if spec.get("unit"):
        out.append((t("unit", lang), label(UNIT_LABELS, spec["unit"], lang)))
    if spec.get("polarity"):
        out.append((t("polarity", lang), label(POLARITY_LABELS, spec["polarity"], lang)))
    if spec.get("sources"):
        out.append((t("source", lang), ", ".join(spec["sources"])))
    return out


def _figure_source(store: StoreData, ind: str, lang: str) -> list[tuple[str, str]]:
    """The source of the figures shown (the preferred one) and how it differs from the
    definition (the StatBank mapping's note), as a definition line."""
    for s in store.indicator_sources.get(ind, []):
        if s.get("preferred"):
            notes = json.loads(s["notes"]) if isinstance(s.get("notes"), str) else []
            text = " ".join(n.get(lang, "") for n in notes if n.get(lang))
            name = source_label(s["source"], lang)
            return [(t("figures_from", lang), f"{name}: {text}" if text else name)]
    return []


def _chart_block(
    chart_id: str,
    title: str,
    spec: dict,
    headers: list[str],
    rows: list[list[str]],
    caption: str | None = None,
) -> dict:
    return {
        "id": chart_id,
        "title": title,
        "spec": spec,
        "headers": headers,
        "rows": rows,
        "caption": caption or title,
    }


def _line_block(
    store: StoreData,
    chart_id: str,
    title: str,
    ind: str,
    series: list[tuple[str, pd.DataFrame]],
    lang: str,
) -> tuple[dict, list[dict]]:
    """A line chart of several series over years, and its table (years × series)."""
    unit = store.definitions[ind].get("unit", "pct")
    rows, table = [], {}
    for name, records in series:
        for rec in records:
            value = rec["value"]
            row = {
                "series": name,
                "year": int(rec["year"]),
                "value": value,
                "ci_low": rec.get("ci_low"),
                "ci_high": rec.get("ci_high"),
                "status": rec.get("status", "ok"),
                "label": fmt_value(value, unit, lang, rec.get("status", "ok")),
            }
            rows.append(row)
            cell = row["label"]
            if row["ci_low"] is not None and row["ci_high"] is not None:
                cell += f" ({_ci_text(row, lang)})"
            table.setdefault(row["year"], {})[name] = cell
    names = [name for name, _ in series]
    spec = charts.line_chart(
        rows,
        y_title=label(UNIT_LABELS, unit, lang).capitalize(),
        description=title,
        series_title=t("area", lang),
        domain=names,
    )
    headers = [t("year", lang), *names]
    body = [[str(y), *(table[y].get(n, "–") for n in names)] for y in sorted(table)]
    return _chart_block(chart_id, title, spec, headers, body), rows


def _peer_series(store: StoreData, ind: str, area: str, group: str, sex: str) -> list[dict]:
    return store.peer_cells.get((ind, area), {}).get((group, sex), [])


# --- pages ----------------------------------------------------------------------------------


def area_options(store: StoreData, lang: str) -> list[dict]:
    out = [{"code": DENMARK, "name": t("denmark", lang)}]
    munis = [a for a in store.areas.values() if a["level"] == "municipality"]
    for a in sorted(munis, key=lambda a: a["name"]):
        if a["code"] in store.by_area:
            out.append({"code": a["code"], "name": a["name"]})
    return out


def search(store: StoreData, query: str, lang: str) -> list[dict]:
    q = (query or "").strip().lower()
    if not q:
        return []
    hits = []
    for opt in area_options(store, lang):
        name = opt["name"].lower()
        if q in (opt["code"], opt["code"].lstrip("0")) or name.startswith(q):
            hits.append((0, opt))
        elif q in name:
            hits.append((1, opt))
    return [o for _, o in sorted(hits, key=lambda h: (h[0], h[1]["name"]))]


def _needles(store: StoreData, area: str, lang: str) -> list[dict] | None:
    """The national goals' movement for the area in the default evaluation year."""
    if store.goal_status.empty:
        return None
    rows = [r for r in store.goal_status_by_area.get(area, []) if r["goal_set"] == "national"]
    out = []
    for rec in rows:
        movement = rec.get("movement", "no_data")
        out.append(
            {
                "goal_set": rec.get("goal_set"),
                "goal_id": rec.get("goal_id"),
                "title": rec.get(f"title_{lang}") or rec.get("title_da") or rec.get("goal_id"),
                "movement": movement,
                "movement_label": label(MOVEMENT_LABELS, movement, lang),
                "angle": {"positive": 50, "negative": -50, "unchanged": 0}.get(movement),
                "base_year": _plain(rec.get("base_year")),
                "year": _plain(rec.get("year")),
            }
        )
    return out


def key_figures(store: StoreData, area: str, lang: str) -> list[dict]:
    out = []
    for ind in store.indicator_ids():
        spec = store.definitions[ind]
        if spec.get("unit") == "count" and ind != "population":
            continue
        group = store.headline_group(ind)
        ok = [r for r in _series(store, ind, area, group, "all") if r["value"] is not None]
        if not ok:
            continue
        last = ok[-1]
        change = None
        since = None
        if len(ok) > 1:
            change = last["value"] - ok[-2]["value"]
            since = ok[-2]["year"]
        out.append(
            {
                "indicator_id": ind,
                "title": indicator_title(store, ind, lang),
                "origin_group": group,
                "origin_label": label(ORIGIN_LABELS, group, lang),
                "year": int(last["year"]),
                "value": float(last["value"]),
                "unit": spec.get("unit"),
                "label": fmt_value(float(last["value"]), spec.get("unit"), lang),
                "change": change,
                "change_label": fmt_change(change, spec.get("unit"), lang),
                "since": since,
            }
        )
    return out


def front(store: StoreData, lang: str) -> View:
    figures = key_figures(store, DENMARK, lang)
    needles = _needles(store, DENMARK, lang)
    table = pd.DataFrame(
        [
            {k: f[k] for k in ("indicator_id", "origin_group", "year", "value", "change", "since")}
            for f in figures
        ]
    )
    data = {
        "areas": area_options(store, lang),
        "key_figures": figures,
        "needles": needles,
        "goals_available": needles is not None,
    }
    return View("front", "front.html", t("front_title", lang), data, table)


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
                "first_year": years[0] if years else None,
                "last_year": years[-1] if years else None,
            }
        )
    table = pd.DataFrame(rows)
    return View(
        "indicators", "indicators.html", t("indicators_title", lang), {"indicators": rows}, table
    )


def municipality(
    store: StoreData, code: str, group: str | None, sex: str | None, lang: str
) -> View:
    code = check_area(store, code)
    sex = check_sex(sex)
    group_param = check_origin(store, group) if group else None
    name = area_name(store, code, lang)
    info = store.areas[code]
    peers = store.peers.get(code, [])
    sections: dict[str, list[dict]] = {}
    blocks = []
    twin_indicators = []
    covered = surveys.covered(store.survey_cells, code)
    for ind in store.indicator_ids():
        spec = store.definitions[ind]
        if surveys.is_survey(store.definitions, ind) and ind not in covered:
            continue  # a survey speaks only of the areas it covers
        g = group_param or store.headline_group(ind)
        if g not in store.indicator_groups.get(ind, []):
            g = store.headline_group(ind)
        series = [(name, _series(store, ind, code, g, sex))]
        if code != DENMARK:
            series.append((t("denmark", lang), _series(store, ind, DENMARK, g, sex)))
        peer = _peer_series(store, ind, code, g, sex)
        if peer:
            series.append((t("peer_average", lang), peer))
        if not any(rows for _, rows in series):
            continue
        title = indicator_title(store, ind, lang)
        chart, rows = _line_block(
            store,
            f"chart-{ind}",
            f"{title} — {label(ORIGIN_LABELS, g, lang)}, {label(SEX_LABELS, sex, lang)}",
            ind,
            series,
            lang,
        )
        blocks.append(chart)
        # Latest year per origin group × sex.
        groups_table: dict = {"headers": [], "rows": []}
        cells = store.cells.get((ind, code), {})
        latest = max((r["year"] for rows in cells.values() for r in rows), default=None)
        if latest is not None:
            by_cell = {key: r for key, rows in cells.items() for r in rows if r["year"] == latest}
            present = {s for _, s in by_cell}
            sexes = [s for s in SEXES if s in present]
            groups_table["headers"] = [
                t("origin_group", lang),
                *(label(SEX_LABELS, s, lang) for s in sexes),
            ]
            for og in store.indicator_groups.get(ind, []):
                groups_table["rows"].append(
                    [
                        label(ORIGIN_LABELS, og, lang),
                        *(
                            _cell(by_cell[(og, s)], lang) if (og, s) in by_cell else "–"
                            for s in sexes
                        ),
                    ]
                )
        entry = {
            "indicator_id": ind,
            "title": title,
            "chart": chart,
            "origin_group": g,
            "latest_year": latest,
            "groups_table": groups_table,
            # rounds with interval, answers and tested change (None unless a survey covers it)
            "survey": surveys.survey_block(
                store.survey_cells,
                store.survey_districts,
                store.definitions,
                ind,
                code,
                g,
                lang,
                sex,
            ),
        }
        sections.setdefault(spec.get("theme"), []).append(entry)
        twin_indicators.append({"indicator_id": ind, "origin_group": g, "sex": sex, "series": rows})
    goals = _goal_rows(store, code, lang)
    data = {
        "area": {"code": code, "name": name, "level": info["level"], "region": info.get("region")},
        "origin_group": group_param,
        "sex": sex,
        "peers": [{"code": p, "name": area_name(store, p, lang)} for p in peers],
        "goals": goals,
        "indicators": twin_indicators,
    }
    table = store.by_area[code][[*OBSERVATION_COLUMNS]]
    ctx = {
        "sections": [
            (a, label(THEME_LABELS, a, lang), sections[a])
            for a in [*dict.fromkeys([*THEME_LABELS, *sections])]
            if a in sections
        ],
        "group_options": _group_options(lang),
    }
    return View("municipality", "municipality.html", name, data, table, blocks, ctx)


def _group_options(lang: str) -> list[tuple[str, str]]:
    return [(g, label(ORIGIN_LABELS, g, lang)) for g in ORIGIN_GROUPS]


def _goal_rows(store: StoreData, code: str, lang: str) -> dict | None:
    if store.goal_status.empty:
        return None
    rows = store.goal_status_by_area.get(code, [])
    details = store.goal_detail_by_key
    goals = []
    for rec in rows:
        item = {k: _plain(v) for k, v in rec.items()}
        item["title"] = rec.get(f"title_{lang}") or rec.get("title_da")
        item["movement_label"] = label(MOVEMENT_LABELS, rec.get("movement"), lang)
        item["light_label"] = label(LIGHT_LABELS, rec.get("traffic_light"), lang)
        item["target_label"] = label(TARGET_LABELS, rec.get("target_status"), lang)
        spec = goal_notes.goal_spec(store.goal_sets, rec["goal_set"], rec["goal_id"])
        item["filled_by"] = (
            goal_notes.filled_by(store.definitions, spec, lang) or spec.get("status_reason")
            if rec.get("movement") == "no_data"
            else None
        )
        item["unconfirmed"] = goal_notes.unconfirmed_note(spec, lang)
        item["indicators"] = []
        key = (rec["goal_set"], rec["goal_id"], code, rec["origin_group"])
        for drec in details.get(key, []):
            dd = {k: _plain(v) for k, v in drec.items()}
            unit = drec.get("unit")
            dd["title"] = indicator_title(store, drec["indicator_id"], lang)
            dd["base_label"] = fmt_value(_num(drec.get("base_value")), unit, lang)
            dd["latest_label"] = fmt_value(_num(drec.get("latest_value")), unit, lang)
            dd["change_label"] = fmt_change(_num(drec.get("change")), unit, lang)
            dd["light_label"] = label(LIGHT_LABELS, drec.get("traffic_light"), lang)
            dd["target_label"] = label(TARGET_LABELS, drec.get("target_status"), lang)
            source = drec.get("source")
            dd["source_label"] = source_label(source, lang) if isinstance(source, str) else ""
            dd["target_value_label"] = (
                fmt_value(_num(drec.get("target")), unit, lang)
                if _num(drec.get("target")) is not None
                else ""
            )
            item["indicators"].append(dd)
        goals.append(item)
    return {"available": True, "goals": goals}


def indicator(
    store: StoreData,
    ind: str,
    area: str | None,
    group: str | None,
    sex: str | None,
    year: str | None,
    lang: str,
) -> View:
    ind = check_indicator(store, ind)
    area = check_area(store, area)
    group = check_origin(store, group, ind)
    sex = check_sex(sex)
    year_i = check_year(store, year, ind)
    spec = store.definitions[ind]
    unit = spec.get("unit", "pct")
    title = indicator_title(store, ind, lang)
    name = area_name(store, area, lang)
    g_lab, s_lab = label(ORIGIN_LABELS, group, lang), label(SEX_LABELS, sex, lang)
    blocks = []
    # Time series: the area (and Denmark).
    series = [(name, _series(store, ind, area, group, sex))]
    if area != DENMARK:
        series.append((t("denmark", lang), _series(store, ind, DENMARK, group, sex)))
    ts, ts_rows = _line_block(
        store,
        "chart-series",
        f"{t('time_series', lang)}: {title} — {g_lab}, {s_lab}",
        ind,
        series,
        lang,
    )
    blocks.append(ts)
    # Ranking of the 98 municipalities.
    frame = store.by_indicator[ind]
    rank_rows = []
    for code, info in store.areas.items():
        if info["level"] != "municipality":
            continue
        rec = next((r for r in _series(store, ind, code, group, sex) if r["year"] == year_i), None)
        if rec is None:  # no cell: nobody in the group, or no figure from the source
            rec = {"value": None, "ci_low": None, "ci_high": None, "status": "no_data"}
            rec.update(rank=None, n_ranked=None, unit=unit)
        rank_rows.append(
            {
                "code": code,
                "name": info["name"],
                "value": rec["value"],
                "ci_low": rec["ci_low"],
                "ci_high": rec["ci_high"],
                "status": rec["status"],
                "rank": rec["rank"],
                "n_ranked": rec["n_ranked"],
                "label": _cell(rec, lang),
            }
        )
    # The pipeline's ranks: 1 = best by the indicator's polarity, ties share a rank.
    rank_rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["name"]))
    rank_title = f"{t('ranking', lang)}, {year_i}: {title} — {g_lab}, {s_lab}"
    body = [
        [str(r["rank"]) if r["rank"] is not None else "–", r["name"], r["label"], _ci_text(r, lang)]
        for r in rank_rows
    ]
    blocks.append(
        _chart_block(
            "chart-ranking",
            rank_title,
            charts.bar_chart(
                rank_rows,
                x_title=label(UNIT_LABELS, unit, lang).capitalize(),
                description=rank_title,
                highlight=area if area != DENMARK else None,
            ),
            [t("rank", lang), t("municipality", lang), t("value", lang), t("ci", lang)],
            body,
        )
    )
    # Origin groups compared, for the area and year.
    og_rows = []
    for (og, s_), recs in store.cells.get((ind, area), {}).items():
        if s_ != sex:
            continue
        for rec in recs:
            if rec["year"] != year_i:
                continue
            og_rows.append(
                {
                    "code": og,
                    "name": label(ORIGIN_LABELS, og, lang),
                    "value": _num(rec["value"]),
                    "ci_low": _num(rec["ci_low"]),
                    "ci_high": _num(rec["ci_high"]),
                    "status": rec["status"],
                    "label": _cell(rec, lang),
                }
            )
    og_title = f"{t('origin_comparison', lang)}, {name} {year_i}: {title} — {s_lab}"
    blocks.append(
        _chart_block(
            "chart-origin",
            og_title,
            charts.bar_chart(
                og_rows,
                x_title=label(UNIT_LABELS, unit, lang).capitalize(),
                description=og_title,
                highlight=group,
            ),
            [t("origin_group", lang), t("value", lang), t("ci", lang)],
            [[r["name"], r["label"], _ci_text(r, lang)] for r in og_rows],
        )
    )
    others = _other_sources(store, ind, area, group, sex, lang)
    if others:
        blocks.append(others["block"])
    data = {
        "indicator": {"id": ind, **{k: v for k, v in spec.items() if k != "id"}},
        "sources": store.indicator_sources.get(ind, []),
        "other_sources": others["rows"] if others else [],
        "area": {"code": area, "name": name},
        "origin_group": group,
        "sex": sex,
        "year": year_i,
        "years": store.indicator_years.get(ind, []),
        "origin_groups": store.indicator_groups.get(ind, []),
        "series": ts_rows,
        "ranking": rank_rows,
        "origin_comparison": og_rows,
    }
    table = frame[[*OBSERVATION_COLUMNS]]
    ctx = {
        "definition": [*_spec_fields(spec, lang), *_figure_source(store, ind, lang)],
        "area_options": area_options(store, lang),
        "group_options": [
            (g, label(ORIGIN_LABELS, g, lang)) for g in store.indicator_groups.get(ind, [])
        ],
        "has_suppressed": bool((frame["status"] != "ok").any()),
        "has_ci": bool(frame["ci_low"].notna().any()),
    }
    return View("indicator", "indicator.html", title, data, table, blocks, ctx)


def _other_sources(
    store: StoreData, ind: str, area: str, group: str, sex: str, lang: str
) -> dict | None:
    """The same cells from the indicator's other sources, beside the preferred figures."""
    others = store.other_cells.get((ind, area), {}).get((group, sex), [])
    if not others:
        return None
    unit = store.definitions[ind].get("unit", "pct")
    notes = {
        s["source"]: json.loads(s["notes"]) if isinstance(s.get("notes"), str) else []
        for s in store.indicator_sources.get(ind, [])
    }
    by_source: dict[str, dict[int, str]] = {}
    rows = []
    for rec in others:
        text = fmt_value(rec["value"], unit, lang, rec["status"])
        by_source.setdefault(rec["source"], {})[rec["year"]] = text
        rows.append({k: rec[k] for k in ("source", "year", "value", "status")})
    years = sorted({r["year"] for r in rows})
    sources = sorted(by_source)
    headers = [t("year", lang), *(source_label(s, lang) for s in sources)]
    body = [[str(y), *(by_source[s].get(y, "–") for s in sources)] for y in years]
    caption = "; ".join(
        f"{source_label(s, lang)}: " + " ".join(n.get(lang, "") for n in notes.get(s, []))
        for s in sources
        if notes.get(s)
    )
    block = _chart_block("table-other-sources", t("other_sources", lang), {}, headers, body)
    block["caption"] = caption or t("other_sources", lang)
    return {"block": block, "rows": rows}


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


def compare(
    store: StoreData,
    areas: list[str],
    ind: str | None,
    group: str | None,
    sex: str | None,
    lang: str,
) -> View:
    codes = parse_areas(store, areas)
    ind = check_indicator(store, ind or _default_indicator(store))
    group = check_origin(store, group, ind)
    sex = check_sex(sex)
    title = indicator_title(store, ind, lang)
    blocks = []
    rows: list[dict] = []
    if codes:
        series = [(area_name(store, c, lang), _series(store, ind, c, group, sex)) for c in codes]
        block, rows = _line_block(
            store,
            "chart-compare",
            f"{title} — {label(ORIGIN_LABELS, group, lang)}, {label(SEX_LABELS, sex, lang)}",
            ind,
            series,
            lang,
        )
        blocks.append(block)
    frame = store.by_indicator[ind]
    table = frame[
        frame["area_code"].isin(codes) & (frame["origin_group"] == group) & (frame["sex"] == sex)
    ][[*OBSERVATION_COLUMNS]]
    data = {
        "areas": [{"code": c, "name": area_name(store, c, lang)} for c in codes],
        "indicator": ind,
        "origin_group": group,
        "sex": sex,
        "series": rows,
        "max_areas": MAX_COMPARE,
    }
    ctx = {
        "area_options": area_options(store, lang),
        "indicator_options": [(i, indicator_title(store, i, lang)) for i in store.indicator_ids()],
        "group_options": [
            (g, label(ORIGIN_LABELS, g, lang)) for g in store.indicator_groups.get(ind, [])
        ],
        "slots": [*codes, *[""] * (MAX_COMPARE - len(codes))],
        "indicator_title": title,
    }
    return View("compare", "compare.html", t("compare_title", lang), data, table, blocks, ctx)


def _default_indicator(store: StoreData) -> str:
    for ind in ("employment_rate_25_64", "employment_rate_16_64"):
        if ind in store.by_indicator:
            return ind
    ids = store.indicator_ids()
    if not ids:
        raise NotFound("the store has no indicators")
    return ids[0]


def goals(store: StoreData, area: str | None, lang: str) -> View:
    code = check_area(store, area)
    status = _goal_rows(store, code, lang)
    catalogue = store.goal_sets
    sets = []
    by_set: dict[str, list[dict]] = {}
    for g in (status or {}).get("goals", []):
        by_set.setdefault(g.get("goal_set") or "", []).append(g)
    for set_id in [*dict.fromkeys([*catalogue, *by_set])]:
        cat = catalogue.get(set_id, {})
        sets.append(
            {
                "id": set_id,
                "title": (cat.get("title") or {}).get(lang) or set_id,
                "owner": cat.get("owner"),
                "base_year": cat.get("base_year"),
                "notes": cat.get("notes", []),
                "goals_catalogue": [
                    {
                        "id": g["id"],
                        "title": g["title"][lang],
                        "owner": g.get("owner"),
                        "indicators": [i["indicator_id"] for i in g.get("indicators", [])],
                    }
                    for g in cat.get("goals", [])
                ],
                "status": by_set.get(set_id, []),
            }
        )
    gs = store.goal_status
    table = gs[(gs["area_code"] == code) & (gs["year"] == store.goal_year)]
    data = {
        "area": {"code": code, "name": area_name(store, code, lang)},
        "year": store.goal_year,
        "years": store.goal_years,
        "available": status is not None,
        "goal_sets": sets,
    }
    ctx = {"area_options": area_options(store, lang)}
    return View("goals", "goals.html", t("goals_title", lang), data, table, [], ctx)


HOUSING_SHOW = [
    "area_id",
    "area_name",
    "municipality_code",
    "residents",
    *(
        f"{slot}_{part}"
        for slot in ("employment", "crime", "education", "income", "non_western")
        for part in ("value", "threshold", "met")
    ),
    "criteria_met",
    "udsat",
    "parallelsamfund",
    "omdannelsesomraade",
    "forebyggelsesomraade",
]


def housing(store: StoreData, year: str | None, lang: str) -> View:
    ha = store.housing_areas
    counts = [
        {"id": i, "title": indicator_title(store, i, lang)}
        for i in store.indicator_ids()
        if store.definitions[i].get("kind") == "housing_count"
    ]
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
            {},
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
    areas = _records(rows, cols)
    for a in areas:
        a["municipality_name"] = area_name(store, str(a.get("municipality_code")), lang)
        a["categories"] = a.pop(cat_col, "") if cat_col else ""
    warning = _early_warning(store, y)
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
        {},
    )


def _early_warning(store: StoreData, year: int) -> list[dict]:
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
        "criterion",
        "slot",
        "value",
        "threshold",
        "distance",
        "met",
        "would_enter",
        "would_leave",
    ]
    return _records(w, cols)[:500]


def about(store: StoreData, lang: str) -> View:
    defs = []
    sources: set[str] = set()
    for ind in store.indicator_ids():
        spec = store.definitions[ind]
        sources.update(spec.get("sources") or [])
        defs.append(
            {
                "id": ind,
                "title": indicator_title(store, ind, lang),
                "description": (spec.get("description") or {}).get(lang, ""),
                "sources": spec.get("sources") or [],
                "unit": spec.get("unit"),
            }
        )
    run = {**store.meta, "tables": sorted(store.tables)}
    data = {
        "run": run,
        "definitions": defs,
        "sources": sorted(sources),
        "disclosure_threshold": store.settings.disclosure_threshold,
        "warning_margin": store.settings.warning_margin,
        "parameters": store.run.parameters,
        "notes": store.run.notes,
    }
    table = (
        pd.DataFrame(defs).assign(sources=lambda f: f["sources"].map(", ".join))
        if defs
        else pd.DataFrame()
    )
    return View("about", "about.html", t("about_title", lang), data, table)
