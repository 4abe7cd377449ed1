"""What every page shares: the View it returns, parameter checks, lookups, cell formats, the
chart blocks (a chart with its table) and the note that explains suppressed cells.

Nothing statistical happens in pages: values, intervals, ranks, peers and goal status were
decided by the pipeline; pages pick, order, count what is shown and format it.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd

from barometer.codes import DENMARK, ORIGIN_GROUPS, SEXES
from barometer.publish import charts
from barometer.publish.web.data import StoreData
from barometer.publish.web.i18n import (
    ORIGIN_LABELS,
    SEX_LABELS,
    STATUS_LABELS,
    UNIT_LABELS,
    fmt_value,
    label,
    number,
    source_label,
    t,
)
from barometer.store.schema import OBSERVATION_COLUMNS

MAX_COMPARE = 6
# The capital area of the map's inset: Copenhagen, Frederiksberg, the suburbs of the Capital
# Region and Greve (the larger municipalities of North Zealand read well on the main map).
CAPITAL_INSET = (
    "101", "147", "151", "153", "155", "157", "159", "161", "163", "165", "167", "169",
    "173", "175", "183", "185", "187", "190", "201", "223", "230", "240", "253",
)  # fmt: skip


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
    # the downloads' file name (without extension) and their language
    download_name: str | None = None


# --- lookups and parameter checks -------------------------------------------------------------


def area_name(store: StoreData, code: str, lang: str) -> str:
    if code == DENMARK:
        return t("denmark", lang)
    info = store.areas.get(code)
    return info["name"] if info else code


def indicator_title(store: StoreData, indicator_id: str, lang: str) -> str:
    spec = store.definitions.get(indicator_id, {})
    title = spec.get("title") or store.other_titles.get(indicator_id) or {}
    return title.get(lang) or title.get("da") or indicator_id


def source_name(store: StoreData, source: str, lang: str) -> str:
    """A source as a reader names it: a survey by its title, a file by its name."""
    return store.source_names.get((source, lang)) or source_label(source, lang).replace("_", " ")


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


def area_options(store: StoreData, lang: str) -> list[dict]:
    out = [{"code": DENMARK, "name": t("denmark", lang)}]
    munis = [a for a in store.areas.values() if a["level"] == "municipality"]
    for a in sorted(munis, key=lambda a: a["name"]):
        if a["code"] in store.by_area:
            out.append({"code": a["code"], "name": a["name"]})
    return out


def region_of(store: StoreData, code: str) -> str | None:
    info = store.areas.get(code) or {}
    region = info.get("region")
    return region if region in store.by_area else None


def link_for(lang: str):
    """Addresses inside the site that keep the page's language (``?lang=en``)."""

    def link(path: str, **params: object) -> str:
        q = {k: v for k, v in params.items() if v not in (None, "", [])}
        if lang != "da":
            q["lang"] = lang
        return path + ("?" + urlencode(q, doseq=True) if q else "")

    return link


# --- search ----------------------------------------------------------------------------------

_FOLDS = (
    str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u"}),
    str.maketrans({"æ": "a", "ø": "o", "å": "a", "é": "e", "ü": "u"}),
)


def folded(text: str) -> set[str]:
    """The ways a Danish name is typed without Danish letters: 'Læsø' → {'laesoe', 'laso'};
    'København' → {'koebenhavn', 'kobenhavn'}; also 'Århus' → 'aarhus'."""
    low = unicodedata.normalize("NFC", text.strip().lower())
    low = " ".join(low.replace("-", " ").split())
    return {low, *(low.translate(f) for f in _FOLDS)}


# --- formatting helpers ---------------------------------------------------------------------


def num(v: object) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def plain(v: object) -> object:
    if hasattr(v, "item"):
        return v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if v is pd.NA or v is pd.NaT:
        return None
    return v


def cell_text(row: pd.Series | dict, lang: str) -> str:
    return fmt_value(num(row["value"]), row["unit"], lang, row["status"])


