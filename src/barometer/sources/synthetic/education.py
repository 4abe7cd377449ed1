"""Education: highest completed education (UDDA/HFAUDD) and 9th-grade exam marks (UDFK).

Attainment is a panel state (``edu`` = main group) that only goes up. Each year persons
raised in Denmark are topped up to the published shares (DOMAIN.md §1.5, 2.2/2.3): youth
education (main groups 20-80) among 20-24 and higher education (40-80) among 25-39, choosing
the candidates with the highest education propensity (persistent trait, age, municipality,
housing area). Immigrants who arrived aged 13+ bring a foreign level, often unknown.
"""

from __future__ import annotations

from functools import cache
from statistics import NormalDist

import numpy as np

from barometer.codes import load_education_main_groups

from .panel import Panel
from .sampling import top_k_by_cell
from .targets import (
    DO,
    EXAM_EXEMPT_PCT,
    EXAM_ORAL,
    EXAM_WRITTEN,
    HIGHER_25_39,
    NV,
    YOUTH_20_24,
    W,
    rate,
)

YOUTH_GROUPS = (20, 30, 40, 50, 60, 70, 80)
HIGHER_GROUPS = (40, 50, 60, 70, 80)
# Older Danish-raised cohorts (age 40+ in the first year): level shares by education propensity.
OLD_LEVELS = (
    (10, 0.25),
    (20, 0.07),
    (30, 0.37),
    (40, 0.05),
    (50, 0.17),
    (60, 0.02),
    (70, 0.065),
    (80, 0.005),
)
HIGHER_LEVELS = ((40, 0.10), (50, 0.42), (60, 0.18), (70, 0.28), (80, 0.02))
# Foreign-educated immigrants: (-1 = HFAUDD null, 90 = "Uoplyst", others main groups).
FOREIGN_LEVELS = {
    NV: (
        (-1, 0.08),
        (90, 0.25),
        (10, 0.27),
        (20, 0.10),
        (30, 0.10),
        (40, 0.04),
        (50, 0.08),
        (60, 0.03),
        (70, 0.05),
    ),
    W: (
        (-1, 0.05),
        (90, 0.15),
        (10, 0.10),
        (20, 0.15),
        (30, 0.15),
        (40, 0.05),
        (50, 0.15),
        (60, 0.07),
        (70, 0.13),
    ),
}
EXAM_DISCIPLINES = (
    ("Dansk", "Skriftlig fremstilling"),
    ("Dansk", "Retskrivning"),
    ("Dansk", "Læsning"),
    ("Dansk", "Mundtlig"),
    ("Matematik", "Matematisk problemløsning"),
    ("Matematik", "Matematiske færdigheder"),
)
PASS_MARKS = np.array([2, 4, 7, 10, 12], dtype=np.float64)
PASS_MARK_SHARES = np.array([0.12, 0.25, 0.33, 0.22, 0.08])
ABSENT_SHARE = 0.008  # marks left null (absent on the day)


