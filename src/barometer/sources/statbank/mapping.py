"""Declarative mappings from a StatBank table to catalogue indicators (one YAML file per table).

Why declarative: the StatBank's variable ids and codes are the part most likely to change and
the part least confirmed (../shared/reference/statbank/collected/README.md grades the evidence
for each table), so they live in data next to their notes. Every variable and code is named
*with its Danish and English label*: the client matches a code first and the label second
(``resolve.py``), says which it used, and stops listing the table's real codes when neither
matches.

A mapping names the table's area, origin and sex variables, fixes or sums every other
variable, and lists the indicators the table fills. Each indicator is made one way:

* ``value``: the cell itself (a count, or a rate as published);
* ``ratio``: 100 × Σ numerator codes ÷ Σ denominator codes of one variable (RAS201 employed ÷
  everyone, LIGEUB1 completed ÷ everyone); ``denominator: total`` takes the variable's total,
  or the sum of all its codes where it has none;
* ``per_population``: 100 × the table's count ÷ the population of FOLK1E for the same area,
  origin group and sex, over an age range at a time code (STRAFNA6 convicted men 15-29);
* ``weighted``: band rates of the table averaged with FOLK1E populations of the bands as
  weights (RAS200's five-year bands → 25-64), only while the table named by ``fallback_for``
  is not in the store.

``gaps`` lists gap indicators computed from this table's own rates (danish origin minus the
focus group, as the catalogue's definition says).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from barometer.codes import ORIGIN_GROUPS, SEXES
from barometer.errors import CatalogueError

POPULATION_TABLE = "FOLK1E"  # the table whose mapping gives populations by single year of age


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(Strict):
    da: str
    en: str


class VariableRef(Strict):
    """A variable of the table: its id, and its label in each language (tableinfo ``text``)."""

    id: str
    da: str | None = None
    en: str | None = None

    def show(self) -> str:
        labels = " / ".join(x for x in (self.da, self.en) if x)
        return f"{self.id} ({labels})" if labels else self.id


class CodeRef(Strict):
    """A value of a variable: its code, and its label in each language."""

    code: str
    da: str | None = None
    en: str | None = None

    def show(self) -> str:
        labels = " / ".join(repr(x) for x in (self.da, self.en) if x)
        return f"{self.code!r} ({labels})" if labels else repr(self.code)


class GroupCode(CodeRef):
    """A value of the origin or sex variable and the barometer's code it stands for."""

    as_: str | None = Field(default=None, alias="as", description="Our origin group or sex")
    optional: bool = Field(
        default=False, description="UNCONFIRMED: left out with a note if the table lacks it"
    )
    in_all_only: bool = Field(
        default=False, description="Counted in a derived 'all' only (not one of our groups)"
    )

    @model_validator(mode="after")
    def _target(self) -> GroupCode:
        if (self.as_ is None) != self.in_all_only:
            raise ValueError(f"code {self.code!r}: give either 'as' or 'in_all_only: true'")
        return self


class Breakdown(Strict):
    """The origin or the sex variable: codes → our groups."""

    variable: VariableRef
    codes: list[GroupCode] = Field(min_length=1)
    derive_all: bool = Field(
        default=False,
        description="Sum the codes to 'all' where the table gives no total (they must cover "
        "everyone; counts only)",
    )


class Select(Strict):
    """Another variable: the codes kept (several are summed), or left out of the request."""

    variable: VariableRef
    codes: list[CodeRef] = []
    eliminate: bool = Field(
        default=False, description="Leave it out of the request: the API gives its total"
    )

    @model_validator(mode="after")
    def _one(self) -> Select:
        if self.eliminate == bool(self.codes):
            raise ValueError(f"{self.variable.id}: give codes or 'eliminate: true'")
        return self


class AgeCoding(Strict):
    """How a table codes single years of age ('{age}' is replaced by the number)."""

    variable: VariableRef
    year: CodeRef = Field(description="e.g. {code: '{age}', da: '{age} år', en: '{age} years'}")

    def code(self, age: int) -> CodeRef:
        fill = {"age": age}
        y = self.year
        return CodeRef(
            code=y.code.format(**fill),
            da=y.da.format(**fill) if y.da else None,
            en=y.en.format(**fill) if y.en else None,
        )


class Population(Strict):
    """Population counts of FOLK1E (its mapping) for an age range at a time code."""

    time: str = Field(description="FOLK1E time code of year Y: '{year}K1', '{next}K1' (Y+1)…")
    ages: tuple[int, int] | None = Field(default=None, description="First and last age")


class Ratio(Strict):
    variable: VariableRef
    numerator: list[CodeRef] = Field(min_length=1)
    denominator: list[CodeRef] | Literal["total"]


class Band(CodeRef):
    ages: tuple[int, int]


class Bands(Strict):
    variable: VariableRef
    codes: list[Band] = Field(min_length=1)


