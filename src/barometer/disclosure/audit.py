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
the truth never matter, since a short enough step keeps them. One LP finds the tight
inequalities no feasible direction can loosen (implied equalities); the remaining cone spans a
subspace, and a hidden cell is pinned iff B_c·d = 0 on that subspace.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from barometer.disclosure.structure import Structure

TOLERANCE = 1e-8


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
    constraints = comp[np.flatnonzero(published)][:, unknown].tocsr()
    constraints = constraints[np.diff(constraints.indptr) > 0]
    basis = _find_null_space_by_component(constraints, unknown.size)
    functionals = comp[hidden][:, unknown].tocsr()
    blocks = 1 if denominator is None else 2
    tight_num = numerator[hidden] == 0
    tight_comp = (
        np.zeros(hidden.size, bool)
        if denominator is None
        else (denominator[hidden] - numerator[hidden] == 0)
    )
    # Each hidden cell's move along the null-space basis (h × k, small dense).
    moves = np.asarray(functionals @ basis)
    if tight_num.any() or tight_comp.any():
        restricted = _restrict_to_implied_equalities(
            constraints, functionals, tight_num, tight_comp, blocks, moves
        )
        if restricted is not None:
            untouched, touched, kernel = restricted
            k = basis.shape[1]
            zero = np.zeros_like(moves)
            # Per count, its coefficients on the joint (numerator, denominator) basis:
            # the numerator, and the complement (denominator − numerator).
            quantities = [np.hstack([moves, zero])[:, : blocks * k]]
            if blocks == 2:
                quantities.append(np.hstack([-moves, moves]))
            pinned = np.zeros((hidden.size, 2), bool)
            for q, g in enumerate(quantities):
                # Feasible directions: the untouched basis columns, and the touched ones
                # combined through the kernel of the implied equalities. A cell moving along
                # an untouched column moves; only the others need the (dense) product.
                still = np.flatnonzero(np.linalg.norm(g[:, untouched], axis=1) <= TOLERANCE)
                if still.size:
                    rest = np.linalg.norm(g[np.ix_(still, touched)] @ kernel, axis=1)
                    pinned[still[rest <= TOLERANCE], q] = True
            found = pinned.any(axis=1)
            return hidden[found], pinned[found]
    # No implied equalities: numerator and denominator move independently in the same
    # subspace, so every count of a cell moves iff its row of B·basis is non-zero.
    still = np.linalg.norm(moves, axis=1) <= TOLERANCE
    pinned = np.column_stack([still, still & (blocks == 2)])
    return hidden[still], pinned[still]


def find_null_space(matrix: sparse.spmatrix) -> np.ndarray:
    """Orthonormal basis of {d : matrix·d = 0}.

    Via the Gram matrix: the eigen-decomposition of the small n×n Gram matrix is far cheaper
    than a full SVD of the tall equation matrix. Its entries are small integers, so the null
    eigenvalues are separated from the rest by orders of magnitude more than the tolerance.
    """
    n = matrix.shape[1]
    if matrix.shape[0] == 0:
        return np.eye(n)
    gram = (matrix.T @ matrix).toarray()
    values, vectors = np.linalg.eigh(gram)
    return vectors[:, values < 1e-9 * max(1.0, float(values[-1]))]


def _find_null_space_by_component(constraints: sparse.csr_matrix, n: int) -> np.ndarray:
    """Null-space basis (n × k), computed per connected block of the constraint matrix."""
    if n == 0:
        return np.zeros((0, 0))
    pattern = abs(constraints)
    n_comp, labels = connected_components(sparse.csr_matrix(pattern.T @ pattern), directed=False)
    pieces: list[tuple[np.ndarray, np.ndarray]] = []
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n_comp + 1))
    csc = constraints.tocsc()
    for k in range(n_comp):
        cols = order[bounds[k] : bounds[k + 1]]
        block = csc[:, cols]
        block = block[np.diff(block.tocsr().indptr) > 0]
        pieces.append((cols, find_null_space(block)))
    total = sum(p[1].shape[1] for p in pieces)
    basis = np.zeros((n, total))
    at = 0
    for cols, piece in pieces:
        basis[np.ix_(cols, np.arange(at, at + piece.shape[1]))] = piece
        at += piece.shape[1]
    return basis


