"""Criminal decisions (KRAF). Convicted persons are chosen per (origin group, sex, age band)
cell to hit the published shares (DOMAIN.md §1.5, 9.x: men 15-29 convicted under the criminal
code; IE-NV 5 %, DO 2 % in 2014), then given 1-3 decisions; acquittals and traffic/special-law
decisions are added for others so that the guilty + criminal-code filter matters."""

from __future__ import annotations

import numpy as np

from .panel import Panel
from .sampling import random_days_in_year, top_k_by_cell
from .targets import ACQUITTAL_SHARE, DO, NV, W, convicted_rate

# Provisional 7-digit offence codes: 1xxxxxx criminal code (straffeloven), 2xxxxxx traffic
# law, 3xxxxxx special laws (euforiserende stoffer, våbenloven, …).
CRIMINAL_CODES = [
    "1110120",
    "1210100",
    "1240120",
    "1260100",
    "1285110",
    "1310110",
    "1320120",
    "1350110",
    "1420110",
    "1430120",
    "1460110",
]
TRAFFIC_CODES = ["2110100", "2140110", "2210110", "2320100"]
SPECIAL_CODES = ["3210100", "3310110", "3410110"]
OFFENCE_CODES = CRIMINAL_CODES + TRAFFIC_CODES + SPECIAL_CODES  # vocabulary for AFG_GER7
_N_CRIM, _N_TRAF, _N_SPEC = len(CRIMINAL_CODES), len(TRAFFIC_CODES), len(SPECIAL_CODES)
GUILTY_TYPES = np.array([11, 12, 21, 31, 41], np.int16)  # provisional guilty decision types
GUILTY_TYPE_SHARES = np.array([0.25, 0.2, 0.3, 0.15, 0.1])
ACQUITTAL_TYPE = 61
OTHER_DECISIONS_PER_CONVICTED = 0.9  # traffic/special-law decisions relative to convicted


AGE_BAND = np.full(121, -1, np.int16)
AGE_BAND[15:30], AGE_BAND[30:50], AGE_BAND[50:80] = 0, 1, 2


def _cells(panel: Panel, age: np.ndarray) -> np.ndarray:
    """Cell = group × sex × age band (15-29, 30-49, 50-79); -1 outside 15-79."""
    band = AGE_BAND[np.minimum(age, 120)]
    cell = (panel["grp"].astype(np.int16) * 2 + (panel["sex"] - 1)) * 3 + band
    return np.where(band >= 0, cell, -1).astype(np.int16)


def decisions(rng, panel: Panel, year: int, bad: np.ndarray, employed: np.ndarray) -> dict:
    """KRAF rows with a decision date in ``year``."""
    n = len(panel)
    age = panel.age(year)
    cell = _cells(panel, age)
    k = np.zeros(18, int)
    counts = np.bincount(cell[cell >= 0], minlength=18)
    for g in (DO, NV, W):
        for sex in (0, 1):
            for band in range(3):
                c = (g * 2 + sex) * 3 + band
                k[c] = round(convicted_rate(g, sex == 0, band, year) * counts[c])
    score = (
        panel["crime_trait"]
        + 0.45 * bad
        - 0.3 * employed
        + 0.4 * rng.standard_normal(n, dtype=np.float32)
    )
    convicted = np.flatnonzero(top_k_by_cell(score, cell, k))
    # 1-3 guilty criminal-code decisions per convicted person
    extra = rng.random(len(convicted))
    n_dec = 1 + (extra < 0.22) + (extra < 0.06)
    pid = np.repeat(panel["pid"][convicted], n_dec)
    m = len(pid)
    ger7 = rng.integers(0, _N_CRIM, m)
    typ = GUILTY_TYPES[rng.choice(len(GUILTY_TYPES), m, p=GUILTY_TYPE_SHARES)]
    # acquittals on criminal-code charges (~8 % of criminal-code decisions), mostly persons
    # with a high score who were not convicted
    n_acq = round(m * ACQUITTAL_SHARE / (1 - ACQUITTAL_SHARE))
    adults = np.flatnonzero(cell >= 0)
    n_pool = min(max(n_acq * 6, 1), len(adults))
    pool = adults[np.sort(np.argpartition(-score[adults], n_pool - 1)[:n_pool])]
    acq = rng.choice(pool, size=min(n_acq, len(pool)), replace=False) if n_acq else pool[:0]
    # traffic and special-law decisions (guilty, not criminal code)
    n_other = round(len(convicted) * OTHER_DECISIONS_PER_CONVICTED)
    adults18 = np.flatnonzero((age >= 18) & (age <= 79))
    # random adults (a draw with replacement; the rare repeats are dropped)
    other = (
        np.unique(adults18[rng.integers(0, max(len(adults18), 1), n_other)])
        if len(adults18)
        else adults18
    )
    other_codes = np.where(
        rng.random(len(other)) < 0.7,
        _N_CRIM + rng.integers(0, _N_TRAF, len(other)),
        _N_CRIM + _N_TRAF + rng.integers(0, _N_SPEC, len(other)),
    )
    all_pid = np.concatenate([pid, panel["pid"][acq], panel["pid"][other]])
    all_ger = np.concatenate([ger7, rng.integers(0, _N_CRIM, len(acq)), other_codes])
    all_typ = np.concatenate(
        [
            typ,
            np.full(len(acq), ACQUITTAL_TYPE, np.int16),
            GUILTY_TYPES[rng.integers(0, 3, len(other))],
        ]
    )
    dates = random_days_in_year(rng, year, len(all_pid))
    return {
        "pid": all_pid,
        "date": dates,
        "ger7": all_ger.astype(np.int16),
        "type": all_typ.astype(np.int16),
    }
