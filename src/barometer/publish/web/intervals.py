"""Wilson score intervals for shares, computed once when the store is loaded.

Why Wilson: it stays inside [0, 1] and behaves for small municipalities and shares near 0 or
1, where the normal approximation gives negative lower bounds.
"""

from __future__ import annotations

import numpy as np

Z95 = 1.959963984540054


def wilson_interval(
    successes: np.ndarray | float, trials: np.ndarray | float, z: float = Z95
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bound of the share successes/trials (as fractions, 0-1)."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        z2 = z * z
        centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    bad = ~(n > 0) | (k < 0) | (k > n)
    low = np.where(bad, np.nan, low)
    high = np.where(bad, np.nan, high)
    return low, high
