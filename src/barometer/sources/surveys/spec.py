"""The survey spec: how a respondent file's columns become indicators, groups and areas.

Why a spec file: surveys change their questionnaires and codes from round to round (the
safety survey moved from "utryg" to both "tryg" and "utryg" in 2023, DOMAIN.md §2.3 b), so
the mapping from answer codes to "yes", "no" and "missing" is data, checked strictly: an
answer code that the spec does not name stops the import (it might be a new category).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from barometer.codes import ORIGIN_GROUPS
from barometer.errors import InputError

Code = int | str


def code_text(value: object) -> str:
    """One spelling for an answer code whether it came from YAML, CSV, Excel or SPSS: 1, '1'
    and 1.0 are all '1'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    da: str
    en: str


class CodedColumn(Strict):
    """A column whose answer codes map to our codes; ``missing`` codes drop the respondent
    from breakdowns by this column but keep them in the totals."""

    column: str
    codes: dict[str, str] = Field(min_length=1)
    missing: list[str] = []

    @field_validator("codes", mode="before")
    @classmethod
    def _keys_as_text(cls, v: dict) -> dict:
        return {code_text(k): val for k, val in v.items()} if isinstance(v, dict) else v

    @field_validator("missing", mode="before")
    @classmethod
    def _missing_as_text(cls, v: list) -> list:
        return [code_text(x) for x in v] if isinstance(v, list) else v


class RangeFilter(Strict):
    """Keep respondents whose numeric column lies in [min, max] (e.g. ages 18-29)."""

    column: str
    min: float | None = None
    max: float | None = None


class DistrictColumn(CodedColumn):
    """A column with the respondent's district (e.g. Copenhagen's ten bydele): code → name.
    Shares by district are published beside the area's cells (table ``survey_districts``)."""


class SurveyIndicator(Strict):
    """Which column answers a catalogue survey indicator, and which answers count.

    Title, description, theme and polarity are the catalogue's (kind ``survey``): the spec
    only says how this survey round's file encodes the answers.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="A catalogue indicator id")
    question: str = Field(description="The column holding the answers")
    filters: list[RangeFilter] = Field(
        default=[], description="Who is asked this question, on top of the spec's filters"
    )
    # Not "yes"/"no": YAML 1.1 reads those keys as booleans.
    yes_codes: list[Code] = Field(min_length=1, description="Answer codes counted in the share")
    no_codes: list[Code] = Field(min_length=1, description="Other valid answer codes")
    missing_codes: list[Code] = Field(
        default=[], description="'Don't know', refusals: left out of the base"
    )

    @model_validator(mode="after")
    def _disjoint(self) -> SurveyIndicator:
        sets = [set(map(code_text, s)) for s in (self.yes_codes, self.no_codes, self.missing_codes)]
        if sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2]:
            raise ValueError(f"{self.id}: yes, no and missing codes must not overlap")
        return self

    def code_sets(self) -> tuple[set[str], set[str], set[str]]:
        return tuple(
            set(map(code_text, s)) for s in (self.yes_codes, self.no_codes, self.missing_codes)
        )


class SurveySpec(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Source becomes survey:<name>")
    title: Text
    synthetic: bool = False
    documentation: str | None = None
    weight: str = Field(description="Column with the design/calibration weight")
    year: int | None = None
    year_column: str | None = None
    area: str | None = Field(default=None, description="One area code for every respondent")
    area_column: str | None = None
    areas: list[str] | None = Field(
        default=None,
        description="With area_column: the areas the sample was designed for, published on "
        "their own; respondents elsewhere count only in total_area (None: every area)",
    )
    total_area: str | None = Field(
        default=None,
        description="With area_column: also estimate over every respondent as this "
        "area, e.g. '000' for a national survey",
    )
    district: DistrictColumn | None = None
    origin: CodedColumn | None = None
    sex: CodedColumn | None = None
    filters: list[RangeFilter] = []
    publish_origin_groups: list[str] = Field(
        default=["all"], description="Origin groups to publish (unions of the coded groups)"
    )
    min_respondents: int | None = Field(
        default=None,
        ge=3,
        description="Fewest valid answers in a published cell; default each indicator's "
        "catalogue minimum (the store's threshold if higher)",
    )
    indicators: list[SurveyIndicator] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> SurveySpec:
        if (self.year is None) == (self.year_column is None):
            raise ValueError("give exactly one of year and year_column")
        if (self.area is None) == (self.area_column is None):
            raise ValueError("give exactly one of area and area_column")
        if self.area_column is None and (self.areas is not None or self.total_area is not None):
            raise ValueError("areas and total_area need area_column")
        if self.origin:
            bad = [g for g in self.origin.codes.values() if g not in ORIGIN_GROUPS]
            if bad:
                raise ValueError(f"origin: unknown origin groups {bad}")
        bad = [g for g in self.publish_origin_groups if g not in ORIGIN_GROUPS]
        if bad:
            raise ValueError(f"publish_origin_groups: unknown origin groups {bad}")
        if self.origin is None and self.publish_origin_groups != ["all"]:
            raise ValueError("publish_origin_groups needs an origin column")
        if self.sex:
            bad = [s for s in self.sex.codes.values() if s not in ("male", "female")]
            if bad:
                raise ValueError(f"sex: codes must map to male or female, got {bad}")
        ids = [i.id for i in self.indicators]
        if len(ids) != len(set(ids)):
            raise ValueError("indicator ids must be unique")
        return self


def specs_dir() -> Path:
    """The example specs shipped with the package (the demo surveys)."""
    return Path(str(resources.files("barometer.sources.surveys").joinpath("specs")))


def load_spec(path: Path) -> SurveySpec:
    path = Path(path)
    if not path.is_file():
        raise InputError("survey spec not found", path=path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return SurveySpec.model_validate(raw)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", path=path) from None
    except ValidationError as exc:
        lines = [
            f"  {'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        ]
        raise InputError("invalid survey spec:\n" + "\n".join(lines), path=path) from None