def _restrict_to_implied_equalities(
    constraints: sparse.csr_matrix,
    functionals: sparse.csr_matrix,
    tight_num: np.ndarray,
    tight_comp: np.ndarray,
    blocks: int,
    moves: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Feasible directions after adding the tight inequalities that are implied equalities.

    Stated on the joint basis (numerator block, denominator block) of ``blocks`` × k columns:
    returns (untouched columns, touched columns, kernel) — the directions are the untouched
    basis columns plus the touched ones combined by the kernel columns. None when there are
    no implied equalities (the plain null space then describes every feasible move).
    ``moves`` is functionals · basis (each hidden cell's move along the basis).
    """
    n = constraints.shape[1]
    num_idx = np.flatnonzero(tight_num)
    comp_idx = np.flatnonzero(tight_comp)
    num_rows = functionals[num_idx]
    comp_rows = functionals[comp_idx]
    # Rows over the stacked direction (d_num, d_den): d_num >= 0 and d_den - d_num >= 0.
    parts = [num_rows]
    if blocks == 2:
        parts = [
            sparse.hstack([num_rows, sparse.csr_matrix((num_rows.shape[0], n))]),
            sparse.hstack([-comp_rows, comp_rows]),
        ]
    tight = sparse.vstack(parts, format="csr")
    system = sparse.block_diag([constraints] * blocks, format="csr")
    implied = _find_implied_equalities(system, tight)
    if not implied.any():
        return None
    # The same rows on the basis: tight · blockdiag(basis) — read off ``moves``.
    k = moves.shape[1]
    zero = np.zeros((num_idx.size, k))
    on_basis = [np.hstack([moves[num_idx], zero])[:, : blocks * k]]
    if blocks == 2:
        on_basis.append(np.hstack([-moves[comp_idx], moves[comp_idx]]))
    forced = np.vstack(on_basis)[np.flatnonzero(implied)]  # |F| × blocks·k
    touched = np.flatnonzero(np.abs(forced).max(axis=0) > TOLERANCE)
    kernel = _dense_null_space(forced[:, touched])
    untouched = np.setdiff1d(np.arange(blocks * k), touched)
    return untouched, touched, kernel


def _dense_null_space(matrix: np.ndarray) -> np.ndarray:
    """Null space of a short, wide dense matrix by SVD."""
    _, s, vt = np.linalg.svd(matrix, full_matrices=True)
    rank = int((s > TOLERANCE * max(1.0, s.max(initial=0.0))).sum())
    return vt[rank:].T


def _find_implied_equalities(system: sparse.csr_matrix, tight: sparse.csr_matrix) -> np.ndarray:
    """Which tight inequalities g·d >= 0 hold with equality for every feasible direction d?

    Feasible directions: system·d = 0 and tight·d >= 0. LP: maximise sum(t) subject to
    tight·d >= t, 0 <= t <= 1, d free. The rows that some direction makes positive are closed
    under adding directions, so at the optimum every such row has t = 1 and every implied
    equality has t = 0. Stated on the sparse 0/±1 rows (not on a dense null-space basis),
    which keeps the simplex well conditioned.
    """
    m, k = tight.shape
    cost = np.concatenate([np.zeros(k), -np.ones(m)])
    a_ub = sparse.hstack([-tight, sparse.identity(m)], format="csr")
    has_eq = system.shape[0] > 0
    a_eq = sparse.hstack([system, sparse.csr_matrix((system.shape[0], m))], format="csr")
    res = linprog(
        cost,
        A_ub=a_ub,
        b_ub=np.zeros(m),
        A_eq=a_eq if has_eq else None,
        b_eq=np.zeros(a_eq.shape[0]) if has_eq else None,
        bounds=[(None, None)] * k + [(0.0, 1.0)] * m,
        method="highs",
    )
    if res.status != 0:  # pragma: no cover - the LP is always feasible (d = 0) and bounded
        raise RuntimeError(f"disclosure audit LP failed: {res.message}")
    return res.x[k:] < 0.5
