"""Calendar arithmetic of the statutory deadlines (PROGRAMME.md §1.3, §5 edge rules).

"1 month" is calendar-month arithmetic clamped to the month's last day: 15 Jan + 1 month =
15 Feb; 31 Jan + 1 month = 28 Feb (29 Feb in a leap year). PROGRAMME.md marks this reading
UNCONFIRMED; it is the one rule used everywhere here (docs/programme.md).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(d: date, months: int) -> date:
    """``d`` plus whole calendar months, clamped to the last day of the target month."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def add_years(d: date, years: int) -> date:
    return add_months(d, 12 * years)


def add_period(d: date, *, years: int = 0, months: int = 0, weeks: int = 0, days: int = 0) -> date:
    return add_months(d, 12 * years + months) + timedelta(weeks=weeks, days=days)


def compute_t0(placement_date: date, takeover_date: date | None = None) -> date:
    """T0: the first day of the second month after the placement decision (responsible from the
    end of the following month: placed 15 May → 1 July), unless an earlier date was agreed."""
    if takeover_date is not None:
        return takeover_date
    return add_months(placement_date.replace(day=1), 2)


def age_on(birth_date: date, on: date) -> int:
    """Completed years on a date (a 29 February birthday falls on 1 March in common years)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
