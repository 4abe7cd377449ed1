"""Labour market: SOCIO13 (AKM), public support spells (OF) and personal income (IND).

Employment is calibrated per origin group and year (DOMAIN.md §1.5, 1.1/1.2: employed =
SOCIO13 110-139, no AKM row = not employed) by choosing exactly round(rate × N) employed
among 25-64 in each group; *who* is employed depends on a persistent propensity, an AR(1)
shock, age, sex, education, years since arrival, municipality and housing area.
"""

from __future__ import annotations

import numpy as np

from .panel import Panel
from .sampling import categorical, day, days_in_year, top_k_by_cell
from .targets import (
    DO,
    EMPLOYMENT_25_64,
    EMPLOYMENT_OTHER_AGES,
    EMPLOYMENT_OTHER_FACTOR,
    NV,
    PUBLIC_SUPPORT_16_64,
    W,
    rate,
)

MISSING_AKM_SHARE = 0.012  # persons without an AKM row (not employed by definition)
MISSING_AKM_NEW_ARRIVAL = 0.08
EMPLOYED_CODES = np.array([131, 132, 133, 134, 135, 111, 112, 113, 114, 120, 139], np.int16)
EMPLOYED_SHARES = np.array([0.07, 0.17, 0.20, 0.22, 0.19, 0.01, 0.015, 0.02, 0.045, 0.002, 0.058])
# Non-employed 15-64: columns are SOCIO13 codes, rows age bands (15-24, 25-59, 60-64).
NON_EMPLOYED_CODES = np.array([210, 220, 310, 321, 323, 330, 410], np.int16)
NON_EMPLOYED_PROBS = np.array(
    [
        [0.05, 0.01, 0.78, 0.01, 0.00, 0.07, 0.08],
        [0.20, 0.12, 0.12, 0.10, 0.00, 0.30, 0.16],
        [0.10, 0.08, 0.00, 0.12, 0.58, 0.05, 0.07],
    ]
)
# Provisional OF measure codes (4-digit PTI_TILSTAND_KODE; documented in docs/synthetic.md).
OF_CODES = {
    210: "1111",  # unemployment benefit (dagpenge)
    220: "2111",  # sickness benefit (sygedagpenge)
    321: "3111",  # disability pension (førtidspension)
    323: "3211",  # early retirement (efterløn)
    330: "1211",  # cash benefit (kontanthjælp)
    410: "1411",  # other support (ledighedsydelse, revalidering …)
}
OF_CODE_INTEGRATION = "1311"  # integration/self-support benefit for recent refugees
OF_CODE_LIST = sorted({*OF_CODES.values(), OF_CODE_INTEGRATION})
# Base full-time share of the year on support by SOCIO13 (before the per-group shift).
SUPPORT_BASE = {210: 0.55, 220: 0.45, 321: 1.2, 323: 1.2, 330: 0.95, 410: 0.35, 310: -0.6}
SUPPORT_EMPLOYED = -0.45


_AGES = np.arange(121, dtype=np.float32)
# peak 30-55, lower at both ends (employment propensity by age)
AGE_EFFECT = -0.0009 * (_AGES - 42) ** 2 - np.where(_AGES >= 60, 0.08 * (_AGES - 59), 0.0)
AGE_EFFECT = AGE_EFFECT.astype(np.float32)
EDU_EFFECT = np.zeros(256, np.float32)  # by education main group (uint8 view of edu)
EDU_EFFECT[[40, 50, 60, 70, 80]] = 0.5
EDU_EFFECT[[20, 30]] = 0.25


def _lut(size: int, mapping: dict, default: float = 0.0, dtype=np.float32) -> np.ndarray:
    t = np.full(size, default, dtype)
    for k, v in mapping.items():
        t[list(k) if isinstance(k, tuple) else k] = v
    return t


def _age_band_other(age: np.ndarray) -> np.ndarray:
    """0 = 25-64 (calibrated), 1.. = other age bands from EMPLOYMENT_OTHER_AGES, -1 = <15."""
    lows = sorted(EMPLOYMENT_OTHER_AGES)  # 15, 18, 20, 65, 70, 75
    band = np.searchsorted(lows, age, side="right")  # 0 if <15, 1 for 15-17, …
    band = np.where((age >= 25) & (age <= 64), 0, band)
    return np.where(age < 15, -1, band)


AGE_BAND_OTHER = _age_band_other(np.arange(121, dtype=np.int16)).astype(np.int16)


