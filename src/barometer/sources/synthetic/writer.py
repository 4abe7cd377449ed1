"""Arrow/Parquet output in the delivery layout (sources/layout.py), byte-for-byte reproducible.

Strings are built straight from digit buffers (no Python objects per row), the column order and
types follow layout.py, and the writer settings are fixed (no timestamps or paths written).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from barometer.sources.layout import REGISTERS

from .sampling import NO_DATE

ARROW_TYPES = {"str": pa.string(), "int": pa.int32(), "float": pa.float64(), "date": pa.date32()}
PNR_WIDTH = 10
ADDRESS_WIDTH = 12


# "0000".."9999" as one little-endian uint32 each: gathering 4 digits is one 4-byte load
_TABLE4 = np.frombuffer(b"".join(f"{i:04d}".encode() for i in range(10_000)), np.uint32)


def digit_bytes(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) uint8 ASCII digits of non-negative integers (< 10**12), zero-padded."""
    v = values.astype(np.int64)
    hi = (v // 100_000_000).astype(np.uint32)  # leading 4 digits
    lo = (v - hi.astype(np.int64) * 100_000_000).astype(np.uint32)
    words = np.empty((len(v), 3), dtype=np.uint32)
    words[:, 0] = _TABLE4[hi]
    words[:, 1] = _TABLE4[lo // 10_000]
    words[:, 2] = _TABLE4[lo % 10_000]
    return words.view(np.uint8)[:, 12 - width :]


def fixed_strings(buf: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A StringArray over fixed-width ASCII rows (an (n, w) uint8 or an 'S{w}' array)."""
    n = len(buf)
    data = np.ascontiguousarray(buf).reshape(-1).view(np.uint8)
    width = len(data) // n if n else 0
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32) if n else np.zeros(1, np.int32)
    bitmap, nulls = None, 0
    if valid is not None and not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
        nulls = int((~valid).sum())
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data), bitmap, nulls)


def digits(values: np.ndarray, width: int, valid: np.ndarray | None = None) -> pa.Array:
    """Zero-padded decimal strings of non-negative integers, built without Python strings."""
    v = np.where(valid, values, 0) if valid is not None else values
    return fixed_strings(digit_bytes(v, width), valid)


def labels(index: np.ndarray, names) -> pa.Array:
    """Strings from a small vocabulary by index (-1 = null)."""
    names = list(names)
    widths = {len(n.encode()) for n in names}
    if len(widths) == 1 and (index >= 0).all():  # fixed width (KOM, OPR_LAND): gather bytes
        width = widths.pop()
        vocab = np.frombuffer("".join(names).encode(), np.uint8).reshape(len(names), width)
        return fixed_strings(vocab[index])
    vocab = pa.array(list(names), pa.string())
    idx = pa.array(index.astype(np.int32), mask=index < 0)
    return vocab.take(idx)


def strings(values: np.ndarray) -> pa.Array:
    """Strings from an object array of str/None (for small or low-cardinality columns)."""
    uniq, inv = np.unique(
        np.where(values == None, "\x00", values).astype(str),  # noqa: E711
        return_inverse=True,
    )
    vocab = [None if u == "\x00" else u for u in uniq]
    return pa.array(vocab, pa.string()).take(pa.array(inv.astype(np.int32)))


def dates(days: np.ndarray) -> pa.Array:
    valid = days != NO_DATE
    bitmap, nulls = None, 0
    if not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
        nulls = int((~valid).sum())
    data = np.where(valid, days, 0).astype(np.int32)
    return pa.Array.from_buffers(pa.date32(), len(days), [bitmap, pa.py_buffer(data)], nulls)


def ints(values: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """int32 column (zero-copy over the numpy buffer)."""
    data = np.ascontiguousarray(values, dtype=np.int32)
    bitmap, nulls = None, 0
    if null is not None and null.any():
        bitmap = pa.py_buffer(np.packbits(~null, bitorder="little"))
        nulls = int(null.sum())
    return pa.Array.from_buffers(pa.int32(), len(data), [bitmap, pa.py_buffer(data)], nulls)


def floats(values: np.ndarray) -> pa.Array:
    v = values.astype(np.float64)
    nan = np.isnan(v)
    return pa.array(v, pa.float64(), mask=nan if nan.any() else None)


def table(key: str, columns: dict[str, pa.Array]) -> pa.Table:
    """A table with exactly the layout's columns, order and types (checked)."""
    reg = REGISTERS[key]
    names = [c.name for c in reg.columns]
    if list(columns) != names:
        raise ValueError(f"{key}: columns {list(columns)} != layout {names}")
    fields = []
    for c in reg.columns:
        arr = columns[c.name]
        if arr.type != ARROW_TYPES[c.kind]:
            raise TypeError(f"{key}.{c.name}: {arr.type} != {ARROW_TYPES[c.kind]}")
        if not c.nullable and arr.null_count:
            raise ValueError(f"{key}.{c.name}: {arr.null_count} nulls in a non-nullable column")
        fields.append(pa.field(c.name, ARROW_TYPES[c.kind], nullable=c.nullable))
    return pa.Table.from_arrays(list(columns.values()), schema=pa.schema(fields))


HIGH_CARDINALITY = {"PNR", "ADRESSE_ID", "PERINDKIALT_13"}


def write_parquet(tbl: pa.Table, path: Path) -> None:
    """Fixed settings: zstd level 1, dictionary pages except for (near-)unique columns,
    1 Mi-row groups, no extra metadata."""
    pq.write_table(
        tbl,
        path,
        compression="zstd",
        compression_level=1,
        row_group_size=1 << 20,
        use_dictionary=[c for c in tbl.column_names if c not in HIGH_CARDINALITY],
        write_statistics=True,
        version="2.6",
    )


class Writer:
    """Writes tables in a background thread (Arrow releases the GIL) while the next year is
    simulated; records row counts for the manifest."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.rows: dict[str, int] = {}
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._pending: list[Future] = []

    def submit(self, key: str, stem: str, tbl: pa.Table) -> None:
        self.rows[f"{stem}.parquet"] = tbl.num_rows
        self._pending.append(
            self._pool.submit(write_parquet, tbl, self.out_dir / f"{stem}.parquet")
        )
        if len(self._pending) > 6:  # bound memory: wait for the oldest
            self._pending.pop(0).result()

    def close(self) -> None:
        for f in self._pending:
            f.result()
        self._pending.clear()
        self._pool.shutdown()
