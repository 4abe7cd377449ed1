"""The report's content for one area and year, as plain data for the template.

Every number here comes from the store (through ``data.Snapshot``) and is formatted by
``i18n``; every sentence is a template filled with those numbers.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

import pandas as pd

from barometer.catalogue import load_catalogue
from barometer.catalogue.describe import year_list
from barometer.catalogue.models import REGISTER_KINDS
from barometer.codes import DENMARK
from barometer.codes.vocab import source_names, source_note
from barometer.publish import charts, goal_notes, surveys
from barometer.publish.report import svg
from barometer.publish.report.data import (
    FOCUS,
    ORIGIN_ROWS,
    Snapshot,
    area_name,
    goals_for,
    peer_codes,
    peer_frame,
    short_name,
)
from barometer.publish.report.i18n import (
    DASH,
    DENMARK_NAME,
    LIGHT_LABELS,
    LIGHT_MEANING,
    MOVEMENT_LABELS,
    ORIGIN_LABELS,
    PEERS_NAME,
    POLARITY_LABELS,
    REASON_LABELS,
    TARGET_LABELS,
    THEME_LABELS,
    fmt_change,
    fmt_share,
    fmt_value,
    is_missing,
    label,
    number,
    source_label,
    t,
)

MARK = ".."  # a suppressed cell (Statistics Denmark's sign for "confidential")
TABLE_YEARS = 7  # columns of the time table
MIN_RESIDENTS = 1000
UNIT_SHORT = {
    "pct": ("pct.", "%"),
    "pp": ("pct.-point", "pp"),
    "count": ("antal", "number"),
}


@dataclass
class Footnotes:
    """Suppressed cells the report refers to, grouped for the method section."""

    cells: dict[tuple[str, str, str, str], set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )

    def add(self, indicator: str, area: str, group: str, status: str, year: int) -> None:
        self.cells[(indicator, area, group, status)].add(int(year))


def _pick_focus(snap: Snapshot) -> dict[str, str]:
    """The origin group each indicator is read for: the national goal's, else non-Western."""
    focus: dict[str, str] = {}
    for gs in snap.goal_sets:
        if gs.id != "national":
            continue
        for g in gs.goals:
            for i in g.indicators:
                focus.setdefault(i.indicator_id, i.origin_group or g.origin_group)
    return focus


