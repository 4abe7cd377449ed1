"""The page of one indicator: its definition, a time series, a map of the 98 municipalities
with the ranking table beside it, the origin groups compared, and the other sources."""

from __future__ import annotations

from barometer.catalogue.describe import describe_spec
from barometer.codes import DENMARK
from barometer.codes.vocab import source_note
from barometer.publish import charts
from barometer.publish.web.data import StoreData
from barometer.publish.web.i18n import (
    ORIGIN_LABELS,
    POLARITY_LABELS,
    SEX_LABELS,
    UNIT_LABELS,
    fmt_value,
    label,
    t,
)
from barometer.publish.web.pages.common import (
    CAPITAL_INSET,
    View,
    area_name,
    area_options,
    cell_text,
    chart_block,
    check_area,
    check_indicator,
    check_origin,
    check_sex,
    check_year,
    file_name,
    indicator_title,
    interval_text,
    labelled,
    line_block,
    link_for,
    nearest_levels,
    num,
    series_rows,
    source_name,
    suppression_note,
    unit_of,
    unit_title,
)


def definition_lines(store: StoreData, spec: dict, lang: str) -> list[tuple[str, str]]:
    """Definition lines as (label, text) pairs: the catalogue's one description
    (catalogue/describe.py), then unit, polarity and sources."""
    out = [(t(key, lang), text) for key, text in describe_spec(spec, lang)]
    if spec.get("unit"):
        out.append((t("unit", lang), label(UNIT_LABELS, spec["unit"], lang)))
    if spec.get("polarity"):
        out.append((t("polarity", lang), label(POLARITY_LABELS, spec["polarity"], lang)))
    sources = store.indicator_sources.get(spec.get("id", ""), [])
    named = [source_name(store, s["source"], lang) for s in sources]
    if named:
        out.append((t("source", lang), ", ".join(named)))
    registers = [s for s in spec.get("sources") or [] if s.isupper()]
    if registers:
        out.append((t("registers", lang), ", ".join(registers)))
    return [*out, *figure_source(store, spec.get("id", ""), lang)]


def figure_source(store: StoreData, ind: str, lang: str) -> list[tuple[str, str]]:
    """The source of the figures shown (the preferred one) and how it differs from the
    definition (the StatBank mapping's note), as a definition line."""
    for s in store.indicator_sources.get(ind, []):
        if s.get("preferred"):
            text = source_note(s.get("notes"), lang)
            name = source_name(store, s["source"], lang)
            return [(t("figures_from", lang), f"{name}: {text}" if text else name)]
    return []


def ranking_rows(
    store: StoreData, ind: str, group: str, sex: str, year: int, lang: str
) -> list[dict]:
    """Every municipality's cell of the year with the pipeline's rank (1 = best by polarity,
    ties share a rank), best first; municipalities without a figure last."""
    unit = unit_of(store, ind)
    out = []
    for code, info in store.areas.items():
        if info["level"] != "municipality":
            continue
        rec = next(
            (r for r in series_rows(store, ind, code, group, sex) if r["year"] == year), None
        )
        if rec is None:  # no cell: nobody in the group, or no figure from the source
            rec = {"value": None, "ci_low": None, "ci_high": None, "status": "no_data"}
            rec.update(rank=None, n_ranked=None, unit=unit)
        out.append(
            {
                "code": code,
                "name": info["name"],
                "value": rec["value"],
                "ci_low": rec["ci_low"],
                "ci_high": rec["ci_high"],
                "status": rec["status"],
                "rank": rec["rank"],
                "n_ranked": rec["n_ranked"],
                "label": cell_text({**rec, "unit": unit}, lang),
            }
        )
    out.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["name"]))
    return out


def map_block(
    store: StoreData,
    ind: str,
    rows: list[dict],
    title: str,
    lang: str,
    geo_url: str,
    *,
    chart_id: str = "chart-map",
    small: bool = False,
) -> dict:
    """A choropleth of the ranking rows; the block's table is the ranking itself."""
    spec = store.definitions[ind]
    unit = unit_of(store, ind)
    polarity = spec.get("polarity")
    legend = unit_title(unit, lang)
    if polarity in ("higher_is_better", "lower_is_better"):
        legend += f" ({t('darker_better', lang).lower()})"
    chart = charts.map_chart(
        rows,
        geo_url=geo_url,
        description=title,
        legend_title=legend,
        polarity=polarity,
        inset_codes=() if small else CAPITAL_INSET,
        inset_title=t("map_inset", lang),
        width=300 if small else 440,
        height=330 if small else 460,
    )
    headers = [t("rank", lang), t("municipality", lang), t("value", lang), t("ci", lang)]
    body = [
        [
            str(r["rank"]) if r["rank"] is not None else "–",
            r["name"],
            r["label"],
            interval_text(r, unit, lang),
        ]
        for r in rows
    ]
    block = chart_block(chart_id, title, chart, headers, body)
    block["kind"] = "map"
    hidden = sum(1 for r in rows if str(r["status"]).startswith("suppressed"))
    missing = sum(1 for r in rows if r["status"] == "no_data")
    key = "map_note" if polarity in ("higher_is_better", "lower_is_better") else "map_note_neutral"
    block["map_note"] = t(key, lang, hidden=hidden, missing=missing)
    block["credit"] = t("map_credit", lang)
    return block


