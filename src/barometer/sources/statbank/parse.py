"""Read StatBank data answers: BULK/CSV text and JSON-stat 1.x.

Formats (ANCHORS.md §5.2, recorded bodies in tests/data/statbank/): CSV and BULK are
UTF-8 with a byte-order mark, CRLF line ends, ``;`` between fields, a comma as decimal
separator, one column per variable and the value column ``INDHOLD``; a suppressed or
missing cell is ``..`` (§5.3). JSON-stat comes as version 1 inside ``{"dataset": …}``.

Every parser returns a frame with one column per variable (named as in tableinfo, holding
codes) and ``value`` (float, NaN where suppressed) and ``suppressed`` (bool).
"""

from __future__ import annotations

import csv
import io
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


def sniff_delimiter(header: str) -> str:
    """';' as the API writes; ',' for an answer saved again by another tool (the collected
    LIGEUB1 body was re-saved by pandas with commas)."""
    return ";" if ";" in header or "," not in header else ","


def split_csv(text: str, what: str = "data answer") -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV/BULK answer: BOM dropped, CRLF or LF, ``;`` (or ``,``)."""
    body = text.lstrip("\ufeff")
    first = body.split("\n", 1)[0]
    if not first.strip():
        raise LayoutError(f"empty {what}")
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=sniff_delimiter(first))
    lines = [r for r in reader if r]
    header = [h.strip() for h in lines[0]]
    if header[-1].upper() != VALUE_COLUMN:
        raise LayoutError(f"{what}: last column is {header[-1]!r}, expected {VALUE_COLUMN}")
    rows = []
    for n, fields in enumerate(lines[1:], 2):
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


def read_table(text: str, what: str) -> pd.DataFrame:
    """The answer as a frame of text cells (the C reader; the exact checks of ``split_csv``
    report the line of anything it cannot read whole)."""
    body = text.lstrip("\ufeff")
    first = body.split("\n", 1)[0]
    if not first.strip():
        raise LayoutError(f"empty {what}")
    try:
        df = pd.read_csv(
            io.StringIO(body),
            sep=sniff_delimiter(first),
            dtype=str,
            na_filter=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        df = None
    # A short line reads as empty cells here: the exact reader says which line it was.
    if df is None or len(df.columns) < 2 or (df == "").to_numpy().any():
        header, rows = split_csv(text, what)  # raises with the line at fault
        df = pd.DataFrame(rows, columns=header, dtype=object)
    df.columns = [str(c).strip() for c in df.columns]
    if df.columns[-1].upper() != VALUE_COLUMN:
        raise LayoutError(f"{what}: last column is {df.columns[-1]!r}, expected {VALUE_COLUMN}")
    return df


def parse_csv(text: str, info: TableInfo) -> pd.DataFrame:
    """Parse a BULK or CSV answer and decode every cell to its code via tableinfo.

    Column by column (an answer may have hundreds of thousands of rows): each variable's
    cells are looked up in its decoder, the values parsed at once; the first cell that is
    not a code or label, or not a number, is reported with its line.
    """
    raw = read_table(text, f"data answer for {info.id}")
    variables = [info.variable(h) for h in raw.columns[:-1]]
    data: dict[str, pd.Series] = {}
    for var, name in zip(variables, raw.columns[:-1], strict=True):
        cells = raw[name].astype(object)
        decoder = var.decoder()
        codes = cells.map(decoder)
        if codes.isna().any():  # cells with white space around them
            codes = codes.fillna(cells.str.strip().map(decoder))
        if codes.isna().any():
            n = int(codes.isna().to_numpy().argmax())
            raise LayoutError(
                f"{info.id}: line {n + 2}: {cells.iloc[n]!r} is not a code or label of "
                f"{var.id} in tableinfo (has the table changed?)"
            )
        data[var.id] = codes.astype(object)
    data["value"] = parse_values(raw[raw.columns[-1]].astype(object), info.id)
    df = pd.DataFrame(data, columns=[*data])
    df["value"] = df["value"].astype(float)
    df["suppressed"] = df["value"].isna()
    return df


def parse_values(cells: pd.Series, table: str) -> pd.Series:
    """'1234', '76,5', '..' (withheld → NaN) for a whole column; anything else is an error."""
    numbers = pd.to_numeric(cells, errors="coerce")  # the common case: plain numbers
    rest = numbers.isna()
    if rest.any():
        text = cells[rest].str.strip().str.replace(" ", "", regex=False)
        withheld = text.isin(SUPPRESSED) | text.eq("")
        fixed = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
        bad = fixed.isna() & ~withheld
        if bad.any():
            n = int(cells.index.get_loc(bad[bad].index[0]))
            raise LayoutError(
                f"{table}: line {n + 2}: cell value {cells.iloc[n]!r} is not a number"
            )
        numbers[rest] = fixed.where(~withheld)
    return numbers.astype(float)


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


def parse_answer(text: str, info: TableInfo, fmt: str) -> pd.DataFrame:
    """A data answer in the format asked for, cells decoded to codes via tableinfo."""
    if fmt.upper() in ("JSONSTAT", "JSON"):
        return parse_jsonstat(text, info)
    return parse_csv(text, info)


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
