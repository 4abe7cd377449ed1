"""Every export of observations: CSV, Parquet, Excel and JSON-stat 2.0, with the run's metadata.

One module for the command line (``barometer export``) and the dashboard's downloads, so a cell
reads the same wherever it is taken from. CSV is plain (one header row, dot decimals, the
store's columns in export order); the synthetic-data notice travels in a sidecar
``<file>.meta.json`` (CSV files), in file metadata (Parquet), on an 'about' sheet (Excel) and
in ``note``/``extension`` (JSON-stat). Suppressed cells are empty, never zero. Text that a
spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is
written with a leading apostrophe.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from barometer.errors import InputError
from barometer.store.read import RunInfo, read_observations, read_run

FORMATS = ("csv", "parquet", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonstat": "application/json",
    "parquet": "application/vnd.apache.parquet",
}
OBS_DIMENSIONS = ("indicator_id", "area_code", "year", "origin_group", "sex")
SYNTHETIC_NOTICE = (
    "SYNTHETIC DATA: these figures come from a generated, synthetic Denmark, not from real "
    "registers. They show how the system works and describe no real person or municipality."
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list for CSV injection


def describe_run(run: RunInfo) -> dict:
    """The run metadata every export and page carries."""
    settings = run.settings
    return {
        "synthetic": run.synthetic,
        "notice": SYNTHETIC_NOTICE if run.synthetic else None,
        "scale": run.scale,
        "run_id": run.run_id,
        "built_at": run.finished_at,
        "code_version": run.code_version,
        "sources": run.source_kind,
        "disclosure_threshold": settings.disclosure_threshold,
        "confidence": settings.confidence,
    }


def _neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would evaluate get a leading apostrophe.

    Every column that is not a number, a truth value or a date is checked, categorical ones
    too (the dashboard's frames hold units and sources as categories)."""
    out = frame
    for col in frame.columns:
        dtype = frame[col].dtype
        if (
            pd.api.types.is_numeric_dtype(dtype)
            or pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_datetime64_any_dtype(dtype)
        ):
            continue
        text = frame[col]
        risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_START))
        risky = risky.astype(bool).to_numpy()
        if risky.any():
            if out is frame:
                out = frame.copy()
            column = text.astype(object).to_numpy(copy=True)
            column[risky] = ["'" + v for v in column[risky]]
            out[col] = column
    return out


def write_csv(frame: pd.DataFrame) -> str:
    return _neutralise(frame).to_csv(index=False, lineterminator="\n")


def to_csv(frame: pd.DataFrame) -> bytes:
    return write_csv(frame).encode("utf-8")


def iter_csv(frame: pd.DataFrame, rows: int = 20_000) -> Iterator[bytes]:
    """The bytes of ``to_csv(frame)`` in parts of ``rows`` rows, for streaming a download."""
    for start in range(0, max(len(frame), 1), rows):
        part = _neutralise(frame.iloc[start : start + rows])
        yield part.to_csv(index=False, header=start == 0, lineterminator="\n").encode("utf-8")


def to_xlsx(frame: pd.DataFrame, meta: dict) -> bytes:
    buf = io.BytesIO()
    about = pd.DataFrame({"field": list(meta), "value": [str(v) for v in meta.values()]})
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        _neutralise(frame).to_excel(xw, sheet_name="observations", index=False)
        about.to_excel(xw, sheet_name="about", index=False)
    return buf.getvalue()


def to_parquet(frame: pd.DataFrame, meta: dict) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    md = dict(table.schema.metadata or {})
    md[b"barometer"] = json.dumps(meta, ensure_ascii=False).encode()
    buf = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(md), buf)
    return buf.getvalue()


def _clean(v: object) -> object:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def _sort_key(v: str) -> tuple:
    try:
        return (0, float(v), v)
    except ValueError:
        return (1, 0.0, v)


