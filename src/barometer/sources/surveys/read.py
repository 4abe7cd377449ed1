"""Read a respondent-level file: CSV, Excel, SPSS (.sav) or Stata (.dta).

Why pyreadstat for SPSS and Stata: municipalities' survey vendors deliver .sav files with
value labels; we read the codes (not the labels), so the spec's codes match whatever
language the labels are in.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from barometer.errors import InputError

READERS = {".csv": "csv", ".txt": "csv", ".xlsx": "excel", ".xls": "excel", ".sav": "spss"}
READERS[".zsav"] = "spss"
READERS[".dta"] = "stata"


def read_respondents(path: Path) -> pd.DataFrame:
    """All columns as they are stored (numbers stay numbers); header names stripped."""
    path = Path(path)
    if not path.is_file():
        raise InputError("survey file not found", path=path)
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"unsupported survey file type {path.suffix!r} (use {', '.join(sorted(READERS))})",
            path=path,
        )
    try:
        if kind == "csv":
            df = pd.read_csv(path, sep=None, engine="python", encoding="utf-8-sig")
        elif kind == "excel":
            df = pd.read_excel(path)
        else:
            import pyreadstat

            reader = pyreadstat.read_sav if kind == "spss" else pyreadstat.read_dta
            df, _meta = reader(str(path), apply_value_formats=False)
    except InputError:
        raise
    except Exception as exc:  # every reader has its own exception types
        raise InputError(f"cannot be read as a {kind} file: {exc}", path=path) from None
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise InputError("the survey file has no respondents", path=path)
    return df
