"""Strict models of an indicator definition (DESIGN.md principle 1: one definition drives all).

A definition is data: filters are structured, never SQL strings, and unknown keys are errors.
The compiler (``barometer.compute.compiler``) turns a register definition into Ibis
expressions; the housing lists, surveys and published tables fill the other kinds.

What the public reads (title, description, year basis, and the sentences ``describe.py`` makes
from the structured fields) is in Danish and English. ``notes``, ``unconfirmed`` and
``domain_ref`` are for the documentation (docs/indicators.md) and are never shown on a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from barometer.codes import ORIGIN_GROUPS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    da: str
    en: str


class Range(Strict):
    """An inclusive range; either end may be open."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


# A condition on one person-level field: a value, a list of values, or a range.
Condition = bool | int | str | list[int] | list[str] | Range

THEMES = (
    "population",
    "work",
    "education",
    "danish",
    "public_support",
    "housing",
    "crime",
    "safety",
    "health",
    "citizenship",
    "discrimination",
)
Theme = Literal[
    "population",
    "work",
    "education",
    "danish",
    "public_support",
    "housing",
    "crime",
    "safety",
    "health",
    "citizenship",
    "discrimination",
]
Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]
POLARITY_SIGN = {"higher_is_better": 1, "lower_is_better": -1}
DEFAULT_YEAR_BASIS = {
    "da": "Status pr. 31. december i året.",
    "en": "Status at 31 December of the year.",
}


class Filters(Strict):
    """Population filter: every named condition must hold."""

    age: Range | None = None
    sex: Literal["male", "female"] | None = None
    # Immigrants are included only if they arrived within this age range; others always pass
    # (DOMAIN.md §1.5: education indicators count immigrants only if they arrived aged 0-12).
    immigrant_arrival_age: Range | None = None


class PaidWork(Strict):
    """Paid work in a reference month of the monthly wage records (eIndkomst style): paid hours
    from any employer in ``month`` summed per person, at least ``min_hours``."""

    month: int = Field(default=11, ge=1, le=12, description="Reference month (11: November).")
    min_hours: float = Field(default=1, gt=0, description="Fewest paid hours in the month.")


class Numerator(Strict):
    """What counts in the numerator: a condition on one field, or a sum of a field."""

    employed: bool | None = None
    paid_work: PaidWork | None = None
    convicted: bool | None = None
    edu_main_group: list[str] | None = None
    sum: Literal["support_fte"] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Numerator:
        given = [k for k, v in self.__dict__.items() if v is not None]
        if len(given) != 1:
            raise ValueError(f"numerator needs exactly one condition, got {given or 'none'}")
        return self


