"""Read and validate a register delivery (sources/layout.py) into typed DuckDB views.

Files keep Statistics Denmark's names; every problem found is reported with the file, the column
and the first offending rows, and nothing downstream runs until the delivery is clean. Messages
name rows by number, never by PNR or a person's values: those are shown only on request
(``show_values``, for the data owner), as messages leave the research environment in logs.
Implausible values (``_plausibility_checks``) are warnings up to ``PLAUSIBLE_SHARE`` of a
file's rows and problems past it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from barometer.codes import (
    load_countries,
    load_education_main_groups,
    load_municipalities,
    load_socio13,
)
from barometer.errors import InputError
from barometer.sources.layout import FILE_SUFFIXES, REGISTERS, Column, Register

GRADE_SCALE = (-3, 0, 2, 4, 7, 10, 12)  # the 7-point scale (UDFK from 2007)
MAX_PROBLEMS_SHOWN = 5
VALIDATION_THREADS = 2
# Plausibility (docs/registers.md): implausible rows are a warning up to this share of a file's
# rows, and a problem that stops the build past it (a systematic fault: a wrong reference date,
# a date format read wrongly).
PLAUSIBLE_SHARE = 0.001
OLDEST_AGE = 125  # years; ALDER above it is already invalid
FIRST_EVENT_YEAR = 1980  # earliest year of a spell, decision or course (KRAF and OF's sources)


@dataclass(frozen=True)
class RegisterFile:
    register: Register
    year: int | None
    path: Path

    @property
    def view(self) -> str:
        """Name of the typed view in the compute database, e.g. ``bef_2020``, ``udfk``."""
        return f"{self.register.key}_{self.year}" if self.year is not None else self.register.key


@dataclass
class Delivery:
    directory: Path
    files: dict[tuple[str, int | None], RegisterFile] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def years(self, key: str = "bef") -> list[int]:
        return sorted(y for (k, y) in self.files if k == key and y is not None)

    def has(self, key: str, year: int | None = None) -> bool:
        return (key, year) in self.files

    def view(self, key: str, year: int | None = None) -> str:
        return self.files[(key, year)].view


def discover(directory: Path) -> Delivery:
    """Map the files of a delivery folder to registers and years."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError("is not a folder of register files", path=directory)
    patterns = []
    for reg in REGISTERS.values():
        rx = re.escape(reg.pattern).replace(r"\{year\}", r"(?P<year>\d{4})")
        patterns.append((re.compile(rx + "$"), reg))
    delivery = Delivery(directory)
    for path in sorted(directory.iterdir()):
        suffix = path.suffix.lower()
        if not path.is_file() or suffix not in FILE_SUFFIXES:
            continue
        stem = path.name[: -len(suffix)].lower()
        for rx, reg in patterns:
            m = rx.match(stem)
            if m:
                year = int(m.group("year")) if reg.yearly else None
                key = (reg.key, year)
                if key in delivery.files:
                    raise InputError(
                        f"two files for the same register and year: {delivery.files[key].path.name}"
                        f" and {path.name}",
                        path=directory,
                    )
                delivery.files[key] = RegisterFile(reg, year, path)
                break
        else:
            if stem != "manifest":
                delivery.warnings.append(f"{path.name}: not a known register file, ignored")
    if not delivery.years("bef"):
        raise InputError(
            "no population files (bef{YYYY}12.parquet, .csv or .sas7bdat) found", path=directory
        )
    for key, year in sorted(delivery.files, key=lambda k: (k[0], k[1] or 0)):
        if year is not None and key != "bef" and year not in delivery.years("bef"):
            delivery.warnings.append(f"{key}{year}: no bef{year}12 for that year; not used")
    for year in find_missing_years(delivery.years("bef")):
        delivery.warnings.append(
            f"data year {year}: no population file (bef{year}12) in {directory}; "
            "the year is skipped"
        )
    return delivery


