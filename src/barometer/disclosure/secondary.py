"""Secondary suppression: hide enough further cells that no suppressed cell can be derived.

DOMAIN.md §4.4 asks for secondary suppression "so suppressed cells cannot be recovered from
margins". One suppression pattern is chosen per (denominator group, year): indicators that
share a denominator population publish the same denominator cells, so a cell hidden in one and
shown in the other would be recovered from the other (hence one shared pattern).

Method (deterministic, smallest cells first):

1. Singleton elimination: while some equation has exactly one unknown cell and that cell is
   suppressed, suppress the smallest published cell of that equation (ties: lowest cell
   number). This is what a τ-Argus-style hypercube/modular heuristic does first and it handles
   the everyday cases (the other sex, the sibling municipality, the rectangle in a 2×2).
2. Audit (audit.py): an exact check over all equations together, including non-negativity and
   numerator ≤ denominator, finds cells that are still pinned down, e.g. two hidden zeros whose
   published total is zero. Each such cell gets one more complementary cell — the smallest
   published cell sharing an equation with it — and we go back to step 1 until the audit is
   clean. The loop ends: every round hides at least one more cell.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from barometer.disclosure.audit import find_disclosed
from barometer.disclosure.structure import Structure

STUBBORN = 2  # repairs of one cell before the options are audited one by one
TRIALS = 2  # options audited for a stubborn cell
AUDIT_BUDGET = 8  # audits per pattern before the repair only takes the coarse, safe tiers


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
    cost = np.where(eligible, sum(np.where(t.present, t.size, 0.0) for t in tables), np.inf)
    pattern = np.logical_or.reduce([t.present & t.primary for t in tables])
    kind = np.full(structure.n_cells, -1, dtype=np.int8)
    free = ~present
    attempts: dict[int, int] = {}
    budget = Budget()
    for _ in range(structure.n_cells + 1):  # each round hides at least one more cell
        eliminate_singletons(structure, pattern, free, eligible, cost, kind)
        added = repair_disclosed(structure, tables, pattern, eligible, cost, kind, attempts, budget)
        if not added:
            return pattern, kind
    raise RuntimeError("secondary suppression did not converge")  # pragma: no cover


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
    attempts: dict[int, int],
    budget: Budget | None = None,
) -> int:
    """Audit the group's indicators; give each pinned cell one more complementary cell.

    The complementary cell is the smallest published cell sharing an equation with the pinned
    cell: published cells are at least the threshold with a complement at least the
    threshold, so hiding one adds slack in both directions (it also breaks a published sum of
    hidden zeros). A cell still pinned in the next round gets its partner from its next
    equation (``attempts`` counts rounds per cell), since the first one evidently was not
    what pinned it. Returns the number of cells added (0: safe for every indicator, or
    nothing published is left that could be hidden).

    ``budget`` bounds the work: once its audits are spent, pinned cells skip the careful
    tiers and go straight to hiding around their whole hidden component (safe, more cells).
    """
    budget = budget or Budget()
    for table in tables:
        free = ~table.present
        disclosed = find_disclosed(
            structure, pattern & table.present, free, table.numerator, table.denominator
        )
        budget.audits += 1
        if disclosed.size == 0:
            continue
        before = int(pattern.sum())
        added = 0
        opened: set[int] = set()  # equations that received a new hidden cell this round
        components = _components(structure, pattern | free)  # as at the start of the round
        opened_components: set[int] = set()  # components that got the last resort this round
        for cell in disclosed.tolist():
            equations = structure.cell_eqs[cell]
            if attempts.get(cell, 0) == 0 and opened.intersection(equations.tolist()):
                continue  # a first-time cell whose equation was just opened: re-audit first
            tries = attempts.get(cell, 0)
            attempts[cell] = tries + 1
            choice = None
            stubborn = tries > STUBBORN or (tries == STUBBORN and TRIALS == 0)
            if (stubborn or budget.spent) and not budget.exhausted:
                with_parts = tries > STUBBORN + 1
                n = _open_local_equations(
                    structure, pattern | free, cell, eligible, cost, kind, with_parts
                )
                pattern |= kind >= 0
                added += n
                if n:
                    continue
            elif tries <= STUBBORN:
                if tries == STUBBORN:
                    choice = _pick_by_trial(structure, table, pattern, cell, eligible, cost, budget)
                else:
                    choice = _pick_neighbour(
                        structure, pattern | free, cell, eligible, cost, tries, components
                    )
            if choice is not None:
                best, eq_kind = choice
                pattern[best] = True
                kind[best] = eq_kind
                opened.update(structure.cell_eqs[best].tolist())
                added += 1
                continue
            # Last resort (or budget spent): open every equation around the hidden component.
            label = components.label(cell)
            if label in opened_components:
                continue
            opened_components.add(label)
            members = components[cell]
            n = _open_all_equations(structure, pattern | free, members, eligible, cost, kind)
            pattern |= kind >= 0
            if n == 0:
                n = _hide_overlapping(structure, pattern | free, members, eligible, kind)
                pattern |= kind >= 0
            added += n
        if int(pattern.sum()) > before:
            return int(pattern.sum()) - before
    return 0


@dataclass
class Budget:
    """Audits spent on one pattern; beyond ``limit`` the repair takes the safe, coarse tier."""

    limit: int = AUDIT_BUDGET
    audits: int = 0

    @property
    def spent(self) -> bool:
        """No more audits for trials: pinned cells get all their equations opened at once."""
        return self.audits >= self.limit

    @property
    def exhausted(self) -> bool:
        """No more local repairs: pinned cells get their whole hidden component opened."""
        return self.audits >= 3 * self.limit


def _open_all_equations(
    structure: Structure,
    unknown: np.ndarray,
    members: np.ndarray,
    eligible: np.ndarray,
    cost: np.ndarray,
    kind: np.ndarray,
) -> int:
    """Last resort for a cell still pinned after the trials: hide the smallest published cell
    of every equation around its hidden component (``members``). Always makes progress while
    such a cell exists; returns 0 when none is left."""
    added = 0
    for e, best in _equation_minima(structure, members, ~unknown & eligible & (kind < 0), cost):
        if kind[best] < 0:
            kind[best] = structure.kinds[e]
            added += 1
    return added


def _open_local_equations(
    structure: Structure,
    unknown: np.ndarray,
    cell: int,
    eligible: np.ndarray,
    cost: np.ndarray,
    kind: np.ndarray,
    with_parts: bool,
) -> int:
    """Hide the smallest published cell of every equation of ``cell`` (and, ``with_parts``,
    of its finest parts): the options of ``_pick_neighbour``'s first tiers, all at once."""
    members = np.array([cell], dtype=np.int64)
    if with_parts:
        parts = structure.fine_cells[structure.composition[cell].indices]
        members = np.unique(np.r_[cell, parts]).astype(np.int64)
    added = 0
    for e, best in _equation_minima(structure, members, ~unknown & eligible & (kind < 0), cost):
        if kind[best] < 0:
            kind[best] = structure.kinds[e]
            added += 1
    return added


