"""Words and number formats shared by the dashboard and the report, in Danish and English.

One place for the code labels (origin groups, sexes) and for how a figure is written, so that
a figure reads the same on a page and in the PDF: Danish "60,3 %", "4,2 pct.-point" (Dansk
Sprognævn's abbreviation of procentpoint) and "1.234"; English "60.3%", "4.2 pp" and "1,234".
A missing figure is a dash, never a number. The dashboard and the report keep their own
sentences (publish/web/i18n.py, publish/report/i18n.py).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal

from babel import Locale
from babel.numbers import format_decimal

LANGS = ("da", "en")
LOCALES = {"da": Locale.parse("da_DK"), "en": Locale.parse("en_GB")}
NBSP = "\u00a0"
DASH = "–"

# DST's wording (StatBank's HERKOMST: "Personer med dansk oprindelse").
ORIGIN_LABELS = {
    "all": ("Alle", "All"),
    "danish_origin": ("Personer med dansk oprindelse", "Persons of Danish origin"),
    "immigrants": ("Indvandrere", "Immigrants"),
    "descendants": ("Efterkommere", "Descendants"),
    "western": ("Vestlig oprindelse", "Western origin"),
    "non_western": ("Ikke-vestlig oprindelse", "Non-Western origin"),
    "menapt": ("MENAPT-oprindelse", "MENAPT origin"),
    "immigrants_western": ("Indvandrere, vestlige", "Immigrants, Western"),
    "immigrants_non_western": ("Indvandrere, ikke-vestlige", "Immigrants, non-Western"),
    "descendants_western": ("Efterkommere, vestlige", "Descendants, Western"),
    "descendants_non_western": ("Efterkommere, ikke-vestlige", "Descendants, non-Western"),
}
SEX_LABELS = {
    "all": ("Begge køn", "Both sexes"),
    "male": ("Mænd", "Men"),
    "female": ("Kvinder", "Women"),
}

AREA_LABELS = {
    "population": ("Befolkning", "Population"),
    "work": ("Beskæftigelse", "Employment"),
    "education": ("Uddannelse", "Education"),
    "danish": ("Danskkundskaber", "Danish language"),
    "public_support": ("Offentlig forsørgelse", "Public income support"),
    "housing": ("Udsatte boligområder", "Vulnerable housing areas"),
    "crime": ("Kriminalitet", "Crime"),
    "other": ("Øvrige", "Other"),
}
MOVEMENT_LABELS = {
    "positive": ("Positiv udvikling", "Positive movement"),
    "negative": ("Negativ udvikling", "Negative movement"),
    "unchanged": ("Uændret", "Unchanged"),
    "no_data": ("Ingen data", "No data"),
}
LIGHT_LABELS = {
    "green": ("Grøn", "Green"),
    "yellow": ("Gul", "Yellow"),
    "red": ("Rød", "Red"),
    "white": ("Hvid (ikke vurderet)", "White (not assessed)"),
}
TARGET_LABELS = {
    "target_met": ("Mål nået", "Target met"),
    "on_track": ("På rette spor", "On track"),
    "off_track": ("Ikke på rette spor", "Off track"),
    "insufficient_data": ("For få data", "Insufficient data"),
    "no_target": ("Intet talmål (retningsmål)", "No numeric target (directional goal)"),
}
POLARITY_LABELS = {
    "higher_is_better": ("Højere er bedre", "Higher is better"),
    "lower_is_better": ("Lavere er bedre", "Lower is better"),
    "neutral": ("Neutral", "Neutral"),
}


def label(table: dict, key: object, lang: str) -> str:
    """The label of a code in the language; the code itself when the table lacks it, and ""
    for None unless the table names it."""
    pair = table.get(key)
    if pair is None:
        return "" if key is None else str(key)
    return pair[1] if lang == "en" else pair[0]


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


_SYMBOLS = {
    lang: (loc.number_symbols["latn"]["decimal"], loc.number_symbols["latn"]["group"])
    for lang, loc in LOCALES.items()
}
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
