"""Declarative mappings from a StatBank table to one indicator (one YAML file per table).

Why declarative: the StatBank's codes are the part most likely to change and the part a
domain expert should check (DOMAIN.md §6 marks several UNCONFIRMED), so they live in data
next to their notes, and the code checks them against the table's live ``tableinfo``.

A mapping names the variable for each of our keys (area, origin, sex, time), fixes or sums
every other variable, and says how a value is made: the cell itself (``value``) or a ratio
of sums over one variable's codes (``ratio``, e.g. employed ÷ population from RAS201).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from barometer.codes import ORIGIN_GROUPS
from barometer.errors import CatalogueError


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    da: str
    en: str


class Target(Strict):
    """The catalogue indicator a table fills, and how the table's figures differ from its
    definition (shown beside every figure from this source)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="A catalogue indicator id")
    unit: Literal["pct", "count"] = Field(description="Must equal the catalogue's unit")
    differences: list[Text] = Field(
        default=[], description="How this table's figures differ from the definition"
    )


class CodeMap(Strict):
    variable: str
    codes: dict[str, str] = Field(min_length=1, description="StatBank code → our code")
    derive_all: bool = Field(
        default=False, description="Add 'all' as the sum of the mapped codes (no total code)"
    )
    optional: list[str] = Field(
        default=[],
        description="UNCONFIRMED codes: skipped with a note if the table lacks them",
    )

    @model_validator(mode="after")
    def _optional_known(self) -> CodeMap:
        extra = [c for c in self.optional if c not in self.codes]
        if extra:
            raise ValueError(f"optional codes {extra} are not among the mapped codes")
        return self


class Ratio(Strict):
    variable: str
    numerator: list[str] = Field(min_length=1)
    denominator: list[str] = Field(min_length=1)


class Mapping(Strict):
    table: str = Field(pattern=r"^[A-Z0-9]+$")
    indicator: Target
    time: str = Field(description="Time code for a year, e.g. '{year}' or '{year}K1'")
    area: str | None = Field(description="Area variable; null for a national table ('000')")
    origin: CodeMap
    sex: CodeMap
    select: dict[str, list[str]] = Field(
        default={}, description="Other variables: codes to keep; several codes are summed"
    )
    kind: Literal["value", "ratio"] = "value"
    ratio: Ratio | None = None
    notes: list[str] = []
    unconfirmed: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> Mapping:
        for name, cm in (("origin", self.origin), ("sex", self.sex)):
            allowed = ORIGIN_GROUPS if name == "origin" else ("all", "male", "female")
            bad = [v for v in cm.codes.values() if v not in allowed]
            if bad:
                raise ValueError(f"{name}: unknown target codes {bad}")
        if (self.kind == "ratio") != (self.ratio is not None):
            raise ValueError("kind 'ratio' needs a 'ratio' block, and only it may have one")
        if self.kind == "ratio" and self.indicator.unit != "pct":
            raise ValueError("a ratio is a share: unit must be 'pct'")
        additive = self.kind == "ratio" or self.indicator.unit == "count"
        if not additive:
            if any(len(v) != 1 for v in self.select.values()):
                raise ValueError("a rate read as is cannot be summed: select one code each")
            if self.origin.derive_all or self.sex.derive_all:
                raise ValueError("derive_all sums cells, which a rate read as is cannot do")
        if "{year}" not in self.time:
            raise ValueError("time must contain {year}")
        return self

    def variables(self) -> list[str]:
        """Every StatBank variable the mapping accounts for (the time variable aside)."""
        names = [self.origin.variable, self.sex.variable, *self.select]
        if self.area:
            names.append(self.area)
        if self.ratio:
            names.append(self.ratio.variable)
        return names


def mappings_dir() -> Path:
    return Path(str(resources.files("barometer.sources.statbank").joinpath("mappings")))


def load_mapping(path: Path) -> Mapping:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        mapping = Mapping.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        raise CatalogueError(f"{path}: invalid StatBank mapping: {exc}") from None
    if mapping.table != Path(path).stem:
        raise CatalogueError(f"{path}: table {mapping.table} does not match the file name")
    return mapping


def load_mappings(directory: Path | None = None) -> dict[str, Mapping]:
    """All mappings keyed by table id (default: the built-in ones)."""
    directory = directory or mappings_dir()
    return {p.stem: load_mapping(p) for p in sorted(Path(directory).glob("*.yaml"))}
