"""Vulnerable housing areas: the legal criteria of almenboligloven §§ 61 a-61 b per list year.

Rule sets are data (rules.yaml); see docs/housing.md for the columns, parameters and what is
UNCONFIRMED (DOMAIN.md §3).
"""

from barometer.housing.classify import (
    Classification,
    apply_categories,
    classify,
    classify_detailed,
    list_counts,
)
from barometer.housing.io import read_area_stats, validate_area_stats, write_table
from barometer.housing.rules import HousingParams, find_rule_set, load_rule_sets
from barometer.housing.stats import StatsParams, compute_area_stats
from barometer.housing.warning import early_warning

__all__ = [
    "Classification",
    "HousingParams",
    "StatsParams",
    "apply_categories",
    "classify",
    "classify_detailed",
    "compute_area_stats",
    "early_warning",
    "find_rule_set",
    "list_counts",
    "load_rule_sets",
    "read_area_stats",
    "validate_area_stats",
    "write_table",
]
