"""Survey figures as the page and the report show them: each round's share with its interval,
the answers behind it and the tested change since the previous round, and shares by district.

Nothing is computed here: the pipeline stored every number (``survey_cells``,
``survey_districts``, docs/sources.md); this module picks the rows of one indicator, area and
group and formats them, so that both media say the same. A withheld round shows why, never a
number.
"""

from __future__ import annotations

import pandas as pd

from barometer.publish.labels import DASH, fmt_change, fmt_value, is_missing, number
from barometer.publish.text import t

SURVEY_KIND = "survey"


def is_survey(definitions: dict[str, dict], indicator_id: str) -> bool:
    return definitions.get(indicator_id, {}).get("kind") == SURVEY_KIND


def survey_name(definitions: dict[str, dict], indicator_id: str, lang: str) -> str:
    survey = definitions.get(indicator_id, {}).get("survey") or {}
    name = survey.get("name") or {}
    return name.get(lang) or name.get("da") or ""


def covered(survey_cells: pd.DataFrame, area: str) -> set[str]:
    """Survey indicators with cells for ``area``: a survey speaks of the areas it covers."""
    if survey_cells is None or survey_cells.empty:
        return set()
    return set(survey_cells.loc[survey_cells["area_code"] == area, "indicator_id"].unique())


def _interval(row: dict, lang: str) -> str:
    lo, hi = row.get("ci_low"), row.get("ci_high")
    if is_missing(lo) or is_missing(hi):
        return DASH
    return f"{fmt_value(100 * lo, 'pct', lang)} – {fmt_value(100 * hi, 'pct', lang)}"


def _significance(row: dict, lang: str) -> str:
    sig = row.get("significant")
    if sig is None or sig is pd.NA or is_missing(row.get("p_value")):
        return DASH
    p = number(row["p_value"], lang, 3)
    word = t("yes" if bool(sig) else "no", lang)
    return f"{word} (p = {p})"


def survey_block(
    survey_cells: pd.DataFrame,
    survey_districts: pd.DataFrame | None,
    definitions: dict[str, dict],
    indicator_id: str,
    area: str,
    group: str,
    lang: str,
    sex: str = "all",
) -> dict | None:
    """The rounds of one survey indicator for one area, origin group and sex, and its newest
    shares by district; None when the survey has no cells for the area (it does not cover it).

    Rows: year, share (%), 95 % interval, answers, effective n, change since the previous
    published round with its significance; a withheld round says why.
    """
    if not is_survey(definitions, indicator_id) or survey_cells is None or survey_cells.empty:
        return None
    cells = survey_cells[
        (survey_cells["indicator_id"] == indicator_id)
        & (survey_cells["area_code"] == area)
        & (survey_cells["origin_group"] == group)
        & (survey_cells["sex"] == sex)
    ].sort_values("year")
    if cells.empty:
        return None
    rounds = []
    for row in cells.to_dict("records"):
        published = not is_missing(row.get("share"))
        rounds.append(
            {
                "year": int(row["year"]),
                "published": published,
                "value": fmt_value(100 * row["share"], "pct", lang)
                if published
                else t("withheld_few", lang, n=int(row["min_respondents"])),
                "interval": _interval(row, lang) if published else DASH,
                "respondents": number(row["respondents"], lang, 0),
                "n_eff": number(row["n_eff"], lang, 0) if not is_missing(row["n_eff"]) else DASH,
                "change": fmt_change(row.get("change"), "pct", lang)
                if not is_missing(row.get("change"))
                else DASH,
                "previous_year": ""
                if is_missing(row.get("previous_year")) or row.get("previous_year") is pd.NA
                else str(int(row["previous_year"])),
                "significant": _significance(row, lang),
            }
        )
    for r in rounds:  # the same row as a list of cells, for tables
        change = r["change"] + (f" ({r['previous_year']})" if r["previous_year"] else "")
        r["cells"] = [
            str(r["year"]),
            r["value"],
            r["interval"],
            r["respondents"],
            r["n_eff"],
            change,
            r["significant"],
        ]
    minimum = int(cells["min_respondents"].max())
    block = {
        "indicator_id": indicator_id,
        "survey": survey_name(definitions, indicator_id, lang),
        "source": str(cells["source"].iloc[0]),
        "rounds": rounds,
        "headers": [
            t("year", lang),
            t("share", lang),
            t("interval", lang),
            t("respondents", lang),
            t("effective_n", lang),
            t("since_previous", lang),
            t("significant", lang),
        ],
        "note": t("survey_note", lang, n=minimum),
        "districts": None,
    }
    block["districts"] = district_block(survey_districts, indicator_id, area, lang)
    return block


def district_block(
    survey_districts: pd.DataFrame | None, indicator_id: str, area: str, lang: str
) -> dict | None:
    """The newest round's shares by district (everyone), or None without districts."""
    if survey_districts is None or survey_districts.empty:
        return None
    part = survey_districts[
        (survey_districts["indicator_id"] == indicator_id) & (survey_districts["area_code"] == area)
    ]
    if part.empty:
        return None
    year = int(part["year"].max())
    rows = []
    for row in part[part["year"] == year].sort_values("district_name").to_dict("records"):
        ok = row["status"] == "ok"
        rows.append(
            {
                "name": row["district_name"],
                "value": fmt_value(row["value"], "pct", lang)
                if ok
                else t("withheld_few", lang, n=int(row["min_respondents"])),
                "interval": f"{fmt_value(row['ci_low'], 'pct', lang)} – "
                f"{fmt_value(row['ci_high'], 'pct', lang)}"
                if ok
                else DASH,
                "respondents": number(row["respondents"], lang, 0),
            }
        )
        rows[-1]["cells"] = [rows[-1][k] for k in ("name", "value", "interval", "respondents")]
    return {
        "year": year,
        "headers": [
            t("district", lang),
            t("share", lang),
            t("interval", lang),
            t("respondents", lang),
        ],
        "rows": rows,
    }