def employment(
    rng, panel: Panel, year: int, bad: np.ndarray, kom_eff: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(employed, has_akm_row) for ``year``."""
    n = len(panel)
    age_i = panel.age(year)
    panel["emp_ar"] = 0.7 * panel["emp_ar"] + 0.714 * rng.standard_normal(n, dtype=np.float32)
    grp, sex, ie = panel["grp"], panel["sex"], panel["ie"]
    imm = ie == 2
    yrs = np.full(n, 30.0, np.float32)
    yrs[imm] = (day(year, 11, 30) - panel["arrival"][imm]) / np.float32(365.25)
    # women below men, more so for non-western (index: grp * 2 + sex - 1)
    sex_eff = np.array([0, -0.12, 0, -0.45, 0, -0.12], np.float32)[grp * 2 + sex - 1]
    score = (
        0.85 * panel["emp_trait"]
        + 0.45 * panel["emp_ar"]
        + AGE_EFFECT[np.minimum(age_i, 120)]
        + sex_eff
        + EDU_EFFECT[panel["edu"].view(np.uint8)]
        + kom_eff[panel["kom"]]
        - 0.5 * bad
    )
    score[imm] -= 1.3 * np.exp(-np.maximum(yrs[imm], 0) / 2.5)  # newly arrived rarely work
    age = age_i
    arrived_now = (ie == 2) & (yrs < 1.0)
    has_row = rng.random(n) >= np.where(arrived_now, MISSING_AKM_NEW_ARRIVAL, MISSING_AKM_SHARE)
    has_row |= age < 15
    band = AGE_BAND_OTHER[np.minimum(age, 120)]
    n_bands = len(EMPLOYMENT_OTHER_AGES) + 1
    cell = np.where(band >= 0, grp.astype(np.int16) * n_bands + band, -1).astype(np.int16)
    n_cell = np.bincount(cell[cell >= 0], minlength=3 * n_bands)
    lows = sorted(EMPLOYMENT_OTHER_AGES)
    target = np.zeros(3 * n_bands)
    for g in (DO, NV, W):
        target[g * n_bands] = rate(EMPLOYMENT_25_64[g], year)
        for b, low in enumerate(lows, start=1):
            target[g * n_bands + b] = EMPLOYMENT_OTHER_AGES[low] / 100 * EMPLOYMENT_OTHER_FACTOR[g]
    k = np.round(target * n_cell).astype(int)
    employed = top_k_by_cell(score, np.where(has_row, cell, -1), k)
    return employed, has_row


def socio13(rng, panel: Panel, year: int, employed: np.ndarray) -> np.ndarray:
    """SOCIO13 codes; disability pension is sticky, the rest is drawn by age band."""
    n = len(panel)
    age = panel.age(year)
    code = np.zeros(n, np.int16)
    pid_emp = panel["pid"][employed]
    u_job = ((pid_emp * 2654435761) & 0xFFFFFFFF) / np.float32(2**32)  # persistent per person
    cum = np.cumsum(EMPLOYED_SHARES) / EMPLOYED_SHARES.sum()
    code[employed] = EMPLOYED_CODES[np.minimum(np.searchsorted(cum, u_job), 10)]
    rest = ~employed & (age >= 15) & (age <= 64)
    a = age[rest]
    band = (a >= 25).astype(np.int8) + (a >= 60)
    probs = NON_EMPLOYED_PROBS.astype(np.float32)[band]
    probs[:, 5] *= np.where(panel["grp"][rest] == NV, 1.8, 1.0)  # cash benefit
    code[rest] = NON_EMPLOYED_CODES[categorical(rng, probs)]
    sticky = rest & (panel["socio"] == 321) & (age >= 18)
    code[sticky] = 321
    code[~employed & (age >= 65)] = 322
    code[age < 15] = 420
    panel["socio"] = code
    return code


def _support_shift(base: np.ndarray, target: float) -> float:
    """Shift c with mean(clip(base + c, 0, 1)) = target (bisection)."""
    if len(base) == 0:
        return 0.0
    sample = base if len(base) <= 200_000 else base[:: len(base) // 200_000 + 1]
    lo, hi = -2.0, 2.0
    for _ in range(25):
        mid = (lo + hi) / 2
        if np.clip(sample + mid, 0, 1).mean() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def support_spells(rng, panel: Panel, year: int, code: np.ndarray) -> dict[str, np.ndarray]:
    """OF spells: full-time share g per person from SOCIO13, calibrated per origin group so that
    mean(min(sum GRADAAR, 1)) among 16-64 hits PUBLIC_SUPPORT_16_64; one or two spells."""
    age = panel.age(year)
    sub = np.flatnonzero((age >= 16) & (age <= 64))
    base = _lut(1000, SUPPORT_BASE, SUPPORT_EMPLOYED)[code[sub]]
    base += 0.25 * rng.standard_normal(len(sub), dtype=np.float32) - 0.1 * panel["emp_trait"][sub]
    g = np.zeros(len(sub), np.float32)
    grp_sub = panel["grp"][sub]
    for grp in (DO, NV, W):
        m = grp_sub == grp
        shift = _support_shift(base[m], rate(PUBLIC_SUPPORT_16_64[grp], year))
        g[m] = np.clip(base[m] + shift, 0, 1)
    ydays = days_in_year(year)
    length = np.round(g * ydays).astype(np.int32)
    keep = length >= 7
    who = sub[keep]
    length = length[keep]
    # code per spell (index into OF_CODE_LIST) from the person's status; recent refugees get
    # the integration benefit
    status = code[who]
    lookup = np.full(500, OF_CODE_LIST.index("2111"), np.int16)
    for c, of_code in OF_CODES.items():
        lookup[c] = OF_CODE_LIST.index(of_code)
    spell_code = lookup[np.clip(status, 0, 499)]
    recent = panel["refugee"][who] & ((day(year, 12, 31) - panel["arrival"][who]) < 3 * 365)
    spell_code[recent & ((status == 330) | (status == 410) | (status == 210))] = OF_CODE_LIST.index(
        OF_CODE_INTEGRATION
    )
    # split a quarter of the spells in two parts (e.g. sickness then cash benefit)
    split = (rng.random(len(who)) < 0.25) & (length >= 60)
    first = np.where(split, (length * rng.uniform(0.2, 0.8, len(who))).astype(np.int32), length)
    start = day(year) + (rng.random(len(who)) * (ydays - length + 1)).astype(np.int32)
    second_code = rng.integers(0, len(OF_CODE_LIST), len(who)).astype(np.int16)
    # rows in (PNR, start) order without sorting: each person's first part, then the second
    parts = 1 + split
    row = np.repeat(np.arange(len(who)), parts)
    second = np.zeros(len(row), bool)
    second[np.cumsum(parts)[split] - 1] = True
    rows_from = np.where(second, (start + first)[row], start[row]).astype(np.int32)
    rows_to = np.where(second, (start + length - 1)[row], (start + first - 1)[row]).astype(np.int32)
    return {
        "pid": panel["pid"][who][row],
        "pnr": panel["pnr"][who][row],
        "code": np.where(second, second_code[row], spell_code[row]),
        "vfra": rows_from,
        "vtil": rows_to,
        "gradaar": np.round((rows_to - rows_from + 1) / ydays, 6),
    }


def income(rng, panel: Panel, year: int, code: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """PERINDKIALT_13 in DKK: log-normal by status, education, age and sex, with a persistent
    component; deprived areas lower (K4 of DOMAIN.md §3.1)."""
    n = len(panel)
    age = panel.age(year).astype(np.float32)
    employed = (code >= 110) & (code <= 139)
    base = _lut(
        1000,
        {310: 11.4, 322: 12.15, (321, 323): 12.2, 330: 11.85, 210: 12.25, 220: 12.45, 420: 8.0},
        11.7,
    )
    base[110:140] = 12.75
    edu_eff = _lut(256, {(60, 70, 80): 0.35, (40, 50): 0.2, (20, 30): 0.08})
    log_inc = (
        base[code]
        + 0.22 * panel["inc_trait"]
        + 0.15 * rng.standard_normal(n, dtype=np.float32)
        - 0.25 * bad
    )
    emp_idx = np.flatnonzero(employed)
    log_inc[emp_idx] += (
        edu_eff[panel["edu"][emp_idx].view(np.uint8)]
        - 0.0006 * (age[emp_idx] - 50) ** 2
        + 0.15
        - 0.12 * (panel["sex"][emp_idx] == 2)
    )
    inc = np.round(np.exp(log_inc.astype(np.float64)), 0)
    young_child = code == 420
    inc[young_child & (rng.random(n) < 0.9)] = 0.0
    return inc