def _hide_overlapping(
    structure: Structure,
    unknown: np.ndarray,
    members: np.ndarray,
    eligible: np.ndarray,
    kind: np.ndarray,
) -> int:
    """No published cell shares an equation with the component, yet a cell is pinned: hide
    every published cell that shares a finest cell with it, and if there is none, every
    published cell of the table. Over-suppression is safe; a fully hidden table discloses
    nothing, so the repair loop always ends."""
    comp = structure.composition
    fine = np.unique(comp[members].indices)
    candidates = ~unknown & eligible & (kind < 0)
    overlap = np.zeros(structure.n_cells, bool)
    if fine.size:
        overlap = np.asarray(comp[:, fine].sum(axis=1)).ravel() > 0
    chosen = np.flatnonzero(candidates & overlap)
    if chosen.size == 0:
        chosen = np.flatnonzero(candidates)
    area = 0  # the reason names the area equation; the cell has no narrower cause
    kind[chosen] = area
    return int(chosen.size)


def _pick_by_trial(
    structure: Structure,
    table: TableValues,
    pattern: np.ndarray,
    cell: int,
    eligible: np.ndarray,
    cost: np.ndarray,
    budget: Budget,
) -> tuple[int, int] | None:
    """For a cell the cheap choice failed to free: audit each option, take the first that works.

    Options are those of ``_pick_neighbour`` in its order (up to TRIALS of them); if none frees
    the cell on its own, the first is taken and the next round continues from there.
    """
    free = ~table.present
    components = _components(structure, pattern | free)
    options: list[tuple[int, int]] = []
    for tries in range(TRIALS):
        option = _pick_neighbour(structure, pattern | free, cell, eligible, cost, tries, components)
        if option is None or option in options:
            break
        options.append(option)
    if not options:
        return None
    for best, eq_kind in options:
        if budget.spent:
            break
        budget.audits += 1
        trial = pattern.copy()
        trial[best] = True
        still = find_disclosed(
            structure, trial & table.present, free, table.numerator, table.denominator
        )
        if cell not in still:
            return best, eq_kind
    return options[0]