def find_missing_years(years: list[int]) -> list[int]:
    """Years between the first and the last that have no file (gaps in a delivery)."""
    return sorted(set(range(min(years), max(years) + 1)) - set(years)) if years else []


def split_at_gaps(years: list[int]) -> list[list[int]]:
    """Consecutive runs of years, e.g. [2018, 2019, 2021] → [[2018, 2019], [2021]]."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return runs


def checksum(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_delivery(
    directory: Path, con: duckdb.DuckDBPyConnection, *, show_values: bool = False
) -> Delivery:
    """Discover, read and validate every file; create one typed view per file in ``con``.

    Raises one InputError listing every problem (file, column, rows) if any file is bad;
    implausible values below the limit are added to ``delivery.warnings``. ``show_values``
    adds the offending values (PNRs, dates, codes) to the messages: for the data owner only.
    """
    delivery = discover(directory)
    _create_code_tables(con)
    latest = max(delivery.years("bef"))
    # Two files at a time, each on its own cursor: part of each check runs on one thread
    # (the sorted-PNR pass, reading the schema), and the other file keeps the second core busy.
    with ThreadPoolExecutor(max_workers=VALIDATION_THREADS) as pool:
        found = list(
            pool.map(
                lambda rf: _check_file(con, rf, latest, show_values),
                list(delivery.files.values()),
            )
        )
    problems = [p for file_problems, _ in found for p in file_problems]
    delivery.warnings += [w for _, file_warnings in found for w in file_warnings]
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise InputError(
            f"the register delivery has {len(problems)} problem(s); nothing was built:\n{listing}",
            path=directory,
        )
    return delivery


def _check_file(
    con: duckdb.DuckDBPyConnection, rf: RegisterFile, latest: int, show_values: bool
) -> tuple[list[str], list[str]]:
    """Read, check and type one file on a cursor of its own: (problems, warnings)."""
    cursor = con.cursor()
    try:
        _create_raw_view(cursor, rf)
        return _validate_and_type(cursor, rf, latest, show_values)
    except InputError as exc:
        return [str(exc)], []
    finally:
        cursor.close()


def _create_code_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Small lookup tables the validation and the compute step join against."""
    import pandas as pd

    countries = pd.DataFrame(
        [(c.code, c.is_western, c.is_menapt) for c in load_countries().values()],
        columns=["code", "is_western", "is_menapt"],
    )
    edu = pd.DataFrame(list(load_education_main_groups().items()), columns=["hfaudd", "main_group"])
    munis = pd.DataFrame(
        [(m.code, m.region_code) for m in load_municipalities().values()],
        columns=["code", "region_code"],
    )
    socio = pd.DataFrame(list(load_socio13().items()), columns=["code", "employed"])
    for name, df in [
        ("code_countries", countries),
        ("code_education", edu),
        ("code_municipalities", munis),
        ("code_socio13", socio),
    ]:
        con.register(f"_{name}_df", df)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _{name}_df")
        con.unregister(f"_{name}_df")


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _create_raw_view(con: duckdb.DuckDBPyConnection, rf: RegisterFile) -> None:
    """``raw_<view>``: the file as read; ``rawrow_<view>``: the same plus ``__row`` (1-based).

    Parquet is read in place (fast, parallel); the numbered view is used only to point at
    problems. CSV and SAS are loaded once into tables that carry ``__row``.
    """
    raw = f"raw_{rf.view}"
    suffix = rf.path.suffix.lower()
    if rf.path.stat().st_size == 0:
        raise InputError("the file is empty", path=rf.path)
    try:
        if suffix == ".parquet":
            src = f"read_parquet({_quote(rf.path)}"
            con.execute(f"CREATE OR REPLACE VIEW {raw} AS SELECT * FROM {src})")
            con.execute(
                f"CREATE OR REPLACE VIEW rawrow_{rf.view} AS SELECT * EXCLUDE (file_row_number), "
                f"file_row_number + 1 AS __row FROM {src}, file_row_number = true)"
            )
        else:
            if suffix == ".csv":
                con.execute(
                    f"CREATE OR REPLACE TABLE rawrow_{rf.view} AS SELECT row_number() OVER () "
                    f"AS __row, * FROM read_csv({_quote(rf.path)}, all_varchar = true, "
                    f"header = true)"
                )
            else:
                import pyreadstat

                df, _meta = pyreadstat.read_sas7bdat(str(rf.path))
                df.insert(0, "__row", range(1, len(df) + 1))
                con.register(f"_{raw}_df", df)
                con.execute(f"CREATE OR REPLACE TABLE rawrow_{rf.view} AS SELECT * FROM _{raw}_df")
                con.unregister(f"_{raw}_df")
            con.execute(f"CREATE OR REPLACE VIEW {raw} AS SELECT * FROM rawrow_{rf.view}")
        # Force a read so a corrupt file fails here, with its name.
        con.execute(f"SELECT count(*) FROM {raw}").fetchone()
    except InputError:
        raise
    except Exception as exc:  # DuckDB/pyreadstat errors: corrupt or unreadable file
        first = str(exc).strip().splitlines()[0][:300]
        raise InputError(f"cannot be read as {suffix[1:]}: {first}", path=rf.path) from None


