"""Errors that reach the user. Each names the file, and where it can the column and rows."""

from __future__ import annotations

from pathlib import Path


class BarometerError(Exception):
    """Base for errors the CLI reports without a traceback."""


class InputError(BarometerError, ValueError):
    """Bad input: a malformed file, an unknown code, a missing column.

    The message names the file, the column and the first offending rows (1-based data rows, the
    header not counted) with a count, so an analyst can find the problem without a debugger.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        column: str | None = None,
        rows: list[int] | None = None,
        count: int | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.column = column
        self.rows = rows or []
        self.count = count
        parts = []
        if self.path:
            parts.append(self.path)
        if column:
            parts.append(f"column {column}")
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:5])
            n = count if count is not None else len(self.rows)
            more = f" (and {n - len(self.rows[:5])} more)" if n > len(self.rows[:5]) else ""
            parts.append(f"row{'s' if n > 1 else ''} {shown}{more}")
        where = ": ".join(parts)
        super().__init__(f"{where}: {message}" if where else message)


class CatalogueError(BarometerError, ValueError):
    """An indicator or goal definition that does not validate."""