class Builder:
    def __init__(self, snap: Snapshot, area: str, year: int, lang: str) -> None:
        self.snap, self.area, self.year, self.lang = snap, area, year, lang
        self.name = area_name(area, lang)
        self.short = short_name(area, lang)
        self.is_dk = area == DENMARK
        self.notes = Footnotes()
        self.warned: set[tuple[str, str]] = set()  # (area, criterion) within the margin
        self.pending = svg.Pending()
        self.focus = _pick_focus(snap)
        self.used: set[str] = set()  # indicators the report shows (for the method chapter)
        self.missing: list[dict] = []  # indicators of themes without a chapter
        obs = snap.obs
        self.obs = obs[(obs["area_code"].isin([area, DENMARK])) & (obs["year"] <= year)]
        self.index = {
            (r.indicator_id, r.area_code, r.origin_group, r.year): r
            for r in self.obs.itertuples(index=False)
        }
        self.peers = [] if self.is_dk else peer_codes(snap, area)
        pf = peer_frame(snap, area) if self.peers else None
        self.peer_index = (
            {}
            if pf is None
            else {
                (r.indicator_id, r.origin_group, int(r.year)): r.peer_value
                for r in pf.itertuples(index=False)
            }
        )
        self.series_names = [self.short] + ([] if self.is_dk else [label_dk(lang)])
        if self.peers:
            self.series_names.append(PEERS_NAME[0 if lang == "da" else 1])

    # --- cells -----------------------------------------------------------------------

    def cell(self, ind: str, area: str, group: str, year: int, unit: str) -> str:
        r = self.index.get((ind, area, group, year))
        if r is None:
            return DASH
        if r.status != "ok":
            self.notes.add(ind, area, group, r.status, year)
            return MARK
        return number(r.value, self.lang, 0 if unit == "count" else 1)

    def value(self, ind: str, area: str, group: str, year: int) -> float | None:
        r = self.index.get((ind, area, group, year))
        if r is None or r.status != "ok" or is_missing(r.value):
            return None
        return float(r.value)

    def title(self, ind: str) -> str:
        spec = self.snap.definitions.get(ind)
        if spec is None:  # named by a goal, without figures in the store: the catalogue's title
            defined = _catalogue(self.snap.source.settings.catalogue).get(ind)
            return getattr(defined.title, self.lang) if defined else ind
        return (spec.get("title") or {}).get(self.lang, ind)

    # --- front page and summary --------------------------------------------------------

    def vintage(self) -> dict:
        run = self.snap.run
        built = run.finished_at[:10]
        with contextlib.suppress(ValueError):
            built = datetime.fromisoformat(run.finished_at).strftime("%d-%m-%Y")
        dy = self.snap.data_years
        return {
            "run_date": built,
            "data_years": f"{dy[0]}–{dy[1]}" if dy else DASH,
            "run_id": run.run_id,
            "code_version": run.code_version,
            "scale": run.scale,
        }

    def goal_rows(self, goal_set: str) -> list[dict]:
        goals, detail = goals_for(self.snap, self.area, self.year)
        goals = goals[goals["goal_set"] == goal_set]
        catalogue = next(gs for gs in self.snap.goal_sets if gs.id == goal_set)
        order = {g.id: i for i, g in enumerate(catalogue.goals)}
        catalogue_goals = {g.id: g for g in catalogue.goals}
        rows = []
        for g in sorted(goals.to_dict("records"), key=lambda r: order.get(r["goal_id"], 99)):
            spec = catalogue_goals[g["goal_id"]]
            inds = []
            for d in detail[
                (detail["goal_set"] == goal_set) & (detail["goal_id"] == g["goal_id"])
            ].to_dict("records"):
                unit = d["unit"]
                sig = d["significant"]
                inds.append(
                    {
                        "label": d["label"] if isinstance(d["label"], str) else "",
                        "title": self.title(d["indicator_id"]),
                        "group": label(ORIGIN_LABELS, d["indicator_origin_group"], self.lang),
                        "drives": bool(d["drives_movement"]),
                        "base": _with_year(fmt_value(d["base_value"], unit, self.lang), d, "base"),
                        "latest": _with_year(
                            fmt_value(d["latest_value"], unit, self.lang), d, "latest"
                        ),
                        "change": fmt_change(d["change"], unit, self.lang),
                        "significant": DASH
                        if is_missing(sig) or sig is None or pd.isna(sig)
                        else t("yes" if sig else "no", self.lang),
                        "light": d["traffic_light"],
                        "light_label": label(LIGHT_LABELS, d["traffic_light"], self.lang),
                        "direction": label(MOVEMENT_LABELS, d["direction"], self.lang),
                    }
                )
            note = None
            if g["movement"] == "no_data":
                if not inds:
                    note = t("unavailable", self.lang)
                else:
                    note = (
                        "Ingen data: tallene mangler eller er diskretioneret for "
                        f"{self.short} i basisåret eller det seneste år."
                        if self.lang == "da"
                        else "No data: the figures are missing or suppressed for "
                        f"{self.short} in the base year or the latest year."
                    )
            spec_dict = spec.model_dump(mode="json")
            if g["movement"] == "no_data":
                source = goal_notes.filled_by(self.snap.definitions, spec_dict, self.lang)
                if source and source not in (note or ""):
                    note = f"{note} {source}" if note else source
            title = g["title_da"] if self.lang == "da" else g["title_en"]
            number_label = g["goal_id"].split("-")[-1] if goal_set == "national" else spec.area
            rows.append(
                {
                    "id": g["goal_id"],
                    "number": number_label or "",
                    "title": title,
                    "owner": g["owner"],
                    "base_year": g["base_year"],
                    "year": "" if is_missing(g["year"]) or pd.isna(g["year"]) else int(g["year"]),
                    "movement": g["movement"],
                    "movement_label": label(MOVEMENT_LABELS, g["movement"], self.lang),
                    "needle": svg.data_uri(
                        charts.needle_svg(
                            g["movement"],
                            f"{title}: {label(MOVEMENT_LABELS, g['movement'], self.lang)}",
                        )
                    ),
                    "light": g["traffic_light"],
                    "light_label": label(LIGHT_LABELS, g["traffic_light"], self.lang),
                    "light_meaning": label(LIGHT_MEANING, g["traffic_light"], self.lang),
                    "target": label(TARGET_LABELS, g["target_status"], self.lang),
                    "indicators": inds,
                    "note": note,
                    "unconfirmed": goal_notes.unconfirmed_note(spec_dict, self.lang),
                }
            )
        return rows

    def local_sets(self) -> list[dict]:
        """The goal sets of the area's own policies (every set but the national one that
        names the area), each with its period and goal rows."""
        out = []
        for gs in self.snap.goal_sets:
            if gs.id == "national" or not gs.areas or self.area not in gs.areas:
                continue
            spec = gs.model_dump(mode="json")
            out.append(
                {
                    "id": gs.id,
                    "title": gs.title.da if self.lang == "da" else gs.title.en,
                    "period": goal_notes.period_text(spec, self.lang),
                    "pending": t("pending_goals", self.lang) if gs.pending else None,
                    "rows": self.goal_rows(gs.id) if gs.goals else [],
                }
            )
        return out

    def sentences(self) -> list[str]:
        lang = self.lang
        goals, detail = goals_for(self.snap, self.area, self.year)
        nat = goals[goals["goal_set"] == "national"]
        measured = nat[nat["movement"] != "no_data"]
        if measured.empty:
            return [t("no_measured", lang, area=self.short, year=self.year)]
        out = [
            t(
                "count",
                lang,
                n=len(measured),
                area=self.short,
                pos=int((measured["movement"] == "positive").sum()),
                neg=int((measured["movement"] == "negative").sum()),
                unch=int((measured["movement"] == "unchanged").sum()),
                nodata=len(nat) - len(measured),
            )
        ]
        d = detail[detail["goal_set"] == "national"].copy()
        d = d[d["change"].notna() & d["unit"].isin(["pct", "pp"])]
        if not d.empty:
            sign = d["polarity"].map({"higher_is_better": 1.0, "lower_is_better": -1.0})
            d["score"] = d["change"].astype(float) * sign
            best = d[d["direction"] == "positive"].sort_values("score", ascending=False)
            worst = d[d["direction"] == "negative"].sort_values("score")
            if not best.empty:
                out.append(self._move_sentence("improve", best.iloc[0]))
            out.append(
                self._move_sentence("setback", worst.iloc[0])
                if not worst.empty
                else t("no_setback", lang)
            )
            tested = d[d["significant"].notna()]
            not_sig = tested[~tested["significant"].astype(bool)]
            if len(not_sig):
                names = ", ".join(self._ind_name(r) for r in not_sig.itertuples(index=False))
                out.append(t("not_sig_sentence", lang, n=len(not_sig), m=len(tested), list=names))
            elif len(tested):
                out.append(t("all_significant", lang, m=len(tested)))
        if not self.is_dk:
            v = self.value("employment_rate_25_64", self.area, FOCUS, self.year)
            dk = self.value("employment_rate_25_64", DENMARK, FOCUS, self.year)
            if v is not None and dk is not None:
                out.append(
                    t(
                        "employment_vs_denmark",
                        lang,
                        group=("personer med " if lang == "da" else "persons of ")
                        + _lower_first(label(ORIGIN_LABELS, FOCUS, lang)),
                        value=fmt_value(v, "pct", lang),
                        year=self.year,
                        dk=fmt_value(dk, "pct", lang),
                    )
                )
        return out[:5]

    def _ind_name(self, r) -> str:
        title = self.title(r.indicator_id)
        q = ("»", "«") if self.lang == "da" else ("“", "”")
        has_label = isinstance(r.label, str) and r.label
        return f"{q[0]}{title}{q[1]}" + (f" ({r.label})" if has_label else "")

    def _move_sentence(self, key: str, r) -> str:
        return t(
            key,
            self.lang,
            ind=self._ind_name(r),
            base=fmt_value(r.base_value, r.unit, self.lang),
            base_year=int(r.base_year),
            latest=fmt_value(r.latest_value, r.unit, self.lang),
            latest_year=int(r.latest_year),
        )

    # --- area sections -----------------------------------------------------------------

    def figure_source(self, ind: str, spec: dict) -> str:
        """The registers the definition names, or the other source the figures come from
        (the store's preferred one) with how it differs from the definition."""
        registers = source_names(spec.get("sources"), self.lang)
        src = self.snap.source.indicator_sources
        if src.empty:
            return registers
        row = src[(src["indicator_id"] == ind) & src["preferred"].astype(bool)]
        if row.empty or row["source"].iloc[0] == "registers":
            return registers
        text = source_note(row["notes"].iloc[0], self.lang)
        name = source_label(str(row["source"].iloc[0]), self.lang)
        return f"{name} ({_lower_first(text).rstrip('.')})" if text else name

    def indicator(self, ind: str) -> dict:
        lang = self.lang
        spec = self.snap.definitions.get(ind, {})
        unit = spec.get("unit", "pct")
        if unit not in UNIT_SHORT:
            unit = "pct"
        group = self.focus.get(ind, FOCUS)
        mine = self.obs[(self.obs["indicator_id"] == ind) & (self.obs["area_code"] == self.area)]
        shown = mine[mine["origin_group"].isin([group, *ORIGIN_ROWS])]
        out = {
            "id": ind,
            "title": self.title(ind),
            "group": label(ORIGIN_LABELS, group, lang),
            "definition": (spec.get("description") or {}).get(lang, ""),
            "polarity": label(POLARITY_LABELS, spec.get("polarity"), lang),
            "sources": self.figure_source(ind, spec),
            "year_basis": (spec.get("year_basis") or {}).get(lang),
            "unit": UNIT_SHORT[unit][0 if lang == "da" else 1],
            "state": "ok",
            "message": None,
        }
        out["survey"] = surveys.survey_block(
            self.snap.source.survey_cells,
            self.snap.source.survey_districts,
            self.snap.definitions,
            ind,
            self.area,
            group,
            lang,
        )
        if shown.empty:
            out["state"] = "no_obs"
            out["message"] = t("no_obs", lang, area=self.short)
            return out
        hidden = shown[shown["status"] != "ok"]
        if len(hidden) == len(shown):
            out["state"] = "all_suppressed"
            out["message"] = t("all_suppressed", lang, area=self.short)
            for r in hidden.itertuples(index=False):
                self.notes.add(ind, self.area, r.origin_group, r.status, r.year)
            return out
        if len(hidden):
            out["message"] = t("some_suppressed", lang, n=len(hidden), area=self.short, mark=MARK)
        years = sorted(
            int(y) for y in self.obs.loc[self.obs["indicator_id"] == ind, "year"].unique()
        )
        # time chart and table: area, Denmark, peers for the indicator's group
        areas = [self.area] if self.is_dk else [self.area, DENMARK]
        rows = []
        segments = dict.fromkeys(self.series_names, 0)
        for y in years:
            values = [
                (sname, self.value(ind, code, group, y))
                for code, sname in zip(areas, self.series_names, strict=False)
            ]
            if self.peers:
                pv = self.peer_index.get((ind, group, y))
                values.append(
                    (self.series_names[-1], None if pv is None or is_missing(pv) else float(pv))
                )
            for sname, v in values:
                if v is None:  # a gap: the line stops here and starts again after it
                    segments[sname] += 1
                    continue
                rows.append(
                    {
                        "year": y,
                        "series": sname,
                        "value": v,
                        "segment": f"{sname}#{segments[sname]}",
                    }
                )
        unit_title = (
            {"pct": "Procent", "pp": "Procentpoint", "count": "Antal"}
            if lang == "da"
            else {"pct": "Per cent", "pp": "Percentage points", "count": "Number"}
        )[unit]
        if rows:
            present = [s for s in self.series_names if any(r["series"] == s for r in rows)]
            spec = charts.time_chart(rows, present, unit_title, unit)
            self.pending.add(out, "time_chart", spec, lang)
            out["time_alt"] = (
                f"{out['title']}, {out['group'].lower()}: {', '.join(present)}, "
                f"{years[0]}–{years[-1]} ({unit_title.lower()})"
            )
        tyears = years[-TABLE_YEARS:]
        table_rows = [
            {
                "name": self.short,
                "cells": [self.cell(ind, self.area, group, y, unit) for y in tyears],
            }
        ]
        if not self.is_dk:
            table_rows.append(
                {
                    "name": self.series_names[1],
                    "cells": [self.cell(ind, DENMARK, group, y, unit) for y in tyears],
                }
            )
        if self.peers:
            table_rows.append(
                {
                    "name": self.series_names[-1],
                    "cells": [
                        number(self.peer_index.get((ind, group, y)), lang, 1) for y in tyears
                    ],
                }
            )
        out["table"] = {"years": tyears, "rows": table_rows}
        # origin groups in the report year (or the newest year with data)
        oyear = max((y for y in years if y <= self.year), default=None)
        groups = [g for g in ORIGIN_ROWS if (ind, self.area, g, oyear) in self.index]
        if oyear is not None and len(groups) > 1:
            ser = self.series_names[: 1 if self.is_dk else 2]
            orows, trows = [], []
            for g in groups:
                glabel = label(ORIGIN_LABELS, g, lang)
                cells = []
                for code, sname in zip(areas, ser, strict=False):
                    v = self.value(ind, code, g, oyear)
                    if v is not None:
                        orows.append({"group": glabel, "series": sname, "value": v})
                    cells.append(self.cell(ind, code, g, oyear, unit))
                trows.append({"name": glabel, "cells": cells})
            out["origin_year"] = oyear
            out["origin_table"] = {"cols": ser, "rows": trows}
            if orows:
                glabels = [label(ORIGIN_LABELS, g, lang) for g in groups]
                spec = charts.origin_chart(orows, glabels, ser, unit)
                self.pending.add(out, "origin_chart", spec, lang)
                out["origin_alt"] = f"{out['title']} {oyear}: " + ", ".join(glabels)
        return out

    def sections(self) -> list[dict]:
        """A chapter per theme the area has published figures for, in the vocabulary's theme
        order; the population theme is the front page's, not a chapter. Themes without a
        published figure for the area get no chapter: ``self.missing`` lists them instead."""
        defs = self.snap.definitions
        mine = set(self.obs.loc[self.obs["area_code"] == self.area, "indicator_id"])
        covered = surveys.covered(self.snap.source.survey_cells, self.area)
        out = []
        for theme in THEME_LABELS:
            inds = [i for i in self.indicator_order() if defs[i].get("theme") == theme]
            # A survey only where it covers the area.
            inds = [i for i in inds if not surveys.is_survey(defs, i) or i in covered]
            if theme == "population" or not inds:
                continue
            if theme == "housing":
                if set(inds) & mine:
                    out.append(self.housing_counts(inds))
                continue
            items = [self.indicator(i) for i in inds if i in mine or self._expected(i)]
            shown = [i for i in items if i["state"] == "ok"]
            if not shown:
                for i in items:
                    self.missing.append({**i, "theme": label(THEME_LABELS, theme, self.lang)})
                continue
            self.used.update(i["id"] for i in items)
            names = goal_notes.source_names(
                defs, [i["id"] for i in items if surveys.is_survey(defs, i["id"])], self.lang
            )
            out.append(
                {
                    "id": f"area-{theme}",
                    "title": label(THEME_LABELS, theme, self.lang),
                    "surveys": t("survey_chapter", self.lang, surveys="; ".join(names))
                    if names
                    else None,
                    "indicators": items,
                    "empty": None,
                }
            )
        return out

    def _expected(self, ind: str) -> bool:
        """A register indicator is expected for every municipality: its absence is news.
        Survey, programme and other local figures exist only where someone collected them."""
        kind = self.snap.definitions.get(ind, {}).get("kind")
        return kind in REGISTER_KINDS

    def indicator_order(self) -> list[str]:
        defs = self.snap.definitions
        return sorted(defs, key=lambda i: (defs[i].get("order", 999), i))

    def housing_counts(self, indicators: list[str]) -> dict:
        lang = self.lang
        obs = self.obs[
            self.obs["indicator_id"].isin(indicators) & (self.obs["area_code"] == self.area)
        ]
        section = {
            "id": "area-housing",
            "title": label(THEME_LABELS, "housing", lang),
            "indicators": [],
            "empty": None,
            "counts": None,
        }
        if obs.empty:
            section["empty"] = t("housing_missing", lang)
            return section
        years = sorted(int(y) for y in obs["year"].unique())[-TABLE_YEARS:]
        rows = []
        for ind in indicators:
            if (obs["indicator_id"] == ind).any():
                self.used.add(ind)
                rows.append(
                    {
                        "name": self.title(ind),
                        "cells": [self.cell(ind, self.area, "all", y, "count") for y in years],
                    }
                )
        section["counts"] = {"years": years, "rows": rows}
        return section

    # --- housing areas -----------------------------------------------------------------

    def housing(self) -> dict:
        lang = self.lang
        ha, hc = self.snap.housing_areas, self.snap.housing_criteria
        out = {"title": t("housing_title_dk" if self.is_dk else "housing_title_area", lang)}
        if ha is None:
            out["message"] = t("housing_missing", lang)
            return out
        list_years = sorted(int(y) for y in ha["list_year"].unique()) or [self.year]
        ly = (
            self.year
            if self.year in list_years
            else max((y for y in list_years if y <= self.year), default=list_years[-1])
        )
        part = ha[ha["list_year"] == ly]
        if not self.is_dk:
            part = part[part["municipality_code"] == self.area]
        rules = part["rule_set"].iloc[0] if len(part) else ""
        out["list_year"] = ly
        if part.empty:
            out["message"] = t(
                "housing_none", lang, n=number(MIN_RESIDENTS, lang, 0), area=self.short, year=ly
            )
            return out
        margin = self.snap.source.settings.warning_margin
        out["intro"] = t(
            "housing_intro",
            lang,
            year=ly,
            rules=rules,
            margin=number(100 * margin, lang, 0) + ("\u00a0%" if lang == "da" else "%"),
        )
        w = self.snap.housing_warning
        self.warned = (
            set()
            if w.empty
            else {
                (r.area_id, r.criterion)
                for r in w[(w["list_year"] == ly) & w["within_margin"] & ~w["met"]].itertuples()
            }
        )
        cat_col = "categories_da" if lang == "da" else "categories_en"
        if self.is_dk:
            listed = part[part[cat_col].fillna("").str.len() > 0].sort_values(
                ["municipality_code", "area_id"]
            )
            out["note"] = t("listed_only", lang)
            out["overview"] = [
                {
                    "name": r["area_name"] or r["area_id"],
                    "municipality": short_name(r["municipality_code"], lang),
                    "residents": number(r["residents"], lang, 0),
                    "categories": r[cat_col],
                    "criteria_met": int(r["criteria_met"]),
                }
                for r in listed.to_dict("records")
            ]
            return out
        areas = []
        for r in part.sort_values("area_id").to_dict("records"):
            crit = []
            if hc is not None:
                rows = hc[(hc["area_id"] == r["area_id"]) & (hc["list_year"] == ly)]
                # one row per slot: the main list's criterion and the prevention criterion
                by_slot: dict[str, dict] = {}
                for c in rows.sort_values(["slot", "criterion"]).to_dict("records"):
                    kind = "prev" if c["criterion"].endswith("_prevention") else "main"
                    by_slot.setdefault(c["slot"], {})[kind] = self._criterion(c)
                for slot in ("employment", "crime", "education", "income", "non_western"):
                    pair = by_slot.pop(slot, None)
                    if pair:
                        crit.append(_criterion_row(pair))
                crit += [_criterion_row(pair) for pair in by_slot.values()]
            areas.append(
                {
                    "id": r["area_id"],
                    "name": r["area_name"] or r["area_id"],
                    "residents": number(r["residents"], lang, 0),
                    "residents_ok": bool(r["residents_ok"]),
                    "categories": r[cat_col] or t("none_listed", lang),
                    "listed": bool(r[cat_col]),
                    "criteria": crit,
                    "warnings": sum(
                        1 for c in crit for k in ("main", "prev") if c[k] and c[k]["warn"]
                    ),
                }
            )
        out["areas"] = areas
        return out

    def _criterion(self, c: dict) -> dict:
        lang = self.lang
        ratio = "ratio_to_national" in c["metric"]
        value, thr = c["value"], c["threshold"]

        def show(v: float | None) -> str:
            if is_missing(v):
                return DASH
            return number(v, lang, 2) + "×" if ratio else fmt_share(v, lang)

        if is_missing(value):
            dist, warn = DASH, False
        else:
            d = value - thr
            dist = (
                ("+" if d >= 0 else "−") + number(abs(d), lang, 2)
                if ratio
                else fmt_change(100 * d, "pp", lang)
            )
            warn = (c["area_id"], c["criterion"]) in self.warned
        prevention = c["criterion"].endswith("_prevention")
        return {
            "name": c["name_da"] if lang == "da" else c["name_en"],
            "list": ("forebyggelse" if lang == "da" else "prevention")
            if prevention
            else ("hovedliste" if lang == "da" else "main list"),
            "value": show(value),
            "threshold": f"{c['op']} {show(thr)}",
            "distance": dist,
            "met": bool(c["met"]),
            "warn": warn,
            "years": c["data_years"],
        }

    # --- Copenhagen and method ---------------------------------------------------------

    def footnotes(self) -> list[dict]:
        """One line per indicator, area, reason and set of years, listing the origin groups."""
        grouped: dict[tuple[str, str, str, tuple[int, ...]], list[str]] = defaultdict(list)
        for (ind, area, group, status), years in self.notes.cells.items():
            grouped[(ind, area, status, tuple(sorted(years)))].append(group)
        out = []
        order = {ind: i for i, ind in enumerate(self.indicator_order())}
        for (ind, area, status, years), groups in sorted(
            grouped.items(), key=lambda kv: (order.get(kv[0][0], 999), kv[0][1:])
        ):
            order = [g for g in (FOCUS, *ORIGIN_ROWS) if g in groups]
            order += sorted(set(groups) - set(order))
            out.append(
                {
                    "indicator": self.title(ind),
                    "area": short_name(area, self.lang),
                    "group": ", ".join(label(ORIGIN_LABELS, g, self.lang) for g in order),
                    "years": year_list(list(years), dash="–"),
                    "reason": label(REASON_LABELS, status, self.lang),
                }
            )
        return out

    def method(self) -> dict:
        """The method chapter, built from what this report uses: its indicators and their
        sources, the peers only when it has them, Copenhagen's rule named only for Copenhagen."""
        lang = self.lang
        defs = self.snap.definitions
        used = [i for i in self.indicator_order() if i in self.used]
        regs = sorted({s for i in used for s in defs[i].get("sources") or [] if s.isupper()})
        defs_list = [
            {
                "title": self.title(i),
                "text": (defs[i].get("description") or {}).get(lang, ""),
                "sources": source_names(defs[i].get("sources"), lang),
            }
            for i in used
        ]
        if self.peers:
            pyear = self.snap.peers.loc[self.snap.peers["area_code"] == self.area, "year"]
            peers = t(
                "peers_text",
                lang,
                k=len(self.peers),
                area=self.short,
                year=int(pyear.iloc[0]) if len(pyear) else self.year,
                names=", ".join(short_name(p, lang) for p in self.peers),
            )
        else:
            peers = t("no_peers", lang)
        nat = next((gs for gs in self.snap.goal_sets if gs.id == "national"), None)
        significance = t("significance_text", lang)
        if self.area == "101":
            significance += " " + t("significance_cph", lang)
        return {
            "registers": ", ".join(regs),
            "definitions": defs_list,
            "goal_sources": list(nat.sources) if nat else [],
            "movement": t("movement_text", lang),
            "significance": significance,
            "survey": t("survey_method_text", lang)
            if any(defs[i].get("kind") == "survey" for i in used)
            else None,
            "disclosure": t(
                "disclosure_text",
                lang,
                mark=MARK,
                threshold=self.snap.source.settings.disclosure_threshold,
            ),
            "peers": peers,
            "has_peers": bool(self.peers),
        }


