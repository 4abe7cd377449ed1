"""Read StatBank data answers: BULK/CSV text and JSON-stat 1.x.

Formats (ANCHORS.md §5.2, recorded bodies in tests/data/statbank/): CSV and BULK are
UTF-8 with a byte-order mark, CRLF line ends, ``;`` between fields, a comma as decimal
separator, one column per variable and the value column ``INDHOLD``; a suppressed or
missing cell is ``..`` (§5.3). JSON-stat comes as version 1 inside ``{"dataset": …}``.

Every parser returns a frame with one column per variable (named as in tableinfo, holding
codes) and ``value`` (float, NaN where suppressed) and ``suppressed`` (bool).
"""

from __future__ import annotations

import itertools
import json

import pandas as pd

from barometer.sources.statbank.errors import LayoutError
from barometer.sources.statbank.tableinfo import TableInfo

VALUE_COLUMN = "INDHOLD"
SUPPRESSED = {"..", "...", ":", "-"}  # ".." per ANCHORS.md §5.3; the others defensively


def parse_number(text: str) -> float | None:
    """'1234' → 1234.0, '76,5' → 76.5, '..' → None (suppressed)."""
    t = text.strip()
    if t in SUPPRESSED or t == "":
        return None
    try:
        return float(t.replace(" ", "").replace(",", "."))
    except ValueError:
        raise LayoutError(f"cell value {text!r} is not a number") from None


def split_csv(text: str, what: str = "data answer") -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV/BULK answer: BOM dropped, CRLF or LF, ``;`` separated."""
    lines = [ln for ln in text.lstrip("\ufeff").replace("\r\n", "\n").split("\n") if ln]
    if not lines:
        raise LayoutError(f"empty {what}")
    header = [h.strip() for h in lines[0].split(";")]
    if header[-1].upper() != VALUE_COLUMN:
        raise LayoutError(f"{what}: last column is {header[-1]!r}, expected {VALUE_COLUMN}")
    rows = []
    for n, line in enumerate(lines[1:], 2):
        fields = line.split(";")
        if len(fields) != len(header):
            raise LayoutError(f"{what}: line {n} has {len(fields)} fields, not {len(header)}")
        rows.append(fields)
    return header, rows


def parse_csv_labels(text: str) -> pd.DataFrame:
    """A CSV answer as it stands (cells as text, ``value`` parsed), without tableinfo.

    For exports made with ``valuePresentation=Default`` whose labels we only display, e.g.
    the recorded FOLK1AM/FOLK1A files. Indicators are always built with ``parse_csv``.
    """
    header, rows = split_csv(text)
    records = [[*r[:-1], parse_number(r[-1])] for r in rows]
    return _frame(records, header[:-1])


def parse_csv(text: str, info: TableInfo) -> pd.DataFrame:
    """Parse a BULK or CSV answer and decode every cell to its code via tableinfo."""
    header, rows = split_csv(text, f"data answer for {info.id}")
    variables = [info.variable(h) for h in header[:-1]]
    decoders = [v.decoder() for v in variables]
    records: list[list] = []
    for n, fields in enumerate(rows, 2):
        row = []
        for var, dec, cell in zip(variables, decoders, fields[:-1], strict=True):
            code = dec.get(cell.strip())
            if code is None:
                raise LayoutError(
                    f"{info.id}: line {n}: {cell!r} is not a code or label of {var.id} "
                    "in tableinfo (has the table changed?)"
                )
            row.append(code)
        row.append(parse_number(fields[-1]))
        records.append(row)
    return _frame(records, [v.id for v in variables])


def parse_jsonstat(text: str, info: TableInfo) -> pd.DataFrame:
    """Parse JSON-stat 1.x (``dataset`` wrapper). ``ContentsCode`` (the metric) is dropped."""
    try:
        ds = json.loads(text)["dataset"]
        dims = ds["dimension"]
        ids, sizes, values = dims["id"], dims["size"], ds["value"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise LayoutError(f"{info.id}: not JSON-stat 1.x: {exc}") from None
    axes = []
    for dim_id in ids:
        index = dims[dim_id]["category"]["index"]
        order = sorted(index, key=index.get) if isinstance(index, dict) else list(index)
        axes.append(order)
    keep = [i for i, d in enumerate(ids) if d != "ContentsCode"]
    variables = [info.variable(ids[i]) for i in keep]
    if isinstance(values, dict):  # sparse form {"index": value}
        values = [values.get(str(i)) for i in range(_product(sizes))]
    if len(values) != _product(sizes):
        raise LayoutError(f"{info.id}: JSON-stat has {len(values)} values for sizes {sizes}")
    records = []
    for combo, v in zip(itertools.product(*axes), values, strict=True):
        row = [combo[i] for i in keep]
        row.append(None if v is None or v in SUPPRESSED else float(v))
        records.append(row)
    return _frame(records, [v.id for v in variables])


def _product(sizes: list[int]) -> int:
    out = 1
    for s in sizes:
        out *= s
    return out


def _frame(records: list[list], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(records, columns=[*columns, "value"])
    for c in columns:
        df[c] = df[c].astype(object)
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype(float)
    df["suppressed"] = df["value"].isna()
    return df