class Base(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    description: Text
    theme: Theme = Field(description="The section it belongs to (codes/vocab.py THEMES).")
    order: int = Field(ge=0, description="Display order within the catalogue (lower first).")
    unit: Literal["pct", "pp", "count"]
    polarity: Polarity
    sources: list[str] = Field(min_length=1)
    year_basis: Text = Field(
        default=Text(**DEFAULT_YEAR_BASIS), description="What 'year' means for this indicator."
    )
    notes: list[str] = Field(default=[], description="For the documentation only.")
    unconfirmed: list[str] = Field(
        default=[], description="Choices DOMAIN.md marks UNCONFIRMED; each is a parameter here."
    )
    domain_ref: str = Field(description="Section of DOMAIN.md that defines it, e.g. '§1.5'")


class CountIndicator(Base):
    kind: Literal["count"]
    filters: Filters = Filters()


class RateIndicator(Base):
    kind: Literal["rate"]
    filters: Filters
    numerator: Numerator
    support_codes: list[str] | None = Field(
        default=None, description="PTI_TILSTAND_KODE values counted (None: every spell)"
    )
    criminal_code_prefixes: list[str] = ["1"]
    non_guilty_decision_types: list[int] = []


@dataclass(frozen=True)
class GapParts:
    """How a gap is made: sign · (rate[reference] − rate[focus group]) of ``rate_id``."""

    rate_id: str
    reference: str
    sign: int  # +1 reference minus focus, -1 focus minus reference


class GapIndicator(Base):
    kind: Literal["gap"]
    of: str = Field(description="The rate indicator whose values are compared")
    reference: str = "danish_origin"
    direction: Literal["reference_minus_focus", "focus_minus_reference"]
    focus_groups: list[str]

    @property
    def parts(self) -> GapParts:
        sign = 1 if self.direction == "reference_minus_focus" else -1
        return GapParts(self.of, self.reference, sign)

    @field_validator("focus_groups", "reference", mode="after")
    @classmethod
    def _known_groups(cls, v: str | list[str]) -> str | list[str]:
        for g in [v] if isinstance(v, str) else v:
            if g not in ORIGIN_GROUPS:
                raise ValueError(f"unknown origin group {g!r}")
        return v


class Grade9Indicator(Base):
    kind: Literal["grade9"]
    filters: Filters = Filters()
    disciplines: list[tuple[str, str]] = Field(
        min_length=1, description="(GRUNDSKOLEFAG, FAGDISCIPLIN) pairs"
    )
    min_grade: float = 2
    rule: Literal["each", "average"] = "each"
    grade_level: int = 9


class DanishTestIndicator(Base):
    kind: Literal["danish_test"]
    filters: Filters = Filters()
    participant_types: list[str] = ["I"]
    tests: list[str] = ["PD1", "PD2", "PD3"]
    within_years: int = Field(default=5, ge=1)


class HousingCountIndicator(Base):
    """How many housing areas are on one of the lists of almenboligloven § 61 a-b (DOMAIN.md
    §3). Areas on a public list, not persons: published as computed, never scaled."""

    kind: Literal["housing_count"]
    unit: Literal["count"] = "count"
    list: Literal["udsat", "parallelsamfund", "omdannelsesomraade", "forebyggelsesomraade"]


class SurveyAnswer(Strict):
    """One answer category of a survey question, as the respondent saw it."""

    text: Text
    counted: bool = Field(default=False, description="Counted in the share (a 'yes').")
    excluded: bool = Field(default=False, description="Left out of the base: don't know, refused.")

    @model_validator(mode="after")
    def _one_role(self) -> SurveyAnswer:
        if self.counted and self.excluded:
            raise ValueError(f"answer {self.text.en!r} cannot be both counted and excluded")
        return self


class SurveySource(Strict):
    """The survey an indicator comes from: its name, who runs it and the rounds it had."""

    name: Text
    owner: str = Field(min_length=1, description="Who commissions or runs the survey.")
    rounds: list[int] = Field(
        min_length=1, description="Years with a round of the survey, as far as documented."
    )
    url: str | None = None


class SurveyIndicator(Base):
    """A weighted share from a survey; a survey spec (sources/surveys) maps a file's answers
    to it. Published only where the cell has at least ``min_respondents`` valid answers (or the
    store's threshold, if higher); the interval is Wilson's on Kish's effective n."""

    kind: Literal["survey"]
    unit: Literal["pct"] = "pct"
    survey: SurveySource
    population: Text = Field(description="Who was asked, e.g. residents aged 18-29.")
    question: Text = Field(description="The question, as asked.")
    answers: list[SurveyAnswer] = Field(
        min_length=2, description="The answer categories; 'counted' ones make the share."
    )
    design: Text = Field(description="Sample, mode and response: how the survey was made.")
    weighting: Text = Field(description="How the weights are made.")
    min_respondents: int = Field(
        default=20,
        ge=3,
        description="Fewest valid answers in a published cell (a survey spec may set its own).",
    )

    @model_validator(mode="after")
    def _answers(self) -> SurveyIndicator:
        if not any(a.counted for a in self.answers):
            raise ValueError("answers: at least one answer must be counted")
        if not any(not a.counted and not a.excluded for a in self.answers):
            raise ValueError("answers: at least one valid answer must not be counted")
        return self

    def answer_texts(self, lang: str, *, counted: bool | None = None, excluded: bool = False):
        """The answers' texts in ``lang``: all valid ones, or only the counted/excluded ones."""
        out = []
        for a in self.answers:
            if excluded != a.excluded or (counted is not None and a.counted != counted):
                continue
            out.append(a.text.da if lang == "da" else a.text.en)
        return out


class ProgrammeIndicator(Base):
    """A figure of the refugee programme module (barometer.programme): a share of a cohort of
    newly arrived refugees, or the cohort's size, from the municipality's case database."""

    kind: Literal["programme"]
    population: Text = Field(description="Who the cohort is.")
    counted: Text = Field(description="Who counts in the numerator.")


class WelcomeHouseIndicator(Base):
    """A figure of the Welcome House module (barometer.welcomehouse): volunteers,
    organisations, attendance or hours per year, from anonymous headcounts and shift logs."""

    kind: Literal["welcomehouse"]
    population: Text = Field(description="What is counted.")
    counted: Text = Field(description="What counts in the figure.")


class ExternalIndicator(Base):
    """A figure the register path does not compute: it comes only from the named published
    tables or files (e.g. StatBank counts of all offences)."""

    kind: Literal["external"]


REGISTER_KINDS = ("count", "rate", "gap", "grade9", "danish_test")

Indicator = Annotated[
    CountIndicator
    | RateIndicator
    | GapIndicator
    | Grade9Indicator
    | DanishTestIndicator
    | HousingCountIndicator
    | SurveyIndicator
    | ProgrammeIndicator
    | WelcomeHouseIndicator
    | ExternalIndicator,
    Field(discriminator="kind"),
]


def register_indicators(catalogue: dict[str, Indicator]) -> dict[str, Indicator]:
    """The definitions the register path computes (compute/)."""
    return {k: v for k, v in catalogue.items() if v.kind in REGISTER_KINDS}


def gap_parts(catalogue: dict[str, Indicator]) -> dict[str, GapParts]:
    """Every gap indicator's components, from its definition (never a hand-kept list)."""
    return {k: v.parts for k, v in catalogue.items() if isinstance(v, GapIndicator)}