def indicator(
    store: StoreData,
    ind: str,
    area: str | None,
    group: str | None,
    sex: str | None,
    year: str | None,
    lang: str,
    *,
    geo_url: str = "",
) -> View:
    ind = check_indicator(store, ind)
    area = check_area(store, area)
    group = check_origin(store, group, ind)
    sex = check_sex(sex)
    year_i = check_year(store, year, ind)
    link = link_for(lang)
    spec = store.definitions[ind]
    unit = unit_of(store, ind)
    title = indicator_title(store, ind, lang)
    name = area_name(store, area, lang)
    g_lab, s_lab = label(ORIGIN_LABELS, group, lang), label(SEX_LABELS, sex, lang)
    blocks = []
    # Time series: the area (and Denmark).
    own = series_rows(store, ind, area, group, sex)
    series = [(name, own)]
    if area != DENMARK:
        series.append((t("denmark", lang), series_rows(store, ind, DENMARK, group, sex)))
    ts, ts_rows = line_block(
        store,
        "chart-series",
        f"{t('time_series', lang)}: {title} — {name}, {g_lab}, {s_lab}",
        ind,
        series,
        lang,
    )
    note = suppression_note(
        store,
        own,
        lang,
        nearest=nearest_levels(store, ind, area, group, sex, lang, link, page="indicator"),
    )
    if note:
        ts["notes"].append(note)
    blocks.append(ts)
    # The 98 municipalities: a map with the ranking table beside it.
    rank_rows = ranking_rows(store, ind, group, sex, year_i, lang)
    map_title = f"{t('map_title', lang, year=year_i)}: {title} — {g_lab}, {s_lab}"
    ranked = map_block(store, ind, rank_rows, map_title, lang, geo_url)
    muni_note = suppression_note(store, [r for r in rank_rows if r["status"] != "no_data"], lang)
    if muni_note:
        ranked["notes"].append(muni_note)
    blocks.append(ranked)
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
                    "value": num(rec["value"]),
                    "ci_low": num(rec["ci_low"]),
                    "ci_high": num(rec["ci_high"]),
                    "status": rec["status"],
                    "label": cell_text(rec, lang),
                }
            )
    og_title = f"{t('origin_comparison', lang)}, {name} {year_i}: {title} — {s_lab}"
    og_block = chart_block(
        "chart-origin",
        og_title,
        charts.bar_chart(
            og_rows,
            x_title=unit_title(unit, lang),
            description=og_title,
            highlight=group,
        ),
        [t("origin_group", lang), t("value", lang), t("ci", lang)],
        [[r["name"], r["label"], interval_text(r, unit, lang)] for r in og_rows],
    )
    og_note = suppression_note(store, og_rows, lang)
    if og_note:
        og_block["notes"].append(og_note)
    blocks.append(og_block)
    others = _other_sources(store, ind, area, group, sex, lang)
    if others:
        blocks.append(others["block"])
    frame = store.by_indicator[ind]
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
    ctx = {
        "definition": definition_lines(store, {"id": ind, **spec}, lang),
        "area_options": area_options(store, lang),
        "group_options": [
            (g, label(ORIGIN_LABELS, g, lang)) for g in store.indicator_groups.get(ind, [])
        ],
        "has_ci": bool(frame["ci_low"].notna().any()),
    }
    return View(
        "indicator",
        "indicator.html",
        title,
        data,
        labelled(store, frame, lang),
        blocks,
        ctx,
        download_name=file_name(title),
    )


def _other_sources(
    store: StoreData, ind: str, area: str, group: str, sex: str, lang: str
) -> dict | None:
    """The same cells from the indicator's other sources, beside the preferred figures."""
    others = store.other_cells.get((ind, area), {}).get((group, sex), [])
    if not others:
        return None
    unit = unit_of(store, ind)
    notes = {
        s["source"]: source_note(s.get("notes"), lang) for s in store.indicator_sources.get(ind, [])
    }
    by_source: dict[str, dict[int, str]] = {}
    rows = []
    for rec in others:
        text = fmt_value(rec["value"], unit, lang, rec["status"])
        by_source.setdefault(rec["source"], {})[rec["year"]] = text
        rows.append({k: rec[k] for k in ("source", "year", "value", "status")})
    years = sorted({r["year"] for r in rows})
    sources = sorted(by_source)
    headers = [t("year", lang), *(source_name(store, s, lang) for s in sources)]
    body = [[str(y), *(by_source[s].get(y, "–") for s in sources)] for y in years]
    caption = "; ".join(
        f"{source_name(store, s, lang)}: {notes[s]}" for s in sources if notes.get(s)
    )
    block = chart_block("table-other-sources", t("other_sources", lang), {}, headers, body)
    block["caption"] = caption or t("other_sources", lang)
    return {"block": block, "rows": rows}
