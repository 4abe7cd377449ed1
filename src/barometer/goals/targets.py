"""Numeric targets: on track / off track / target met / insufficient data, and a projection.

Why: the national goals are directional (DOMAIN.md §1.8), but municipalities and users may
set numeric targets with a target year ("60 % by 2030"). We then ask the question Open SDG
asks (ANCHORS.md §1, Statistics Canada's method): is the actual pace since the base year
fast enough to reach the target in time?

Method (deliberately linear, not Open SDG's compound annual growth rate): rates and gaps are
percentages or percentage points, gaps can be 0 or change sign, and committees read
"points per year". So

    actual   = (latest - base)   / (latest_year - base_year)     points per year
    required = (target - base)   / (target_year - base_year)
    ratio    = actual / required

with Open SDG's thresholds: ratio >= 0.95 → on track (substantial progress); below that →
off track, reported in finer categories (moderate >= 0.6, limited >= 0, deterioration < 0).
"Target met" when the latest value already is at or beyond the target (polarity-aware), on
unrounded values. The projection continues the same straight line to the target year; its
interval reflects sampling noise in the two end points only (not the uncertainty of the
straight-line assumption), so read it as a minimum width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from barometer.catalogue.models import POLARITY_SIGN
from barometer.stats.intervals import quantile_for

TARGET_MET, ON_TRACK, OFF_TRACK = "target_met", "on_track", "off_track"
INSUFFICIENT_DATA, NO_TARGET = "insufficient_data", "no_target"
TARGET_STATUSES = (TARGET_MET, ON_TRACK, OFF_TRACK, INSUFFICIENT_DATA, NO_TARGET)


@dataclass(frozen=True)
class TargetAssessment:
    status: str
    reason: str
    category: str | None = None  # Open SDG label: substantial_progress, ... target_achieved
    ratio: float | None = None
    actual_per_year: float | None = None
    required_per_year: float | None = None
    projected: float | None = None
    projected_low: float | None = None
    projected_high: float | None = None


def categorise_ratio(ratio: float) -> str:
    """Open SDG progress category for a ratio of actual to required pace."""
    if ratio >= 0.95:
        return "substantial_progress"
    if ratio >= 0.6:
        return "moderate_progress"
    if ratio >= 0:
        return "limited_progress"
    return "deterioration"


def assess_target(
    *,
    base: float | None,
    base_year: int,
    latest: float | None,
    latest_year: int | None,
    target: float | None,
    target_year: int | None,
    polarity: str,
    on_track_ratio: float = 0.95,
    base_variance: float | None = None,
    latest_variance: float | None = None,
    confidence: float = 0.95,
) -> TargetAssessment:
    """Status of one indicator against its numeric target (see module docstring)."""
    if target is None or target_year is None:
        return TargetAssessment(NO_TARGET, "no numeric target (directional goal)")
    sign = POLARITY_SIGN[polarity]
    if _missing(latest) or latest_year is None:
        return TargetAssessment(INSUFFICIENT_DATA, "no latest value")
    if sign * (latest - target) >= 0:
        return TargetAssessment(
            TARGET_MET, f"latest value {latest:.1f} meets target {target:g}", "target_achieved"
        )
    if _missing(base):
        return TargetAssessment(INSUFFICIENT_DATA, f"no value for base year {base_year}")
    if latest_year <= base_year:
        return TargetAssessment(INSUFFICIENT_DATA, "no year after the base year yet")
    if target_year <= base_year:
        return TargetAssessment(INSUFFICIENT_DATA, "target year is not after the base year")
    actual = (latest - base) / (latest_year - base_year)
    required = (target - base) / (target_year - base_year)
    projection = project_linear(
        base,
        base_year,
        latest,
        latest_year,
        target_year,
        base_variance,
        latest_variance,
        confidence,
    )
    if sign * required <= 0:
        return TargetAssessment(
            OFF_TRACK,
            f"target {target:g} was met in {base_year} but the latest value {latest:.1f} is not",
            "deterioration",
            None,
            actual,
            required,
            *projection,
        )
    ratio = actual / required
    category = categorise_ratio(ratio)
    if latest_year >= target_year:
        reason = f"target year {target_year} reached without meeting {target:g}"
        return TargetAssessment(OFF_TRACK, reason, category, ratio, actual, required, *projection)
    status = ON_TRACK if ratio >= on_track_ratio else OFF_TRACK
    reason = (
        f"pace {actual:+.2f}/yr vs {required:+.2f}/yr needed "
        f"(ratio {ratio:.2f}, on track from {on_track_ratio:g})"
    )
    return TargetAssessment(status, reason, category, ratio, actual, required, *projection)


def project_linear(
    base: float,
    base_year: int,
    latest: float,
    latest_year: int,
    target_year: int,
    base_variance: float | None = None,
    latest_variance: float | None = None,
    confidence: float = 0.95,
) -> tuple[float | None, float | None, float | None]:
    """Value at ``target_year`` on the line through (base_year, base) and (latest_year, latest).

    projected = (1 + r)·latest - r·base with r = (target_year - latest_year)/(latest_year -
    base_year), so Var = (1 + r)²·Var(latest) + r²·Var(base) (independent end points).
    Returns (projected, low, high); the interval is None without variances, and everything
    is None when the target year lies before the latest year.
    """
    if target_year < latest_year or latest_year <= base_year:
        return None, None, None
    r = (target_year - latest_year) / (latest_year - base_year)
    projected = (1 + r) * latest - r * base
    if base_variance is None or latest_variance is None:
        return projected, None, None
    half = quantile_for(confidence) * math.sqrt(
        (1 + r) ** 2 * latest_variance + r**2 * base_variance
    )
    return projected, projected - half, projected + half


def _missing(value: float | None) -> bool:
    return value is None or bool(pd.isna(value))
