"""The page of one area (Denmark, a region or a municipality): a summary of key figures and
goals first, then every indicator by theme, with Denmark and the similar municipalities."""

from __future__ import annotations

from barometer.codes import DENMARK, ORIGIN_GROUPS, SEXES
from barometer.publish import surveys
from barometer.publish.web.data import StoreData
from barometer.publish.web.i18n import (
    ORIGIN_LABELS,
    POLARITY_LABELS,
    SEX_LABELS,
    THEME_LABELS,
    fmt_change,
    fmt_value,
    label,
    t,
)
from barometer.publish.web.pages.common import (
    View,
    area_name,
    cell_text,
    check_area,
    check_origin,
    check_sex,
    file_name,
    indicator_title,
    labelled,
    light_counts,
    line_block,
    link_for,
    nearest_levels,
    peer_rows,
    region_of,
    series_rows,
    suppression_note,
)
from barometer.publish.web.pages.goals import goal_rows

# Above this share of hidden figures the page says so at the top and points elsewhere.
MOSTLY_HIDDEN = 0.5


KEY_FIGURES = 8


def rank_text(rec: dict | None, polarity: str | None, lang: str) -> str | None:
    """'Nr. 12 af 98 kommuner i 2024 (1 = bedst)' from the stored rank, or None (also when
    the municipality is the only one ranked)."""
    if not rec or rec.get("rank") is None or not rec.get("n_ranked") or rec["n_ranked"] < 2:
        return None
    text = t("rank_of", lang, rank=rec["rank"], n=rec["n_ranked"], year=rec["year"])
    key = "rank_best" if polarity in ("higher_is_better", "lower_is_better") else "rank_highest"
    return f"{text} ({t(key, lang)})"


def headline_indicators(store: StoreData) -> list[str]:
    """The indicators of the summary: the population and those of the national goals, in
    catalogue order (every indicator but counts when the store has no goal sets)."""
    wanted = {"population"}
    for goal in store.goal_sets.get("national", {}).get("goals", []):
        wanted.update(i["indicator_id"] for i in goal.get("indicators", []))
    ids = store.indicator_ids()
    picked = [i for i in ids if i in wanted]
    return picked or ids


def key_figures(
    store: StoreData, area: str, lang: str, *, limit: int | None = KEY_FIGURES
) -> list[dict]:
    """The newest figure of each headline indicator for the area (its headline group, both
    sexes), the change since the year before, and the municipality's rank among the 98."""
    out = []
    for ind in headline_indicators(store):
        if limit is not None and len(out) >= limit:
            break
        spec = store.definitions[ind]
        if spec.get("unit") == "count" and ind != "population":
            continue
        group = store.headline_group(ind)
        ok = [r for r in series_rows(store, ind, area, group, "all") if r["value"] is not None]
        if not ok:
            continue
        last = ok[-1]
        change = since = None
        if len(ok) > 1 and ok[-2]["year"] == last["year"] - 1:
            change = last["value"] - ok[-2]["value"]
            since = ok[-2]["year"]
        out.append(
            {
                "indicator_id": ind,
                "theme": spec.get("theme"),
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
                "rank": last.get("rank"),
                "n_ranked": last.get("n_ranked"),
                "rank_label": rank_text(last, spec.get("polarity"), lang),
            }
        )
    return out


