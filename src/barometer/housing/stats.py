"""Area statistics from register microdata, as the ministry computes them (DOMAIN.md §3.2).

Runs DuckDB SQL over the typed views of a validated delivery (sources/registers.py
``load_delivery``), joined to ``boligomraader`` (address -> housing area), in the connection the
delivery was validated in. Person-level rows stay inside that connection (in temporary tables of
a cursor that is closed at the end); only one row per area and data year comes out, in the format
of io.AREA_STATS_COLUMNS. Choices the sources leave open are fields of :class:`StatsParams`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

from barometer.errors import InputError
from barometer.housing.io import AREA_STATS_COLUMNS
from barometer.sources.layout import REGISTERS
from barometer.sources.registers import Delivery


@dataclass(frozen=True)
class StatsParams:
    """Register-path parameters (DOMAIN.md §3.2), each UNCONFIRMED where the source is.

    - ``outside_benefit_codes``: PTI_TILSTAND_KODE values in ``of{Y}`` counted as outside the
      labour market and education. DOMAIN.md §3.2 confirms kontanthjælp, uddannelseshjælp and
      selvforsørgelses- og hjemrejseydelse/overgangsydelse, and excludes sygedagpenge, efterløn,
      fleksydelse and leave benefits; førtidspension, ledighedsydelse and dagpenge are
      UNCONFIRMED. The default is the provisional codes of the synthetic data (docs/synthetic.md):
      1211 kontanthjælp, 1311 integration/self-support benefit (confirmed) and 1111 dagpenge,
      1411 ledighedsydelse/other, 3111 førtidspension (unconfirmed, included); 2111
      sygedagpenge and 3211 efterløn are left out. Real deliveries need the real code list;
      None counts every spell.
    - ``conviction_offence_prefixes``: AFG_GER7 prefixes for the straffelov, våbenloven and lov
      om euforiserende stoffer; "1" is the criminal code. The codes of the two special acts are
      UNCONFIRMED and must be added for real data.
    - ``non_guilty_decision_types``: AFG_AFGTYP3 values that are not convictions (acquittals);
      61-63 is provisional and matches the synthetic data.

      These two mean the same as the catalogue's crime indicators' ``criminal_code_prefixes``
      and ``non_guilty_decision_types`` (catalogue/models.py RateIndicator) and have the same
      defaults today, but they are set apart on purpose: K2 is the housing law's definition
      (three acts, docs/housing.md), the indicators count criminal-code offences only. Changing
      one does not change the other.
    - ``student_socio13``: SOCIO13 codes of students (310 = in education), who count as
      attached (K1) and are excluded from the income comparison (K4).
    - ``basic_education_groups``: education main groups counted as "only basic schooling"
      (10 = grundskole). Unknown education (group 90, a code not in the map, or no row) is
      counted as basic too (DOMAIN.md §3.2) unless ``unknown_education_as_basic`` is False.
    """

    outside_benefit_codes: tuple[str, ...] | None = ("1211", "1311", "1111", "1411", "3111")
    conviction_offence_prefixes: tuple[str, ...] = ("1",)
    non_guilty_decision_types: tuple[int, ...] = (61, 62, 63)
    student_socio13: tuple[int, ...] = (310,)
    basic_education_groups: tuple[str, ...] = ("10",)
    unknown_education_as_basic: bool = True


def _sql_list(values: Iterable[object]) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def _int_in(column: str, values: Iterable[object]) -> str:
    """``column IN (values)`` for an INTEGER column of a typed view; false for no values."""
    ints = [int(v) for v in values]
    return f"{column} IN ({', '.join(map(str, ints))})" if ints else "false"


def _basic_only(group: str, p: StatsParams) -> str:
    """SQL: whether an education main group counts as only basic schooling (DOMAIN.md §3.2 K3).

    Group 90 (unknown), a code not in the map and no education row (``group`` NULL) count as
    basic unless ``unknown_education_as_basic`` is False.
    """
    unknown = "TRUE" if p.unknown_education_as_basic else "FALSE"
    basic = (
        f"{group} IN ({_sql_list(p.basic_education_groups)})"
        if p.basic_education_groups
        else "false"
    )
    return f"CASE WHEN {group} IS NULL OR {group} = '90' THEN {unknown} ELSE {basic} END"


def _convictions(
    cur: duckdb.DuckDBPyConnection, delivery: Delivery, years: list[int], p: StatsParams
) -> None:
    """Temp table ``conv`` (pnr, yr): persons convicted in each data year, one pass over kraf."""
    if not delivery.has("kraf") or not years:
        cur.execute("CREATE TEMP TABLE conv (pnr VARCHAR, yr BIGINT)")
        return
    prefixes = " OR ".join(
        f"starts_with(AFG_GER7, {_sql_list([x])})" for x in p.conviction_offence_prefixes
    )
    non_guilty = (
        f"AND NOT ({_int_in('AFG_AFGTYP3', p.non_guilty_decision_types)})"
        if p.non_guilty_decision_types
        else ""
    )
    cur.execute(f"""
        CREATE TEMP TABLE conv AS
        SELECT DISTINCT pnr, yr FROM (
            SELECT PNR pnr, year(AFG_AFGOEDTO) yr FROM {delivery.view("kraf")}
            WHERE ({prefixes or "false"}) {non_guilty}
        ) WHERE yr IN ({", ".join(str(y) for y in years)})
    """)


def _year_tables(
    cur: duckdb.DuckDBPyConnection, delivery: Delivery, year: int, p: StatsParams
) -> None:
    """Temp tables ``by_kom`` and ``area_facts`` for one data year (31 December ``year``).

    ``by_kom``: one aggregate pass over bef (all residents) joined to ind and the small sets of
    students and convicted persons, per KOM and area (NULL outside areas): residents 18+,
    convicted 18+, and the income sum and count of K4's population. It gives the national K2
    share, the regional K4 means and the areas' K2 and K4.
    ``area_facts``: the other statistics, for residents of housing areas only (bef semi-joined
    to ``areas``), joined to their of and udda rows.
    Snapshots have one row per PNR (validation checks it), so they are joined directly.
    """
    bef = delivery.view("bef", year)
    if delivery.has("akm", year):
        students = (
            f"SELECT PNR pnr FROM {delivery.view('akm', year)} "
            f"WHERE {_int_in('SOCIO13', p.student_socio13)}"
        )
    else:
        students = "SELECT NULL::VARCHAR pnr WHERE false"
    cur.execute(f"CREATE OR REPLACE TEMP TABLE students AS {students}")
    if delivery.has("ind", year):
        ind = (
            f"SELECT PNR pnr, PERINDKIALT_13 income FROM {delivery.view('ind', year)} "
            f"WHERE PERINDKIALT_13 IS NOT NULL"
        )
    else:
        ind = "SELECT NULL::VARCHAR pnr, NULL::DOUBLE income WHERE false"
    # DOMAIN.md §3.1 K4: persons 15-64 with an income row, students left out. K2: 18+.
    cur.execute(f"""
        CREATE OR REPLACE TEMP TABLE by_kom AS
        WITH flagged AS (
            SELECT b.PNR pnr, b.ALDER age, b.KOM kom, ar.area_id,
                coalesce(b.PNR IN (SELECT pnr FROM conv WHERE yr = {year}), false) AS convicted,
                b.ALDER BETWEEN 15 AND 64
                    AND NOT coalesce(b.PNR IN (SELECT pnr FROM students), false) AS k4_age
            FROM {bef} b LEFT JOIN areas ar ON ar.adr = b.ADRESSE_ID
        )
        SELECT f.kom, f.area_id,
            count(*) FILTER (WHERE f.age >= 18) AS n18,
            count(*) FILTER (WHERE f.age >= 18 AND f.convicted) AS conv18,
            sum(i.income) FILTER (WHERE f.k4_age) AS income_sum,
            count(i.income) FILTER (WHERE f.k4_age) AS income_n
        FROM flagged f LEFT JOIN ({ind}) i ON i.pnr = f.pnr
        GROUP BY ALL
    """)
    of = "SELECT NULL::VARCHAR pnr, NULL::DOUBLE fte WHERE false"
    if delivery.has("of", year):
        code_filter = (
            f"AND PTI_TILSTAND_KODE IN ({_sql_list(p.outside_benefit_codes)})"
            if p.outside_benefit_codes
            else ("AND false" if p.outside_benefit_codes is not None else "")
        )
        # DOMAIN.md §3.2 K1: full-time persons, the year's share on counted benefits, capped.
        of = (
            f"SELECT PNR pnr, least(sum(GRADAAR), 1.0) fte FROM {delivery.view('of', year)} "
            f"WHERE PNR IN (SELECT pnr FROM ap) {code_filter} GROUP BY 1"
        )
    unknown = "TRUE" if p.unknown_education_as_basic else "FALSE"
    udda = "SELECT NULL::VARCHAR pnr, NULL::BOOLEAN basic_only WHERE false"
    if delivery.has("udda", year):
        udda = (
            f"SELECT u.PNR pnr, {_basic_only('m.main_group', p)} basic_only "
            f"FROM {delivery.view('udda', year)} u "
            f"LEFT JOIN code_education m ON m.hfaudd = u.HFAUDD "
            f"WHERE u.PNR IN (SELECT pnr FROM ap)"
        )
    cur.execute(f"""
        CREATE OR REPLACE TEMP TABLE ap AS
        SELECT b.PNR pnr, b.ALDER age, ar.area_id,
               -- DOMAIN.md §4.1-4.2: immigrants and descendants not from a Western country
               -- (unknown or stateless origin counts as non-Western)
               (b.IE_TYPE IN (2, 3)
                AND NOT coalesce(b.OPR_LAND IN (SELECT code FROM code_countries WHERE is_western),
                                 false))
                   AS non_western
        FROM {bef} b JOIN areas ar ON ar.adr = b.ADRESSE_ID;
        CREATE OR REPLACE TEMP TABLE area_facts AS
        WITH persons AS (
            SELECT ap.*, coalesce(ap.pnr IN (SELECT pnr FROM students), false) AS student,
                   coalesce(o.fte, 0.0) AS fte_outside,
                   coalesce(e.basic_only, {unknown}) AS basic_only
            FROM ap LEFT JOIN ({of}) o ON o.pnr = ap.pnr LEFT JOIN ({udda}) e ON e.pnr = ap.pnr
        )
        SELECT area_id,
            count(*) AS n,
            avg(non_western::INTEGER) AS non_western_share,
            sum(CASE WHEN age BETWEEN 18 AND 64 AND NOT student THEN fte_outside ELSE 0 END)
                / nullif(count(*) FILTER (WHERE age BETWEEN 18 AND 64), 0)
                AS outside_labour_share_18_64,
            (count(*) FILTER (WHERE age BETWEEN 30 AND 59 AND basic_only))
                / nullif(count(*) FILTER (WHERE age BETWEEN 30 AND 59), 0)
                AS basic_education_only_share_30_59
        FROM persons GROUP BY area_id
    """)


# Area and regional statistics (DOMAIN.md §3.1 K1-K4) from the year's temp tables. Students
# count as attached in K1 (BL: SU-eligible students are not outside) but stay in its
# denominator; K4 leaves them out entirely.
_AGGREGATE_SQL = """
WITH per_area AS (
    SELECT area_id,
        sum(conv18) / nullif(sum(n18), 0) AS convicted_share_18plus,
        sum(income_sum) / nullif(sum(income_n), 0) AS income_mean
    FROM by_kom WHERE area_id IS NOT NULL GROUP BY area_id
), per_region AS (
    SELECT r.region_code AS region, sum(k.income_sum) / nullif(sum(k.income_n), 0) AS income_mean
    FROM by_kom k LEFT JOIN code_municipalities r ON r.code = k.kom GROUP BY r.region_code
), national AS (
    SELECT sum(conv18) / nullif(sum(n18), 0) AS share FROM by_kom
)
SELECT l.area_id, l.area_name, l.kom AS municipality_code,
    coalesce(f.n, 0) AS n,
    f.non_western_share, f.outside_labour_share_18_64, pa.convicted_share_18plus,
    (SELECT share FROM national) AS national_convicted_share_18plus,
    f.basic_education_only_share_30_59,
    pa.income_mean / nullif(pr.income_mean, 0) AS income_ratio_to_region
