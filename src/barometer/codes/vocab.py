"""One vocabulary: every coded value's label in Danish and English, and its display order.

The dashboard, the report, the exports and the command line all name an origin group, a
theme, a traffic light or a suppression reason from here, so a word cannot drift between them.
Each table maps code → (Danish, English); its key order is the display order.
"""

from __future__ import annotations

import json

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

THEME_LABELS = {
    "population": ("Befolkning", "Population"),
    "work": ("Beskæftigelse", "Employment"),
    "education": ("Uddannelse", "Education"),
    "danish": ("Danskkundskaber", "Danish language"),
    "public_support": ("Offentlig forsørgelse", "Public income support"),
    "housing": ("Udsatte boligområder", "Vulnerable housing areas"),
    "crime": ("Kriminalitet", "Crime"),
    "safety": ("Tryghed", "Safety"),
    "health": ("Sundhed", "Health"),
    "citizenship": ("Medborgerskab", "Citizenship"),
    "discrimination": ("Diskrimination", "Discrimination"),
}
THEMES = tuple(THEME_LABELS)
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


UNIT_LABELS = {
    "pct": ("procent", "per cent"),
    "pp": ("procentpoint", "percentage points"),
    "count": ("antal", "count"),
}
STATUS_LABELS = {
    "ok": ("offentliggjort", "published"),
    "suppressed_primary": ("diskretioneret", "suppressed"),
    "suppressed_secondary": ("diskretioneret", "suppressed"),
}
# Why a cell is hidden, in the words a reader needs (disclosure/ and pipeline/protect.py codes).
REASON_LABELS = {
    "suppressed_primary": (
        "diskretioneret: for få personer i cellen",
        "suppressed: too few persons in the cell",
    ),
    "suppressed_secondary": (
        "diskretioneret for at beskytte en anden celle (sekundær diskretionering)",
        "suppressed to protect another cell (secondary suppression)",
    ),
    "survey_min_respondents": (
        "diskretioneret: for få svar i cellen",
        "suppressed: too few answers in the cell",
    ),
    "statbank_suppressed": (
        "diskretioneret af Danmarks Statistik",
        "suppressed by Statistics Denmark",
    ),
}
LIGHT_MEANING = {
    "green": ("signifikant udvikling i den rigtige retning", "significant change the right way"),
    "yellow": ("ingen signifikant udvikling", "no significant change"),
    "red": ("signifikant udvikling i den forkerte retning", "significant change the wrong way"),
    "white": ("ingen data", "no data"),
}
# The housing-area lists (almenboligloven §§ 61 a, 61 b) and the criteria's short names.
HOUSING_LIST_LABELS = {
    "udsat": ("udsat boligområde", "vulnerable housing area"),
    "parallelsamfund": ("parallelsamfund", "parallel society"),
    "omdannelsesomraade": ("omdannelsesområde", "transformation area"),
    "forebyggelsesomraade": ("forebyggelsesområde", "prevention area"),
}
HOUSING_SLOT_LABELS = {
    "employment": ("Uden for arbejde og uddannelse", "Outside work and education"),
    "crime": ("Dømte", "Convicted"),
    "education": ("Kun grundskole", "Basic schooling only"),
    "income": ("Indkomst", "Income"),
    "non_western": ("Ikke-vestlig herkomst", "Non-Western origin"),
}
SOURCE_KIND_LABELS = {
    "registers": ("registre", "registers"),
    "statbank": ("Statistikbanken", "StatBank"),
    "survey": ("spørgeskemaundersøgelse", "survey"),
    "file": ("indlæst fil", "imported file"),
    "programme": ("integrationsprogrammet", "the integration programme"),
    "welcomehouse": ("Welcome House", "Welcome House"),
}


def label(table: dict, key: object, lang: str) -> str:
    """The label of a code in the language; the code itself when the table lacks it, and ""
    for None unless the table names it."""
    pair = table.get(key)
    if pair is None:
        return "" if key is None else str(key)
    return pair[1] if lang == "en" else pair[0]


def source_label(source: str, lang: str) -> str:
    """'statbank:RAS200' → 'Statistikbanken RAS200'; 'registers' → 'registre'."""
    kind, _, name = source.partition(":")
    word = label(SOURCE_KIND_LABELS, kind, lang)
    return f"{word} {name}".strip() if name else word


def source_note(notes: object, lang: str) -> str:
    """A source's notes as the store keeps them (a JSON list of {da, en}) in one language:
    how its figures differ from the definition, or '' without notes."""
    items = json.loads(notes) if isinstance(notes, str) and notes else []
    return " ".join(n[lang] for n in items if n.get(lang))


def source_names(codes: list[str] | tuple[str, ...] | None, lang: str) -> str:
    """A definition's sources as a reader names them: register names as they are (BEF, AKM),
    other kinds by their label ('programme' → 'integrationsprogrammet',
    'statbank:STRAFNA9' → 'Statistikbanken STRAFNA9')."""
    out = []
    for code in codes or []:
        kind = code.partition(":")[0]
        out.append(source_label(code, lang) if kind in SOURCE_KIND_LABELS else code)
    return ", ".join(out)