@cache
def hfaudd_vocabulary() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Real HFAUDD codes (education_main_groups.csv) grouped by main group: (codes, first
    position per main group 0..99, count per main group)."""
    by_group: dict[int, list[str]] = {}
    for code, group in load_education_main_groups().items():
        by_group.setdefault(int(group), []).append(code)
    vocab: list[str] = []
    first = np.zeros(100, np.int64)
    count = np.zeros(100, np.int64)
    for g in sorted(by_group):
        first[g] = len(vocab)
        count[g] = len(by_group[g])
        vocab.extend(sorted(by_group[g], key=lambda s: (len(s), s)))
    return vocab, first, count


def hfaudd_index(edu: np.ndarray, pid: np.ndarray) -> np.ndarray:
    """Index into hfaudd_vocabulary() of each person's HFAUDD: a code of the person's main group,
    fixed per person (a hash of the id); -1 (null) when the level is unknown (≤ 0)."""
    _, first, count = hfaudd_vocabulary()
    g = np.clip(edu, 0, 99).astype(np.int64)
    pick = (pid ^ (pid >> 5)) & 0xFFFF
    idx = first[g] + pick % np.maximum(count[g], 1)
    return np.where((edu > 0) & (count[g] > 0), idx, -1)


def _levels_by_quantile(z: np.ndarray, levels, sd: float = 1.0) -> np.ndarray:
    """Map a ~N(0, sd²) propensity to levels so that the shares match ``levels`` (the lowest
    propensities get the first level)."""
    vals = np.array([v for v, _ in levels])
    cum = np.cumsum([s for _, s in levels])
    cuts = [NormalDist(0.0, sd).inv_cdf(min(c / cum[-1], 1 - 1e-9)) for c in cum[:-1]]
    return vals[np.searchsorted(np.array(cuts, dtype=np.float32), z)]


def _lut(groups) -> np.ndarray:
    """Lookup table over edu values (as uint8, so -1 → 255) for membership tests."""
    t = np.zeros(256, bool)
    t[list(groups)] = True
    return t


YOUTH_LUT = _lut(YOUTH_GROUPS)
HIGHER_LUT = _lut(HIGHER_GROUPS)


def foreign_education(rng: np.random.Generator, panel: Panel, idx: np.ndarray) -> None:
    """Set the (foreign) education of immigrants who arrived aged 13+ and are 15+ now."""
    for g in (NV, W):
        sel = idx[panel["grp"][idx] == g]
        levels = FOREIGN_LEVELS[g]
        p = np.array([s for _, s in levels])
        panel["edu"][sel] = np.array([v for v, _ in levels])[
            rng.choice(len(p), len(sel), p=p / p.sum())
        ]


def initial_education(rng: np.random.Generator, panel: Panel, year: int) -> None:
    """Education of the first-year population before the yearly top-ups."""
    age = panel.age(year)
    raised = panel.raised_in_dk()
    old = raised & (age >= 40)
    panel["edu"][old] = _levels_by_quantile(panel["edu_z"][old], OLD_LEVELS)
    panel["edu"][raised & (age >= 15) & (age < 40)] = 10
    foreign_education(rng, panel, np.flatnonzero(~raised & (age >= 15)))


def _top_up(edu, score, cell, window, targets, have_lut, level) -> None:
    """Raise the best candidates in ``window`` (without a level in ``have_lut``) so that each
    origin cell reaches its target share; ``level(chosen)`` gives their new main group."""
    c = np.where(window, cell, -1).astype(np.int16)
    have = have_lut[edu.view(np.uint8)]
    n = np.bincount(c[c >= 0], minlength=3)
    done = np.bincount(c[(c >= 0) & have], minlength=3)
    k = np.maximum(np.round(np.array(targets) * n).astype(int) - done, 0)
    chosen = np.flatnonzero(top_k_by_cell(score, np.where(have, -1, c).astype(np.int16), k))
    edu[chosen] = level(chosen)


def update_education(
    rng: np.random.Generator, panel: Panel, year: int, bad: np.ndarray, kom_eff: np.ndarray
) -> None:
    """Completions during ``year`` (state at September): basic school at 15, youth education
    at 19-39 and higher education at 22-39, calibrated per origin group among persons raised
    in Denmark (foreign-educated immigrants keep the level set on arrival)."""
    age_all = panel.age(year)
    edu_all = panel["edu"]
    edu_all[(age_all == 15) & (edu_all == 0)] = 10
    sub = np.flatnonzero((age_all >= 19) & (age_all <= 39) & panel.raised_in_dk())
    age = age_all[sub].astype(np.float32)
    edu = edu_all[sub]
    cell = panel["grp"][sub].astype(np.int16)  # DO / NV / W (all raised in DK here)
    edu_z = panel["edu_z"][sub]
    z = edu_z + kom_eff[panel["kom"][sub]] - 0.5 * bad[sub]
    keys = ("DO", "NV_ELIG", "W_ELIG")
    youth_t = [rate(YOUTH_20_24[key], year) for key in keys]
    higher_t = [rate(HIGHER_25_39[key], year) for key in keys]

    def youth_level(i):
        return np.where(edu_z[i] > 0, 20, 30).astype(np.int8)

    def higher_level(i, cap=80):
        noisy = edu_z[i] + 0.3 * rng.standard_normal(len(i)).astype(np.float32)
        return np.minimum(_levels_by_quantile(noisy, HIGHER_LEVELS, sd=1.04), cap).astype(np.int8)

    youth_score = z + 0.2 * age
    _top_up(edu, youth_score, cell, age == 19, [0.45 * t for t in youth_t], YOUTH_LUT, youth_level)
    _top_up(edu, youth_score, cell, (age >= 20) & (age <= 24), youth_t, YOUTH_LUT, youth_level)
    _top_up(
        edu, z, cell, age >= 25, [min(0.93, t + 0.35) for t in higher_t], YOUTH_LUT, youth_level
    )
    eligible = YOUTH_LUT[edu.view(np.uint8)]
    _top_up(
        edu,
        np.where(eligible, z, -99),
        cell,
        (age >= 22) & (age <= 24),
        [0.22 * t for t in higher_t],
        HIGHER_LUT,
        lambda i: higher_level(i, cap=60),
    )
    _top_up(
        edu,
        np.where(eligible, z + 0.1 * age, -99),
        cell,
        age >= 25,
        higher_t,
        HIGHER_LUT,
        higher_level,
    )
    edu_all[sub] = edu


def _exam_group(panel: Panel, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cells for the written pair (DO, NV_ELIG, NV_LATE, W) and the oral pair
    (DO, NV_IMM_ELIG, NV_DESC, NV_LATE, W)."""
    grp, ie, arr_age = panel["grp"][idx], panel["ie"][idx], panel["arr_age"][idx]
    late = (ie == 2) & (arr_age >= 13)
    written = np.select([grp == DO, (grp == NV) & ~late, (grp == NV) & late], [0, 1, 2], 3)
    oral = np.select(
        [grp == DO, (grp == NV) & (ie == 2) & ~late, (grp == NV) & (ie == 3), (grp == NV) & late],
        [0, 1, 2, 3],
        4,
    )
    return written.astype(np.int64), oral.astype(np.int64)


