"""The housing-law rule sets (almenboligloven §§ 61 a-b) as versioned data, and run parameters.

The criteria changed in 2010, 2013, 2018 and 2021 (DOMAIN.md §3.3), so thresholds, strictness
and averaging periods live in ``rules.yaml``, one rule set per law version with its sources; the
code in ``criteria.py`` and ``classify.py`` only interprets them. Choices DOMAIN.md marks
UNCONFIRMED are fields of :class:`HousingParams` with documented defaults.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

Op = Literal[">", ">=", "<", "<="]
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
Metric = Literal[
    "non_western_share",
    "outside_labour_share_18_64",
    "convicted_share_18plus",
    "convicted_ratio_to_national",
    "basic_education_only_share_30_59",
    "income_ratio_to_region",
]
Slot = Literal["employment", "crime", "education", "income", "non_western"]
SLOTS: tuple[str, ...] = ("employment", "crime", "education", "income", "non_western")
# The output category columns. Before 2021, parallelsamfund holds ghettoområde and
# omdannelsesomraade holds hårdt ghettoområde (DOMAIN.md §3.3).
CATEGORIES: tuple[str, ...] = (
    "udsat",
    "parallelsamfund",
    "omdannelsesomraade",
    "forebyggelsesomraade",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Criterion(_Strict):
    """One legal criterion: a metric compared with a threshold (DOMAIN.md §3.1, §3.3)."""

    slot: Slot
    metric: Metric
    op: Op
    threshold: float
    average_years: int = Field(ge=1, le=4)
    da: str
    en: str

    def is_met(self, value: float | None, digits: int = 9) -> bool:
        """Compare at ``digits`` decimals so a value equal to the threshold in decimal notation
        (e.g. an average of 0.41 and 0.39) counts as equal despite binary floating point."""
        if value is None or value != value:  # missing or NaN: the criterion cannot be met
            return False
        return OPERATORS[self.op](round(value, digits), round(self.threshold, digits))


class CountRule(_Strict):
    criteria: list[str]
    min_met: int = Field(ge=0)
    all_of: list[str] = []
    requires: list[str] = []


class ConsecutiveRule(_Strict):
    of: str
    years: int = Field(ge=1)
    confirmed: bool
    source: str


class Category(_Strict):
    da: str
    en: str
    count: CountRule | None = None
    consecutive: ConsecutiveRule | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Category:
        if (self.count is None) == (self.consecutive is None):
            raise ValueError("a category needs exactly one of count or consecutive")
        return self


class RuleSet(_Strict):
    """One version of the law: valid for list years ``valid_from``..``valid_to``."""

    id: str
    name: str
    valid_from: int
    valid_to: int | None
    sources: list[str] = Field(min_length=1)
    notes: list[str] = []
    min_residents: int
    counted_category: str
    criteria: dict[str, Criterion]
    categories: dict[str, Category]

    @model_validator(mode="after")
    def _references_resolve(self) -> RuleSet:
        for key, cat in self.categories.items():
            if key not in CATEGORIES:
                raise ValueError(f"rule set {self.id}: unknown category {key!r}")
            if cat.count is not None:
                for c in cat.count.criteria + cat.count.all_of:
                    if c not in self.criteria:
                        raise ValueError(f"rule set {self.id}: {key} names unknown criterion {c}")
                for r in cat.count.requires:
                    if r not in self.categories:
                        raise ValueError(f"rule set {self.id}: {key} requires unknown {r}")
            elif cat.consecutive.of not in self.categories:
                raise ValueError(f"rule set {self.id}: {key} counts unknown {cat.consecutive.of}")
        if self.counted_category not in self.categories:
            raise ValueError(f"rule set {self.id}: counted_category not a category")
        return self

    def covers(self, list_year: int) -> bool:
        return self.valid_from <= list_year and (
            self.valid_to is None or list_year <= self.valid_to
        )

    def main_criteria(self) -> list[str]:
        """The criteria counted in ``criteria_met``: those of the counted category."""
        return list(self.categories[self.counted_category].count.criteria)

    def slot_criterion(self, slot: str) -> str | None:
        """The main-list criterion filling an output slot (prevention criteria excluded)."""
        cat = self.categories[self.counted_category].count
        gates = [c for k in self.categories.values() if k.count for c in k.count.all_of]
        for key in [*cat.criteria, *gates]:
            if self.criteria[key].slot == slot and not key.endswith("_prevention"):
                return key
        return None


@dataclass(frozen=True)
class HousingParams:
    """Choices the sources leave open (DOMAIN.md §3.2, §3.5, §8.10), with their defaults.

    - ``data_lag``: the latest data year feeding list year Y is Y - data_lag; a 2-year average
      uses Y-2 and Y-1. "The last 2 years" is UNCONFIRMED (DOMAIN.md §3.5).
    - ``residents_lag``: residents and the non-Western share come from the snapshot of data
      year Y - residents_lag; the end-of-year register bef{Y-1}12 stands for 1 January Y, the
      reference date of DOMAIN.md §3.2.
    - ``consecutive_years``: list year -> N for the hardest category, overriding rules.yaml
      (N for list years from 2021 is UNCONFIRMED, DOMAIN.md §3.4).
    - ``require_full_window``: if True, an average needs every year of its window; if False
      (default) it uses the years the input holds and reports them, so early list years of a
      short file can still seed the consecutive-years run.
    - ``digits``: decimals at which values are compared with thresholds.
    """

    data_lag: int = 1
    residents_lag: int = 1
    consecutive_years: Mapping[int, int] = field(default_factory=dict)
    require_full_window: bool = False
    digits: int = 9

    def window(self, list_year: int, average_years: int) -> list[int]:
        """Data years averaged for a criterion of list year ``list_year``, oldest first."""
        last = list_year - self.data_lag
        return list(range(last - average_years + 1, last + 1))

    def residents_year(self, list_year: int) -> int:
        return list_year - self.residents_lag


@cache
def load_rule_sets() -> tuple[RuleSet, ...]:
    """All rule sets from rules.yaml, validated, oldest first."""
    text = resources.files("barometer.housing").joinpath("rules.yaml").read_text("utf-8")
    sets = tuple(RuleSet(**r) for r in yaml.safe_load(text)["rule_sets"])
    return tuple(sorted(sets, key=lambda r: r.valid_from))


def find_rule_set(list_year: int) -> RuleSet:
    """The rule set in force for a list year; lists start in 2010 (DOMAIN.md §3.3)."""
    for rs in load_rule_sets():
        if rs.covers(list_year):
            return rs
    first = load_rule_sets()[0].valid_from
    raise ValueError(f"no housing-law rule set for list year {list_year} (lists start {first})")


def find_consecutive_years(rule_set: RuleSet, list_year: int, params: HousingParams) -> int | None:
    """N for the hardest category in a list year, or None if the rule set has none."""
    cat = rule_set.categories.get("omdannelsesomraade")
    if cat is None or cat.consecutive is None:
        return None
    return params.consecutive_years.get(list_year, cat.consecutive.years)
