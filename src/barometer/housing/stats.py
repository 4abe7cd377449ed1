"""Area statistics from register microdata, as the ministry computes them (DOMAIN.md §3.2).

Runs DuckDB SQL over the register files (Parquet or CSV, names from sources/layout.py) joined to
``boligomraader`` (address -> housing area). Person-level rows stay inside the DuckDB connection;
only one row per area and data year comes out, in the format of io.AREA_STATS_COLUMNS.
Choices the sources leave open are fields of :class:`StatsParams`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from barometer.codes import load_countries, load_education_main_groups, load_municipalities
from barometer.errors import InputError
from barometer.housing.io import AREA_STATS_COLUMNS


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
      61-63 is provisional and matches the synthetic data, as in the catalogue's crime
      indicators.
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


def find_register(registers_dir: Path, stem: str) -> Path | None:
    """The Parquet or CSV file of one register period, Parquet first."""
    for suffix in (".parquet", ".csv"):
        path = registers_dir / f"{stem}{suffix}"
        if path.exists():
            return path
    return None


def _scan(path: Path) -> str:
    """A DuckDB table function reading one file; CSV as text, cast in the queries."""
    quoted = str(path).replace("'", "''")
    if path.suffix == ".parquet":
        return f"read_parquet('{quoted}')"
    return f"read_csv('{quoted}', all_varchar = true, header = true)"


def find_years(registers_dir: Path) -> list[int]:
    """Data years with a population snapshot bef{Y}12."""
    years = set()
    for p in registers_dir.iterdir():
        m = re.fullmatch(r"bef(\d{4})12\.(parquet|csv)", p.name)
        if m:
            years.add(int(m.group(1)))
    return sorted(years)


def _load_codes(con: duckdb.DuckDBPyConnection) -> None:
    """Code tables for the joins: Western countries, education main groups, regions."""
    western = [c.code for c in load_countries().values() if c.is_western]
    con.register("_western", pd.DataFrame({"code": western}, dtype=str))
    con.execute("CREATE TEMP TABLE code_western AS SELECT code FROM _western")
    edu = load_education_main_groups()
    edu_df = pd.DataFrame({"hfaudd": [str(int(k)) for k in edu], "grp": list(edu.values())})
    con.register("_edu", edu_df)
    con.execute("CREATE TEMP TABLE code_edu AS SELECT DISTINCT hfaudd, grp FROM _edu")
    kom = load_municipalities()
    reg_df = pd.DataFrame({"kom": list(kom), "region": [m.region_code for m in kom.values()]})
    con.register("_reg", reg_df)
    con.execute("CREATE TEMP TABLE code_region AS SELECT kom, region FROM _reg")
    # Codes arrive as text, int or float ("101", 101, 101.0) depending on the file type.
    con.execute(
        "CREATE MACRO code_int(x) AS CAST(CAST(TRY_CAST(x AS DOUBLE) AS BIGINT) AS VARCHAR)"
    )
    con.execute("CREATE MACRO code3(x) AS lpad(code_int(x), 3, '0')")


def _sql_list(values: Iterable[object]) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def _person_table(
    con: duckdb.DuckDBPyConnection, files: dict[str, Path | None], year: int, p: StatsParams
) -> None:
    """Temp table ``persons``: one row per resident at 31 December ``year`` with the flags."""
    students = _sql_list(p.student_socio13)
    akm = (
        f"SELECT CAST(PNR AS VARCHAR) pnr, bool_or(code_int(SOCIO13) IN ({students})) student "
        f"FROM {_scan(files['akm'])} GROUP BY 1"
        if files["akm"]
        else "SELECT NULL::VARCHAR pnr, NULL::BOOLEAN student WHERE false"
    )
    code_filter = (
        f"WHERE CAST(PTI_TILSTAND_KODE AS VARCHAR) IN ({_sql_list(p.outside_benefit_codes)})"
        if p.outside_benefit_codes is not None
        else ""
    )
    # DOMAIN.md §3.2 K1: full-time persons, the year's share on counted benefits, capped at 1.
    of = (
        f"SELECT CAST(PNR AS VARCHAR) pnr, least(sum(TRY_CAST(GRADAAR AS DOUBLE)), 1.0) fte "
        f"FROM {_scan(files['of'])} {code_filter} GROUP BY 1"
        if files["of"]
        else "SELECT NULL::VARCHAR pnr, NULL::DOUBLE fte WHERE false"
    )
    prefixes = " OR ".join(
        f"starts_with(CAST(AFG_GER7 AS VARCHAR), '{x}')" for x in p.conviction_offence_prefixes
    )
    non_guilty = (
        f"AND code_int(AFG_AFGTYP3) NOT IN ({_sql_list(p.non_guilty_decision_types)})"
        if p.non_guilty_decision_types
        else ""
    )
    conv = (
        f"SELECT DISTINCT CAST(PNR AS VARCHAR) pnr FROM {_scan(files['kraf'])} "
        f"WHERE year(TRY_CAST(AFG_AFGOEDTO AS DATE)) = {year} AND ({prefixes}) {non_guilty}"
        if files["kraf"]
        else "SELECT NULL::VARCHAR pnr WHERE false"
    )
    basic = _sql_list(p.basic_education_groups)
    unknown = "TRUE" if p.unknown_education_as_basic else "FALSE"
    # DOMAIN.md §3.2 K3: unknown education (group 90, unmapped code, no row) counts as basic.
    udda = (
        f"SELECT CAST(u.PNR AS VARCHAR) pnr, "
        f"bool_or(CASE WHEN m.grp IS NULL OR m.grp = '90' THEN {unknown} "
        f"ELSE m.grp IN ({basic}) END) basic_only "
        f"FROM {_scan(files['udda'])} u LEFT JOIN code_edu m ON code_int(u.HFAUDD) = m.hfaudd "
        f"GROUP BY 1"
        if files["udda"]
        else "SELECT NULL::VARCHAR pnr, NULL::BOOLEAN basic_only WHERE false"
    )
    ind = (
        f"SELECT CAST(PNR AS VARCHAR) pnr, max(TRY_CAST(PERINDKIALT_13 AS DOUBLE)) income "
        f"FROM {_scan(files['ind'])} GROUP BY 1"
        if files["ind"]
        else "SELECT NULL::VARCHAR pnr, NULL::DOUBLE income WHERE false"
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE persons AS
        WITH bef AS (
            SELECT CAST(PNR AS VARCHAR) pnr, TRY_CAST(ALDER AS INTEGER) age, code3(KOM) kom,
                   TRY_CAST(IE_TYPE AS INTEGER) ie, code_int(OPR_LAND) opr,
                   CAST(ADRESSE_ID AS VARCHAR) adr
            FROM {_scan(files["bef"])}
        ), akm AS ({akm}), ofs AS ({of}), conv AS ({conv}), udda AS ({udda}), ind AS ({ind})
        SELECT b.pnr, b.age, r.region, a.area_id,
               -- DOMAIN.md §4.1-4.2: immigrants and descendants not from a Western country
               -- (unknown or stateless origin counts as non-Western)
               (b.ie IN (2, 3) AND NOT coalesce(b.opr IN (SELECT code FROM code_western), false))
                   AS non_western,
               coalesce(s.student, false) AS student,
               coalesce(o.fte, 0.0) AS fte_outside,
               c.pnr IS NOT NULL AS convicted,
               coalesce(e.basic_only, {unknown}) AS basic_only,
               i.income
        FROM bef b
        LEFT JOIN areas a ON a.adr = b.adr
        LEFT JOIN code_region r ON r.kom = b.kom
        LEFT JOIN akm s ON s.pnr = b.pnr
        LEFT JOIN ofs o ON o.pnr = b.pnr
        LEFT JOIN conv c ON c.pnr = b.pnr
        LEFT JOIN udda e ON e.pnr = b.pnr
        LEFT JOIN ind i ON i.pnr = b.pnr
    """)


