"""Secondary suppression: hide enough further cells that no suppressed cell can be derived.

DOMAIN.md §4.4 asks for secondary suppression "so suppressed cells cannot be recovered from
margins". One suppression pattern is chosen per (denominator group, year): indicators that
share a denominator population publish the same denominator cells, so a cell hidden in one and
shown in the other would be recovered from the other (hence one shared pattern).

Method (deterministic, least information loss):

1. Singleton elimination: while some equation has exactly one unknown cell and that cell is
   suppressed, suppress the cheapest published cell of that equation (ties: the least
   aggregated, then the lowest cell number). This handles the everyday cases (the other sex,
   the sibling municipality, the rectangle in a 2×2) in milliseconds.
2. Audit (audit.py): an exact check over all equations together, including non-negativity and
   numerator ≤ denominator, finds cells whose numerator or complement is still pinned down,
   e.g. two hidden zeros whose published total is zero.
3. Release (``find_cheapest_release``): for each pinned count a small linear programme picks
   the published cells of least total cost whose suppression lets it move — often a single
   cell with a positive count, never a national total when a few small cells will do.
   Then back to 1 until the audit is clean. Every round hides at least one more cell, and
   hiding more only widens what an attacker cannot know, so the loop ends.

Cost of hiding a cell (``hiding_cost``): its population (denominator, or the count) times one
plus the number of equations in which it is a total — hiding a total costs more than hiding
the same number of people in its parts, because totals are what users read first.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from barometer.disclosure.audit import TOLERANCE, find_pinned
from barometer.disclosure.structure import KINDS, Structure

MOVES = 1e-6  # a cell moves along a programme's direction (vertex solutions are 0, ±½, ±1 …)


@dataclass
class TableValues:
    """One indicator's cells in one year, laid out on the structure's cell numbering."""

    present: np.ndarray  # the row exists
    no_data: np.ndarray  # empty population: published as "no data", never suppressed
    numerator: np.ndarray  # counts for a count indicator; 0 where missing
    denominator: np.ndarray | None  # None for a count indicator
    primary: np.ndarray  # primary-suppressed

    @property
    def size(self) -> np.ndarray:
        """The cell's information value: its population (denominator) or its count."""
        return self.numerator if self.denominator is None else self.denominator


def choose_pattern(
    structure: Structure, tables: list[TableValues]
) -> tuple[np.ndarray, np.ndarray]:
    """Return (suppressed mask, kind of the equation that forced each secondary cell).

    kind is -1 for primary or published cells and otherwise indexes structure.KINDS.
    """
    present = np.logical_or.reduce([t.present for t in tables])
    no_data = np.logical_or.reduce([t.present & t.no_data for t in tables])
    eligible = present & ~no_data
    size = sum(np.where(t.present, t.size, 0.0) for t in tables)
    cost = np.where(eligible, hiding_cost(structure, size), np.inf)
    pattern = np.logical_or.reduce([t.present & t.primary for t in tables])
    kind = np.full(structure.n_cells, -1, dtype=np.int8)
    free = ~present
    for _ in range(structure.n_cells + 1):  # each round hides at least one more cell
        eliminate_singletons(structure, pattern, free, eligible, cost, kind)
        if not repair_disclosed(structure, tables, pattern, eligible, cost, kind):
            return pattern, kind
    raise RuntimeError("secondary suppression did not converge")  # pragma: no cover


def hiding_cost(structure: Structure, size: np.ndarray) -> np.ndarray:
    """Information lost by hiding each cell: its population × (1 + equations it totals),
    plus one so that hiding an empty-looking cell is never free."""
    return size * (1.0 + structure.aggregation) + 1.0


def eliminate_singletons(
    structure: Structure,
    pattern: np.ndarray,
    free: np.ndarray,
    eligible: np.ndarray,
    cost: np.ndarray,
    kind: np.ndarray,
) -> None:
    """Suppress the smallest partner in every equation where a hidden cell stands alone.

    A total minus its published parts gives the one hidden cell away (DOMAIN.md §4.4), so
    such an equation needs a second unknown. Modifies ``pattern`` and ``kind`` in place.
    """
    unknown = pattern | free
    absolute = abs(structure.incidence)
    n_unknown = np.asarray(absolute @ unknown.astype(np.int64)).ravel()
    n_hidden = np.asarray(absolute @ pattern.astype(np.int64)).ravel()
    queue = [int(e) for e in np.flatnonzero((n_unknown == 1) & (n_hidden == 1))]
    heapq.heapify(queue)
    while queue:
        e = heapq.heappop(queue)
        if n_unknown[e] != 1:
            continue
        cells = structure.eq_cells[e]
        candidates = cells[~unknown[cells] & eligible[cells]]
        if candidates.size == 0:
            continue  # nothing can be hidden here; the audit will look for another way
        best = int(candidates[_rank(structure, candidates, cost)[0]])
        pattern[best] = unknown[best] = True
        kind[best] = structure.kinds[e]
        for e2 in structure.cell_eqs[best]:
            n_unknown[e2] += 1
            if n_unknown[e2] == 1:
                heapq.heappush(queue, int(e2))


