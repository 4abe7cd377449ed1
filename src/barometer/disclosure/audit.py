"""Audit: which suppressed cells could an attacker still pin down exactly?

The attacker knows every published cell, every additive equation of the table (structure.py)
and that counts are non-negative and a numerator never exceeds its denominator. A suppressed
cell is disclosed when its feasible interval under those constraints is a single point
(DOMAIN.md §4.4: suppressed cells must not be recoverable from margins).

Rather than solving two LPs per cell, the audit uses an exact characterisation, stated in the
coordinates of the finest cells y (municipality × detailed origin × sex): every table that
satisfies the equations is x = B·y (``Structure.composition``). Publishing cell c fixes B_c·y.
With y0 the truth, every feasible point is y0 + d where d lies in the null space of the
published rows and keeps the inequalities that are tight at the truth (a hidden numerator of
0, a hidden numerator equal to its denominator) non-negative; inequalities that are slack at
the truth never matter, since a short enough step keeps them. The tight inequalities that no
feasible direction can loosen are implied equalities; the feasible directions then span the
null space of the published rows together with those equalities, and a hidden cell is pinned
iff its row B_c lies in the row space of those rows.

That last test is exact: Gauss-Jordan elimination over the integers on the 0/1 rows
(``RowSpace``), in int64 with a bound checked before every step and Python integers past it.
Nothing iterates, so nothing can fail to converge. One LP (HiGHS) per count proposes which
tight inequalities are implied equalities; every inequality it calls loosenable is confirmed
with an exact integer direction built from its solution, and one it cannot confirm is held as
an equality, which can only hide more cells, never fewer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from barometer.disclosure.structure import Structure

TOLERANCE = 1e-8
INT64_SAFE = 2**62  # every exact step checks its result stays below this, else uses Python ints
DIRECTION_SCALE = 2**20  # an LP direction's coordinates are rounded to multiples of 2**-20
LP_METHODS = ("highs", "highs-ipm")  # tried in turn; each answer is confirmed exactly


def find_pinned(
    structure: Structure,
    suppressed: np.ndarray,
    free: np.ndarray,
    numerator: np.ndarray,
    denominator: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The derivable suppressed cells and, per cell, which counts are pinned.

    Returns (cells, pinned) where pinned[i] = (numerator pinned, complement pinned); for a
    count table the second is False. The numerator and the complement (denominator −
    numerator) are independent: both obey the same equations and are only bounded below by
    0, so the feasible tables are a product of the two and the denominator (their sum) is
    pinned exactly when both are. A cell is disclosed when either is pinned.

    ``suppressed`` are the cells that must stay hidden; ``free`` are cells unknown to the
    attacker that need no protection (not in the table). ``denominator`` is None for a count
    table (one quantity per cell instead of numerator and denominator).
    """
    hidden = np.flatnonzero(suppressed)
    if hidden.size == 0:
        return hidden, np.zeros((0, 2), bool)
    published = ~(suppressed | free)
    comp = structure.composition
    # Finest cells published themselves are known; the rest are the attacker's unknowns.
    unknown = np.flatnonzero(~published[structure.fine_cells])
    constraints = _as_integer_rows(comp[np.flatnonzero(published)][:, unknown])
    constraints = constraints[np.diff(constraints.indptr) > 0]
    functionals = _as_integer_rows(comp[hidden][:, unknown])
    base = RowSpace.of(constraints)
    counts = [numerator] if denominator is None else [numerator, denominator - numerator]
    pinned = np.zeros((hidden.size, 2), bool)
    answers: dict[bytes, np.ndarray] = {}
    for q, values in enumerate(counts):
        tight = np.flatnonzero(values[hidden] == 0)
        implied, space = find_feasible_span(base, constraints, functionals[tight])
        key = tight[implied].tobytes()
        if key not in answers:  # numerator and complement often share their equalities
            answers[key] = space.contains(functionals)
        pinned[:, q] = answers[key]
    found = pinned.any(axis=1)
    return hidden[found], pinned[found]


def find_feasible_span(
    base: RowSpace, constraints: sparse.csr_matrix, tight: sparse.csr_matrix
) -> tuple[np.ndarray, RowSpace]:
    """Which tight inequalities g·d >= 0 hold with equality for every feasible direction d,
    and the row space of ``constraints`` (whose space is ``base``) together with them.

    Feasible directions: constraints·d = 0 and tight·d >= 0. The LP (``_propose_implied``)
    says which rows some direction makes positive; its direction is then made exact
    (``RowSpace.null_vector``) and checked in integers. A row counts as loosenable only when
    that exact direction, itself feasible, makes it positive: the answer never understates
    what the attacker can pin. If no LP method gives a confirmed direction, every tight row
    is held as an equality (more cells count as pinned, and get protected).
    """
    m = tight.shape[0]
    if m == 0:
        return np.zeros(0, bool), base
    for method in LP_METHODS:
        proposal = _propose_implied(constraints, tight, method)
        if proposal is None:
            continue
        implied, direction = proposal
        space = base.extend(tight[np.flatnonzero(implied)])
        loose = np.flatnonzero(~implied)
        if loose.size == 0:
            return implied, space
        change = exact_product(tight[loose], space.null_vector(direction))
        if (change < 0).any():
            continue  # the rounded direction is not feasible: it confirms nothing
        if (change == 0).any():
            implied[loose[change == 0]] = True
            space = base.extend(tight[np.flatnonzero(implied)])
        return implied, space
    return np.ones(m, bool), base.extend(tight)