# Area and regional aggregates (DOMAIN.md §3.1 K1-K4). Students count as attached in K1 (BL:
# SU-eligible students are not outside) but stay in its denominator; K4 leaves them out entirely.
_AGGREGATE_SQL = """
WITH income_filter AS (
    SELECT *, age BETWEEN 15 AND 64 AND NOT student AND income IS NOT NULL AS in_income
    FROM persons
), per_area AS (
    SELECT area_id,
        count(*) AS n,
        avg(non_western::INTEGER) AS non_western_share,
        sum(CASE WHEN age BETWEEN 18 AND 64 AND NOT student THEN fte_outside ELSE 0 END)
            / nullif(count(*) FILTER (WHERE age BETWEEN 18 AND 64), 0)
            AS outside_labour_share_18_64,
        (count(*) FILTER (WHERE age >= 18 AND convicted))
            / nullif(count(*) FILTER (WHERE age >= 18), 0) AS convicted_share_18plus,
        (count(*) FILTER (WHERE age BETWEEN 30 AND 59 AND basic_only))
            / nullif(count(*) FILTER (WHERE age BETWEEN 30 AND 59), 0)
            AS basic_education_only_share_30_59,
        avg(income) FILTER (WHERE in_income) AS income_mean
    FROM income_filter WHERE area_id IS NOT NULL GROUP BY area_id
), per_region AS (
    SELECT region, avg(income) FILTER (WHERE in_income) AS income_mean
    FROM income_filter GROUP BY region
), national AS (
    SELECT (count(*) FILTER (WHERE age >= 18 AND convicted))
        / nullif(count(*) FILTER (WHERE age >= 18), 0) AS share
    FROM persons
)
SELECT l.area_id, l.area_name, l.kom AS municipality_code,
    coalesce(pa.n, 0) AS n,
    pa.non_western_share, pa.outside_labour_share_18_64, pa.convicted_share_18plus,
    (SELECT share FROM national) AS national_convicted_share_18plus,
    pa.basic_education_only_share_30_59,
    pa.income_mean / nullif(pr.income_mean, 0) AS income_ratio_to_region
FROM area_list l
LEFT JOIN per_area pa ON pa.area_id = l.area_id
LEFT JOIN code_region cr ON cr.kom = l.kom
LEFT JOIN per_region pr ON pr.region = cr.region
ORDER BY l.area_id
"""

