"""An input of a store: one source's cells, with where they came from.

Every source ends as an :class:`Input` — the register delivery, a StatBank table, a survey file,
a file of ready-made figures, the programme module's aggregates — and the pipeline is the only
thing that turns inputs into a store. Sources build inputs and never open a store.

An input's cells are *unprotected* aggregates (indicator × area × year × origin group × sex with
value, numerator and denominator): disclosure control happens in the finishing stage, for every
input alike. Person-level rows never become an input.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from barometer import __version__

KINDS = ("registers", "statbank", "survey", "file", "programme", "welcomehouse")
KEY = ["indicator_id", "area_code", "year", "origin_group", "sex"]
CELL_COLUMNS = [
    *KEY,
    "value",
    "numerator",
    "denominator",
    "unit",
    "status",
    "reason",
    "ci_low",
    "ci_high",
]


@dataclass
class Input:
    """One source's contribution; ``source`` names it and is unique within a store."""

    source: str  # 'registers', 'statbank:FOLK1E', 'survey:<name>', 'file:<name>', …
    kind: str  # one of KINDS
    location: str  # folder, file or data URL
    sha256: str
    bytes: int
    cells: pd.DataFrame
    synthetic: bool = False
    scale: float = 1.0  # sample fraction of a synthetic register delivery
    request: dict | None = None
    details: dict = field(default_factory=dict)
    files: list[dict] = field(default_factory=list)  # registers: path, register, bytes, sha256
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # housing_*, survey_cells
    notes: list[str] = field(default_factory=list)
    added_at: datetime = field(default_factory=datetime.now)
    code_version: str = __version__
    # Cached disclosure result for these cells under ``protection`` (see pipeline/protect.py).
    protected: pd.DataFrame | None = None
    protection: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown input kind {self.kind!r}")
        if self.source.split(":", 1)[0] != self.kind:
            raise ValueError(f"source {self.source!r} does not start with its kind {self.kind!r}")
        self.cells = normalise_cells(self.cells)

    @property
    def indicator_ids(self) -> list[str]:
        return sorted(self.cells["indicator_id"].unique().tolist())


def normalise_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """The cell columns in order, with text codes and float counts; missing optional ones null."""
    out = cells.copy()
    for col in ("reason", "ci_low", "ci_high", "value", "numerator", "denominator"):
        if col not in out:
            out[col] = None
    if "status" not in out:
        out["status"] = "ok"
    missing = [c for c in CELL_COLUMNS if c not in out]
    if missing:
        raise ValueError(f"input cells lack column(s) {missing}")
    out = out[CELL_COLUMNS].reset_index(drop=True)
    for col in ("indicator_id", "area_code", "origin_group", "sex", "unit", "status"):
        out[col] = out[col].astype(str)
    out["reason"] = out["reason"].astype(object).where(out["reason"].notna(), None)
    out["year"] = out["year"].astype(int)
    for col in ("value", "numerator", "denominator", "ci_low", "ci_high"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    return out


def checksum_file(path: Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def checksum_json(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
