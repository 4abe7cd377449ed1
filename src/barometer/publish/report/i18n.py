"""The report's sentences in Danish and English.

Code labels and number formats come from publish/labels.py, shared with the dashboard. A
suppressed or missing cell is a word or a dash, never a number.
"""

from __future__ import annotations

from barometer.publish.labels import (
    AREA_LABELS,
    DASH,
    LANGS,
    LIGHT_LABELS,
    MOVEMENT_LABELS,
    NBSP,
    ORIGIN_LABELS,
    POLARITY_LABELS,
    SEX_LABELS,
    TARGET_LABELS,
    fmt_change,
    fmt_value,
    is_missing,
    label,
    number,
)

__all__ = [
    "AREA_LABELS",
    "DASH",
    "LANGS",
    "LIGHT_LABELS",
    "MOVEMENT_LABELS",
    "NBSP",
    "ORIGIN_LABELS",
    "POLARITY_LABELS",
    "SEX_LABELS",
    "TARGET_LABELS",
    "fmt_change",
    "fmt_share",
    "fmt_value",
    "is_missing",
    "label",
    "number",
    "t",
]

LIGHT_MEANING = {
    "green": ("signifikant udvikling i den rigtige retning", "significant change the right way"),
    "yellow": ("ingen signifikant udvikling", "no significant change"),
    "red": ("signifikant udvikling i den forkerte retning", "significant change the wrong way"),
    "white": ("ingen data", "no data"),
}
REASON_LABELS = {
    None: ("diskretioneret", "suppressed"),
    "suppressed_primary": (
        "diskretioneret: for få personer i cellen",
        "suppressed: too few persons in the cell",
    ),
    "suppressed_secondary": (
        "diskretioneret for at beskytte en anden celle (sekundær diskretionering)",
        "suppressed to protect another cell (secondary suppression)",
    ),
}
SET_TITLES = {
    "national": ("Det nationale integrationsbarometer", "The national integration barometer"),
    "copenhagen": (
        "Københavns Kommunes integrationspolitik",
        "Copenhagen Municipality's integration policy",
    ),
}
DENMARK_NAME = ("Hele landet", "Denmark")
PEERS_NAME = ("Sammenlignelige kommuner", "Similar municipalities")

