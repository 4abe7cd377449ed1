"""Roll finest-grain cells up to regions, Denmark, origin groups and both sexes.

Rates are ratios of sums (DESIGN.md principle 2): numerators and denominators are summed over the
members of each group and divided once, never averaged.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from barometer.catalogue.models import CountIndicator, GapIndicator, Indicator
from barometer.codes import DENMARK, ORIGIN_GROUPS, SEXES, load_municipalities

# Internal origin cell → the published groups it belongs to (DOMAIN.md §4.2). MENAPT is the part
# of the non-western cells whose country of origin is one of the 24 MENAPT countries.
ORIGIN_MEMBERSHIP = {
    "danish_origin": ("danish_origin", "all"),
    "immigrants_western": ("immigrants_western", "immigrants", "western", "all"),
    "immigrants_non_western": ("immigrants_non_western", "immigrants", "non_western", "all"),
    "descendants_western": ("descendants_western", "descendants", "western", "all"),
    "descendants_non_western": ("descendants_non_western", "descendants", "non_western", "all"),
}


def origin_map() -> pd.DataFrame:
    rows = []
    for cell, groups in ORIGIN_MEMBERSHIP.items():
        for menapt in (False, True):
            rows += [(cell, menapt, g) for g in groups]
            if menapt:
                rows.append((cell, menapt, "menapt"))
    return pd.DataFrame(rows, columns=["origin_cell", "menapt", "origin_group"])


def area_map() -> pd.DataFrame:
    rows = []
    for m in load_municipalities().values():
        rows += [(m.code, m.code), (m.code, m.region_code), (m.code, DENMARK)]
    return pd.DataFrame(rows, columns=["municipality_code", "area_code"])


def sex_map() -> pd.DataFrame:
    return pd.DataFrame(
        [("male", "male"), ("male", "all"), ("female", "female"), ("female", "all")],
        columns=["sex_cell", "sex"],
    )


def roll_up(
    finest: pd.DataFrame,
    catalogue: dict[str, Indicator],
    con: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """Finest cells (indicator, year, municipality, origin cell, menapt, sex) → observations.

    Each finest cell is joined to every published area, origin group and sex it belongs to, and
    the numerators and denominators are summed per published cell (in DuckDB: fast and exact).
    """
    con = con or duckdb.connect()
    f = finest.assign(menapt=finest["menapt"].astype(bool))
    for name, df in (
        ("_finest", f),
        ("_origin_map", origin_map()),
        ("_area_map", area_map()),
        ("_sex_map", sex_map()),
    ):
        con.register(name, df)
    obs = con.execute(
        """
        SELECT f.indicator_id, a.area_code, f.year, o.origin_group, s.sex,
               sum(f.numerator) AS numerator, sum(f.denominator) AS denominator
        FROM _finest f
        JOIN _origin_map o ON o.origin_cell = f.origin_cell AND o.menapt = f.menapt
        JOIN _area_map a ON a.municipality_code = f.municipality_code
        JOIN _sex_map s ON s.sex_cell = f.sex
        GROUP BY ALL
        """
    ).df()
    for name in ("_finest", "_origin_map", "_area_map", "_sex_map"):
        con.unregister(name)
    obs["year"] = obs["year"].astype("int64")
    counts = [i for i, d in catalogue.items() if isinstance(d, CountIndicator)]
    obs = _complete_counts(obs, counts)
    is_count = obs["indicator_id"].isin(counts)
    obs["unit"] = np.where(is_count, "count", "pct")
    # A rate with no population has no value: such cells are not observations.
    obs = obs[is_count | (obs["denominator"] > 0)].copy()
    is_count = obs["indicator_id"].isin(counts)
    obs["value"] = np.where(
        is_count, obs["numerator"], 100.0 * obs["numerator"] / obs["denominator"]
    )
    obs.loc[is_count, "denominator"] = np.nan
    obs["status"] = "ok"
    return obs


def _complete_counts(obs: pd.DataFrame, counts: list[str]) -> pd.DataFrame:
    """Counts are published for every area, group and sex: an empty cell is a real zero."""
    if not counts:
        return obs
    c = obs[obs["indicator_id"].isin(counts)]
    if c.empty:
        return obs
    areas = area_map()["area_code"].unique()
    grid = pd.MultiIndex.from_product(
        [counts, sorted(areas), sorted(c["year"].unique()), ORIGIN_GROUPS, SEXES],
        names=["indicator_id", "area_code", "year", "origin_group", "sex"],
    ).to_frame(index=False)
    full = grid.merge(c, how="left", on=list(grid.columns)).fillna(
        {"numerator": 0.0, "denominator": 0.0}
    )
    return pd.concat([obs[~obs["indicator_id"].isin(counts)], full], ignore_index=True)


def compute_gaps(obs: pd.DataFrame, gaps: list[GapIndicator]) -> pd.DataFrame:
    """Gap rows: the focus group's row carries reference − focus (or the reverse) in pp."""
    out = []
    keys = ["area_code", "year", "sex"]
    for g in gaps:
        base = obs[obs["indicator_id"] == g.of]
        ref = base[base["origin_group"] == g.reference][[*keys, "value"]]
        foc = base[base["origin_group"].isin(g.focus_groups)][[*keys, "origin_group", "value"]]
        j = foc.merge(ref, on=keys, suffixes=("_focus", "_ref"))
        sign = 1.0 if g.direction == "reference_minus_focus" else -1.0
        j["value"] = sign * (j["value_ref"] - j["value_focus"])
        j["indicator_id"] = g.id
        j["numerator"] = np.nan
        j["denominator"] = np.nan
        j["unit"] = "pp"
        j["status"] = "ok"
        out.append(
            j[
                [
                    "indicator_id",
                    *keys,
                    "origin_group",
                    "value",
                    "numerator",
                    "denominator",
                    "unit",
                    "status",
                ]
            ]
        )
    return pd.concat(out, ignore_index=True) if out else obs.iloc[0:0]