FROM area_list l
LEFT JOIN area_facts f ON f.area_id = l.area_id
LEFT JOIN per_area pa ON pa.area_id = l.area_id
LEFT JOIN code_municipalities cr ON cr.code = l.kom
LEFT JOIN per_region pr ON pr.region = cr.region_code
ORDER BY l.area_id
"""

# Which statistics need which register besides bef (left empty where one is missing).
_NEEDS = {
    "outside_labour_share_18_64": ("of", "akm"),
    "convicted_share_18plus": ("kraf",),
    "national_convicted_share_18plus": ("kraf",),
    "basic_education_only_share_30_59": ("udda",),
    "income_ratio_to_region": ("ind", "akm"),
}


def _has(delivery: Delivery, key: str, year: int) -> bool:
    """Whether the delivery holds the register ``key`` for data year ``year``."""
    return delivery.has(key, year if REGISTERS[key].yearly else None)


def compute_area_stats(
    delivery: Delivery,
    con: duckdb.DuckDBPyConnection,
    *,
    scale: float = 1.0,
    params: StatsParams | None = None,
    years: list[int] | None = None,
) -> pd.DataFrame:
    """Area statistics per housing area and data year from a validated delivery.

    ``delivery`` and ``con`` are what ``load_delivery(directory, con)`` returned and validated
    in: the statistics read its typed views and code tables, whatever the files' format.
    ``scale`` is the sampling fraction of synthetic data (0.1 = 10 % sample): residents are
    counted ÷ scale so the 1,000-residents test applies to the population size; shares need no
    scaling. A statistic whose register is missing for a year is left empty (not met).
    ``years``: the data years (default every year with a bef{Y}12).
    """
    params = params or StatsParams()
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    if not delivery.has("boligomraader"):
        raise InputError(
            "no boligomraader file (address -> housing area; .parquet, .csv or .sas7bdat)",
            path=delivery.directory,
        )
    available = delivery.years("bef")
    wanted = available if years is None else sorted(set(years))
    absent = [y for y in wanted if y not in available]
    if absent:
        raise InputError(
            f"no population snapshot bef{absent[0]}12 for data year", path=delivery.directory
        )

    areas = delivery.view("boligomraader")
    # A cursor of its own: the temporary person-level tables live and die with it.
    cur = con.cursor()
    try:
        cur.execute(f"""
            CREATE TEMP TABLE areas AS SELECT DISTINCT ADRESSE_ID adr, area_id FROM {areas};
            CREATE TEMP TABLE area_list AS
            SELECT area_id, min(area_name) area_name, min(KOM) kom FROM {areas} GROUP BY 1;
        """)
        _convictions(cur, delivery, wanted, params)
        frames = []
        for year in wanted:
            _year_tables(cur, delivery, year, params)
            part = cur.execute(_AGGREGATE_SQL).df()
            for col, needs in _NEEDS.items():
                if not all(_has(delivery, n, year) for n in needs):
                    part[col] = float("nan")
            part.insert(3, "data_year", year)
            part["residents"] = (part.pop("n") / scale).round(6)
            frames.append(part)
    finally:
        cur.close()
    if not frames:
        return pd.DataFrame(columns=list(AREA_STATS_COLUMNS))
    out = pd.concat(frames, ignore_index=True)[list(AREA_STATS_COLUMNS)]
    for col in AREA_STATS_COLUMNS:
        if col not in ("area_id", "area_name", "municipality_code", "data_year"):
            out[col] = out[col].astype(float)
    return out.sort_values(["data_year", "area_id"], ignore_index=True)