def repair_disclosed(
    structure: Structure,
    tables: list[TableValues],
    pattern: np.ndarray,
    eligible: np.ndarray,
    cost: np.ndarray,
    kind: np.ndarray,
) -> int:
    """Audit the group's indicators; free every pinned cell by the cheapest set of new cells.

    For a pinned cell the attacker knows one of its two counts — the numerator or the
    complement (denominator − numerator) — exactly. The two are independent tables with the
    same equations (the denominator is their sum), so each pinned count is freed on its own:
    a linear programme (``find_cheapest_release``) finds the published cells of least total
    cost whose suppression lets that count move while every equation holds and every hidden
    zero stays non-negative. Those cells are suppressed; the next cell's programme sees them
    as already hidden (so they cost nothing there), and the next audit checks the result.
    Returns the number of cells added (0: every indicator of the group is safe).
    """
    before = int(pattern.sum())
    for table in tables:
        free = ~table.present
        hidden = pattern & table.present
        cells, quantities = find_pinned(structure, hidden, free, table.numerator, table.denominator)
        if cells.size == 0:
            continue
        counts = [table.numerator]
        if table.denominator is not None:
            counts.append(table.denominator - table.numerator)
        for q, values in enumerate(counts):
            todo = np.zeros(structure.n_cells, bool)
            todo[cells[quantities[:, q]]] = True
            zeros = np.flatnonzero(todo & (values == 0))
            if zeros.size > 1:
                # Hidden zeros can only move up, so directions that free them one by one
                # add up to one that frees them all: one programme for all of them.
                found = _solve_release(
                    structure, values, pattern & table.present, free, eligible, cost, zeros
                )
                if found is not None:
                    _take_release(structure, pattern, kind, todo, zeros, *found[1:])
            for cell in np.flatnonzero(todo).tolist():
                if not todo[cell]:
                    continue  # freed by an earlier cell's direction
                found = find_cheapest_release(
                    structure, values, pattern & table.present, free, eligible, cost, cell
                )
                if found is None:  # no published cell can free it: hide around it
                    _hide_overlapping(structure, pattern, free, np.array([cell]), eligible, kind)
                else:
                    _take_release(structure, pattern, kind, todo, np.array([cell]), *found)
                todo[cell] = False
        if int(pattern.sum()) == before:
            # The audit saw a pinned cell that the programmes found free without hiding
            # anything: they can only disagree numerically, so take the safe side.
            _hide_overlapping(structure, pattern, free, cells, eligible, kind)
        if int(pattern.sum()) > before:
            return int(pattern.sum()) - before
    return 0


def _take_release(
    structure: Structure,
    pattern: np.ndarray,
    kind: np.ndarray,
    todo: np.ndarray,
    protected: np.ndarray,
    release: np.ndarray,
    direction: np.ndarray,
) -> None:
    """Hide a release's cells (their reason taken from the ``protected`` cells) and strike
    from ``todo`` every cell that moves along its direction: hiding more never blocks a
    direction, so those cells are free now too, for this count."""
    new = release[~pattern[release]]
    pattern[new] = True
    kind[new] = _nearest_dimension(structure, protected, new)
    todo[np.abs(structure.composition @ direction) > MOVES] = False