# Every other sentence of the report, by key.
TEXT: dict[str, tuple[str, str]] = {
    "title": ("Integrationsbarometer", "Integrationsbarometer"),
    "subtitle": (
        "Årlig status på integrationen til udvalget",
        "Annual status of integration for the committee",
    ),
    "contents": ("Indhold", "Contents"),
    "vintage": ("Datagrundlag", "Data vintage"),
    "run_date": ("Kørsel af", "Store built on"),
    "data_years": ("Dataår", "Data years"),
    "report_year": ("Rapportår", "Report year"),
    "run_id": ("Kørsels-id", "Run id"),
    "code_version": ("Programversion", "Code version"),
    "synthetic_title": ("SYNTETISKE DATA", "SYNTHETIC DATA"),
    "synthetic": (
        "Tallene i denne rapport stammer fra et genereret, syntetisk Danmark, ikke fra rigtige "
        "registre. De viser, hvordan systemet virker, og beskriver ingen virkelige personer "
        "eller kommuner.",
        "These figures come from a generated, synthetic Denmark, not from real registers. They "
        "show how the system works and describe no real person or municipality.",
    ),
    "summary": ("Sammenfatning", "Summary"),
    "needles": ("Barometernåle", "Barometer needles"),
    "goals": ("Mål, trafiklys og målstatus", "Goals, traffic lights and target status"),
    "goal": ("Mål", "Goal"),
    "movement": ("Bevægelse", "Movement"),
    "light": ("Trafiklys", "Traffic light"),
    "target_status": ("Målstatus", "Target status"),
    "owner": ("Ansvarlig", "Owner"),
    "base_year": ("Basisår", "Base year"),
    "latest_year": ("Seneste år", "Latest year"),
    "key_points": ("Hovedpunkter", "Key points"),
    "indicator": ("Indikator", "Indicator"),
    "indicators": ("Indikatorer", "Indicators"),
    "year": ("År", "Year"),
    "value": ("Værdi", "Value"),
    "change": ("Ændring", "Change"),
    "significant": ("Signifikant", "Significant"),
    "yes": ("ja", "yes"),
    "no": ("nej", "no"),
    "origin": ("Herkomst", "Origin"),
    "focus_group": ("Fokusgruppe", "Focus group"),
    "definition": ("Definition", "Definition"),
    "sources": ("Kilder", "Sources"),
    "year_basis": ("Årgang", "Year basis"),
    "chart_time": ("Udvikling over tid", "Development over time"),
    "chart_origin": ("Herkomstgrupper", "Origin groups"),
    "table_time": ("Tabel", "Table"),
    "missing": ("Hvad mangler", "What is missing"),
    "no_obs": (
        "Ingen tal for {area} i datagrundlaget (indikatoren er ikke beregnet for dette område).",
        "No figures for {area} in the data (the indicator is not computed for this area).",
    ),
    "all_suppressed": (
        "Alle tal for {area} er diskretioneret, fordi de bygger på for få personer. Derfor vises "
        "ingen værdier, diagrammer eller udvikling for indikatoren.",
        "Every figure for {area} is suppressed because it rests on too few persons, so no "
        "values, charts or development are shown for this indicator.",
    ),
    "some_suppressed": (
        "{n} celler for {area} er diskretioneret og vises som «{mark}».",
        "{n} cells for {area} are suppressed and shown as “{mark}”.",
    ),
    "section_empty": (
        "Området har ingen indikatorer med tal for {area} i {year}.",
        "The area has no indicators with figures for {area} in {year}.",
    ),
    "housing_title": ("Boligområder i kommunen", "Housing areas in the municipality"),
    "housing_title_dk": ("Boligområder på listerne", "Housing areas on the lists"),
    "housing_intro": (
        "Boligområderne vurderes efter almenboliglovens §§ 61 a og 61 b på listen offentliggjort "
        "1. december {year} (regelsæt {rules}). Tabellen viser kriterieværdierne og afstanden "
        "til tærsklerne; et kriterium markeret ● er opfyldt. Tidlig varsling: kriterier, der "
        "ikke er opfyldt, men ligger tættere end {margin} af tærsklen, er markeret ▲.",
        "Housing areas are assessed under sections 61 a and 61 b of the Social Housing Act on "
        "the list published 1 December {year} (rule set {rules}). The table shows the criteria "
        "values and the distance to the thresholds; a criterion marked ● is met. Early "
        "warning: criteria not met but closer than {margin} of the threshold are marked ▲.",
    ),
    "housing_none": (
        "Der er ingen almene boligområder med mindst {n} beboere i {area} i datagrundlaget for "
        "listeåret {year}.",
        "There are no social housing areas with at least {n} residents in {area} in the data for "
        "list year {year}.",
    ),
    "housing_missing": (
        "Datagrundlaget indeholder ingen boligområdelister (ingen boligområdefil i leverancen).",
        "The data contain no housing-area lists (no housing-area file in the delivery).",
    ),
    "housing_counts": ("Antal områder på listerne", "Number of areas on the lists"),
    "housing_area": ("Område", "Area"),
    "residents": ("Beboere", "Residents"),
    "categories": ("Kategori", "Category"),
    "criterion": ("Kriterium", "Criterion"),
    "threshold": ("Tærskel", "Threshold"),
    "distance": ("Afstand", "Distance"),
    "met": ("Opfyldt", "Met"),
    "warning": ("Tidlig varsling", "Early warning"),
    "warn_close": ("tæt på tærsklen", "close to the threshold"),
    "none_listed": ("ikke på en liste", "not listed"),
    "listed_only": (
        "For hele landet vises kun områder, der er på en liste.",
        "For Denmark only areas on a list are shown.",
    ),
    "copenhagen_areas": ("Københavns egne mål", "Copenhagen's own goals"),
    "method": ("Metode", "Method"),
    "method_sources": ("Kilder og definitioner", "Sources and definitions"),
    "method_movement": ("Barometerbevægelse", "Barometer movement"),
    "method_significance": ("Signifikans og trafiklys", "Significance and traffic lights"),
    "method_disclosure": ("Diskretionering", "Disclosure control"),
    "method_peers": ("Sammenlignelige kommuner", "Similar municipalities"),
    "footnotes": ("Fodnoter: diskretionerede celler", "Footnotes: suppressed cells"),
    "no_footnotes": (
        "Ingen celler i denne rapport er diskretioneret.",
        "No cell in this report is suppressed.",
    ),
    "movement_text": (
        "Udviklingen måles som den seneste værdi sammenlignet med basisårets værdi. Begge tal "
        "afrundes først til hele tal (halve væk fra nul). Er det afrundede tal bevæget sig den "
        "gode vej, er indikatoren positiv; den dårlige vej negativ; ellers uændret. Et mål med "
        "flere drivende indikatorer får flertallets retning; uden flertal læses målet som "
        "uændret. Manglende eller diskretionerede tal giver aldrig et flertal.",
        "Development compares the newest value with the base-year value. Both are first rounded "
        "to whole numbers (halves away from zero). If the rounded value moved the good way the "
        "indicator is positive, the bad way negative, otherwise unchanged. A goal with several "
        "driving indicators takes the majority direction; without a majority it reads as "
        "unchanged. Missing or suppressed figures never create a majority.",
    ),
    "significance_text": (
        "Trafiklysene følger Københavns regel: grøn er en signifikant udvikling i den rigtige "
        "retning siden basisåret, gul ingen signifikant udvikling, rød en signifikant udvikling "
        "i den forkerte retning og hvid ingen data. Andele testes med en to-stikprøve z-test, "
        "gab med en test af forskellen i forskelle, på 5 %-niveau. Lister over boligområder er "
        "fuldtællinger: enhver ændring i antallet er reel. Intervaller er 95 %-intervaller "
        "(Wilson for andele, Newcombe for gab).",
        "The traffic lights follow Copenhagen's rule: green is a significant change the right "
        "way since the base year, yellow no significant change, red a significant change the "
        "wrong way and white no data. Rates are tested with a two-proportion z-test and gaps "
        "with a difference-of-differences test, at the 5 % level. Housing lists are complete "
        "counts: any change in the count is real. Intervals are 95 % intervals (Wilson for "
        "rates, Newcombe for gaps).",
    ),
    "disclosure_text": (
        "Tal, der bygger på for få personer, offentliggøres ikke (diskretionering, jf. Danmarks "
        "Statistiks regler): en andel vises ikke, når tæller eller nævner er under 5, og "
        "yderligere celler skjules, hvis de ellers ville afsløre en skjult celle (sekundær "
        "diskretionering). Diskretionerede celler vises som «{mark}», indgår ikke i "
        "diagrammer, sammenligninger eller udvikling og er listet nedenfor.",
        "Figures resting on too few persons are not published (disclosure control following "
        "Statistics Denmark's rules): a share is withheld when its numerator or denominator is "
        "below 5, and further cells are hidden where they would otherwise reveal a hidden cell "
        "(secondary suppression). Suppressed cells are shown as “{mark}”, are left out of "
        "charts, comparisons and development and are listed below.",
    ),
    "peers_text": (
        "De sammenlignelige kommuner er de {k} kommuner, der ligner {area} mest i {year} på "
        "befolkningsstørrelse, andel indvandrere og efterkommere, andel med ikke-vestlig "
        "oprindelse, beskæftigelse og uddannelsesniveau: {names}. Gruppens værdi er summen af "
        "tællerne delt med summen af nævnerne.",
        "The similar municipalities are the {k} municipalities most like {area} in {year} in "
        "population size, share of immigrants and descendants, share of non-Western origin, "
        "employment and education: {names}. The group's value is the sum of the numerators "
        "divided by the sum of the denominators.",
    ),
    "no_peers": (
        "Der er ingen sammenlignelige kommuner for dette område.",
        "There are no similar municipalities for this area.",
    ),
    "page": ("Side", "Page"),
    "definitions_where": (
        "Hver indikators definition står under indikatoren i områdekapitlerne. Indikatorerne "
        "og deres kilder (registre hos Danmarks Statistik):",
        "Each indicator's definition is given under the indicator in the area chapters. The "
        "indicators and their sources (registers at Statistics Denmark):",
    ),
    "unconfirmed": (
        "Ubekræftede punkter i definitionen (se kataloget)",
        "Unconfirmed points in the definition (see the catalogue)",
    ),
    "not_significant": ("ikke signifikant", "not significant"),
    "unavailable": ("Kan ikke måles fra registre", "Cannot be measured from registers"),
}

