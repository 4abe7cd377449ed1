"""Copenhagen-style traffic lights (DOMAIN.md §2.2): green / yellow / red / white.

* green: the change since the base year goes the right way and is statistically significant;
* yellow: no significant change (the test cannot tell the change from chance);
* red: significant change the wrong way;
* white: no data (base or latest value missing or suppressed) — DOMAIN.md marks the meaning
  of "hvid" UNCONFIRMED; "not measurable" is the reading used here.

Why a significance test: Copenhagen's rule says yellow means "no *significant* development".
For rates we test with the two-proportion z-test on numerators and denominators; for gaps
(a difference of two rates) we test the difference of differences. Counts of housing areas
are complete enumerations, not samples, so any change in the count is real.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from barometer.catalogue.models import POLARITY_SIGN
from barometer.stats.intervals import binomial_variance, two_sided_p

GREEN, YELLOW, RED, WHITE = "green", "yellow", "red", "white"
LIGHTS = (GREEN, YELLOW, RED, WHITE)


@dataclass(frozen=True)
class ChangeTest:
    """Result of testing a change between two years. ``z``/``p_value`` None if untested."""

    change: float | None  # latest - base, on the observation scale (pct or pp)
    z: float | None
    p_value: float | None
    method: str  # 'two_proportion_z', 'difference_of_differences', 'ci_overlap', 'exact_count'


def compare_proportions(
    x_base: float, n_base: float, x_latest: float, n_latest: float
) -> ChangeTest:
    """Two-proportion z-test with the pooled proportion under H0 (p_base = p_latest).

    z = (p2 - p1) / sqrt(p̄(1-p̄)(1/n1 + 1/n2)), p̄ = (x1+x2)/(n1+n2). The pooled form is the
    textbook test of "no change"; when p̄ is 0 or 1 both years are identical and p = 1.
    """
    p1, p2 = x_base / n_base, x_latest / n_latest
    pooled = (x_base + x_latest) / (n_base + n_latest)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_base + 1 / n_latest))
    change = 100 * (p2 - p1)
    if se == 0:
        return ChangeTest(change, 0.0, 1.0, "two_proportion_z")
    z = (p2 - p1) / se
    return ChangeTest(change, z, two_sided_p(z), "two_proportion_z")


def compare_gaps(
    base: tuple[float, float, float, float],
    latest: tuple[float, float, float, float],
    sign: int = 1,
) -> ChangeTest:
    """Test a change in a gap: (x_ref, n_ref, x_focus, n_focus) per year.

    gap = sign·(p_ref - p_focus); change = gap_latest - gap_base. The four proportions are
    independent (different people or different years treated as independent samples), so
    Var(change) = Σ p(1-p)/n over the four — the delta method, exact for this linear
    statistic. z = change / sqrt(Var).
    """
    gap_base = sign * (base[0] / base[1] - base[2] / base[3])
    gap_latest = sign * (latest[0] / latest[1] - latest[2] / latest[3])
    var = sum(binomial_variance(x, n) for x, n in (base[:2], base[2:], latest[:2], latest[2:]))
    change = 100 * (gap_latest - gap_base)
    if var == 0:
        # Every proportion is 0 or 1: no sampling noise at all, so any change is real.
        return ChangeTest(change, None, 1.0 if change == 0 else 0.0, "difference_of_differences")
    z = (gap_latest - gap_base) / math.sqrt(var)
    return ChangeTest(change, z, two_sided_p(z), "difference_of_differences")


def compare_by_overlap(
    base_ci: tuple[float, float], latest_ci: tuple[float, float], change: float
) -> ChangeTest:
    """Fallback when only intervals are known: overlapping intervals count as no change.

    Overlap is a conservative test (it misses some real changes). There is no z; the
    p_value is set to 1.0 (overlap: not significant) or 0.0 (no overlap: significant).
    """
    overlap = base_ci[0] <= latest_ci[1] and latest_ci[0] <= base_ci[1]
    return ChangeTest(change, None, 1.0 if overlap else 0.0, "ci_overlap")


def compare_counts(base: float, latest: float) -> ChangeTest:
    """Counts of areas are a full enumeration: any change is real (p = 0), none is p = 1."""
    change = latest - base
    return ChangeTest(change, None, 1.0 if change == 0 else 0.0, "exact_count")


def choose_light(test: ChangeTest | None, polarity: str, alpha: float = 0.05) -> str:
    """Colour for a tested change: yellow unless p < alpha, then green/red by polarity."""
    if test is None or test.change is None or test.p_value is None:
        return WHITE
    if test.p_value >= alpha or test.change == 0:
        return YELLOW
    good = test.change * POLARITY_SIGN[polarity] > 0
    return GREEN if good else RED