def municipality(
    store: StoreData, code: str, group: str | None, sex: str | None, lang: str
) -> View:
    code = check_area(store, code)
    sex = check_sex(sex)
    group_param = check_origin(store, group) if group else None
    link = link_for(lang)
    name = area_name(store, code, lang)
    info = store.areas[code]
    peers = store.peers.get(code, [])
    sections: dict[str, list[dict]] = {}
    blocks = []
    twin_indicators = []
    shown_cells = hidden_cells = 0
    covered = surveys.covered(store.survey_cells, code)
    for ind in store.indicator_ids():
        spec = store.definitions[ind]
        if surveys.is_survey(store.definitions, ind) and ind not in covered:
            continue  # a survey speaks only of the areas it covers
        g = group_param or store.headline_group(ind)
        if g not in store.indicator_groups.get(ind, []):
            g = store.headline_group(ind)
        own = series_rows(store, ind, code, g, sex)
        series = [(name, own)]
        if code != DENMARK:
            series.append((t("denmark", lang), series_rows(store, ind, DENMARK, g, sex)))
        peer = peer_rows(store, ind, code, g, sex)
        if peer:
            series.append((t("peer_average", lang), peer))
        if not any(rows for _, rows in series):
            continue
        title = indicator_title(store, ind, lang)
        chart, rows = line_block(
            store,
            f"chart-{ind}",
            f"{title} — {label(ORIGIN_LABELS, g, lang)}, {label(SEX_LABELS, sex, lang)}",
            ind,
            series,
            lang,
            height=220,
        )
        shown_cells += len(own)
        note = suppression_note(
            store,
            own,
            lang,
            nearest=nearest_levels(store, ind, code, g, sex, lang, link),
        )
        if note:
            hidden_cells += sum(1 for r in own if str(r["status"]).startswith("suppressed"))
            chart["notes"].append(note)
        own_ok = [r for r in own if r["value"] is not None]
        if not own_ok:
            chart["spec"] = {}  # nothing of the area's own to draw: the note says why
        blocks.append(chart)
        latest_rank = own_ok[-1] if own_ok else None
        entry = {
            "indicator_id": ind,
            "title": title,
            "chart": chart,
            "origin_group": g,
            "latest_year": None,
            "groups_table": _groups_table(store, ind, code, lang),
            "rank_label": rank_text(latest_rank, spec.get("polarity"), lang)
            if info["level"] == "municipality"
            else None,
            "polarity": label(POLARITY_LABELS, spec.get("polarity"), lang),
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
        chart["rank"] = entry["rank_label"]
        entry["latest_year"] = entry["groups_table"].pop("year")
        sections.setdefault(spec.get("theme"), []).append(entry)
        twin_indicators.append(
            {
                "indicator_id": ind,
                "origin_group": g,
                "sex": sex,
                "series": rows,
                "rank": latest_rank.get("rank") if latest_rank else None,
                "n_ranked": latest_rank.get("n_ranked") if latest_rank else None,
                "rank_year": latest_rank.get("year") if latest_rank else None,
                "hidden": sum(1 for r in own if str(r["status"]).startswith("suppressed")),
            }
        )
    goals = goal_rows(store, code, store.goal_year, lang)
    goal_list = goals["goals"] if goals else []
    figures = key_figures(store, code, lang)
    hidden_share = hidden_cells / shown_cells if shown_cells else 0.0
    mostly_hidden = None
    if hidden_share > MOSTLY_HIDDEN:
        region = region_of(store, code)
        places = (
            [(area_name(store, region, lang), link(f"/municipality/{region}"))] if region else []
        )
        places.append((t("denmark", lang), link("/municipality/000")))
        mostly_hidden = {
            "text": t(
                "mostly_hidden",
                lang,
                area=name,
                pct=fmt_value(100 * hidden_share, "pct", lang),
                threshold=store.settings.disclosure_threshold,
            ),
            "places": places,
        }
    data = {
        "area": {"code": code, "name": name, "level": info["level"], "region": info.get("region")},
        "origin_group": group_param,
        "sex": sex,
        "peers": [{"code": p, "name": area_name(store, p, lang)} for p in peers],
        "goals": goals,
        "goal_summary": light_counts(goal_list),
        "key_figures": figures,
        "hidden_share": round(hidden_share, 4),
        "indicators": twin_indicators,
    }
    ctx = {
        "sections": [
            (a, label(THEME_LABELS, a, lang), sections[a])
            for a in [*dict.fromkeys([*THEME_LABELS, *sections])]
            if a in sections
        ],
        "group_options": [(g, label(ORIGIN_LABELS, g, lang)) for g in ORIGIN_GROUPS],
        "mostly_hidden": mostly_hidden,
        "goal_summary": light_counts(goal_list),
        "goal_count": len(goal_list),
    }
    return View(
        "municipality",
        "municipality.html",
        name,
        data,
        labelled(store, store.by_area[code], lang),
        blocks,
        ctx,
        download_name=file_name(name, code),
    )


def _groups_table(store: StoreData, ind: str, code: str, lang: str) -> dict:
    """The newest year by origin group × sex."""
    out: dict = {"headers": [], "rows": [], "year": None}
    cells = store.cells.get((ind, code), {})
    latest = max((r["year"] for rows in cells.values() for r in rows), default=None)
    if latest is None:
        return out
    by_cell = {key: r for key, rows in cells.items() for r in rows if r["year"] == latest}
    present = {s for _, s in by_cell}
    sexes = [s for s in SEXES if s in present]
    out["year"] = latest
    out["headers"] = [t("origin_group", lang), *(label(SEX_LABELS, s, lang) for s in sexes)]
    for og in store.indicator_groups.get(ind, []):
        out["rows"].append(
            [
                label(ORIGIN_LABELS, og, lang),
                *(cell_text(by_cell[(og, s)], lang) if (og, s) in by_cell else "–" for s in sexes),
            ]
        )
    return out
