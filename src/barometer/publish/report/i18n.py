"""The report's words: the one message catalogue (publish/text.py), the one vocabulary
(codes/vocab.py) and the shared number formats (publish/labels.py).

A suppressed or missing cell is a word or a dash, never a number.
"""

from __future__ import annotations

from barometer.codes.vocab import (
    LIGHT_LABELS,
    LIGHT_MEANING,
    MOVEMENT_LABELS,
    ORIGIN_LABELS,
    POLARITY_LABELS,
    REASON_LABELS,
    SEX_LABELS,
    TARGET_LABELS,
    THEME_LABELS,
    label,
    source_label,
)
from barometer.publish.labels import (
    DASH,
    LANGS,
    NBSP,
    fmt_change,
    fmt_value,
    is_missing,
    number,
)
from barometer.publish.text import t

__all__ = [
    "DASH",
    "DENMARK_NAME",
    "LANGS",
    "LIGHT_LABELS",
    "LIGHT_MEANING",
    "MOVEMENT_LABELS",
    "NBSP",
    "ORIGIN_LABELS",
    "PEERS_NAME",
    "POLARITY_LABELS",
    "REASON_LABELS",
    "SEX_LABELS",
    "TARGET_LABELS",
    "THEME_LABELS",
    "fmt_change",
    "fmt_share",
    "fmt_value",
    "is_missing",
    "label",
    "number",
    "source_label",
    "t",
]

DENMARK_NAME = ("Hele landet", "Denmark")
PEERS_NAME = ("Sammenlignelige kommuner", "Similar municipalities")


def fmt_share(value: float | None, lang: str) -> str:
    """A share stored as a fraction (housing criteria): 0.453 → 45,3 %."""
    return DASH if is_missing(value) else fmt_value(100 * value, "pct", lang)
