"""Random streams, calendar arithmetic and exact per-cell selection (vectorised numpy)."""

from __future__ import annotations

import numpy as np

EPOCH = np.datetime64("1970-01-01", "D")
NO_DATE = np.int32(-(2**31))  # sentinel for a null date


def rng_for(seed: int, *key: int) -> np.random.Generator:
    """An independent PCG64 stream per (seed, year, purpose): a change in one module's draws
    does not shift every other module's numbers."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *key])))


def day(year: int, month: int = 1, dom: int = 1) -> int:
    """Days since 1970-01-01 of a calendar date."""
    return int((np.datetime64(f"{year:04d}-{month:02d}-{dom:02d}", "D") - EPOCH).astype(int))


def year_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of day numbers (int16)."""
    return (days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970).astype(
        np.int16
    )


def days_in_year(year: int) -> int:
    return day(year + 1) - day(year)


def random_days_in_year(rng: np.random.Generator, year: int, n: int) -> np.ndarray:
    """Uniform dates inside ``year``."""
    return (day(year) + rng.integers(0, days_in_year(year), n)).astype(np.int32)


def top_k_by_cell(score: np.ndarray, cell: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Mark the ``k[c]`` highest-scoring members of each cell ``c`` (cell < 0: never).

    This is how rates are calibrated: choosing exactly round(rate × N) persons per
    (group, year) cell makes the national rate exact, while persistent traits, age, sex,
    municipality and housing-area effects in ``score`` decide *who* is chosen.
    """
    n_cells = len(k)
    chosen = np.zeros(len(score), dtype=bool)
    valid = cell >= 0
    idx_valid = np.flatnonzero(valid)
    cells = cell[idx_valid].astype(np.int16)  # small ints: numpy radix-sorts them
    order = idx_valid[np.argsort(cells, kind="stable")]
    counts = np.bincount(cells, minlength=n_cells)
    starts = np.concatenate([[0], np.cumsum(counts)])
    for c in range(n_cells):
        kc = int(k[c])
        members = order[starts[c] : starts[c + 1]]
        if kc <= 0 or len(members) == 0:
            continue
        if kc >= len(members):
            chosen[members] = True
            continue
        part = np.argpartition(-score[members], kc - 1)[:kc]
        chosen[members[part]] = True
    return chosen


def weighted_sample(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """Indices of ``n`` items drawn without replacement with probability ∝ weight
    (Efraimidis-Spirakis keys)."""
    if n <= 0 or len(weights) == 0:
        return np.zeros(0, dtype=np.int64)
    n = min(n, len(weights))
    keys = np.log(rng.random(len(weights)) + 1e-300) / np.maximum(weights, 1e-12)
    return np.argpartition(-keys, n - 1)[:n]


def categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix (rows sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs), dtype=np.float32)[:, None] * cum[:, -1:]
    return (u > cum).sum(axis=1)