class Target(Strict):
    """One catalogue indicator the table fills, and how."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="A catalogue indicator id")
    unit: Literal["pct", "count"] = Field(description="Must equal the catalogue's unit")
    kind: Literal["value", "ratio", "per_population", "weighted"] = "value"
    select: list[Select] = Field(default=[], description="Overrides the table-level select")
    sexes: list[str] | None = Field(default=None, description="Publish only these sexes")
    ratio: Ratio | None = None
    population: Population | None = None
    bands: Bands | None = None
    fallback_for: str | None = Field(
        default=None, description="Computed only while this table is not in the store"
    )
    differences: list[Text] = Field(
        default=[], description="How this table's figures differ from the definition"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        need = {
            "ratio": ("ratio",),
            "per_population": ("population",),
            "weighted": ("population", "bands"),
            "value": (),
        }[self.kind]
        for name in ("ratio", "population", "bands"):
            if (getattr(self, name) is not None) != (name in need):
                raise ValueError(f"{self.id}: kind {self.kind!r} and block {name!r} do not fit")
        if self.kind != "value" and self.unit != "pct":
            raise ValueError(f"{self.id}: a {self.kind} is a share: unit must be 'pct'")
        if self.kind == "per_population" and self.population.ages is None:
            raise ValueError(f"{self.id}: per_population needs population.ages")
        if (
            self.kind == "value"
            and self.unit == "pct"
            and any(len(s.codes) > 1 for s in self.select)
        ):
            raise ValueError(f"{self.id}: a rate read as is cannot be summed: one code each")
        for sex in self.sexes or []:
            if sex not in SEXES:
                raise ValueError(f"{self.id}: unknown sex {sex!r}")
        return self

    @property
    def additive(self) -> bool:
        """Cells may be summed (counts and the counts behind a ratio or a weighted rate)."""
        return self.kind != "value" or self.unit == "count"


class GapTarget(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    differences: list[Text] = []


class Mapping(Strict):
    table: str = Field(pattern=r"^[A-Z0-9]+$")
    time: str = Field(description="Time code of a year, e.g. '{year}' or '{year}K1'")
    default: bool = Field(
        default=True, description="Fetched when no tables are named (false: only on request)"
    )
    format: Literal["BULK", "CSV", "JSONSTAT"] = Field(
        default="BULK", description="BULK streams; a request that leaves a variable out uses CSV"
    )
    area: VariableRef | None = Field(description="Area variable; null for a national table")
    areas: list[CodeRef] | None = Field(
        default=None, description="Area codes to keep (default: every area the barometer has)"
    )
    origin: Breakdown | None = Field(default=None, description="null: everyone ('all')")
    sex: Breakdown | None = Field(default=None, description="null: both sexes ('all')")
    age: AgeCoding | None = Field(default=None, description="Single years (FOLK1E only)")
    select: list[Select] = []
    indicators: list[Target] = Field(min_length=1)
    gaps: list[GapTarget] = []
    notes: list[str] = []
    unconfirmed: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> Mapping:
        for name, bd, allowed in (
            ("origin", self.origin, ORIGIN_GROUPS),
            ("sex", self.sex, SEXES),
        ):
            if bd is None:
                continue
            bad = [c.as_ for c in bd.codes if c.as_ is not None and c.as_ not in allowed]
            if bad:
                raise ValueError(f"{name}: unknown target codes {bad}")
            if any(c.in_all_only for c in bd.codes) and not bd.derive_all:
                raise ValueError(f"{name}: 'in_all_only' codes need derive_all: true")
        if "{year}" not in self.time:
            raise ValueError("time must contain {year}")
        ids = [t.id for t in self.indicators]
        if len(set(ids)) != len(ids):
            raise ValueError(f"an indicator is listed twice: {ids}")
        for t in self.indicators:
            if t.kind == "value" and t.unit == "pct":
                for bd in (self.origin, self.sex):
                    if bd is not None and bd.derive_all:
                        raise ValueError(f"{t.id}: derive_all sums cells, which a rate read "
                                         "as is cannot do")  # fmt: skip
        return self

    def selects(self, target: Target) -> list[Select]:
        """The table-level selections with the indicator's own over them (by variable id)."""
        own = {s.variable.id.casefold(): s for s in target.select}
        out = [own.pop(s.variable.id.casefold(), s) for s in self.select]
        return out + list(own.values())

    def target(self, indicator_id: str) -> Target:
        return next(t for t in self.indicators if t.id == indicator_id)

    def aux_tables(self) -> set[str]:
        """Other tables this mapping needs (FOLK1E for populations)."""
        return {POPULATION_TABLE for t in self.indicators if t.population is not None}


def mappings_dir() -> Path:
    return Path(str(resources.files("barometer.sources.statbank").joinpath("mappings")))


def load_mapping(path: Path) -> Mapping:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        mapping = Mapping.model_validate(raw)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: invalid StatBank mapping: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(x) for x in e['loc']) or 'the file'}: {e['msg']}" for e in exc.errors()
        )
        raise CatalogueError(f"{path}: invalid StatBank mapping: {problems}") from None
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read the mapping ({exc.strerror})") from None
    if mapping.table != Path(path).stem:
        raise CatalogueError(f"{path}: table {mapping.table} does not match the file name")
    return mapping


def load_mappings(extra: Path | None = None) -> dict[str, Mapping]:
    """The built-in mappings keyed by table id, with those in ``extra`` added or overriding."""
    out = {p.stem: load_mapping(p) for p in sorted(mappings_dir().glob("*.yaml"))}
    if extra is not None:
        folder = Path(extra)
        if not folder.is_dir():
            raise CatalogueError(f"{folder}: the mappings folder does not exist")
        out.update({p.stem: load_mapping(p) for p in sorted(folder.glob("*.yaml"))})
    return out