@cache
def _catalogue(folder: str | None) -> dict:
    return load_catalogue(folder)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def label_dk(lang: str) -> str:
    return DENMARK_NAME[0 if lang == "da" else 1]


def _criterion_row(pair: dict) -> dict:
    """A slot's main-list and prevention criteria side by side (either may be absent)."""
    first = pair.get("main") or pair["prev"]
    return {
        "name": first["name"],
        "years": first["years"],
        "value": first["value"],
        "main": pair.get("main"),
        "prev": pair.get("prev"),
        "warn": any(c["warn"] for c in pair.values()),
    }


def _with_year(text: str, d: dict, which: str) -> dict:
    y = d[f"{which}_year"]
    if text == DASH or y is None or pd.isna(y):
        return {"text": text, "year": ""}
    return {"text": text, "year": str(int(y))}


def build_context(snap: Snapshot, area: str, year: int, lang: str) -> dict:
    """Everything the template needs for one report."""
    b = Builder(snap, area, year, lang)
    ctx = {
        "lang": lang,
        "area": area,
        "name": b.name,
        "short": b.short,
        "year": year,
        "is_dk": b.is_dk,
        "synthetic": snap.run.synthetic,
        "vintage": b.vintage(),
        "sentences": b.sentences(),
        "national": b.goal_rows("national"),
        "set_titles": {
            gs.id: gs.title.da if lang == "da" else gs.title.en for gs in snap.goal_sets
        },
        "sections": b.sections(),
        "local_sets": b.local_sets(),
        "housing": b.housing(),
        "mark": MARK,
        "light_labels": {k: label(LIGHT_LABELS, k, lang) for k in LIGHT_LABELS},
        "light_meaning": {k: label(LIGHT_MEANING, k, lang) for k in LIGHT_MEANING},
    }
    ctx["missing"] = b.missing
    ctx["method"] = b.method()  # after the chapters: it describes what they use
    ctx["footnotes"] = b.footnotes()  # after everything that adds notes
    b.pending.render()
    return ctx
