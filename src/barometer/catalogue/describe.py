"""One description of each definition, in Danish and English, made from its structured fields.

The dashboard, the report and docs/indicators.md all describe an indicator with these
sentences, so a definition is explained the same way everywhere. They say what a reader needs
(who is counted, what counts, what the year means, where the figures come from) and never the
developer's notes (register variable names, DOMAIN.md sections, UNCONFIRMED choices), which
stay in the documentation.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from barometer.catalogue.models import (
    DanishTestIndicator,
    ExternalIndicator,
    Filters,
    GapIndicator,
    Grade9Indicator,
    HousingCountIndicator,
    Indicator,
    ProgrammeIndicator,
    RateIndicator,
    SurveyIndicator,
    WelcomeHouseIndicator,
)
from barometer.codes import load_main_group_names
from barometer.codes.vocab import ORIGIN_LABELS, SEX_LABELS, label

Line = tuple[str, str]  # (message key of the field's name, the sentence)
MONTHS = (
    ("januar", "January"),
    ("februar", "February"),
    ("marts", "March"),
    ("april", "April"),
    ("maj", "May"),
    ("juni", "June"),
    ("juli", "July"),
    ("august", "August"),
    ("september", "September"),
    ("oktober", "October"),
    ("november", "November"),
    ("december", "December"),
)
_ADAPTER: TypeAdapter[Indicator] = TypeAdapter(Indicator)


def _range(lo: float | None, hi: float | None, lang: str) -> str:
    lo_s = "" if lo is None else f"{lo:g}"
    hi_s = "" if hi is None else f"{hi:g}"
    if lo is not None and hi is None:
        return f"{lo_s} år og derover" if lang == "da" else f"{lo_s} and over"
    return f"{lo_s}-{hi_s} år" if lang == "da" else f"{lo_s}-{hi_s}"


def describe_population(filters: Filters, lang: str) -> str:
    """'alder 25-64 år; mænd' / 'aged 25-64; men' (everyone when there is no filter)."""
    da = lang == "da"
    parts = []
    if filters.age:
        r = _range(filters.age.min, filters.age.max, lang)
        parts.append(f"alder {r}" if da else f"aged {r}")
    if filters.sex:
        parts.append(_lower_first(label(SEX_LABELS, filters.sex, lang)))
    arr = filters.immigrant_arrival_age
    if arr:
        r = _range(arr.min, arr.max, lang)
        parts.append(
            f"indvandrere kun hvis de kom til Danmark i alderen {r}"
            if da
            else f"immigrants only if they arrived aged {r}"
        )
    if not parts:
        return "alle med bopæl i området" if da else "everyone resident in the area"
    return "; ".join(parts)


def _numerator(ind: RateIndicator, lang: str) -> str:
    da = lang == "da"
    n = ind.numerator
    if n.employed is not None:
        return "i beskæftigelse" if da else "in employment"
    if n.convicted is not None:
        return (
            "mindst én fældende afgørelse for overtrædelse af straffeloven i året"
            if da
            else "at least one guilty decision for a criminal-code offence in the year"
        )
    if n.paid_work is not None:
        hours = f"{n.paid_work.min_hours:g}"
        month = MONTHS[n.paid_work.month - 1]
        return (
            f"betalt arbejde i {month[0]} (mindst {hours} betalt time i måneden)"
            if da
            else f"paid work in {month[1]} (at least {hours} paid hour(s) in the month)"
        )
    if n.edu_main_group is not None:
        names = load_main_group_names()
        listed = "; ".join(names[g][0 if da else 1] for g in n.edu_main_group if g in names)
        return (
            f"højst fuldførte uddannelse er en af: {listed}"
            if da
            else f"highest completed education is one of: {listed}"
        )
    return (
        "fuldtidsmodtagere af offentlige ydelser (hver person med sin andel af året, højst 1)"
        if da
        else "full-time recipients of public benefits (each person with their share of the "
        "year, at most 1)"
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def describe_lines(ind: Indicator, lang: str) -> list[Line]:
    """The definition as (field, sentence) lines for a page or a report."""
    da = lang == "da"
    out: list[Line] = [("definition", ind.description.da if da else ind.description.en)]
    if isinstance(ind, RateIndicator):
        out.append(("population_def", describe_population(ind.filters, lang)))
        out.append(("numerator", _numerator(ind, lang)))
        out.append(("denominator", "alle i populationen" if da else "everyone in the population"))
    elif isinstance(ind, GapIndicator):
        ref = _lower_first(label(ORIGIN_LABELS, ind.reference, lang))
        sentence = (
            f"forskellen i procentpoint mellem {ref} og fokusgruppen"
            if da
            else f"the difference in percentage points between {ref} and the focus group"
        )
        if ind.direction == "focus_minus_reference":
            sentence = (
                f"forskellen i procentpoint mellem fokusgruppen og {ref}"
                if da
                else f"the difference in percentage points between the focus group and {ref}"
            )
        out.append(("gap_definition", sentence))
    elif isinstance(ind, Grade9Indicator):
        out.append(
            (
                "population_def",
                "elever ved 9. klasses afgangsprøve med karakter i alle fagene; "
                + describe_population(ind.filters, lang)
                if da
                else "pupils at the 9th-grade leaving exam with a mark in every subject; "
                + describe_population(ind.filters, lang),
            )
        )
        rule = "i hvert fag" if ind.rule == "each" else "i gennemsnit"
        rule_en = "in each subject" if ind.rule == "each" else "on average"
        out.append(
            (
                "numerator",
                f"mindst {ind.min_grade:g} {rule}"
                if da
                else f"at least {ind.min_grade:g} {rule_en}",
            )
        )
    elif isinstance(ind, DanishTestIndicator):
        out.append(
            (
                "population_def",
                "kursister på danskuddannelse omfattet af integrationsprogrammet, efter startår"
                if da
                else "participants in Danish courses under the integration programme, by start "
                "year",
            )
        )
        out.append(
            (
                "numerator",
                f"har bestået en prøve i dansk inden {ind.within_years} år"
                if da
                else f"passed a Danish test within {ind.within_years} years",
            )
        )
    elif isinstance(ind, SurveyIndicator):
        out += describe_survey(ind, lang)
    elif isinstance(ind, ProgrammeIndicator | WelcomeHouseIndicator):
        out.append(("population_def", ind.population.da if da else ind.population.en))
        out.append(("counted", ind.counted.da if da else ind.counted.en))
    elif isinstance(ind, HousingCountIndicator | ExternalIndicator):
        pass
    else:
        out.append(("population_def", describe_population(ind.filters, lang)))
    out.append(("year_basis", ind.year_basis.da if da else ind.year_basis.en))
    return out


def describe_survey(ind: SurveyIndicator, lang: str) -> list[Line]:
    """Who was asked what, which answers count, and how the survey was made and weighted."""
    da = lang == "da"

    def text(t) -> str:
        return t.da if da else t.en

    out: list[Line] = [
        ("population_def", text(ind.population)),
        ("question", text(ind.question)),
        ("answers", "; ".join(ind.answer_texts(lang))),
        ("counted", "; ".join(ind.answer_texts(lang, counted=True))),
    ]
    excluded = ind.answer_texts(lang, excluded=True)
    if excluded:
        out.append(("excluded_answers", "; ".join(excluded)))
    src = ind.survey
    rounds = year_list(src.rounds)
    out.append(
        (
            "survey_source",
            f"{text(src.name)}; {src.owner}; runder: {rounds}"
            if da
            else f"{text(src.name)}; {src.owner}; rounds: {rounds}",
        )
    )
    out.append(("survey_design", text(ind.design)))
    out.append(
        (
            "survey_weighting",
            text(ind.weighting)
            + (
                " Andelen er vægtet; 95 %-intervallet er Wilsons interval på det effektive "
                "antal svar (Kish), som tager højde for vægtene."
                if da
                else " The share is weighted; the 95 % interval is Wilson's interval on the "
                "effective number of answers (Kish), which allows for the weights."
            ),
        )
    )
    out.append(
        (
            "min_respondents",
            f"Et tal vises kun, når mindst {ind.min_respondents} har svaret (eller flere, hvis "
            "undersøgelsen eller databasen kræver det)."
            if da
            else f"A figure is shown only when at least {ind.min_respondents} have answered (or "
            "more, if the survey or the database asks for more).",
        )
    )
    return out


def year_list(years: list[int], dash: str = "-") -> str:
    """2009, 2010, …, 2014 → '2009-2014'; 2015, 2017 → '2015, 2017'."""
    years = sorted(years)
    parts, start, prev = [], None, None
    for y in years:
        if start is None:
            start = prev = y
        elif y == prev + 1:
            prev = y
        else:
            parts.append(f"{start}{dash}{prev}" if prev != start else str(start))
            start = prev = y
    if start is not None:
        parts.append(f"{start}{dash}{prev}" if prev != start else str(start))
    return ", ".join(parts)


def describe_spec(spec: dict[str, Any], lang: str) -> list[Line]:
    """The same lines from a stored definition (the JSON a store keeps)."""
    return describe_lines(parse_spec(spec), lang)


def parse_spec(spec: dict[str, Any]) -> Indicator:
    return _ADAPTER.validate_python(spec)