def _propose_implied(
    constraints: sparse.csr_matrix, tight: sparse.csr_matrix, method: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """The LP's answer: (implied rows, a direction loosening all others), or None on failure.

    LP: maximise sum(t) subject to tight·d >= t, 0 <= t <= 1, constraints·d = 0, d free.
    The rows that some direction makes positive are closed under adding directions, so at the
    optimum every such row has t = 1 and every implied equality has t = 0 (hence the 0.5 cut).
    Stated on the sparse 0/1 rows, which keeps the simplex well conditioned.
    """
    m, k = tight.shape
    cost = np.concatenate([np.zeros(k), -np.ones(m)])
    a_ub = sparse.hstack([-tight, sparse.identity(m)], format="csr").astype(float)
    has_eq = constraints.shape[0] > 0
    a_eq = sparse.hstack([constraints, sparse.csr_matrix((constraints.shape[0], m))], format="csr")
    res = linprog(
        cost,
        A_ub=a_ub,
        b_ub=np.zeros(m),
        A_eq=a_eq.astype(float) if has_eq else None,
        b_eq=np.zeros(a_eq.shape[0]) if has_eq else None,
        bounds=[(None, None)] * k + [(0.0, 1.0)] * m,
        method=method,
    )
    if res.status != 0 or res.x is None:
        return None
    return res.x[k:] < 0.5, res.x[:k]


@dataclass(frozen=True)
class RowSpace:
    """The row space of an integer matrix, by its reduced row echelon form over the integers.

    ``basis[i]`` has ``scale`` at column ``columns[pivots[i]]`` and 0 at every other pivot
    column; ``columns`` are the columns any row touches (every other column is free).
    """

    n: int
    columns: np.ndarray
    pivots: np.ndarray
    basis: np.ndarray  # rank × len(columns), int64 or Python ints (dtype object)
    scale: int
    source: sparse.csr_matrix  # the rows it was built from, without duplicates

    @classmethod
    def of(cls, rows: sparse.csr_matrix) -> RowSpace:
        """Gauss-Jordan elimination with exact integer row operations (``_eliminate``)."""
        rows = _unique_rows(rows)
        n = rows.shape[1]
        columns = np.unique(rows.indices)
        work = rows[:, columns].toarray()
        pivots: list[int] = []
        r = 0
        big = _bound(rows)
        for j in range(columns.size):
            if r == work.shape[0]:
                break
            below = np.flatnonzero(work[r:, j])
            if below.size == 0:
                continue
            # The smallest leading entry keeps the entries small (most are ±1).
            best = r + below[np.argmin(np.abs(work[r + below, j]))]
            if best != r:
                work[[r, best]] = work[[best, r]]
            if work[r, j] < 0:
                work[r] = -work[r]
            others = np.flatnonzero(work[:, j])
            others = others[others != r]
            if others.size:
                work, big = _eliminate(work, r, j, others, big)
            pivots.append(j)
            r += 1
        basis = work[:r]
        leads = [int(basis[i, j]) for i, j in enumerate(pivots)]
        scale = math.lcm(*leads) if leads else 1
        factors = np.array([scale // v for v in leads], dtype=object)
        if basis.dtype != object and _bound(factors) * big < INT64_SAFE:
            basis = basis * factors.astype(np.int64)[:, None]
        else:
            basis = basis.astype(object) * factors[:, None]
        return cls(n, columns, np.array(pivots, dtype=np.int64), basis, scale, rows)

    def extend(self, rows: sparse.csr_matrix) -> RowSpace:
        """The space spanned by this one and ``rows``: the elimination restarts from this
        basis (already reduced, so its own pivots cost little) instead of the original rows."""
        if rows.shape[0] == 0:
            return self
        start = self.source if self.basis.dtype == object else self._basis_rows()
        return RowSpace.of(sparse.vstack([start, rows], format="csr"))

    def _basis_rows(self) -> sparse.csr_matrix:
        """The (int64) basis as sparse rows over all n columns, each divided by its gcd."""
        basis = self.basis
        if basis.shape[0]:
            basis = basis // np.gcd.reduce(basis, axis=1)[:, None]
        full = np.zeros((basis.shape[0], self.n), np.int64)
        full[:, self.columns] = basis
        return sparse.csr_matrix(full)

    @property
    def rank(self) -> int:
        return int(self.pivots.size)

    def contains(self, rows: sparse.csr_matrix) -> np.ndarray:
        """Per row: does it lie in this row space? Exact.

        h is in the space iff scale·h = Σ_i h[pivot_i]·basis_i, since each basis row is
        ``scale`` at its own pivot and 0 at the others; h must be 0 off ``columns``.
        """
        rows = rows.tocsr()
        off = np.setdiff1d(np.arange(rows.shape[1]), self.columns)
        inside = np.flatnonzero(np.diff(rows[:, off].tocsr().indptr) == 0)
        local = rows[inside][:, self.columns]
        combined = exact_product(local[:, self.pivots], self.basis)
        target = _dense(local)
        if _bound(target) * self.scale >= INT64_SAFE:
            target = target.astype(object)
        found = np.zeros(rows.shape[0], bool)
        found[inside] = np.all(combined == target * self.scale, axis=1)
        return found

    def null_vector(self, approx: np.ndarray) -> np.ndarray:
        """An exact integer vector of the null space close in direction to ``approx``.

        The free coordinates (every non-pivot column) are ``approx``'s, scaled and rounded to
        integers; each pivot coordinate then follows from its basis row, so every row of the
        space is exactly 0 on the result.
        """
        free = np.rint(np.asarray(approx, float) * DIRECTION_SCALE)
        if np.abs(free).max(initial=0.0) * self.scale < INT64_SAFE / max(1, self.n):
            free = free.astype(np.int64)
        else:
            free = np.array([int(v) for v in free], dtype=object)
        vector = free * self.scale
        if self.rank:
            is_free = np.ones(self.columns.size, bool)
            is_free[self.pivots] = False
            pivot_values = -exact_product(self.basis[:, is_free], free[self.columns[is_free]])
            if pivot_values.dtype == object:
                vector = vector.astype(object)
            vector[self.columns[self.pivots]] = pivot_values
        return vector


def exact_product(left, right: np.ndarray) -> np.ndarray:
    """left @ right in integers, in int64 when the result is bounded below 2**62, else exactly
    in Python integers. ``left`` may be sparse."""
    inner = left.shape[1]
    if inner == 0:
        shape = (left.shape[0], *right.shape[1:])
        return np.zeros(shape, np.int64)
    small = right.dtype != object and _bound(left) * _bound(right) * inner < INT64_SAFE
    if small:
        result = left @ right.astype(np.int64)
        return np.asarray(result, dtype=np.int64)
    return _dense(left).astype(object) @ right.astype(object)


def _eliminate(
    work: np.ndarray, r: int, j: int, others: np.ndarray, big: int
) -> tuple[np.ndarray, int]:
    """Clear column j from rows ``others`` with pivot row r, exactly.

    Each row becomes (p/g)·row − (row_j/g)·pivot row, with p the pivot and g = gcd(p, row_j),
    then is divided by the gcd of its entries, which keeps entries small on these 0/1 tables.
    ``big`` bounds every entry; when 2·big² could pass 2**62 the matrix moves to Python
    integers, which cannot overflow. Returns the matrix and the new bound.
    """
    if work.dtype != object and 2 * big * big >= INT64_SAFE:
        work = work.astype(object)
    lead = work[r, j]
    entries = work[others, j]
    if lead == 1:  # the usual case on 0/1 rows: no multiple of the row itself is needed
        updated = work[others] - entries[:, None] * work[r][None, :]
    else:
        g = np.gcd(entries, lead)
        updated = (lead // g)[:, None] * work[others] - (entries // g)[:, None] * work[r][None, :]
    largest = np.abs(updated).max(axis=1)
    grown = np.flatnonzero(largest > 1)  # rows of 0 and ±1 have nothing to divide out
    if grown.size:
        divisor = np.gcd.reduce(updated[grown], axis=1)
        updated[grown] //= divisor[:, None]
        largest[grown] //= divisor
    work[others] = updated
    return work, max(big, int(largest.max()))


def _bound(values) -> int:
    """The largest absolute entry, as a Python int (0 for an empty array)."""
    if sparse.issparse(values):
        return int(abs(values).max()) if values.nnz else 0
    values = np.asarray(values)
    if values.size == 0:
        return 0
    return int(np.abs(values).max())


def _dense(matrix) -> np.ndarray:
    return matrix.toarray() if sparse.issparse(matrix) else np.asarray(matrix)


def _unique_rows(rows: sparse.csr_matrix) -> sparse.csr_matrix:
    """The non-empty rows of ``rows``, each once (duplicates add nothing to a row space)."""
    rows = sparse.csr_matrix(rows, dtype=np.int64)
    rows.eliminate_zeros()
    rows.sort_indices()
    seen: dict[tuple[bytes, bytes], int] = {}
    for i in range(rows.shape[0]):
        a, b = rows.indptr[i], rows.indptr[i + 1]
        if a < b:
            seen.setdefault((rows.indices[a:b].tobytes(), rows.data[a:b].tobytes()), i)
    return rows[np.array(sorted(seen.values()), dtype=np.int64)]


def _as_integer_rows(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    """The composition's 0/1 rows as an int64 CSR matrix (it is stored as float)."""
    matrix = sparse.csr_matrix(matrix)
    rows = sparse.csr_matrix(
        (np.rint(matrix.data).astype(np.int64), matrix.indices, matrix.indptr),
        shape=matrix.shape,
    )
    rows.eliminate_zeros()
    return rows