def interval_text(row: dict, unit: str | None, lang: str) -> str:
    """A 95 % interval in the unit of its value, written once: '50,3 – 51,7 %'; a gap's in
    percentage points: '18,5 – 19,5 pct.-point'."""
    lo, hi = num(row.get("ci_low")), num(row.get("ci_high"))
    if lo is None or hi is None:
        return "–"
    unit = unit if unit in ("pct", "pp") else "pct"
    return f"{number(lo, lang, 1)} – {fmt_value(hi, unit, lang)}"


def records(frame: pd.DataFrame, cols: list[str]) -> list[dict]:
    out = []
    for rec in frame[cols].to_dict("records"):
        out.append({k: (num(v) if isinstance(v, float) else plain(v)) for k, v in rec.items()})
    return out


def series_rows(store: StoreData, ind: str, area: str, group: str, sex: str) -> list[dict]:
    """Rows by year for one cell series of the preferred source (plain dicts, built at load)."""
    return store.cells.get((ind, area), {}).get((group, sex), [])


def peer_rows(store: StoreData, ind: str, area: str, group: str, sex: str) -> list[dict]:
    return store.peer_cells.get((ind, area), {}).get((group, sex), [])


def unit_of(store: StoreData, ind: str) -> str:
    return store.definitions.get(ind, {}).get("unit", "pct")


def unit_title(unit: str, lang: str) -> str:
    return label(UNIT_LABELS, unit, lang).capitalize()


# --- downloads ------------------------------------------------------------------------------


