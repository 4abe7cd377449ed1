"""A table's metadata from ``tableinfo``: its variables and their codes and labels.

Why: DOMAIN.md §6 insists on mapping codes from tableinfo and never hard-coding labels; the
same variable is ``KØN`` in FOLK/RAS tables and ``KOEN`` in STRAFNA tables, and the data
header spells the time variable ``TID`` where tableinfo says ``Tid`` (recorded STRAF42
bodies in tests/data/statbank/). Everything here is looked up case-insensitively.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from barometer.sources.statbank.errors import LayoutError


@dataclass(frozen=True)
class Variable:
    id: str
    text: str
    elimination: bool
    time: bool
    values: tuple[tuple[str, str], ...]  # (code, label) in the table's order

    def codes(self) -> list[str]:
        return [c for c, _ in self.values]

    def label(self, code: str) -> str:
        return dict(self.values).get(code, "")

    def decoder(self) -> dict[str, str]:
        """Cell text → code: a code stands for itself, else a unique label names its code.

        Data come as codes with ``valuePresentation=Code`` and as labels with ``Default``
        (the recorded STRAF42 CSV has ``Total`` for code ``00``), so both are accepted.
        """
        out: dict[str, str] = {}
        labels: dict[str, list[str]] = {}
        for code, label in self.values:
            labels.setdefault(label, []).append(code)
        for label, codes in labels.items():
            if len(codes) == 1:
                out[label] = codes[0]
        out.update({c: c for c, _ in self.values})
        return out


@dataclass(frozen=True)
class TableInfo:
    id: str
    text: str
    unit: str
    updated: str
    variables: tuple[Variable, ...]

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.id.casefold() == name.casefold():
                return v
        raise LayoutError(
            f"table {self.id} has no variable {name!r}; it has "
            + ", ".join(v.id for v in self.variables)
        )

    def time_variable(self) -> Variable:
        for v in self.variables:
            if v.time:
                return v
        raise LayoutError(f"table {self.id} has no time variable")


def parse_tableinfo(text: str, table: str | None = None) -> TableInfo:
    """Read the JSON answer of ``tableinfo`` (structure as in the recorded STRAF42 bodies)."""
    try:
        raw = json.loads(text)
        variables = tuple(
            Variable(
                id=str(v["id"]),
                text=str(v.get("text", "")),
                elimination=bool(v.get("elimination", False)),
                time=bool(v.get("time", False)),
                values=tuple((str(x["id"]), str(x.get("text", ""))) for x in v["values"]),
            )
            for v in raw["variables"]
        )
        info = TableInfo(
            id=str(raw["id"]),
            text=str(raw.get("text", "")),
            unit=str(raw.get("unit", "")),
            updated=str(raw.get("updated", "")),
            variables=variables,
        )
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise LayoutError(
            f"tableinfo for {table or '?'} is not in the expected form: {exc}"
        ) from None
    if table and info.id.casefold() != table.casefold():
        raise LayoutError(f"asked for tableinfo of {table} but got {info.id}")
    return info


@dataclass(frozen=True)
class TableSummary:
    """One entry of the ``tables`` listing: enough to see what exists and how fresh it is."""

    id: str
    text: str
    updated: str
    first_period: str
    latest_period: str
    active: bool
    variables: tuple[str, ...]


def parse_tables(text: str) -> list[TableSummary]:
    """Read the JSON answer of ``tables`` (as in the recorded tables_subject_crime body)."""
    try:
        return [
            TableSummary(
                str(t["id"]),
                str(t.get("text", "")),
                str(t.get("updated", "")),
                str(t.get("firstPeriod", "")),
                str(t.get("latestPeriod", "")),
                bool(t.get("active", True)),
                tuple(str(v) for v in t.get("variables", [])),
            )
            for t in json.loads(text)
        ]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise LayoutError(f"the tables listing is not in the expected form: {exc}") from None