def _source_types(con: duckdb.DuckDBPyConnection, raw: str) -> dict[str, str]:
    rows = con.execute(f"DESCRIBE {raw}").fetchall()
    return {r[0]: str(r[1]).upper() for r in rows}


_NUMERIC = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
)
_PAD = {"KOM": 3, "OPR_LAND": 4}


_INTS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")


def _is_nested(src_type: str) -> bool:
    """A STRUCT, LIST, MAP, UNION or fixed-size ARRAY column (Parquet can hold them)."""
    return src_type.startswith(("STRUCT", "MAP", "UNION")) or src_type.endswith("]")


def _typed_expr(col: Column, src: str, src_type: str, textual: bool) -> str:
    """SQL that turns a source column into the layout's type (NULL where it cannot).

    A typed file (Parquet, SAS) whose column already has the layout's type is used as it is, so
    the common case costs nothing; text (CSV) is trimmed, parsed and padded.
    """
    q = f'"{src}"'
    numeric = src_type.startswith(_NUMERIC)
    if col.kind == "str":
        if numeric:
            expr = f"CAST(TRY_CAST({q} AS BIGINT) AS VARCHAR)"
        elif not textual and src_type == "VARCHAR":
            return q
        else:
            expr = f"NULLIF(trim(CAST({q} AS VARCHAR)), '')"
        if col.name in _PAD:
            expr = f"lpad({expr}, {_PAD[col.name]}, '0')"
        return expr
    if col.kind == "int":
        if src_type.startswith(_INTS):
            return q if src_type == "INTEGER" else f"CAST({q} AS INTEGER)"
        if numeric:
            return f"CASE WHEN {q} = round({q}) THEN TRY_CAST({q} AS INTEGER) END"
        return (
            f"CASE WHEN TRY_CAST({q} AS DOUBLE) = round(TRY_CAST({q} AS DOUBLE)) "
            f"THEN TRY_CAST(TRY_CAST({q} AS DOUBLE) AS INTEGER) END"
        )
    if col.kind == "float":
        return q if src_type == "DOUBLE" else f"TRY_CAST({q} AS DOUBLE)"
    # date
    if src_type == "DATE":
        return q
    if src_type.startswith("TIMESTAMP"):
        return f"CAST({q} AS DATE)"
    return f"TRY_CAST(NULLIF(trim(CAST({q} AS VARCHAR)), '') AS DATE)"


def _in_list(values) -> str:
    return "(" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + ")"


