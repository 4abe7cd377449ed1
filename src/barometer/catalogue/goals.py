"""Goal catalogue: strict models of goal sets and loading of the goal YAML files.

Why strict: a goal file is policy written down. A typo such as ``drives_movment`` must stop
the run with a message naming the file, not silently change how a municipality is judged
(DESIGN.md principle 1: unknown keys are errors).

A goal set (one YAML file) has goals; a goal has indicators (observations by indicator id,
origin group and sex) and a base year. Numeric targets are optional; without one the goal is
directional, like all nine national goals (DOMAIN.md §1.8).

A goal set may have a policy period (``valid_from``-``valid_to``): it is evaluated from the
first year of its period, and once the period has ended it is judged on the figures up to its
last year. What the policy documents do not say stays marked (``unconfirmed``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from barometer.codes import ORIGIN_GROUPS
from barometer.errors import CatalogueError


class GoalCatalogueError(CatalogueError):
    """A goal file could not be read or is invalid; the message names the file."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    da: str = Field(min_length=1)
    en: str = Field(min_length=1)


class GoalIndicator(Strict):
    """One indicator of a goal, as observed for one origin group and sex."""

    indicator_id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    origin_group: str | None = Field(
        default=None,
        description="Origin group to read; None = the goal's focus group (default non_western).",
    )
    sex: Literal["all", "male", "female"] = "all"
    polarity: Literal["higher_is_better", "lower_is_better"]
    drives_movement: bool = True
    base_year: int | None = Field(default=None, description="Overrides the goal's base year.")
    target: float | None = None
    target_year: int | None = None
    target_source: str | None = Field(
        default=None, description="Who set the target (required with a target)."
    )
    label: str | None = Field(default=None, description="Short label, e.g. the national '1.1'.")
    notes: list[str] = []

    @model_validator(mode="after")
    def _check(self) -> GoalIndicator:
        if self.origin_group is not None and self.origin_group not in ORIGIN_GROUPS:
            raise ValueError(f"unknown origin group {self.origin_group!r}")
        if (self.target is None) != (self.target_year is None):
            raise ValueError("target and target_year must be given together")
        if self.target is not None and not self.target_source:
            raise ValueError("a numeric target needs target_source (never invent official ones)")
        return self


class UnavailableIndicator(Strict):
    """An indicator the real barometer uses but this system cannot compute (e.g. a survey)."""

    label: str
    title: Text
    reason: str


