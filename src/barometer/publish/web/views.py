"""The pages of the site, one module each under ``pages/``: every function reads the in-memory
store and returns a :class:`View`: ``data`` is the page's JSON twin (plain values, no
formatting), ``charts`` and ``ctx`` feed the template, and ``table`` is what the download links
deliver. Nothing statistical happens here: values, intervals, ranks, peers and goal status were
decided by the pipeline.
"""

from __future__ import annotations

from barometer.publish.web.pages.about import about, docs
from barometer.publish.web.pages.common import (
    MAX_COMPARE,
    Invalid,
    NotFound,
    View,
    area_name,
    area_options,
    check_area,
    check_indicator,
    check_origin,
    check_sex,
    check_year,
    dimension_labels,
    indicator_title,
    parse_year,
    parse_year_range,
)
from barometer.publish.web.pages.compare import compare, parse_areas
from barometer.publish.web.pages.front import front, indicators_index, needles, search
from barometer.publish.web.pages.goals import goal_rows, goals
from barometer.publish.web.pages.housing import housing
from barometer.publish.web.pages.indicator import indicator
from barometer.publish.web.pages.municipality import key_figures, municipality

__all__ = [
    "MAX_COMPARE",
    "Invalid",
    "NotFound",
    "View",
    "about",
    "area_name",
    "area_options",
    "check_area",
    "check_indicator",
    "check_origin",
    "check_sex",
    "check_year",
    "compare",
    "dimension_labels",
    "docs",
    "front",
    "goal_rows",
    "goals",
    "housing",
    "indicator",
    "indicator_title",
    "indicators_index",
    "key_figures",
    "municipality",
    "needles",
    "parse_areas",
    "parse_year",
    "parse_year_range",
    "search",
]