def _pick_neighbour(
    structure: Structure,
    unknown: np.ndarray,
    cell: int,
    eligible: np.ndarray,
    cost: np.ndarray,
    tries: int,
    components: _ComponentMap | None = None,
) -> tuple[int, int] | None:
    """A published cell to hide next to a pinned ``cell`` (None when there is none).

    First choice: a finest cell (municipality × detailed origin × sex) in an equation with
    the pinned cell or with one of its finest parts — hiding an aggregate whose parts are all
    published adds no uncertainty, hiding a finest cell always does. Then any cell in its
    equations, then any cell next to its hidden component. Within a tier the options are the
    smallest candidate of each equation, smallest first; ``tries`` (how many rounds this cell
    was already repaired) moves on to later options.
    """
    is_fine = np.zeros(structure.n_cells, bool)
    is_fine[structure.fine_cells] = True
    parts = structure.fine_cells[structure.composition[cell].indices].tolist()
    tiers = (([cell, *parts], True), ([cell], False), (None, False))
    for number, (members, fine_only) in enumerate(tiers):
        if members is None:  # built only when reached: the component can be large
            if components is None:
                components = _components(structure, unknown)
            members = components[cell]
            ranked = _component_options(structure, unknown, members, eligible, cost)
        else:
            options: dict[int, tuple] = {}
            for c in members:
                for e in structure.cell_eqs[c]:
                    cells = structure.eq_cells[e]
                    candidates = cells[~unknown[cells] & eligible[cells]]
                    if fine_only:
                        candidates = candidates[is_fine[candidates]]
                    if candidates.size == 0:
                        continue
                    top = int(candidates[_rank(structure, candidates, cost)[0]])
                    key = (cost[top], structure.aggregation[top], top)
                    options.setdefault(top, (key, top, int(structure.kinds[e])))
            ranked = sorted(options.values())
        if not ranked:
            continue
        if tries < len(ranked) or number == len(tiers) - 1:
            _, best, eq_kind = ranked[tries % len(ranked)]
            return best, eq_kind
        tries -= len(ranked)
    return None  # no published cell left around the cell's hidden component


def _component_options(
    structure: Structure,
    unknown: np.ndarray,
    members: np.ndarray,
    eligible: np.ndarray,
    cost: np.ndarray,
) -> list[tuple]:
    """The smallest published candidate of every equation touching ``members`` (vectorised),
    as sorted (key, cell, kind) options; the kind is that of the lowest such equation."""
    options: dict[int, tuple] = {}
    for e, top in _equation_minima(structure, members, ~unknown & eligible, cost):
        key = (cost[top], structure.aggregation[top], top)
        options.setdefault(top, (key, top, int(structure.kinds[e])))
    return sorted(options.values())


def _equation_minima(
    structure: Structure, members: np.ndarray, allowed: np.ndarray, cost: np.ndarray
) -> list[tuple[int, int]]:
    """(equation, its smallest allowed cell) for every equation touching ``members``, by
    equation number; equations without an allowed cell are left out."""
    touched = np.flatnonzero(np.asarray(abs(structure.incidence[:, members]).sum(axis=1)).ravel())
    if touched.size == 0:
        return []
    sub = structure.incidence[touched].tocsr()
    cols = sub.indices
    ok = allowed[cols]
    if not ok.any():
        return []
    rows = np.repeat(np.arange(touched.size), np.diff(sub.indptr))[ok]
    cols = cols[ok]
    order = np.lexsort((cols, structure.aggregation[cols], cost[cols], rows))
    rows, cols = rows[order], cols[order]
    first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    return list(zip(touched[rows[first]].tolist(), cols[first].tolist(), strict=True))


def _rank(structure: Structure, cells: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Order candidates: smallest first, then the least aggregated, then by cell number."""
    return np.lexsort((cells, structure.aggregation[cells], cost[cells]))


def _find_component(structure: Structure, unknown: np.ndarray, start: int) -> np.ndarray:
    """Unknown cells reachable from ``start`` through equations (sorted cell numbers)."""
    return _components(structure, unknown)[start]


def _components(structure: Structure, unknown: np.ndarray) -> _ComponentMap:
    """Connected components of the unknown cells, linked by shared equations (one sparse call)."""
    cells = np.flatnonzero(unknown)
    sub = abs(structure.incidence[:, cells]).tocsc()
    _, labels = connected_components(sparse.csr_matrix(sub.T @ sub), directed=False)
    return _ComponentMap(cells, labels)


class _ComponentMap:
    """Lookup: cell → sorted cells of its component (the cell alone when it is not unknown)."""

    def __init__(self, cells: np.ndarray, labels: np.ndarray) -> None:
        self.position = {int(c): i for i, c in enumerate(cells.tolist())}
        self.cells = cells
        self.labels = labels

    def label(self, cell: int) -> int:
        at = self.position.get(int(cell))
        return -1 - int(cell) if at is None else int(self.labels[at])

    def __getitem__(self, cell: int) -> np.ndarray:
        at = self.position.get(int(cell))
        if at is None:
            return np.array([cell], dtype=np.int64)
        return self.cells[self.labels == self.labels[at]].astype(np.int64)
