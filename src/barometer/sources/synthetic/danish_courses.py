"""Danish education for adult immigrants (provisional register ``danskuddannelse``).

Indicator 3.3 (DOMAIN.md §1.5): among I-kursister starting in year C, the share who pass a
Prøve i Dansk 1/2/3 no later than STARTDATO + 5 years; 67 % for C = 2012 falling to 62 % for
C = 2017. Passers are chosen per start-year cell by ability; a few more pass in year 6.
"""

from __future__ import annotations

import numpy as np

from .panel import Panel
from .sampling import NO_DATE, top_k_by_cell, year_of
from .targets import DANISH_TEST_5Y, DANISH_TEST_LATE_PCT, NV, rate

ENROL_PROB = {"nv": 0.85, "w": 0.35}
S_PASS_5Y = 0.55
TESTS = ("PD1", "PD2", "PD3")
TEST_SHARES = np.array([0.3, 0.45, 0.25])
FIVE_YEARS_DAYS = 5 * 365  # STARTDATO + 5 years (no later than); safely inside the window


def courses(rng, panel: Panel, idx: np.ndarray) -> dict[str, np.ndarray]:
    """Course rows for the immigrants ``idx`` (arrived aged 18-64): one row per test attempt,
    or one row with null test fields for those who never took a test."""
    idx = idx[(panel["arr_age"][idx] >= 18) & (panel["arr_age"][idx] <= 64)]
    nv = panel["grp"][idx] == NV
    enrol = rng.random(len(idx)) < np.where(nv, ENROL_PROB["nv"], ENROL_PROB["w"])
    idx, nv = idx[enrol], nv[enrol]
    n = len(idx)
    is_i = nv & panel["refugee"][idx]
    start = (panel["arrival"][idx] + rng.integers(45, 240, n)).astype(np.int32)
    start_year = year_of(start).astype(np.int64)
    y0 = int(start_year.min()) if n else 0
    cell = (start_year - y0) * 2 + is_i
    n_cells = int(cell.max()) + 1 if n else 0
    counts = np.bincount(cell, minlength=n_cells)
    target = np.array(
        [rate(DANISH_TEST_5Y, y0 + c // 2) if c % 2 else S_PASS_5Y for c in range(n_cells)]
    )
    score = panel["ability"][idx] + 0.3 * panel["emp_trait"][idx] + 0.6 * rng.standard_normal(n)
    passed = top_k_by_cell(score, cell, np.round(target * counts).astype(int))
    late_k = np.round(DANISH_TEST_LATE_PCT / 100 * counts).astype(int)
    late = top_k_by_cell(score, np.where(passed, -1, cell), late_k)
    pass_day = np.where(
        passed,
        start + rng.integers(240, FIVE_YEARS_DAYS - 5, n),
        start + rng.integers(FIVE_YEARS_DAYS + 10, FIVE_YEARS_DAYS + 330, n),
    )
    succeeded = passed | late
    # attempts: a failed try before the pass for some passers; 0-2 failures for the others
    fail_before = succeeded & (rng.random(n) < 0.25)
    failures = np.where(succeeded, fail_before.astype(int), rng.choice(3, n, p=[0.45, 0.35, 0.2]))
    n_rows = succeeded.astype(int) + failures
    n_rows_out = np.maximum(n_rows, 1)
    rows = np.repeat(np.arange(n), n_rows_out)
    k = np.arange(len(rows)) - np.repeat(np.cumsum(n_rows_out) - n_rows_out, n_rows_out)
    no_test = n_rows[rows] == 0
    is_pass_row = succeeded[rows] & (k == n_rows[rows] - 1)
    # failed attempts: spread over the years after the start, before the pass if any
    fail_day = start[rows] + (k + 1) * rng.integers(150, 500, len(rows))
    fail_day = np.where(succeeded[rows], np.minimum(fail_day, pass_day[rows] - 60), fail_day)
    test_day = np.where(is_pass_row, pass_day[rows], fail_day).astype(np.int32)
    test = rng.choice(3, len(rows), p=TEST_SHARES).astype(np.int8)  # index into TESTS
    test[no_test] = -1
    return {
        "pid": panel["pid"][idx][rows],
        "is_i": is_i[rows],
        "start": start[rows],
        "test": test,
        "test_day": np.where(no_test, NO_DATE, test_day).astype(np.int32),
        "passed": np.where(no_test, -1, is_pass_row.astype(np.int8)).astype(np.int8),
    }


def censor(rows: dict[str, np.ndarray], last_day: int) -> dict[str, np.ndarray]:
    """The register as delivered after ``last_day``: no future starts or tests; a course whose
    tests all lie in the future keeps one row with null test fields."""
    keep_course = rows["start"] <= last_day
    rows = {k: v[keep_course] for k, v in rows.items()}
    future = rows["test_day"] > last_day
    key = rows["pid"]
    # persons with at least one kept row (null rows or past tests)
    kept_pids = np.unique(key[~future])
    has_kept = np.isin(key, kept_pids)
    # one placeholder row per person whose rows are all in the future
    first = np.concatenate([[True], key[1:] != key[:-1]]) if len(key) else np.zeros(0, bool)
    placeholder = future & ~has_kept & first
    out = {k: v[~future | placeholder] for k, v in rows.items()}
    ph = placeholder[~future | placeholder]
    out["test"] = np.where(ph, -1, out["test"]).astype(np.int8)
    out["test_day"] = np.where(ph, NO_DATE, out["test_day"]).astype(np.int32)
    out["passed"] = np.where(ph, -1, out["passed"]).astype(np.int8)
    return out
