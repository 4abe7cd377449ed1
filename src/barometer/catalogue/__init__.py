"""The catalogue: one YAML file per indicator and per goal set, validated by strict models."""

from barometer.catalogue.goals import (
    Goal,
    GoalCatalogueError,
    GoalIndicator,
    GoalSet,
    load_goal_sets,
)
from barometer.catalogue.loader import load_catalogue
from barometer.catalogue.models import GapParts, Indicator, gap_parts, register_indicators

__all__ = [
    "GapParts",
    "Goal",
    "GoalCatalogueError",
    "GoalIndicator",
    "GoalSet",
    "Indicator",
    "gap_parts",
    "load_catalogue",
    "load_goal_sets",
    "register_indicators",
]
