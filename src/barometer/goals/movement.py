"""The national barometer's movement rule (DOMAIN.md §1.3).

Why a rule on *rounded* figures: integrationsbarometer.dk compares the rounded newest
measurement with the rounded base-year measurement, so a change from 25.6 to 26.4 % is
"unchanged" (26 and 26) while 25.4 → 25.5 is a one-point rise (25 → 26). We reproduce that,
and document the one thing the source leaves open: how halves round.

Rounding choice: **half away from zero** (25.5 → 26, -25.5 → -26, 0.5 → 1), the rule taught in
Danish schools and used by Statistics Denmark's publications, not Python's banker's rounding
(``round(2.5) == 2``). Values are first rounded to 9 decimals so that floating-point noise
(57/200·100 = 28.499999999999996) does not flip a true half.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from barometer.catalogue.models import POLARITY_SIGN

POSITIVE, NEGATIVE, UNCHANGED, NO_DATA = "positive", "negative", "unchanged", "no_data"
MOVEMENTS = (POSITIVE, NEGATIVE, UNCHANGED, NO_DATA)


def round_half_away(value: float) -> int:
    """Round to the nearest integer, halves away from zero (see module docstring)."""
    if value is None or not math.isfinite(value):
        raise ValueError(f"cannot round {value!r}")
    cleaned = Decimal(repr(round(value, 9)))
    return int(cleaned.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def classify_change(base: float | None, latest: float | None, polarity: str) -> str:
    """Direction of one indicator: compare rounded values, then apply the polarity.

    ``delta = round(latest) - round(base)``; positive if ``sign(delta) * polarity > 0``
    (DOMAIN.md §1.3 engineering rule). Missing values give ``no_data``.
    """
    if _missing(base) or _missing(latest):
        return NO_DATA
    delta = round_half_away(latest) - round_half_away(base)
    signed = delta * POLARITY_SIGN[polarity]
    if signed > 0:
        return POSITIVE
    if signed < 0:
        return NEGATIVE
    return UNCHANGED


def decide_movement(directions: Sequence[str], undecided: str = UNCHANGED) -> str:
    """Combine the directions of a goal's driving indicators into the goal's movement.

    DOMAIN.md §1.3: indicators weigh equally; with three, a majority (2 of 3) decides, e.g.
    two positive + one unchanged → positive, two positive + one negative → positive.

    * A direction needs a strict majority of *all* driving indicators, missing ones
      included — missing data can never create a majority.
    * No majority and every indicator measured (e.g. 1 positive / 1 negative / 1 unchanged,
      UNCONFIRMED in DOMAIN.md §1.3): ``undecided`` (default ``unchanged``, the natural
      reading noted in DOMAIN.md).
    * No majority but the missing indicators could have formed one: ``no_data``, because
      the rule cannot be applied honestly.
    """
    if undecided not in MOVEMENTS:
        raise ValueError(f"undecided must be one of {MOVEMENTS}, got {undecided!r}")
    n = len(directions)
    counts = Counter(directions)
    missing = counts.pop(NO_DATA, 0)
    if n == 0 or missing == n:
        return NO_DATA
    best, best_count = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    if 2 * best_count > n:
        return best
    if 2 * (best_count + missing) > n:
        return NO_DATA
    return undecided


def _missing(value: float | None) -> bool:
    return value is None or bool(pd.isna(value))
