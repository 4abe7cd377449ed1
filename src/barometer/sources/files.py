"""Ready-made figures from a municipality's own files (``barometer import``), as an input.

A CSV or Excel file with area, year, group and numerator/denominator or value for one catalogue
indicator, validated against the catalogue and the code lists. The figures become an input of
the store under the source ``file:<name>``; the pipeline protects them like every other input
(counts below the threshold are suppressed) and keeps them through later rebuilds.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from barometer.catalogue.models import Indicator
from barometer.codes import ORIGIN_GROUPS, SEXES, area_codes
from barometer.errors import InputError
from barometer.inputs import Input, checksum_file

OK = "ok"


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


def read_table(path: Path) -> pd.DataFrame:
    """CSV (comma or semicolon, UTF-8 with or without BOM) or Excel, everything as text."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", path=path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt") and not path.read_bytes().lstrip(b"\xef\xbb\xbf").strip():
        raise InputError("the file is empty (no header, no rows)", path=path)
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            df = pd.read_excel(path, dtype=str)
        elif suffix in (".csv", ".txt"):
            df = pd.read_csv(path, dtype=str, sep=None, engine="python", encoding="utf-8-sig")
        else:
            raise InputError(f"unsupported file type {suffix!r} (use .csv or .xlsx)", path=path)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, csv.Error) as exc:
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


def figures_input(
    file: Path,
    indicator_id: str,
    catalogue: dict[str, Indicator],
    *,
    name: str | None = None,
) -> Input:
    """Ready-made figures for one catalogue indicator as an input (``barometer import``).

    Why the catalogue: a figure is only comparable with the register figure of the same id if
    it means the same thing, so the indicator must exist and its unit decides which columns
    are needed. The source is ``file:<name>`` (default: the file's stem).
    """
    file = Path(file)
    if indicator_id not in catalogue:
        raise InputError(
            f"unknown indicator {indicator_id!r}; the catalogue has: {', '.join(catalogue)}",
            path=file,
        )
    ind = catalogue[indicator_id]
    obs = parse_figures(file, ind.unit)
    obs.insert(0, "indicator_id", indicator_id)
    name = name or file.stem
    if not name or any(c in name for c in " :/"):
        raise InputError(f"the source name {name!r} must be a word without spaces, ':' or '/'")
    return Input(
        source=f"file:{name}",
        kind="file",
        location=str(file.resolve()),
        sha256=checksum_file(file),
        bytes=file.stat().st_size,
        cells=obs,
        details={"indicator_id": indicator_id, "unit": ind.unit, "file_name": file.name},
    )
