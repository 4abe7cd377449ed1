"""Goal evaluation: movement rule, traffic lights and targets, for every evaluation year.

Public interface (see docs/goals.md):

* ``evaluate_years(obs, goal_sets, years, params=GoalParams(), definitions=…)`` →
  (goal_status, detail) for each evaluation year; ``evaluate`` does one year;
* the goal sets themselves are catalogue data (``barometer.catalogue.load_goal_sets``).
"""

from barometer.goals.evaluate import (
    Definitions,
    GoalParams,
    evaluate,
    evaluate_goals,
    evaluate_indicators,
    evaluate_years,
)

__all__ = [
    "Definitions",
    "GoalParams",
    "evaluate",
    "evaluate_goals",
    "evaluate_indicators",
    "evaluate_years",
]
