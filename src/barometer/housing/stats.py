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


def find_year_files(registers_dir: Path, year: int) -> dict[str, Path | None]:
    """The files the area statistics of one data year read (None where missing)."""
    stems = {
        "bef": f"bef{year}12",
        "akm": f"akm{year}",
        "udda": f"udda{year}09",
        "of": f"of{year}",
        "ind": f"ind{year}",
        "kraf": "kraf",
    }
    return {key: find_register(registers_dir, stem) for key, stem in stems.items()}


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


_INT_TYPES = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"}
    | {"UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}
)


class _Cols:
    """SQL expressions for one register file's columns, cast only where the file's type needs it.

    Parquet columns of the expected type are used as they are; CSV (read as text) and other
    types go through the casts of the original definitions, so both give the same values.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, alias: str = "") -> None:
        self.scan = _scan(path)
        rows = con.execute(f"DESCRIBE SELECT * FROM {self.scan}").fetchall()
        self.types = {str(r[0]).upper(): str(r[1]).upper() for r in rows}
        self.prefix = f"{alias}." if alias else ""

    def _col(self, name: str) -> tuple[str, str]:
        return f"{self.prefix}{name}", self.types.get(name.upper(), "")

    def text(self, name: str) -> str:
        col, typ = self._col(name)
        return col if typ == "VARCHAR" else f"CAST({col} AS VARCHAR)"

    def int(self, name: str) -> str:
        col, typ = self._col(name)
        return col if typ in _INT_TYPES else f"TRY_CAST({col} AS INTEGER)"

    def double(self, name: str) -> str:
        col, typ = self._col(name)
        return col if typ == "DOUBLE" else f"TRY_CAST({col} AS DOUBLE)"

    def code(self, name: str) -> str:
        """A code as normalised text ("101", 101 and 101.0 all give '101')."""
        col, typ = self._col(name)
        return f"CAST({col} AS VARCHAR)" if typ in _INT_TYPES else f"code_int({col})"

    def code_in(self, name: str, values: Iterable[object]) -> str:
        """``code(name) IN values``, compared as integers when the column is an integer."""
        col, typ = self._col(name)
        values = list(values)
        ints = [_as_int(v) for v in values]
        if typ in _INT_TYPES and None not in ints:
            return f"{col} IN ({', '.join(str(i) for i in ints)})" if ints else "false"
        return f"{self.code(name)} IN ({_sql_list(values)})" if values else "false"

    def year(self, name: str) -> str:
        col, typ = self._col(name)
        if typ == "DATE" or (typ.startswith("TIMESTAMP") and "TIME ZONE" not in typ):
            return f"year({col})"
        return f"year(TRY_CAST({col} AS DATE))"


def _as_int(value: object) -> int | None:
    """The integer a code parameter spells in canonical form ("310"), else None ("0310")."""
    text = str(value)
    try:
        number = int(text)
    except ValueError:
        return None
    return number if str(number) == text else None


def _load_codes(con: duckdb.DuckDBPyConnection, p: StatsParams) -> None:
    """Code tables for the joins: Western countries, education main groups, regions."""
    western = [c.code for c in load_countries().values() if c.is_western]
    con.register("_western", pd.DataFrame({"code": western}, dtype=str))
    con.execute("CREATE TEMP TABLE code_western AS SELECT code FROM _western")
    edu = load_education_main_groups()
    edu_df = pd.DataFrame({"hfaudd": [str(int(k)) for k in edu], "grp": list(edu.values())})
    con.register("_edu", edu_df)
    unknown = "TRUE" if p.unknown_education_as_basic else "FALSE"
    # DOMAIN.md §3.2 K3: group 90 (unknown) counts as basic; one row per code.
    con.execute(f"""
        CREATE TEMP TABLE code_basic AS
        SELECT hfaudd, bool_or(CASE WHEN grp = '90' THEN {unknown}
                                    ELSE grp IN ({_sql_list(p.basic_education_groups)}) END)
                       AS basic_only
        FROM _edu GROUP BY hfaudd
    """)
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


def _convictions(
    con: duckdb.DuckDBPyConnection, kraf: Path | None, years: list[int], p: StatsParams
) -> None:
    """Temp table ``conv`` (pnr, yr): persons convicted in each data year, one pass over kraf."""
    if kraf is None or not years:
        con.execute("CREATE TEMP TABLE conv (pnr VARCHAR, yr BIGINT)")
        return
    k = _Cols(con, kraf)
    prefixes = " OR ".join(
        f"starts_with({k.text('AFG_GER7')}, '{x}')" for x in p.conviction_offence_prefixes
    )
    non_guilty = (
        f"AND NOT ({k.code_in('AFG_AFGTYP3', p.non_guilty_decision_types)})"
        if p.non_guilty_decision_types
        else ""
    )
    con.execute(f"""
        CREATE TEMP TABLE conv AS
        SELECT DISTINCT pnr, yr FROM (
            SELECT {k.text("PNR")} pnr, {k.year("AFG_AFGOEDTO")} yr FROM {k.scan}
            WHERE ({prefixes}) {non_guilty}
        ) WHERE yr IN ({", ".join(str(y) for y in years)})
    """)


def _year_tables(
    con: duckdb.DuckDBPyConnection, files: dict[str, Path | None], year: int, p: StatsParams
) -> None:
    """Temp tables ``by_kom`` and ``area_facts`` for one data year (31 December ``year``).

    ``by_kom``: one aggregate pass over bef (all residents) joined to ind and the small sets of
    students and convicted persons, per raw KOM and area (NULL outside areas): residents 18+,
    convicted 18+, and the income sum and count of K4's population. It gives the national K2
    share, the regional K4 means and the areas' K2 and K4.
    ``area_facts``: the other statistics, for residents of housing areas only (bef semi-joined
    to ``areas``), joined to their of and udda rows.
    Snapshots have one row per PNR (the build validates it), so they are joined directly.
    """
    b = _Cols(con, files["bef"])
    if files["akm"]:
        a = _Cols(con, files["akm"])
        students = (
            f"SELECT {a.text('PNR')} pnr FROM {a.scan} "
            f"WHERE {a.code_in('SOCIO13', p.student_socio13)}"
        )
    else:
        students = "SELECT NULL::VARCHAR pnr WHERE false"
    con.execute(f"CREATE OR REPLACE TEMP TABLE students AS {students}")
    if files["ind"]:
        i = _Cols(con, files["ind"])
        income = i.double("PERINDKIALT_13")
        ind = (
            f"SELECT {i.text('PNR')} pnr, {income} income FROM {i.scan} WHERE {income} IS NOT NULL"
        )
    else:
        ind = "SELECT NULL::VARCHAR pnr, NULL::DOUBLE income WHERE false"
    # DOMAIN.md §3.1 K4: persons 15-64 with an income row, students left out. K2: 18+.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE by_kom AS
        WITH bef AS (
            SELECT {b.text("PNR")} pnr, {b.int("ALDER")} age, KOM kom, {b.text("ADRESSE_ID")} adr
            FROM {b.scan}
        ), flagged AS (
            SELECT bef.*, ar.area_id,
                coalesce(bef.pnr IN (SELECT pnr FROM conv WHERE yr = {year}), false) AS convicted,
                age BETWEEN 15 AND 64
                    AND NOT coalesce(bef.pnr IN (SELECT pnr FROM students), false) AS k4_age
            FROM bef LEFT JOIN areas ar ON ar.adr = bef.adr
        )
        SELECT f.kom, f.area_id,
            count(*) FILTER (WHERE f.age >= 18) AS n18,
            count(*) FILTER (WHERE f.age >= 18 AND f.convicted) AS conv18,
            sum(i.income) FILTER (WHERE f.k4_age) AS income_sum,
            count(i.income) FILTER (WHERE f.k4_age) AS income_n
        FROM flagged f LEFT JOIN ({ind}) i ON i.pnr = f.pnr
        GROUP BY ALL
    """)
    code_filter = ""
    of = "SELECT NULL::VARCHAR pnr, NULL::DOUBLE fte WHERE false"
    if files["of"]:
        o = _Cols(con, files["of"])
        if p.outside_benefit_codes is not None:
            code_filter = (
                f"AND {o.text('PTI_TILSTAND_KODE')} IN ({_sql_list(p.outside_benefit_codes)})"
            )
        # DOMAIN.md §3.2 K1: full-time persons, the year's share on counted benefits, capped.
        of = (
            f"SELECT {o.text('PNR')} pnr, least(sum({o.double('GRADAAR')}), 1.0) fte "
            f"FROM {o.scan} WHERE {o.text('PNR')} IN (SELECT pnr FROM ap) {code_filter} "
            f"GROUP BY 1"
        )
    unknown = "TRUE" if p.unknown_education_as_basic else "FALSE"
    udda = "SELECT NULL::VARCHAR pnr, NULL::BOOLEAN basic_only WHERE false"
    if files["udda"]:
        u = _Cols(con, files["udda"], alias="u")
        # DOMAIN.md §3.2 K3: unknown education (group 90, unmapped code, no row) counts as basic.
        udda = (
            f"SELECT u.pnr, coalesce(m.basic_only, {unknown}) basic_only FROM ("
            f"SELECT {u.text('PNR')} pnr, {u.code('HFAUDD')} hfaudd FROM {u.scan} u "
            f"WHERE {u.text('PNR')} IN (SELECT pnr FROM ap)) u "
            f"LEFT JOIN code_basic m ON m.hfaudd = u.hfaudd"
        )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ap AS
        SELECT {b.text("PNR")} pnr, {b.int("ALDER")} age, ar.area_id,
               -- DOMAIN.md §4.1-4.2: immigrants and descendants not from a Western country
               -- (unknown or stateless origin counts as non-Western)
               ({b.int("IE_TYPE")} IN (2, 3)
                AND NOT coalesce({b.code("OPR_LAND")} IN (SELECT code FROM code_western), false))
                   AS non_western
        FROM {b.scan} JOIN areas ar ON ar.adr = {b.text("ADRESSE_ID")};
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
    SELECT r.region, sum(k.income_sum) / nullif(sum(k.income_n), 0) AS income_mean
    FROM by_kom k LEFT JOIN code_region r ON r.kom = code3(k.kom) GROUP BY r.region
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
        _load_codes(con, params)
        con.execute(f"""
            CREATE TEMP TABLE areas AS
            SELECT DISTINCT CAST(ADRESSE_ID AS VARCHAR) adr, CAST(area_id AS VARCHAR) area_id
            FROM {_scan(areas_file)};
            CREATE TEMP TABLE area_list AS
            SELECT CAST(area_id AS VARCHAR) area_id, min(CAST(area_name AS VARCHAR)) area_name,
                   min(code3(KOM)) kom
            FROM {_scan(areas_file)} GROUP BY 1;
        """)
        _convictions(con, find_register(root, "kraf"), wanted, params)
        frames = []
        for year in wanted:
            files = find_year_files(root, year)
            _year_tables(con, files, year, params)
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
