"""Ready-made figures from a municipality's own files, and the shared way imports reach a store.

Two things live here because every non-register source ends the same way:

* ``add_observations``: merge observations from one source into a store (new or existing)
  together with a provenance row in ``imports`` — used by the StatBank fetch, the survey
  import and ``import_file``. It runs inside ``update_store``/``atomic_store``, so a failure
  leaves the store as it was.
* ``import_file``: a CSV or Excel file with area, year, group, numerator, denominator or value
  for one catalogue indicator, validated against the catalogue and the code lists.

Coexistence (docs/sources.md): the observations key is (indicator_id, area_code, year,
origin_group, sex), so one cell has one source. An import replaces cells it wrote before
(same source) and refuses to overwrite cells of another source unless ``replace=True``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from barometer import __version__
from barometer.codes import ORIGIN_GROUPS, SEXES, area_codes
from barometer.errors import InputError
from barometer.store import schema
from barometer.store.writer import Run, atomic_store, new_run_id, update_store, write_run

# Provenance of every non-register import (one row per import). Give this DDL to store/.
IMPORTS_DDL = """
CREATE TABLE IF NOT EXISTS imports (
    import_id     VARCHAR PRIMARY KEY,
    imported_at   TIMESTAMP NOT NULL,
    code_version  VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,   -- 'statbank', 'survey', 'file'
    source        VARCHAR NOT NULL,   -- as in observations.source: 'statbank:FOLK1E', …
    indicator_ids JSON NOT NULL,      -- indicators written by this import
    observations  BIGINT NOT NULL,    -- observation rows written
    location      VARCHAR NOT NULL,   -- StatBank data URL or the input file's path
    request       JSON,               -- StatBank: tableinfo and data requests (method, url, body)
    sha256        VARCHAR NOT NULL,   -- of the StatBank data answer or of the input file
    bytes         BIGINT NOT NULL,
    synthetic     BOOLEAN NOT NULL,   -- true for the generated demo surveys
    details       JSON                -- table 'updated', spec, parameters, notes
)
"""

OK = "ok"
SUPPRESSED = "suppressed_primary"


@dataclass
class ImportRecord:
    """One row of ``imports``; ``import_id`` and time are filled in when written."""

    kind: str
    source: str
    location: str
    sha256: str
    bytes: int
    request: dict | None = None
    synthetic: bool = False
    details: dict = field(default_factory=dict)
    import_id: str = field(default_factory=new_run_id)


@dataclass
class ExtraTable:
    """Detail rows written beside the observations (e.g. survey_cells), keyed like them."""

    name: str
    ddl: str
    frame: pd.DataFrame


def checksum_file(path: Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@contextlib.contextmanager
def _open_store(store: Path, kind: str, synthetic: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """An existing store through ``update_store``; a missing one is created with a run row."""
    store = Path(store)
    if store.is_file():
        with update_store(store) as con:
            yield con
        return
    with atomic_store(store) as con:
        con.execute(schema.OBSERVATIONS_DDL)
        con.execute(schema.DEFINITIONS_DDL)
        now = datetime.now()
        write_run(
            con,
            Run(new_run_id(), now, now, __version__, "none", kind, synthetic, 1.0, {"kind": kind}),
        )
        yield con


@dataclass
class Batch:
    """One source's contribution to a store: observations, provenance and side tables."""

    observations: pd.DataFrame
    record: ImportRecord
    definitions: dict[str, dict] = field(default_factory=dict)
    extra: list[ExtraTable] = field(default_factory=list)


def add_observations(
    store: Path,
    observations: pd.DataFrame,
    record: ImportRecord,
    *,
    definitions: dict[str, dict] | None = None,
    extra: list[ExtraTable] | None = None,
    replace: bool = False,
) -> int:
    """Merge one source's observations into ``store`` atomically; return rows written."""
    batch = Batch(observations, record, definitions or {}, extra or [])
    return merge_batches(store, [batch], replace=replace)