def find_cheapest_release(
    structure: Structure,
    values: np.ndarray,
    hidden: np.ndarray,
    free: np.ndarray,
    eligible: np.ndarray,
    cost: np.ndarray,
    cell: int,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The published cells of least total cost to hide so that ``cell``'s count can move.

    In the finest cells' coordinates (every consistent table is composition · y), find a
    direction d with the cell moving by one unit, every published cell j either still
    (B_j·d = 0) or paying cost_j·|B_j·d|, every hidden count at 0 not going below 0, and
    the cheapest total. Returns (the cells to hide — the support of the paid part, empty
    when the cell can already move — and d), or None when no choice of published cells
    frees it. This is the linear relaxation of the cell suppression problem for one cell
    and one direction (Fischetti and Salazar-González 1999); moving down is tried as well
    when the count is positive.
    """
    region = structure.area_region[cell]
    if structure.levels[structure.areas[region]] == "region":
        # First look for a release inside the cell's region: paths through other regions
        # must change the region totals, which cost more than anything inside. Fixing the
        # other regions' finest cells keeps any release found valid for the whole table.
        scope = structure.area_region[structure.fine_cells] == region
        target = np.array([cell])
        found = _solve_release(structure, values, hidden, free, eligible, cost, target, scope)
        if found is not None and found[0] <= TOLERANCE:  # free already: done
            return found[1:]
    found = _solve_release(structure, values, hidden, free, eligible, cost, np.array([cell]))
    return None if found is None else found[1:]


def _solve_release(
    structure: Structure,
    values: np.ndarray,
    hidden: np.ndarray,
    free: np.ndarray,
    eligible: np.ndarray,
    cost: np.ndarray,
    targets: np.ndarray,
    scope: np.ndarray | None = None,
) -> tuple[float, np.ndarray, np.ndarray] | None:
    """``find_cheapest_release`` for one target cell (moving by +1, or -1 when its count is
    positive), or for several hidden zeros at once (each moving up by at least 1), with the
    finest cells outside ``scope`` held still. Returns (cost, cells to hide, direction)."""
    comp = structure.composition
    n_all = comp.shape[1]
    touches = np.ones(structure.n_cells, bool)
    if scope is not None:
        comp = comp[:, np.flatnonzero(scope)]
        touches = np.diff(comp.indptr) > 0
    n_fine = comp.shape[1]
    published = ~(hidden | free) & touches
    paid = np.flatnonzero(published & eligible)
    fixed = np.flatnonzero(published & ~eligible)
    tight = np.flatnonzero(hidden & (values == 0) & touches)
    tight = np.setdiff1d(tight, targets)
    n_paid = paid.size
    eye = sparse.identity(n_paid, format="csr")
    one = targets.size == 1
    rows_eq = [
        sparse.hstack([comp[paid], -eye, eye]),
        sparse.hstack([comp[fixed], sparse.csr_matrix((fixed.size, 2 * n_paid))]),
    ]
    rows_ub = [-comp[tight]]
    if one:  # the target moves by exactly one unit
        rows_eq.append(sparse.hstack([comp[targets], sparse.csr_matrix((1, 2 * n_paid))]))
    else:  # every target moves up by at least one unit
        rows_ub.append(-comp[targets])
    a_eq = sparse.vstack(rows_eq, format="csr")
    ub = sparse.vstack(rows_ub, format="csr")
    a_ub = sparse.hstack([ub, sparse.csr_matrix((ub.shape[0], 2 * n_paid))], format="csr")
    b_ub = np.r_[np.zeros(tight.size), -np.ones(0 if one else targets.size)]
    weights = np.r_[np.zeros(n_fine), cost[paid], cost[paid]]
    bounds = [(None, None)] * n_fine + [(0.0, None)] * (2 * n_paid)
    best = None
    signs = (1.0, -1.0) if one and values[targets[0]] > 0 else (1.0,)
    for sign in signs:
        b_eq = np.zeros(a_eq.shape[0])
        if one:
            b_eq[-1] = sign
        res = linprog(
            weights,
            A_ub=a_ub if a_ub.shape[0] else None,
            b_ub=b_ub if a_ub.shape[0] else None,
            A_eq=a_eq if a_eq.shape[0] else None,
            b_eq=b_eq if a_eq.shape[0] else None,
            bounds=bounds,
            method="highs",
        )
        if res.status != 0:
            continue  # this direction is blocked whatever is hidden
        if best is None or res.fun < best[0] - TOLERANCE:
            moved = res.x[n_fine : n_fine + n_paid] + res.x[n_fine + n_paid :]
            direction = res.x[:n_fine]
            if scope is not None:
                direction = np.zeros(n_all)
                direction[np.flatnonzero(scope)] = res.x[:n_fine]
            best = (res.fun, paid[moved > TOLERANCE], direction)
        if best[0] <= TOLERANCE:
            break  # already free: nothing cheaper exists
    return best


def _nearest_dimension(structure: Structure, pinned: np.ndarray, others: np.ndarray) -> np.ndarray:
    """The reason kind of each new cell: 'sex' when it differs from a pinned cell it protects
    only in sex, 'origin' when it shares the area of one, else 'area'."""
    n_o, n_s = len(structure.origins), len(structure.sexes)
    area = others[:, None] // (n_o * n_s) == pinned[None, :] // (n_o * n_s)
    origin = (others[:, None] // n_s) % n_o == (pinned[None, :] // n_s) % n_o
    kinds = [KINDS.index("sex"), KINDS.index("origin")]
    chosen = np.select([(area & origin).any(axis=1), area.any(axis=1)], kinds, KINDS.index("area"))
    return chosen.astype(np.int8)


def _hide_overlapping(
    structure: Structure,
    pattern: np.ndarray,
    free: np.ndarray,
    members: np.ndarray,
    eligible: np.ndarray,
    kind: np.ndarray,
) -> None:
    """No published cell can free a pinned cell: hide every published cell that shares a
    finest cell with it, and if there is none, every published cell of the table.
    Over-suppression is safe; a fully hidden table discloses nothing, so the loop ends."""
    comp = structure.composition
    fine = np.unique(comp[members].indices)
    candidates = ~(pattern | free) & eligible
    overlap = np.zeros(structure.n_cells, bool)
    if fine.size:
        overlap = np.asarray(comp[:, fine].sum(axis=1)).ravel() > 0
    chosen = np.flatnonzero(candidates & overlap)
    if chosen.size == 0:
        chosen = np.flatnonzero(candidates)
    pattern[chosen] = True
    kind[chosen] = KINDS.index("area")  # the cell has no narrower cause


def _rank(structure: Structure, cells: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Order candidates: smallest first, then the least aggregated, then by cell number."""
    return np.lexsort((cells, structure.aggregation[cells], cost[cells]))
