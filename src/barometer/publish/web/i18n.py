"""The dashboard's words in Danish (default) and English.

Code labels and number formats come from publish/labels.py, shared with the report, so that
a figure reads the same on a page and in the PDF. A suppressed cell is a word, never a number
(and never zero).
"""

from __future__ import annotations

from barometer.publish import labels
from barometer.publish.labels import (
    AREA_LABELS,
    LANGS,
    LIGHT_LABELS,
    LOCALES,
    MOVEMENT_LABELS,
    ORIGIN_LABELS,
    POLARITY_LABELS,
    SEX_LABELS,
    TARGET_LABELS,
    babel_number,
    fmt_change,
    is_missing,
    label,
    number,
)

__all__ = [
    "AREA_LABELS",
    "DEFAULT_LANG",
    "LANGS",
    "LIGHT_LABELS",
    "MOVEMENT_LABELS",
    "ORIGIN_LABELS",
    "POLARITY_LABELS",
    "SEX_LABELS",
    "TARGET_LABELS",
    "babel_number",
    "fmt_change",
    "fmt_date",
    "fmt_value",
    "is_missing",
    "label",
    "number",
    "t",
]

DEFAULT_LANG = "da"

STATUS_LABELS = {
    "ok": ("ok", "ok"),
    "suppressed_primary": ("diskretioneret", "suppressed"),
    "suppressed_secondary": ("diskretioneret", "suppressed"),
}
UNIT_LABELS = {
    "pct": ("procent", "per cent"),
    "pp": ("procentpoint", "percentage points"),
    "count": ("antal", "count"),
}