class Goal(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: Text
    owner: str = Field(min_length=1)
    unconfirmed: list[Literal["title", "owner", "base_year", "target", "indicators"]] = Field(
        default=[],
        description="What the policy documents consulted do not give: the text shown is our "
        "reading (a title summarising the policy's heading, the committee whose domain it is).",
    )
    area: str | None = None
    base_year: int | None = Field(default=None, description="Default: the goal set's base year.")
    origin_group: str = Field(default="non_western", description="Focus group of the goal.")
    status: Literal["active", "no_data"] = "active"
    status_reason: str | None = None
    indicators: list[GoalIndicator] = []
    unavailable_indicators: list[UnavailableIndicator] = []
    notes: list[str] = []

    @model_validator(mode="after")
    def _check(self) -> Goal:
        if self.origin_group not in ORIGIN_GROUPS:
            raise ValueError(f"unknown origin group {self.origin_group!r}")
        if self.status == "no_data":
            if not self.status_reason:
                raise ValueError(f"goal {self.id}: status no_data needs a status_reason")
        elif not self.indicators:
            raise ValueError(f"goal {self.id}: an active goal needs at least one indicator")
        ids = [i.indicator_id for i in self.indicators]
        if len(set(ids)) != len(ids):
            raise ValueError(f"goal {self.id}: an indicator is listed twice")
        if self.indicators and not any(i.drives_movement for i in self.indicators):
            raise ValueError(f"goal {self.id}: no indicator has drives_movement: true")
        return self


class GoalSet(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: Text
    owner: str = Field(min_length=1)
    base_year: int | None = Field(
        default=None, ge=1900, le=2100, description="Required unless the set is pending."
    )
    areas: list[str] | None = Field(
        default=None, description="Area codes the set applies to; None = every area."
    )
    valid_from: int | None = Field(
        default=None, ge=1900, le=2100, description="First year of the policy period."
    )
    valid_to: int | None = Field(
        default=None,
        ge=1900,
        le=2100,
        description="Last year of the policy period; None = still in force (or no period).",
    )
    adopted: str | None = Field(default=None, description="Who adopted the set, and when.")
    pending: str | None = Field(
        default=None, description="Why the set has no goals yet (a place for a new policy)."
    )
    sources: list[str] = []
    notes: list[str] = []
    goals: list[Goal] = []

    @model_validator(mode="after")
    def _check(self) -> GoalSet:
        if not self.goals and not self.pending:
            raise ValueError("a goal set needs goals (or 'pending': why it has none yet)")
        if self.goals and self.pending:
            raise ValueError("a goal set with goals cannot be 'pending'")
        if self.base_year is None and not self.pending:
            raise ValueError("base_year is required")
        if (
            self.valid_from is not None
            and self.valid_to is not None
            and self.valid_from > self.valid_to
        ):
            raise ValueError(f"valid_from {self.valid_from} is after valid_to {self.valid_to}")
        ids = [g.id for g in self.goals]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate goal ids {dupes}")
        for goal in self.goals:
            for ind in goal.indicators:
                if ind.target_year is not None and ind.target_year <= self.base_year_of(goal, ind):
                    raise ValueError(f"goal {goal.id}: target_year must be after the base year")
        return self

    def in_force(self, year: int | None) -> bool:
        """Whether the set is evaluated in ``year``: not before its policy period begins."""
        return year is None or self.valid_from is None or year >= self.valid_from

    def data_until(self, year: int | None) -> int | None:
        """The newest data year the set reads when evaluated in ``year``: a policy whose
        period has ended is judged on its own period (figures up to ``valid_to``)."""
        if self.valid_to is None:
            return year
        return self.valid_to if year is None else min(year, self.valid_to)

    def base_year_of(self, goal: Goal, indicator: GoalIndicator | None = None) -> int:
        """Indicator base year, else the goal's, else the set's."""
        if indicator is not None and indicator.base_year is not None:
            return indicator.base_year
        return goal.base_year if goal.base_year is not None else self.base_year


def builtin_goal_files() -> list[Path]:
    """The goal sets shipped with the package: the national one first, then Copenhagen's."""
    folder = resources.files("barometer.catalogue").joinpath("goal_sets")
    files = [Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml")]
    return sorted(files, key=lambda p: (p.stem != "national", p.name))


def parse_goal_set(path: Path) -> GoalSet:
    """Read and validate one goal file; errors name the file and the offending key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GoalCatalogueError(f"{path}: cannot read goal file: {exc}") from exc
    if not isinstance(data, dict):
        raise GoalCatalogueError(f"{path}: a goal file must be a mapping with 'goals'")
    try:
        return GoalSet.model_validate(data)
    except ValidationError as exc:
        raise GoalCatalogueError(f"{path}: invalid goal file:\n{exc}") from exc


def load_goal_sets(
    paths: Iterable[str | Path] | None = None,
    *,
    with_builtin: bool = False,
    catalogue: Mapping[str, object] | None = None,
) -> list[GoalSet]:
    """Load goal sets from ``paths`` (files or folders of ``*.yaml``), else the built-in ones.

    ``with_builtin=True`` loads the built-in sets as well as ``paths`` (e.g. for
    ``--goals FILE`` evaluated next to the national goals).

    Indicator ids are checked against the indicator catalogue (default: the built-in one) so a
    misspelt id fails here rather than showing up as "no data" everywhere. Goal ids must be
    unique across all loaded sets.
    """
    files = builtin_goal_files() if paths is None else _expand(paths)
    if paths is not None and with_builtin:
        files = builtin_goal_files() + files
    if catalogue is None:
        from barometer.catalogue.loader import load_catalogue

        catalogue = load_catalogue()
    known = set(catalogue)
    sets, seen = [], {}
    for path in files:
        goal_set = parse_goal_set(path)
        for goal in goal_set.goals:
            unknown = [i.indicator_id for i in goal.indicators if i.indicator_id not in known]
            if unknown:
                raise GoalCatalogueError(f"{path}: goal {goal.id}: unknown indicator(s) {unknown}")
            if goal.id in seen:
                raise GoalCatalogueError(f"{path}: goal id {goal.id!r} also in {seen[goal.id]}")
            seen[goal.id] = path
        sets.append(goal_set)
    return sets


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml")))
        elif p.exists():
            files.append(p)
        else:
            raise GoalCatalogueError(f"{p}: goal file not found")
    return files


__all__ = [
    "Goal",
    "GoalCatalogueError",
    "GoalIndicator",
    "GoalSet",
    "builtin_goal_files",
    "load_goal_sets",
]