def _rule_checks(rf: RegisterFile) -> list[tuple[str, str, str]]:
    """(column, SQL condition that is TRUE for a bad typed value, message) per code-set rule."""
    key = rf.register.key
    checks: list[tuple[str, str, str]] = []
    names = {c.name for c in rf.register.columns}
    if "KOM" in names:
        checks.append(
            (
                "KOM",
                "KOM NOT IN (SELECT code FROM code_municipalities)",
                "unknown municipality code (must be one of the 98 municipalities)",
            )
        )
    if key == "bef":
        checks += [
            (
                "OPR_LAND",
                "OPR_LAND NOT IN (SELECT code FROM code_countries)",
                "unknown country code (reference/countries.csv)",
            ),
            ("IE_TYPE", "IE_TYPE NOT IN (1, 2, 3)", "IE_TYPE must be 1, 2 or 3"),
            ("KOEN", "KOEN NOT IN (1, 2)", "KOEN must be 1 (male) or 2 (female)"),
            ("ALDER", "ALDER < 0 OR ALDER > 125", "age outside 0-125"),
            (
                "FOERSTE_INDVANDRING",
                "FOERSTE_INDVANDRING < FOED_DAG",
                "first immigration before the date of birth",
            ),
        ]
    if key == "akm":
        checks.append(
            (
                "SOCIO13",
                f"SOCIO13 NOT IN ({', '.join(map(str, load_socio13()))})",
                "unknown SOCIO13 code",
            )
        )
    if key == "udda":
        checks.append(
            (
                "HFAUDD",
                "HFAUDD NOT IN (SELECT hfaudd FROM code_education)",
                "unknown HFAUDD code (reference/education_main_groups.csv)",
            )
        )
    if key == "of":
        checks += [
            ("GRADAAR", "GRADAAR < 0 OR GRADAAR > 1", "GRADAAR must be a share of the year, 0-1"),
            ("PTI_VTIL", "PTI_VTIL < PTI_VFRA", "spell ends before it starts"),
        ]
    if key == "udfk":
        scale = ", ".join(str(g) for g in GRADE_SCALE)
        checks += [
            (
                "GRUNDSKOLEKARAKTER",
                f"GRUNDSKOLEKARAKTER NOT IN ({scale})",
                "mark not on the 7-point scale (-3, 00, 02, 4, 7, 10, 12)",
            ),
            (
                "SKOLEAAR",
                r"NOT regexp_full_match(SKOLEAAR, '\d{4}/\d{4}')",
                "school year must look like 2020/2021",
            ),
        ]
    if key == "kraf":
        checks.append(
            (
                "AFG_GER7",
                r"NOT regexp_full_match(AFG_GER7, '\d{7}')",
                "offence code must have 7 digits",
            )
        )
    if key == "danskuddannelse":
        checks.append(("BESTAAET", "BESTAAET NOT IN (0, 1)", "BESTAAET must be 0 or 1"))
    if key == "eindk":
        checks += [
            ("MAANED", "MAANED < 1 OR MAANED > 12", "MAANED must be a month, 1-12"),
            ("LOENTIMER", "LOENTIMER < 0", "negative paid hours"),
        ]
    return checks