def merge_batches(store: Path, batches: list[Batch], *, replace: bool = False) -> int:
    """Merge several sources' observations into ``store`` in one swap; return rows written.

    Why a merge and not a rebuild: StatBank, survey and file figures sit beside register
    figures in the same store. Cells a source wrote before are replaced; cells of another
    source are an error unless ``replace`` (the error says how many and from where). All
    batches go in together or not at all.
    """
    if not batches:
        return 0
    first = batches[0].record
    written = 0
    with _open_store(store, first.kind, first.synthetic) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        for name, ddl in (
            ("observations", schema.OBSERVATIONS_DDL),
            ("definitions", schema.DEFINITIONS_DDL),
        ):
            if name not in tables:
                con.execute(ddl)
        con.execute(IMPORTS_DDL)
        for batch in batches:
            written += _merge_batch(con, store, batch, replace)
    return written


def _merge_batch(con: duckdb.DuckDBPyConnection, store: Path, batch: Batch, replace: bool) -> int:
    record = batch.record
    obs = batch.observations.copy()
    obs["source"] = record.source
    # The store's own columns, so stores written before or after a schema change both work:
    # a column we do not fill (e.g. ci_low) is null, one the store lacks is dropped.
    cols = [r[0] for r in con.execute("DESCRIBE observations").fetchall()]
    for c in cols:
        if c not in obs:
            obs[c] = None
    obs = obs[cols]
    keys = ["indicator_id", "area_code", "year", "origin_group", "sex"]
    con.register("_new", obs)
    on = " AND ".join(f"o.{k} = n.{k}" for k in keys)
    clash = con.execute(
        f"SELECT o.source, count(*) FROM observations o JOIN _new n ON {on} "
        "WHERE o.source <> n.source GROUP BY o.source ORDER BY o.source"
    ).fetchall()
    if clash and not replace:
        what = ", ".join(f"{n} from {s}" for s, n in clash)
        raise InputError(
            f"{sum(n for _, n in clash)} of the cells from {record.source} are already in the "
            f"store ({what}); nothing was imported. Import under another indicator id, or "
            "replace them explicitly (replace=True / --replace)",
            path=store,
        )
    con.execute(f"DELETE FROM observations o WHERE EXISTS (SELECT 1 FROM _new n WHERE {on})")
    con.execute(f"INSERT INTO observations ({', '.join(cols)}) SELECT * FROM _new")
    con.unregister("_new")
    for ind_id, spec in batch.definitions.items():
        text = json.dumps(spec, sort_keys=True, ensure_ascii=False)
        con.execute(
            "INSERT OR REPLACE INTO definitions VALUES (?, ?, ?)",
            [ind_id, text, hashlib.sha256(text.encode()).hexdigest()],
        )
    for table in batch.extra:
        _merge_extra(con, table, keys)
    con.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            record.import_id,
            datetime.now(),
            __version__,
            record.kind,
            record.source,
            json.dumps(sorted(obs["indicator_id"].unique().tolist())),
            len(obs),
            record.location,
            json.dumps(record.request, ensure_ascii=False) if record.request else None,
            record.sha256,
            record.bytes,
            record.synthetic,
            json.dumps(record.details, sort_keys=True, ensure_ascii=False, default=str),
        ],
    )
    return len(obs)


def _merge_extra(con: duckdb.DuckDBPyConnection, table: ExtraTable, keys: list[str]) -> None:
    con.execute(table.ddl)
    cols = [r[0] for r in con.execute(f"DESCRIBE {table.name}").fetchall()]
    con.register("_extra", table.frame[cols])
    on = " AND ".join(f"t.{k} = e.{k}" for k in keys)
    con.execute(f"DELETE FROM {table.name} t WHERE EXISTS (SELECT 1 FROM _extra e WHERE {on})")
    con.execute(f"INSERT INTO {table.name} SELECT * FROM _extra")
    con.unregister("_extra")


# -- import_file ------------------------------------------------------------------------

