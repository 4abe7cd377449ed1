"""Words and number formats shared by the dashboard and the report, in Danish and English.

How a figure is written, so that it reads the same on a page and in the PDF: Danish "60,3 %",
"4,2 pct.-point" (Dansk Sprognævn's abbreviation of procentpoint) and "1.234"; English
"60.3%", "4.2 pp" and "1,234". A missing figure is a dash, never a number. Code labels come
from the one vocabulary, ``barometer.codes.vocab``.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal

from babel import Locale
from babel.numbers import format_decimal

from barometer.codes.vocab import (
    LIGHT_LABELS,
    MOVEMENT_LABELS,
    ORIGIN_LABELS,
    POLARITY_LABELS,
    SEX_LABELS,
    TARGET_LABELS,
    THEME_LABELS,
    label,
)

__all__ = [
    "DASH",
    "LANGS",
    "LIGHT_LABELS",
    "LOCALES",
    "MOVEMENT_LABELS",
    "NBSP",
    "ORIGIN_LABELS",
    "POLARITY_LABELS",
    "SEX_LABELS",
    "SYMBOLS",
    "TARGET_LABELS",
    "THEME_LABELS",
    "babel_number",
    "fmt_change",
    "fmt_value",
    "is_missing",
    "label",
    "number",
]

LANGS = ("da", "en")
LOCALES = {"da": Locale.parse("da_DK"), "en": Locale.parse("en_GB")}
NBSP = "\u00a0"
DASH = "–"


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


_SYMBOLS = {
    lang: (loc.number_symbols["latn"]["decimal"], loc.number_symbols["latn"]["group"])
    for lang, loc in LOCALES.items()
}
# (decimal sign, grouping sign) per language, from Babel: also the charts' number locale.
SYMBOLS = dict(_SYMBOLS)
_QUANT = {d: Decimal(1).scaleb(-d) for d in range(4)}
_SWAP = {lang: str.maketrans({",": group, ".": dec}) for lang, (dec, group) in _SYMBOLS.items()}


def number(value: float | None, lang: str, digits: int = 1) -> str:
    """Babel's locale symbols and rounding (half even on the decimal value), without its cost.

    A page shows hundreds of numbers; ``babel.numbers.format_decimal`` parses its pattern on
    every call. This gives the same text (tests/web compare the two) at a fraction of the time.
    """
    if is_missing(value):
        return DASH
    d = Decimal(repr(float(value))).quantize(_QUANT[digits], rounding=ROUND_HALF_EVEN)
    if d == 0:
        d = abs(d)
    return f"{d:,.{digits}f}".translate(_SWAP[lang])


def babel_number(value: float, lang: str, digits: int = 1) -> str:
    """The reference: Babel's own formatting (used by the tests)."""
    pattern = "#,##0" if digits == 0 else "#,##0." + "0" * digits
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


def fmt_value(value: float | None, unit: str | None, lang: str, *, signed: bool = False) -> str:
    """A value with its unit: 60,3 % · 4,2 pct.-point · 1.234 (Danish); 60.3% · 4.2 pp
    (English). ``signed`` writes +, − or ± (± when it rounds to zero)."""
    if is_missing(value):
        return DASH
    digits = 0 if unit == "count" else 1
    text = number(abs(value) if signed else value, lang, digits)
    if signed:
        shown = round(value, digits)
        text = ("+" if shown > 0 else "−" if shown < 0 else "±") + text
    if unit == "pct":
        return text + (NBSP + "%" if lang == "da" else "%")
    if unit == "pp":
        return text + NBSP + ("pct.-point" if lang == "da" else "pp")
    return text


def fmt_change(value: float | None, unit: str | None, lang: str) -> str:
    """A change, signed: a change of a percentage is in percentage points."""
    return fmt_value(value, "pp" if unit in ("pct", "pp") else unit, lang, signed=True)