SENTENCES: dict[str, tuple[str, str]] = {
    "count": (
        "Af {n} mål med data i {area} har {pos} bevæget sig positivt, {neg} negativt og {unch} "
        "er uændrede siden basisåret; {nodata} mål kan ikke måles.",
        "Of {n} goals with data in {area}, {pos} have moved positively, {neg} negatively and "
        "{unch} are unchanged since the base year; {nodata} goals cannot be measured.",
    ),
    "improve": (
        "Den største forbedring er {ind}: fra {base} i {base_year} til {latest} i {latest_year}.",
        "The largest improvement is {ind}: from {base} in {base_year} to {latest} in "
        "{latest_year}.",
    ),
    "setback": (
        "Det største tilbageslag er {ind}: fra {base} i {base_year} til {latest} i {latest_year}.",
        "The largest setback is {ind}: from {base} in {base_year} to {latest} in {latest_year}.",
    ),
    "no_setback": (
        "Ingen indikator har bevæget sig i den forkerte retning siden basisåret.",
        "No indicator has moved the wrong way since the base year.",
    ),
    "not_sig_sentence": (
        "{n} af {m} målte ændringer er ikke statistisk signifikante på 5 %-niveau ({list}).",
        "{n} of {m} measured changes are not statistically significant at the 5 % level ({list}).",
    ),
    "all_significant": (
        "Alle {m} målte ændringer er statistisk signifikante på 5 %-niveau.",
        "All {m} measured changes are statistically significant at the 5 % level.",
    ),
    "vs_denmark": (
        "Beskæftigelsesfrekvensen for {group} er {value} i {year} mod {dk} på landsplan.",
        "The employment rate of {group} is {value} in {year} against {dk} in Denmark.",
    ),
    "no_measured": (
        "Ingen af målene kan måles for {area} i {year}.",
        "None of the goals can be measured for {area} in {year}.",
    ),
}


def t(key: str, lang: str, **kw: object) -> str:
    """A sentence of the report in the chosen language, with its fields filled in."""
    text = (TEXT.get(key) or SENTENCES[key])[0 if lang == "da" else 1]
    return text.format(**kw) if kw else text


def fmt_share(value: float | None, lang: str) -> str:
    """A share stored as a fraction (housing criteria): 0.453 → 45,3 %."""
    return DASH if is_missing(value) else fmt_value(100 * value, "pct", lang)
