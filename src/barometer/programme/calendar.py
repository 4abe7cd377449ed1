"""Calendar arithmetic of the statutory deadlines (PROGRAMME.md §1.3, §5 edge rules).

"1 month" is the platform's calendar-month arithmetic (``barometer.casework.calendar``), clamped
to the month's last day; PROGRAMME.md marks this reading UNCONFIRMED (docs/programme.md).
"""

from __future__ import annotations

from datetime import date, timedelta

from barometer.casework.calendar import add_months


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