def _marks(rng, latent: np.ndarray, passed: np.ndarray) -> np.ndarray:
    """Marks ≥ 2 for passers (by latent quantile), -3/0 for failers."""
    out = np.where(rng.random(len(latent)) < 0.2, -3.0, 0.0)
    if passed.any():
        lat = latent[passed]
        ranks = np.empty(len(lat))
        ranks[np.argsort(lat, kind="stable")] = (np.arange(len(lat)) + 0.5) / len(lat)
        cum = np.cumsum(PASS_MARK_SHARES)
        out[passed] = PASS_MARKS[np.minimum(np.searchsorted(cum, ranks), 4)]
    return out


def _pair(rng, ability, cell, targets, n_cells):
    """Marks for a discipline pair such that exactly round(target × N) per cell have ≥ 2 in
    both; failers fail at least one (the weaker) of the two."""
    k = np.round(np.array(targets) * np.bincount(cell, minlength=n_cells)).astype(int)
    score = ability + 0.5 * rng.standard_normal(len(ability))
    both = top_k_by_cell(score, cell, k)
    l1 = ability + 0.6 * rng.standard_normal(len(ability))
    l2 = ability + 0.6 * rng.standard_normal(len(ability))
    first_fails = ~both & (l1 <= l2)
    second_fails = ~both & ~first_fails
    p1 = both | (second_fails & (rng.random(len(both)) < 0.6))
    p2 = both | (first_fails & (rng.random(len(both)) < 0.6))
    return _marks(rng, l1, p1), _marks(rng, l2, p2)


def exam_rows(rng, panel: Panel, year: int, bad: np.ndarray) -> dict[str, np.ndarray]:
    """9th-grade exams of school year "{year-1}/{year}": the cohort born year-16 living in DK.

    A few pupils are exempt (no rows; more among recent arrivals) and a few marks are null.
    Calibrated per group to EXAM_WRITTEN / EXAM_ORAL among pupils with both marks.
    """
    idx = np.flatnonzero(panel["byear"] == year - 16)
    recent = (panel["ie"][idx] == 2) & (panel["arr_age"][idx] >= 15)
    exempt = rng.random(len(idx)) < np.where(recent, 0.5, EXAM_EXEMPT_PCT / 100)
    idx = idx[~exempt]
    n = len(idx)
    written_cell, oral_cell = _exam_group(panel, idx)
    ability = panel["ability"][idx] - 0.4 * bad[idx]
    w_t = [rate(EXAM_WRITTEN[k], year) for k in ("DO", "NV_ELIG", "NV_LATE", "W")]
    o_t = [rate(EXAM_ORAL[k], year) for k in ("DO", "NV_IMM_ELIG", "NV_DESC", "NV_LATE", "W")]
    written_da, maths_ps = _pair(rng, ability, written_cell, w_t, 4)
    spelling, oral = _pair(rng, ability, oral_cell, o_t, 5)
    reading = _marks(rng, ability, ability + rng.standard_normal(n) > -1.9)
    maths_sk = _marks(rng, ability, ability + rng.standard_normal(n) > -1.8)
    # order follows EXAM_DISCIPLINES
    marks = np.stack([written_da, spelling, reading, oral, maths_ps, maths_sk], axis=1)
    marks[rng.random(marks.shape) < ABSENT_SHARE] = np.nan
    return {
        "pid": np.repeat(panel["pid"][idx], len(EXAM_DISCIPLINES)),
        "year": np.full(n * len(EXAM_DISCIPLINES), year, np.int16),
        "discipline": np.tile(np.arange(len(EXAM_DISCIPLINES), dtype=np.int8), n),
        "mark": marks.reshape(-1),
    }
