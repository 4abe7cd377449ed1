"""The table behind a view as CSV, Excel or JSON-stat 2.0.

CSV is plain (one header row, dot decimals) so that it loads anywhere; the Excel file carries
the synthetic-data notice on an 'about' sheet; JSON-stat carries it in ``note`` and
``extension``. Suppressed cells are empty in CSV/Excel and ``null`` with status "suppressed"
in JSON-stat.
"""

from __future__ import annotations

import io
import json
import math

import pandas as pd

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonstat": "application/json",
}
OBS_DIMENSIONS = ("indicator_id", "area_code", "year", "origin_group", "sex")


def to_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def to_xlsx(frame: pd.DataFrame, meta: dict) -> bytes:
    buf = io.BytesIO()
    about = pd.DataFrame({"field": list(meta), "value": [str(v) for v in meta.values()]})
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        frame.to_excel(xw, sheet_name="data", index=False)
        about.to_excel(xw, sheet_name="about", index=False)
    return buf.getvalue()


def _clean(v: object) -> object:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def to_jsonstat(
    frame: pd.DataFrame, meta: dict, *, label: str, labels: dict[str, dict[str, str]] | None = None
) -> dict:
    """A JSON-stat 2.0 dataset (sparse ``value`` object, row-major index)."""
    labels = labels or {}
    if set(OBS_DIMENSIONS) <= set(frame.columns) and "value" in frame:
        dims = list(OBS_DIMENSIONS)
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


def _sort_key(v: str) -> tuple:
    try:
        return (0, float(v), v)
    except ValueError:
        return (1, 0.0, v)


def render(frame: pd.DataFrame, fmt: str, meta: dict, *, label: str, labels=None) -> bytes:
    if fmt == "csv":
        return to_csv(frame)
    if fmt == "xlsx":
        return to_xlsx(frame, meta)
    if fmt == "jsonstat":
        doc = to_jsonstat(frame, meta, label=label, labels=labels)
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    raise ValueError(fmt)
