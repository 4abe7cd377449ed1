"""Goals and progress: goal catalogue, movement rule, traffic lights, targets, CIs, peers.

Public interface (see docs/goals.md):

* ``load_goal_sets(paths=None)`` — the built-in national and Copenhagen sets, or your files;
* ``evaluate(obs, goal_sets, year=None, params=GoalParams())`` → (goal_status, detail);
  ``evaluate_goals`` and ``evaluate_indicators`` give either frame alone;
* ``add_intervals(obs)`` — Wilson / Newcombe 95 % intervals as ci_low, ci_high;
* ``compute_peers``, ``peer_values``, ``rank_municipalities``;
* ``render_status((goals, detail), fmt)``; DDL in ``barometer.goals.schema``.
"""

from barometer.goals.catalogue import (
    Goal,
    GoalCatalogueError,
    GoalIndicator,
    GoalSet,
    load_goal_sets,
)
from barometer.goals.evaluate import GoalParams, evaluate, evaluate_goals, evaluate_indicators
from barometer.goals.peers import compute_peers, peer_values, rank_municipalities
from barometer.goals.render import render_status
from barometer.goals.uncertainty import add_intervals

__all__ = [
    "Goal",
    "GoalCatalogueError",
    "GoalIndicator",
    "GoalParams",
    "GoalSet",
    "add_intervals",
    "compute_peers",
    "evaluate",
    "evaluate_goals",
    "evaluate_indicators",
    "load_goal_sets",
    "peer_values",
    "rank_municipalities",
    "render_status",
]
