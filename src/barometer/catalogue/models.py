"""Strict models of an indicator definition (DESIGN.md principle 1: one definition drives all).

A definition is data: filters are structured, never SQL strings, and unknown keys are errors.
The compiler (``barometer.compute.compiler``) turns a definition into Ibis expressions.
"""

from __future__ import annotations

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

# Fields of the person-year table (compute/person_year.py) that filters may name.
PERSON_YEAR_FIELDS = {
    "age": "ALDER at 31 December of the year (bef{Y}12)",
    "sex": "'male' or 'female' (KOEN 1/2)",
    "employed": "SOCIO13 in akm{Y} is an employed code (110-139); no akm row = not employed",
    "edu_main_group": "main group of HFAUDD in udda{Y}09 ('10', '20', …; null when missing)",
    "support_fte": "full-time recipient share of the year from of{Y}: sum of GRADAAR, capped at 1",
    "convicted": "at least one guilty decision under the criminal code dated in the year (kraf)",
    "immigrant_arrival_age": "age at FOERSTE_INDVANDRING for immigrants; null for others",
}


class Filters(Strict):
    """Population filter: every named condition must hold."""

    age: Range | None = None
    sex: Literal["male", "female"] | None = None
    # Immigrants are included only if they arrived within this age range; others always pass
    # (DOMAIN.md §1.5: education indicators count immigrants only if they arrived aged 0-12).
    immigrant_arrival_age: Range | None = None


class Numerator(Strict):
    """What counts in the numerator: a condition on one field, or a sum of a field."""

    employed: bool | None = None
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
    area: Literal["population", "work", "education", "danish", "public_support", "housing", "crime"]
    unit: Literal["pct", "pp", "count"]
    polarity: Literal["higher_is_better", "lower_is_better", "neutral"]
    sources: list[str] = Field(min_length=1)
    year_basis: str = Field(
        default="Status at 31 December of the year (bef{Y}12).",
        description="What 'year' means for this indicator.",
    )
    notes: list[str] = []
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


class GapIndicator(Base):
    kind: Literal["gap"]
    of: str = Field(description="The rate indicator whose values are compared")
    reference: str = "danish_origin"
    direction: Literal["reference_minus_focus", "focus_minus_reference"]
    focus_groups: list[str]

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


Indicator = Annotated[
    CountIndicator | RateIndicator | GapIndicator | Grade9Indicator | DanishTestIndicator,
    Field(discriminator="kind"),
]
