"""Reading the case modules' import files: CSV tables, field checks, and problems collected by
file, column and rows.

An import reads and checks every file before it writes anything, and reports every problem
at once as ``file: column C: rows 3, 7: message`` (row 1 is the first row after the header),
never with anyone's key or values.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from barometer.errors import InputError

BOOL_VALUES = {"true": True, "1": True, "yes": True, "ja": True}
BOOL_VALUES |= {"false": False, "0": False, "no": False, "nej": False}


class ImportProblemsError(InputError):
    """Every problem found in an import, each naming file, column and rows."""

    def __init__(self, problems: list[InputError]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:25])
        more = f"\n  … and {len(problems) - 25} more problems" if len(problems) > 25 else ""
        first = problems[0]
        super().__init__(
            f"{len(problems)} problem{'s' if len(problems) > 1 else ''}; nothing was imported\n"
            + shown
            + more
        )
        self.path, self.column, self.rows = first.path, first.column, first.rows


@dataclass
class Problems:
    by_key: dict[tuple[str, str | None, str], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(self, path: Path, column: str | None, message: str, row: int | None = None) -> None:
        rows = self.by_key[(str(path), column, message)]
        if row is not None:
            rows.append(row)

    def raise_if_any(self) -> None:
        if self.by_key:
            raise ImportProblemsError(
                [
                    InputError(msg, path=p, column=c, rows=rows, count=len(rows))
                    for (p, c, msg), rows in self.by_key.items()
                ]
            )


def read_table(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...], problems: Problems
) -> list[dict[str, str]]:
    """Rows as dicts of stripped strings; a missing required column is a problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.add(path, None, "not UTF-8 text")
        return []
    lines = text.splitlines()
    if not lines:
        problems.add(path, None, "the file is empty (a header row is needed)")
        return []
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    for col in required:
        if col not in header:
            problems.add(path, col, "required column missing")
    unknown = [h for h in header if h not in required and h not in optional]
    for col in unknown:
        problems.add(path, col, "unknown column")
    rows = []
    for raw in reader:
        rows.append({(k or "").strip(): (v or "").strip() for k, v in raw.items() if k})
    return rows


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class Checker:
    """Field checks that record a problem and return the parsed value (or None)."""

    def __init__(self, path: Path, problems: Problems) -> None:
        self.path, self.problems = path, problems

    def bad(self, column: str, row: int, message: str) -> None:
        self.problems.add(self.path, column, message, row)

    def required(self, r: dict, column: str, row: int) -> str | None:
        v = r.get(column, "")
        if not v:
            self.bad(column, row, "value missing")
            return None
        return v

    def date(self, r: dict, column: str, row: int, *, required: bool = False) -> date | None:
        v = r.get(column, "")
        if not v:
            if required:
                self.bad(column, row, "value missing")
            return None
        d = parse_date(v)
        if d is None:
            self.bad(column, row, "not a date (YYYY-MM-DD)")
        return d

    def choice(
        self,
        r: dict,
        column: str,
        row: int,
        allowed,
        *,
        required: bool = False,
        message: str | None = None,
    ):
        """The value if it is one of ``allowed``; else ``message`` (by default, the list)."""
        v = r.get(column, "")
        if not v:
            if required:
                self.bad(column, row, "value missing")
            return None
        if v not in allowed:
            self.bad(
                column, row, message or f"not one of {', '.join(sorted(set(map(str, allowed))))}"
            )
            return None
        return v

    def hours(self, r: dict, column: str, row: int, most: float) -> float | None:
        """A number of hours above 0 and at most ``most`` (a decimal comma is read too)."""
        v = r.get(column, "")
        if not v:
            return None
        try:
            h = float(v.replace(",", "."))
        except ValueError:
            h = -1.0
        if not 0 < h <= most:
            self.bad(column, row, f"not a number of hours above 0 and at most {most:g}")
            return None
        return h

    def digits(self, r: dict, column: str, row: int, n: int) -> str | None:
        v = r.get(column, "")
        if not v:
            return None
        if len(v) != n or not v.isdigit():
            self.bad(column, row, f"not {n} digits")
            return None
        return v