# Accepted column names (lower case) for each field; the first found is used.
COLUMN_ALIASES = {
    "area_code": ("area_code", "area", "kommune", "omraade", "område"),
    "year": ("year", "aar", "år"),
    "origin_group": ("origin_group", "group", "herkomst"),
    "sex": ("sex", "koen", "køn"),
    "numerator": ("numerator", "taeller", "tæller"),
    "denominator": ("denominator", "naevner", "nævner"),
    "value": ("value", "vaerdi", "værdi"),
}
VALUE_TOLERANCE = 0.05  # a given value may differ from 100·num/den by rounding to 0.1


@dataclass
class FileImportResult:
    store: Path
    indicator_id: str
    source: str
    observations: int
    sha256: str


def read_table(path: Path) -> pd.DataFrame:
    """CSV (comma or semicolon, UTF-8 with or without BOM) or Excel, everything as text."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", path=path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            df = pd.read_excel(path, dtype=str)
        elif suffix in (".csv", ".txt"):
            df = pd.read_csv(path, dtype=str, sep=None, engine="python", encoding="utf-8-sig")
        else:
            raise InputError(f"unsupported file type {suffix!r} (use .csv or .xlsx)", path=path)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"cannot be read as a table: {exc}", path=path) from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    return df


def _pick(df: pd.DataFrame, name: str) -> str | None:
    return next((c for c in COLUMN_ALIASES[name] if c in df.columns), None)


def _numbers(df: pd.DataFrame, col: str | None, path: Path) -> pd.Series:
    if col is None:
        return pd.Series(np.nan, index=df.index)
    text = df[col].fillna("").astype(str).str.strip().str.replace(",", ".", regex=False)
    out = pd.to_numeric(text.replace("", np.nan), errors="coerce")
    bad = out.isna() & (text != "")
    if bad.any():
        rows = (np.flatnonzero(bad) + 1).tolist()
        raise InputError("not a number", path=path, column=col, rows=rows, count=len(rows))
    return out.astype(float)


def _check_codes(series: pd.Series, allowed: set[str], path: Path, column: str, what: str) -> None:
    bad = ~series.isin(allowed)
    if bad.any():
        rows = (np.flatnonzero(bad) + 1).tolist()
        examples = ", ".join(repr(v) for v in series[bad].unique()[:5])
        raise InputError(
            f"unknown {what}: {examples}", path=path, column=column, rows=rows, count=len(rows)
        )


def parse_figures(path: Path, unit: str) -> pd.DataFrame:
    """Validate a figures file and return observation rows (without indicator and source)."""
    path = Path(path)
    df = read_table(path)
    if df.empty:
        raise InputError("the file has no data rows", path=path)
    cols = {k: _pick(df, k) for k in COLUMN_ALIASES}
    for need in ("area_code", "year"):
        if cols[need] is None:
            raise InputError(
                f"missing column {need!r} (accepted names: {', '.join(COLUMN_ALIASES[need])})",
                path=path,
            )
    out = pd.DataFrame(index=df.index)
    area = df[cols["area_code"]].fillna("").astype(str).str.strip()
    out["area_code"] = area.where(~area.str.fullmatch(r"\d{1,3}"), area.str.zfill(3))
    _check_codes(out["area_code"], set(area_codes()), path, cols["area_code"], "area codes")
    years = _numbers(df, cols["year"], path)
    bad = years.isna() | (years % 1 != 0) | (years < 1900) | (years > 2100)
    if bad.any():
        rows = (np.flatnonzero(bad) + 1).tolist()
        raise InputError("year must be a whole year", path=path, column=cols["year"], rows=rows)
    out["year"] = years.astype(int)
    for name, allowed, what in (
        ("origin_group", ORIGIN_GROUPS, "origin groups"),
        ("sex", SEXES, "sex codes"),
    ):
        col = cols[name]
        out[name] = df[col].fillna("all").astype(str).str.strip() if col else "all"
        if col:
            _check_codes(out[name], set(allowed), path, col, f"{what} (allowed: {allowed})")
    num = _numbers(df, cols["numerator"], path)
    den = _numbers(df, cols["denominator"], path)
    val = _numbers(df, cols["value"], path)
    out["unit"] = unit
    out["status"] = OK
    out["reason"] = None
    _fill_values(out, num, den, val, unit, path, cols)
    dup = out.duplicated(["area_code", "year", "origin_group", "sex"], keep=False)
    if dup.any():
        rows = (np.flatnonzero(dup) + 1).tolist()
        raise InputError("the same area, year, group and sex occur twice", path=path, rows=rows)
    return out.reset_index(drop=True)


def _fill_values(
    out: pd.DataFrame,
    num: pd.Series,
    den: pd.Series,
    val: pd.Series,
    unit: str,
    path: Path,
    cols: dict[str, str | None],
) -> None:
    """Set value, numerator and denominator as the register build does for each unit."""

    def fail(mask: pd.Series, message: str, column: str | None = None) -> None:
        if mask.any():
            rows = (np.flatnonzero(mask) + 1).tolist()
            raise InputError(message, path=path, column=column, rows=rows, count=len(rows))

    fail((num < 0) | (den < 0), "numerator and denominator cannot be negative")
    if unit == "pct":
        have_ratio = num.notna() & den.notna()
        fail(~have_ratio & val.isna(), "give value or both numerator and denominator")
        fail(have_ratio & (den <= 0), "denominator must be above 0", cols["denominator"])
        fail(have_ratio & (num > den), "numerator is above the denominator", cols["numerator"])
        computed = 100 * num / den.where(den > 0)
        fail(
            have_ratio & val.notna() & ((computed - val).abs() > VALUE_TOLERANCE),
            f"value differs from 100 × numerator ÷ denominator by more than {VALUE_TOLERANCE}",
            cols["value"],
        )
        fail(val.notna() & ((val < 0) | (val > 100)), "a share must be 0-100", cols["value"])
        out["value"] = computed.where(have_ratio, val)
        out["numerator"] = num.where(have_ratio)
        out["denominator"] = den.where(have_ratio)
    elif unit == "count":
        count = val.where(val.notna(), num)
        fail(count.isna(), "give value (or numerator) for a count")
        fail(count < 0, "a count cannot be negative", cols["value"])
        fail(num.notna() & val.notna() & (num != val), "numerator and value disagree")
        out["value"] = count
        out["numerator"] = count
        out["denominator"] = count
    else:  # 'pp': a difference between two shares, given as is
        fail(val.isna(), "give value (percentage points) for a gap indicator", cols["value"])
        out["value"] = val
        out["numerator"] = np.nan
        out["denominator"] = np.nan


def import_file(
    file: Path,
    indicator_id: str,
    store: Path,
    *,
    catalogue_dir: Path | None = None,
    name: str | None = None,
    replace: bool = False,
) -> FileImportResult:
    """Import ready-made figures for one catalogue indicator (``barometer import``).

    Why the catalogue: a figure is only comparable with the register figure of the same id if
    it means the same thing, so the indicator must exist and the unit decides which columns
    are needed. The source is ``file:<name>`` (default: the file's stem); the file's sha256
    goes to ``imports``.
    """
    from barometer.catalogue import load_catalogue

    file = Path(file)
    catalogue = load_catalogue(catalogue_dir)
    if indicator_id not in catalogue:
        raise InputError(
            f"unknown indicator {indicator_id!r}; the catalogue has: {', '.join(catalogue)}",
            path=file,
        )
    ind = catalogue[indicator_id]
    obs = parse_figures(file, ind.unit)
    obs.insert(0, "indicator_id", indicator_id)
    source = f"file:{name or file.stem}"
    digest = checksum_file(file)
    record = ImportRecord(
        kind="file",
        source=source,
        location=str(file.resolve()),
        sha256=digest,
        bytes=file.stat().st_size,
        details={"indicator_id": indicator_id, "unit": ind.unit, "file_name": file.name},
    )
    n = add_observations(store, obs, record, replace=replace)
    return FileImportResult(Path(store), indicator_id, source, n, digest)