def labelled(store: StoreData, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Observations in export order, with the names of their codes in the page's language
    after them (indicator, area, origin group, sex, status, source)."""
    out = frame[[*OBSERVATION_COLUMNS]].reset_index(drop=True)
    if out.empty:
        return out.assign(
            indicator_name="", area_name="", origin_group_name="", sex_name="", status_name=""
        )
    ind = out["indicator_id"].astype(str)
    area = out["area_code"].astype(str)
    return out.assign(
        indicator_name=ind.map({i: indicator_title(store, i, lang) for i in ind.unique()}),
        area_name=area.map({a: area_name(store, a, lang) for a in area.unique()}),
        origin_group_name=out["origin_group"]
        .astype(str)
        .map(lambda g: label(ORIGIN_LABELS, g, lang)),
        sex_name=out["sex"].astype(str).map(lambda s: label(SEX_LABELS, s, lang)),
        status_name=out["status"].astype(str).map(lambda s: label(STATUS_LABELS, s, lang)),
        source_name=out["source"].astype(str).map(lambda s: source_name(store, s, lang)),
    )


def file_name(*parts: str) -> str:
    """A download's name from words: 'integrationsbarometer_koebenhavn_101'."""
    words = []
    for part in parts:
        low = min(folded(part), key=lambda f: (not f.isascii(), -len(f)))
        words.append("".join(c if c.isalnum() and c.isascii() else "_" for c in low).strip("_"))
    return "_".join(w for w in ["integrationsbarometer", *words] if w)


# --- charts with their tables ----------------------------------------------------------------


def chart_block(
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
        "notes": [],
    }


def line_block(
    store: StoreData,
    chart_id: str,
    title: str,
    ind: str,
    series: list[tuple[str, list[dict]]],
    lang: str,
    *,
    height: int = 260,
) -> tuple[dict, list[dict]]:
    """A line chart of several series over years, and its table (years × series).

    A suppressed or missing year breaks the line (segments), never joins across it.
    """
    unit = unit_of(store, ind)
    rows, table = [], {}
    for name, recs in series:
        segment, last_year = 0, None
        for rec in recs:
            value = rec["value"]
            year = int(rec["year"])
            if value is None or (last_year is not None and year != last_year + 1):
                segment += 1
            row = {
                "series": name,
                "segment": f"{name}#{segment}",
                "year": year,
                "value": value,
                "ci_low": rec.get("ci_low"),
                "ci_high": rec.get("ci_high"),
                "status": rec.get("status", "ok"),
                "label": fmt_value(value, unit, lang, rec.get("status", "ok")),
            }
            if value is not None:
                last_year = year
            rows.append(row)
            cell = row["label"]
            if row["ci_low"] is not None and row["ci_high"] is not None:
                cell += f" ({interval_text(row, unit, lang)})"
            table.setdefault(year, {})[name] = cell
    names = [name for name, _ in series]
    spec = charts.line_chart(
        rows,
        y_title=unit_title(unit, lang),
        description=title,
        series_title=t("area", lang),
        domain=names,
        unit=unit,
        height=height,
    )
    headers = [t("year", lang), *names]
    body = [[str(y), *(table[y].get(n, "–") for n in names)] for y in sorted(table)]
    return chart_block(chart_id, title, spec, headers, body), rows


def suppression_note(
    store: StoreData,
    rows: list[dict],
    lang: str,
    *,
    nearest: list[tuple[str, str]] | None = None,
) -> dict | None:
    """How many of the shown cells are hidden, why, and where figures can be found.

    ``rows`` are the shown cells (status per row); ``nearest`` are (text, link) of the nearest
    levels that have figures (the region, all origin groups).
    """
    hidden = [r for r in rows if str(r.get("status", "ok")).startswith("suppressed")]
    if not hidden:
        return None
    threshold = store.settings.disclosure_threshold
    primary = sum(1 for r in hidden if r.get("status") == "suppressed_primary")
    text = t("hidden_cells", lang, n=len(hidden), m=len(rows), threshold=threshold)
    if primary < len(hidden):
        text += " " + t("hidden_secondary", lang, n=len(hidden) - primary)
    return {"text": text, "nearest": nearest or [], "all": len(hidden) == len(rows)}


def nearest_levels(
    store: StoreData,
    ind: str,
    area: str,
    group: str,
    sex: str,
    lang: str,
    link,
    *,
    page: str = "municipality",
) -> list[tuple[str, str]]:
    """The nearest levels with published figures for the same indicator: the area's region
    (same group), then the area for all origin groups, then Denmark."""
    out: list[tuple[str, str]] = []

    def has_figures(code: str, g: str, s: str) -> bool:
        return any(r["value"] is not None for r in series_rows(store, ind, code, g, s))

    region = region_of(store, area)
    if region and has_figures(region, group, sex):
        name = area_name(store, region, lang)
        href = (
            link(f"/municipality/{region}", origin_group=group, sex=sex if sex != "all" else None)
            if page == "municipality"
            else link(f"/indicator/{ind}", area=region, origin_group=group, sex=sex)
        )
        out.append((name, href))
    for g in ("all", "non_western"):
        if g != group and has_figures(area, g, sex):
            name = f"{area_name(store, area, lang)}, {label(ORIGIN_LABELS, g, lang).lower()}"
            out.append((name, link(f"/indicator/{ind}", area=area, origin_group=g, sex=sex)))
            break
    if not out and area != DENMARK and has_figures(DENMARK, group, sex):
        out.append(
            (t("denmark", lang), link(f"/indicator/{ind}", area=DENMARK, origin_group=group))
        )
    return out


def light_counts(goals: list[dict]) -> dict[str, int]:
    """How many goals show each traffic light (green, yellow, red, white)."""
    counts = {"green": 0, "yellow": 0, "red": 0, "white": 0}
    for g in goals:
        light = g.get("traffic_light") or "white"
        counts[light if light in counts else "white"] += 1
    return counts


def dimension_labels(store: StoreData, frame, lang: str) -> dict[str, dict[str, str]]:
    """JSON-stat category labels in the page's language for an observations table."""
    if "indicator_id" not in getattr(frame, "columns", []):
        return {}
    out: dict[str, dict[str, str]] = {}
    for col, name in (
        ("indicator_id", lambda v: indicator_title(store, v, lang)),
        ("area_code", lambda v: area_name(store, v, lang)),
        ("origin_group", lambda v: label(ORIGIN_LABELS, v, lang)),
        ("sex", lambda v: label(SEX_LABELS, v, lang)),
        ("source", lambda v: source_name(store, v, lang)),
    ):
        if col in frame:
            out[col] = {str(v): name(str(v)) for v in frame[col].astype(str).unique()}
    return out