def _plausibility_checks(rf: RegisterFile, latest: int) -> list[tuple[str, str, str]]:
    """(column, SQL condition TRUE for an implausible typed value, message) per rule.

    Limits (docs/registers.md): a snapshot bef{Y}12 describes 31 December Y, so ALDER is
    Y − birth year, nobody is born after it or more than OLDEST_AGE years before, and nobody
    immigrates after it; a support spell of of{Y} reaches into year Y and starts in it or
    before; spells, decisions and courses fall between FIRST_EVENT_YEAR and the year after the
    newest snapshot (``latest``: a cumulative register may be extracted a little later).
    """

    def day(year: int, month: int = 1, d: int = 1) -> str:
        return f"DATE '{dt.date(year, month, d).isoformat()}'"

    def outside(column: str, first: str, last: str, what: str) -> tuple[str, str, str]:
        low, high = first.split("'")[1], last.split("'")[1]
        return (
            column,
            f"{column} < {first} OR {column} > {last}",
            f"implausible {what}: outside {low} to {high}",
        )

    key, year = rf.register.key, rf.year
    events_end = day(latest + 1, 12, 31)
    if key == "bef" and year is not None:
        return [
            (
                "ALDER",
                f"ALDER <> {year} - year(FOED_DAG)",
                f"implausible age: ALDER is not {year} minus the birth year (age at 31 December)",
            ),
            outside("FOED_DAG", day(year - OLDEST_AGE), day(year, 12, 31), "date of birth"),
            outside(
                "FOERSTE_INDVANDRING",
                day(year - OLDEST_AGE),
                day(year, 12, 31),
                "first immigration date",
            ),
        ]
    if key == "of" and year is not None:
        return [
            outside("PTI_VFRA", day(FIRST_EVENT_YEAR), day(year, 12, 31), "spell start"),
            outside("PTI_VTIL", day(year), day(year + 1, 12, 31), "spell end"),
        ]
    if key == "kraf":
        return [outside("AFG_AFGOEDTO", day(FIRST_EVENT_YEAR), events_end, "decision date")]
    if key == "danskuddannelse":
        return [
            outside("STARTDATO", day(FIRST_EVENT_YEAR), events_end, "course start"),
            outside("PROEVEDATO", day(FIRST_EVENT_YEAR), events_end, "test date"),
        ]
    return []


def _percent(share: float) -> str:
    """0.5 → '50 %', 0.001 → '0.1 %', 0.00012 → '0.012 %'."""
    return f"{100 * share:.0f} %" if share >= 0.01 else f"{100 * share:.2g} %"


def count_duplicate_pnrs(con: duckdb.DuckDBPyConnection, raw: str, pnr: str) -> int:
    """Rows of a snapshot whose PNR is already on an earlier row (0 = one row per person).

    Deliveries are usually sorted by PNR, and a column that strictly increases from row to row
    has no duplicates: that check is one streaming pass (0.3 s for 5.9 million rows here). Only
    if it fails (unsorted file, or a missing PNR) is the exact hash count run (0.9 s).
    """
    unsorted, missing = con.execute(
        f"SELECT count(*) FILTER (WHERE __prev >= __pnr), count(*) FILTER (WHERE __pnr IS NULL) "
        f"FROM (SELECT __pnr, lag(__pnr) OVER () AS __prev FROM (SELECT {pnr} AS __pnr FROM {raw}))"
    ).fetchone()
    if unsorted == 0 and missing == 0:
        return 0
    return con.execute(f"SELECT count({pnr}) - count(DISTINCT {pnr}) FROM {raw}").fetchone()[0]