def to_jsonstat(
    frame: pd.DataFrame, meta: dict, *, label: str, labels: dict[str, dict[str, str]] | None = None
) -> dict:
    """A JSON-stat 2.0 dataset (sparse ``value`` object, row-major index).

    Observations are indexed by indicator, area, year, origin group, sex and (when present)
    source; other tables by their text columns, with one measure per numeric column.
    """
    labels = labels or {}
    if set(OBS_DIMENSIONS) <= set(frame.columns) and "value" in frame:
        dims = [*OBS_DIMENSIONS, *(["source"] if "source" in frame else [])]
        long = frame[[*dims, "value", *(["status"] if "status" in frame else [])]].copy()
    else:
        numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
        numeric = [c for c in numeric if not pd.api.types.is_bool_dtype(frame[c])]
        dims = [c for c in frame.columns if c not in numeric]
        if not numeric:
            frame = frame.assign(rows=1)
            numeric = ["rows"]
        long = frame.melt(id_vars=dims, value_vars=numeric, var_name="measure", value_name="value")
        dims = [*dims, "measure"]
    long = long.copy()
    for d in dims:
        long[d] = long[d].map(lambda v: "" if _clean(v) is None else str(_clean(v)))
    categories = {d: sorted(long[d].unique(), key=_sort_key) for d in dims}
    positions = {d: {c: i for i, c in enumerate(cats)} for d, cats in categories.items()}
    sizes = [len(categories[d]) for d in dims]
    strides = [1] * len(dims)
    for i in range(len(dims) - 2, -1, -1):
        strides[i] = strides[i + 1] * sizes[i + 1]
    value: dict[str, object] = {}
    status: dict[str, str] = {}
    index_cols = [long[d].map(positions[d]).to_numpy() for d in dims]
    flat = sum(col * stride for col, stride in zip(index_cols, strides, strict=True))
    vals = long["value"].to_numpy()
    stats = long["status"].to_numpy() if "status" in long else None
    for i, pos in enumerate(flat):
        key = str(int(pos))
        value[key] = _clean(vals[i])
        if stats is not None and str(stats[i]).startswith("suppressed"):
            status[key] = "suppressed"
    dimension = {}
    for d in dims:
        dim_labels = labels.get(d, {})
        dimension[d] = {
            "label": d,
            "category": {
                "index": {c: i for i, c in enumerate(categories[d])},
                "label": {c: dim_labels.get(c, c) for c in categories[d]},
            },
        }
    out: dict[str, object] = {
        "version": "2.0",
        "class": "dataset",
        "label": label,
        "id": dims,
        "size": sizes,
        "dimension": dimension,
        "value": value,
        "extension": {"barometer": meta},
    }
    if status:
        out["status"] = status
    if meta.get("notice"):
        out["note"] = [meta["notice"]]
    return out


def render(frame: pd.DataFrame, fmt: str, meta: dict, *, label: str, labels=None) -> bytes:
    """A frame as the bytes of one download format."""
    if fmt == "csv":
        return to_csv(frame)
    if fmt == "xlsx":
        return to_xlsx(frame, meta)
    if fmt == "parquet":
        return to_parquet(frame, meta)
    if fmt == "jsonstat":
        doc = to_jsonstat(frame, meta, label=label, labels=labels)
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    raise ValueError(fmt)


def export_store(
    store: Path,
    fmt: str,
    out: Path,
    *,
    indicator: str | None = None,
    area: str | None = None,
) -> int:
    """Write the selected observations to ``out``; returns the number of rows."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    run = read_run(store)
    obs = read_observations(store, indicator=indicator, area=area)
    if obs.empty:
        what = " and ".join(
            x for x in [indicator and f"indicator {indicator}", area and f"area {area}"] if x
        )
        raise InputError(f"no observations for {what or 'this store'}", path=store)
    meta = describe_run(run)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render(obs, fmt, meta, label="observations"))
    if fmt == "csv":
        out.with_name(out.name + ".meta.json").write_text(
            json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return len(obs)