# Which statistics need which register besides bef (None where the register is missing).
_NEEDS = {
    "outside_labour_share_18_64": ("of", "akm"),
    "convicted_share_18plus": ("kraf",),
    "national_convicted_share_18plus": ("kraf",),
    "basic_education_only_share_30_59": ("udda",),
    "income_ratio_to_region": ("ind", "akm"),
}


def compute_area_stats(
    registers_dir: str | Path,
    *,
    scale: float = 1.0,
    years: Iterable[int] | None = None,
    params: StatsParams | None = None,
) -> pd.DataFrame:
    """Area statistics per housing area and data year from register files.

    ``scale`` is the sampling fraction of synthetic data (0.1 = 10 % sample): residents are
    counted ÷ scale so the 1,000-residents test applies to the population size; shares need no
    scaling. A statistic whose register is missing for a year is left empty (not met).
    """
    params = params or StatsParams()
    root = Path(registers_dir)
    if not root.is_dir():
        raise InputError("registers directory not found", path=root)
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    areas_file = find_register(root, "boligomraader")
    if areas_file is None:
        raise InputError("no boligomraader.parquet or .csv (address -> housing area)", path=root)
    available = find_years(root)
    wanted = available if years is None else sorted(set(years))
    absent = [y for y in wanted if y not in available]
    if absent:
        raise InputError(f"no population snapshot bef{absent[0]}12 for data year", path=root)

    con = duckdb.connect()
    try:
        _load_codes(con)
        con.execute(f"""
            CREATE TEMP TABLE areas AS
            SELECT DISTINCT CAST(ADRESSE_ID AS VARCHAR) adr, CAST(area_id AS VARCHAR) area_id
            FROM {_scan(areas_file)};
            CREATE TEMP TABLE area_list AS
            SELECT CAST(area_id AS VARCHAR) area_id, min(CAST(area_name AS VARCHAR)) area_name,
                   min(code3(KOM)) kom
            FROM {_scan(areas_file)} GROUP BY 1;
        """)
        frames = []
        for year in wanted:
            files = {
                "bef": find_register(root, f"bef{year}12"),
                "akm": find_register(root, f"akm{year}"),
                "udda": find_register(root, f"udda{year}09"),
                "of": find_register(root, f"of{year}"),
                "ind": find_register(root, f"ind{year}"),
                "kraf": find_register(root, "kraf"),
            }
            _person_table(con, files, year, params)
            part = con.execute(_AGGREGATE_SQL).df()
            for col, needs in _NEEDS.items():
                if any(files[n] is None for n in needs):
                    part[col] = float("nan")
            part.insert(3, "data_year", year)
            part["residents"] = (part.pop("n") / scale).round(6)
            frames.append(part)
    finally:
        con.close()
    if not frames:
        return pd.DataFrame(columns=list(AREA_STATS_COLUMNS))
    out = pd.concat(frames, ignore_index=True)[list(AREA_STATS_COLUMNS)]
    for col in AREA_STATS_COLUMNS:
        if col not in ("area_id", "area_name", "municipality_code", "data_year"):
            out[col] = out[col].astype(float)
    return out.sort_values(["data_year", "area_id"], ignore_index=True)