def _validate_and_type(
    con: duckdb.DuckDBPyConnection, rf: RegisterFile, latest: int, show_values: bool = False
) -> tuple[list[str], list[str]]:
    """Check one file in a single pass; on success create its typed view.

    Returns (problems, warnings). Only when something is found are the offending rows looked
    up (a second, numbered read), so a clean delivery is read once here.
    """
    raw = f"raw_{rf.view}"
    src_types = _source_types(con, raw)
    by_upper = {name.upper(): name for name in src_types if name != "__row"}
    missing = [c.name for c in rf.register.columns if c.name.upper() not in by_upper]
    if missing:
        return [f"{rf.path}: missing column(s) {', '.join(missing)}"], []
    nested = [
        f"{c.name} ({src_types[by_upper[c.name.upper()]]})"
        for c in rf.register.columns
        if _is_nested(src_types[by_upper[c.name.upper()]])
    ]
    if nested:
        return [
            f"{rf.path}: column(s) {', '.join(nested)}: a nested type (struct, list or map); "
            "give each column as plain text, a number or a date"
        ], []
    textual = rf.path.suffix.lower() == ".csv"
    typed = {
        c.name: _typed_expr(
            c, by_upper[c.name.upper()], src_types[by_upper[c.name.upper()]], textual
        )
        for c in rf.register.columns
    }
    select = ", ".join(f'{expr} AS "{name}"' for name, expr in typed.items())
    # Each source value (as __src_NAME) beside its typed value (as NAME).
    raw_cols = ", ".join(f'"{src}" AS "__src_{up}"' for up, src in by_upper.items())
    conds: list[tuple[str, str, str]] = []
    for c in rf.register.columns:
        src = f'"__src_{c.name.upper()}"'
        if typed[c.name] != f'"{by_upper[c.name.upper()]}"':
            conds.append(
                (
                    c.name,
                    f'{src} IS NOT NULL AND "{c.name}" IS NULL',
                    f"value cannot be read as {c.kind}",
                )
            )
        if not c.nullable:
            conds.append((c.name, f"{src} IS NULL", "missing value"))
    conds += [(col, f"coalesce({cond}, false)", msg) for col, cond, msg in _rule_checks(rf)]
    plausible = [
        (col, f"coalesce({cond}, false)", msg)
        for col, cond, msg in _plausibility_checks(rf, latest)
    ]

    aggs = ["count(*)"] + [f"count(*) FILTER (WHERE {cond})" for _, cond, _m in conds + plausible]
    counts = con.execute(
        f"SELECT {', '.join(aggs)} FROM (SELECT {raw_cols}, {select} FROM {raw})"
    ).fetchone()
    total = counts[0]
    if total == 0:
        return [f"{rf.path}: the file has a header but no rows"], []
    duplicates = count_duplicate_pnrs(con, raw, typed["PNR"]) if rf.register.unique_pnr else 0
    problems: list[str] = []
    warnings: list[str] = []
    numbered = f"(SELECT __row, {raw_cols}, {select} FROM rawrow_{rf.view})"

    def describe(col: str, cond: str, msg: str, count: int) -> str:
        rows = con.execute(
            f'SELECT __row, "__src_{col.upper()}" FROM {numbered} WHERE {cond} '
            f"ORDER BY __row LIMIT {MAX_PROBLEMS_SHOWN}"
        ).fetchall()
        if show_values:
            msg += f" (values: {', '.join(repr(v) for _r, v in rows)})"
        return str(
            InputError(msg, path=rf.path, column=col, rows=[int(r) for r, _v in rows], count=count)
        )

    for (col, cond, msg), count in zip(conds, counts[1 : 1 + len(conds)], strict=True):
        if count:
            problems.append(describe(col, cond, msg, count))
    for (col, cond, msg), count in zip(plausible, counts[1 + len(conds) :], strict=True):
        if not count:
            continue
        share = f"{count:,} of {total:,} rows ({_percent(count / total)})"
        limit = _percent(PLAUSIBLE_SHARE)
        if count > PLAUSIBLE_SHARE * total:
            problems.append(describe(col, cond, f"{msg}; {share}, more than {limit}", count))
        else:
            warnings.append(describe(col, cond, f"{msg}; {share}, kept (limit {limit})", count))
    if duplicates:
        dup = con.execute(
            f"SELECT PNR, list(__row ORDER BY __row) AS rows FROM {numbered} "
            f"WHERE PNR IS NOT NULL GROUP BY PNR HAVING count(*) > 1 "
            f"ORDER BY min(__row) LIMIT {MAX_PROBLEMS_SHOWN}"
        ).fetchall()
        shown = "; ".join(
            ", ".join(map(str, r)) + (f" ({p!r})" if show_values else "") for p, r in dup
        )
        problems.append(
            str(
                InputError(
                    f"{duplicates} duplicate PNR in a snapshot (rows sharing a PNR: {shown})",
                    path=rf.path,
                    column="PNR",
                )
            )
        )
    if not problems:
        con.execute(f"CREATE OR REPLACE VIEW {rf.view} AS SELECT {select} FROM {raw}")
    return problems, warnings
