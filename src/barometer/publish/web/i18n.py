"""The dashboard's words and cell formats: the one message catalogue (publish/text.py), the one
vocabulary (codes/vocab.py) and the shared number formats (publish/labels.py).

A suppressed cell is a word, never a number (and never zero).
"""

from __future__ import annotations

from barometer.codes.vocab import (
    LIGHT_LABELS,
    MOVEMENT_LABELS,
    ORIGIN_LABELS,
    POLARITY_LABELS,
    REASON_LABELS,
    SEX_LABELS,
    STATUS_LABELS,
    TARGET_LABELS,
    THEME_LABELS,
    UNIT_LABELS,
    label,
    source_label,
)
from barometer.publish import labels
from barometer.publish.labels import (
    LANGS,
    LOCALES,
    SYMBOLS,
    babel_number,
    fmt_change,
    is_missing,
    number,
)
from barometer.publish.text import t

__all__ = [
    "DEFAULT_LANG",
    "LANGS",
    "LIGHT_LABELS",
    "LOCALE_SYMBOLS",
    "MOVEMENT_LABELS",
    "ORIGIN_LABELS",
    "POLARITY_LABELS",
    "REASON_LABELS",
    "SEX_LABELS",
    "STATUS_LABELS",
    "TARGET_LABELS",
    "THEME_LABELS",
    "UNIT_LABELS",
    "babel_number",
    "fmt_change",
    "fmt_date",
    "fmt_value",
    "is_missing",
    "label",
    "number",
    "source_label",
    "t",
]

DEFAULT_LANG = "da"
LOCALE_SYMBOLS = SYMBOLS


def fmt_value(value: float | None, unit: str | None, lang: str, status: str = "ok") -> str:
    """A cell as people read it: '60,3 %' (da), '60.3%' (en), '5,2 pct.-point', '1.234'; a
    suppressed cell as the word for it, never a number."""
    if status and status.startswith("suppressed"):
        return label(STATUS_LABELS, status, lang)
    return labels.fmt_value(value, unit, lang)


def fmt_date(value: str | None, lang: str) -> str:
    """An ISO timestamp as a date people read: '21. november 2026' / '21 November 2026'."""
    if not value:
        return ""
    from datetime import date

    from babel.dates import format_date

    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return format_date(day, format="long", locale=LOCALES[lang])
