"""Read and validate area statistics; write classification results.

Area statistics are what a municipality receives from the ministry, or what ``stats.py``
computes from register microdata: one row per housing area and data year. Errors name the file,
the column and the 1-based data rows (header not counted), so an analyst can fix the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from barometer.codes import load_municipalities
from barometer.errors import InputError

# Column -> meaning (docs/housing.md repeats these). Shares are fractions 0-1.
AREA_STATS_COLUMNS: dict[str, str] = {
    "area_id": "housing area key (text), as in boligomraader.area_id",
    "area_name": "area name",
    "municipality_code": "3-digit municipality code of the area (e.g. '101')",
    "data_year": "calendar year the statistics describe; stocks are at 31 December of it",
    "residents": "persons living in the area on 31 December of data_year (= 1 January of the "
    "next year), scaled up to the full population",
    "non_western_share": "immigrants and descendants of non-Western origin / residents",
    "outside_labour_share_18_64": "full-time equivalents outside the labour market and "
    "education during data_year / residents aged 18-64",
    "convicted_share_18plus": "residents aged 18+ convicted in data_year (criminal code, "
    "weapons or drugs act) / residents aged 18+",
    "national_convicted_share_18plus": "the same share for all of Denmark",
    "basic_education_only_share_30_59": "residents aged 30-59 with basic schooling only "
    "(unknown education counted as basic) / residents aged 30-59",
    "income_ratio_to_region": "mean gross income of residents aged 15-64 excluding students / "
    "the same mean in the area's region",
}
SHARE_COLUMNS = (
    "non_western_share",
    "outside_labour_share_18_64",
    "convicted_share_18plus",
    "national_convicted_share_18plus",
    "basic_education_only_share_30_59",
)
NUMERIC_COLUMNS = ("residents", *SHARE_COLUMNS, "income_ratio_to_region")
TEXT_COLUMNS = ("area_id", "area_name", "municipality_code")


def read_area_stats(path: str | Path) -> pd.DataFrame:
    """Read area statistics from CSV or Parquet and validate them (see validate_area_stats)."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.suffix.lower() == ".parquet":
        df = pd.read_parquet(path)
    elif path.suffix.lower() == ".csv":
        df = pd.read_csv(path, dtype=dict.fromkeys(TEXT_COLUMNS, str), keep_default_na=True)
    else:
        raise InputError("area statistics must be .csv or .parquet", path=path)
    return validate_area_stats(df, source=path)


def _bad_rows(mask: pd.Series) -> tuple[list[int], int]:
    """1-based data-row numbers where mask holds (the first ten) and their count."""
    positions = np.flatnonzero(mask.to_numpy())
    return [int(p) + 1 for p in positions[:10]], len(positions)


def _fail(message: str, source: str | Path | None, column: str, mask: pd.Series) -> None:
    rows, count = _bad_rows(mask)
    raise InputError(message, path=source, column=column, rows=rows, count=count)


def validate_area_stats(df: pd.DataFrame, source: str | Path | None = None) -> pd.DataFrame:
    """Check and normalise area statistics; return a clean copy with canonical dtypes.

    Rejects a missing column, non-numeric or negative values, shares outside 0-1, missing
    residents, an unknown municipality code and duplicate area-years. Criterion values may be
    empty: that criterion then counts as not met, as the law counts only met criteria.
    """
    missing = [c for c in AREA_STATS_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; expected {', '.join(AREA_STATS_COLUMNS)}",
            path=source,
            column=missing[0],
        )
    out = df.reset_index(drop=True)[list(AREA_STATS_COLUMNS)].copy()
    for col in TEXT_COLUMNS:
        blank = out[col].isna() | (out[col].astype(str).str.strip() == "")
        if col != "area_name" and blank.any():
            _fail("empty value", source, col, blank)
        out[col] = out[col].where(~blank, "").astype(str).str.strip()
    out["municipality_code"] = out["municipality_code"].str.replace(r"\.0$", "", regex=True)
    out["municipality_code"] = out["municipality_code"].str.zfill(3)
    unknown = ~out["municipality_code"].isin(load_municipalities())
    if unknown.any():
        first = out.loc[unknown, "municipality_code"].iloc[0]
        _fail(f"unknown municipality code {first!r}", source, "municipality_code", unknown)

    year = pd.to_numeric(out["data_year"], errors="coerce")
    bad_year = year.isna() | (year != year.round())
    if bad_year.any():
        _fail("data_year must be a whole year", source, "data_year", bad_year)
    out["data_year"] = year.astype(int)

    for col in NUMERIC_COLUMNS:
        values = pd.to_numeric(out[col], errors="coerce")
        not_numeric = values.isna() & out[col].notna() & (out[col].astype(str).str.strip() != "")
        if not_numeric.any():
            _fail("not a number", source, col, not_numeric)
        if values.isin([np.inf, -np.inf]).any():
            _fail("infinite value", source, col, values.isin([np.inf, -np.inf]))
        out[col] = values.astype(float)
    if out["residents"].isna().any():
        _fail("residents is required", source, "residents", out["residents"].isna())
    for col in NUMERIC_COLUMNS:
        if (out[col] < 0).any():
            _fail("negative value", source, col, out[col] < 0)
    for col in SHARE_COLUMNS:
        above = out[col] > 1
        if above.any():
            _fail("share above 1 (shares are fractions 0-1, not percent)", source, col, above)

    dup = out.duplicated(["area_id", "data_year"], keep=False)
    if dup.any():
        first = out.loc[dup].iloc[0]
        _fail(
            f"duplicate area-year (area {first['area_id']}, data year {first['data_year']})",
            source,
            "area_id",
            dup,
        )
    return out


def format_booleans(df: pd.DataFrame) -> pd.DataFrame:
    """Booleans as 'true'/'false' and nulls as empty, the project's CSV convention."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]) or str(out[col].dtype) == "boolean":
            out[col] = out[col].map(lambda v: "" if v is pd.NA else ("true" if v else "false"))
    return out


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a classification, criteria or statistics table as CSV or Parquet (by suffix)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".parquet":
        df.to_parquet(path, index=False)
    else:
        format_booleans(df).to_csv(path, index=False)
    return path
