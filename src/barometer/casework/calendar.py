"""Calendar-month arithmetic, the one reading of "N months" used by every case module.

A month is a calendar month clamped to the month's last day: 15 Jan + 1 month = 15 Feb;
31 Jan + 1 month = 28 Feb (29 Feb in a leap year); 29 Feb 2024 + 12 months = 28 Feb 2025.
PROGRAMME.md marks the legal reading UNCONFIRMED (docs/programme.md).
"""

from __future__ import annotations

import calendar
from datetime import date


def add_months(d: date, months: int) -> date:
    """``d`` plus whole calendar months, clamped to the last day of the target month."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
