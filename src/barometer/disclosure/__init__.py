"""Statistical disclosure control: nothing published may let anyone recover a small cell.

See docs/disclosure.md for the rules (DOMAIN.md §4.4), reason codes and method.
"""

from barometer.disclosure.primary import MIN_THRESHOLD, PRIMARY_REASONS
from barometer.disclosure.protection import (
    OK,
    REASONS,
    SECONDARY_REASONS,
    SUPPRESSED_PRIMARY,
    SUPPRESSED_SECONDARY,
    protect,
)
from barometer.disclosure.report import render_suppression_report, summarise_suppression

__all__ = [
    "MIN_THRESHOLD",
    "OK",
    "PRIMARY_REASONS",
    "REASONS",
    "SECONDARY_REASONS",
    "SUPPRESSED_PRIMARY",
    "SUPPRESSED_SECONDARY",
    "protect",
    "render_suppression_report",
    "summarise_suppression",
]