# Interface words: key → (Danish, English).
WORDS: dict[str, tuple[str, str]] = {
    "site": ("Integrationsbarometer", "Integration barometer"),
    "skip": ("Gå til indhold", "Skip to content"),
    "nav_front": ("Forside", "Home"),
    "nav_indicators": ("Indikatorer", "Indicators"),
    "nav_compare": ("Sammenlign", "Compare"),
    "nav_goals": ("Mål", "Goals"),
    "nav_housing": ("Boligområder", "Housing areas"),
    "nav_about": ("Om og metode", "About and method"),
    "main_nav": ("Hovedmenu", "Main menu"),
    "switch_lang": ("English", "Dansk"),
    "switch_lang_label": ("Read this page in English", "Læs siden på dansk"),
    "synthetic_banner": (
        "SYNTETISKE DATA: Tallene kommer fra et genereret, syntetisk Danmark, ikke fra rigtige "
        "registre. De viser, hvordan systemet virker, og beskriver ingen rigtig person eller "
        "kommune.",
        "SYNTHETIC DATA: these figures come from a generated, synthetic Denmark, not from real "
        "registers. They show how the system works and describe no real person or municipality.",
    ),
    "sample_note": (
        "Stikprøve: {pct} % af befolkningen er genereret; befolkningstal er vist som optalt ÷ "
        "{scale} (tællerne i data er de optalte).",
        "Sample: {pct} % of the population is generated; population figures are shown as "
        "counted ÷ {scale} (the numerators in the data are as counted).",
    ),
    "front_title": ("Integrationen i Danmarks kommuner", "Integration in Denmark's municipalities"),
    "front_intro": (
        "Følg beskæftigelse, uddannelse, danskkundskaber, forsørgelse, boligområder og "
        "kriminalitet for indvandrere og efterkommere i hele landet og i hver af de 98 kommuner.",
        "Follow employment, education, Danish language, public support, housing areas and crime "
        "for immigrants and descendants in Denmark and each of the 98 municipalities.",
    ),
    "choose_area": ("Vælg en kommune", "Choose a municipality"),
    "search_label": ("Kommunenavn eller kommunekode", "Municipality name or code"),
    "search_button": ("Vis", "Show"),
    "search_none": ("Ingen kommune passer til søgningen.", "No municipality matches the search."),
    "search_results": ("Søgeresultater", "Search results"),
    "or_denmark": ("eller se hele landet", "or see all of Denmark"),
    "all_municipalities": ("Alle kommuner", "All municipalities"),
    "needles": ("Barometerets nåle", "The barometer's needles"),
    "needles_intro": (
        "Bevægelse siden basisåret for hvert mål (hele landet).",
        "Movement since the base year for each goal (Denmark).",
    ),
    "key_figures": ("Nøgletal", "Key figures"),
    "change_since": ("Ændring siden", "Change since"),
    "not_available": (
        "Ikke tilgængelig i dette datalager endnu.",
        "Not available in this store yet.",
    ),
    "denmark": ("Hele landet", "Denmark"),
    "region": ("Region", "Region"),
    "municipality": ("Kommune", "Municipality"),
    "area": ("Område", "Area"),
    "indicator": ("Indikator", "Indicator"),
    "year": ("År", "Year"),
    "value": ("Værdi", "Value"),
    "status": ("Status", "Status"),
    "origin_group": ("Herkomstgruppe", "Origin group"),
    "sex": ("Køn", "Sex"),
    "numerator": ("Tæller", "Numerator"),
    "denominator": ("Nævner", "Denominator"),
    "ci": ("95 %-konfidensinterval", "95% confidence interval"),
    "rank": ("Placering", "Rank"),
    "peers": ("Sammenlignelige kommuner", "Peer municipalities"),
    "peer_average": ("Sammenlignelige kommuner (samlet)", "Peer municipalities (pooled)"),
    "vs_denmark": ("mod hele landet og sammenlignelige kommuner", "against Denmark and peers"),
    "per_group": ("Efter herkomst og køn", "By origin group and sex"),
    "latest": ("Seneste år", "Latest year"),
    "goal_status": ("Målstatus", "Goal status"),
    "goal": ("Mål", "Goal"),
    "movement": ("Bevægelse", "Movement"),
    "traffic_light": ("Trafiklys", "Traffic light"),
    "target_status": ("Talmål", "Target"),
    "owner": ("Ansvarlig", "Owner"),
    "base_year": ("Basisår", "Base year"),
    "show": ("Vis", "Show"),
    "update": ("Opdatér", "Update"),
    "chart": ("Diagram", "Chart"),
    "table": ("Tabel", "Table"),
    "download": ("Hent data", "Download data"),
    "download_svg": ("Hent diagram som SVG", "Download chart as SVG"),
    "download_png": ("Hent diagram som PNG", "Download chart as PNG"),
    "json_twin": ("Siden som JSON", "This page as JSON"),
    "definition": ("Definition", "Definition"),
    "population_def": ("Population", "Population"),
    "source": ("Kilder", "Sources"),
    "notes": ("Noter", "Notes"),
    "unit": ("Enhed", "Unit"),
    "polarity": ("Retning", "Polarity"),
    "year_basis": ("Opgørelsestidspunkt", "Reference time"),
    "unconfirmed": ("Ubekræftede valg", "Unconfirmed choices"),
    "time_series": ("Udvikling over tid", "Over time"),
    "ranking": ("Alle 98 kommuner", "All 98 municipalities"),
    "origin_comparison": ("Herkomstgrupper sammenlignet", "Origin groups compared"),
    "suppressed_note": (
        "Diskretionerede celler er skjult for at beskytte enkeltpersoner; de vises som "
        "»diskretioneret«, aldrig som nul.",
        "Suppressed cells are hidden to protect individuals; they are shown as 'suppressed', "
        "never as zero.",
    ),
    "ci_note": (
        "Det skraverede bånd og de tynde streger viser 95 %-konfidensintervaller "
        "(Wilson) for andele med kendt tæller og nævner.",
        "The shaded band and thin bars show 95% confidence intervals (Wilson) for shares with "
        "a known numerator and denominator.",
    ),
    "compare_title": ("Sammenlign kommuner", "Compare municipalities"),
    "compare_intro": (
        "Vælg op til seks kommuner og en indikator. Valget gemmes i adressen, så siden kan deles.",
        "Choose up to six municipalities and an indicator. The selection lives in the address, "
        "so the page can be shared.",
    ),
    "none_selected": ("(ingen)", "(none)"),
    "goals_title": ("Mål og målopfølgning", "Goals and progress"),
    "housing_title": ("Udsatte boligområder", "Vulnerable housing areas"),
    "list_year": ("Listeår", "List year"),
    "early_warning": ("Tidlig varsling", "Early warning"),
    "about_title": ("Om barometeret og metoden", "About the barometer and the method"),
    "not_found": ("Ikke fundet", "Not found"),
    "bad_request": ("Ugyldig forespørgsel", "Invalid request"),
    "error": ("Fejl", "Error"),
    "back_front": ("Til forsiden", "Back to the front page"),
    "indicators_title": ("Alle indikatorer", "All indicators"),
    "residents": ("Beboere", "Residents"),
    "criteria_met": ("Kriterier opfyldt", "Criteria met"),
    "categories": ("Kategorier", "Categories"),
    "no_rows": ("Ingen rækker.", "No rows."),
}


def t(key: str, lang: str) -> str:
    da, en = WORDS[key]
    return en if lang == "en" else da


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
