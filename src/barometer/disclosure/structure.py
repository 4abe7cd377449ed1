"""The additive equations linking the cells of one (indicator, year) table.

A table is the 3-D grid area × origin_group × sex. Every published total is the exact sum of
its parts (numerators, denominators and counts alike), so an attacker can subtract published
cells from published totals (DOMAIN.md §4.4: "secondary suppression so suppressed cells
cannot be recovered from margins"). This module writes those equations down once, as a sparse
matrix, so that the secondary suppression and the audit reason about exactly the same system.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from barometer.codes import DENMARK, ORIGIN_GROUPS, SEXES, load_municipalities

# Origin roll-ups (DOMAIN.md §4.1-4.2). Each entry: (cells with +1, cells with -1). The last
# three are implied by the first five but are stated explicitly because the greedy secondary
# step only looks at one equation at a time; the audit sees the whole span anyway.
# `menapt` is in none: its complement (non_western - menapt) is never published.
ORIGIN_EQUATIONS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("immigrants",), ("immigrants_western", "immigrants_non_western")),
    (("descendants",), ("descendants_western", "descendants_non_western")),
    (("western",), ("immigrants_western", "descendants_western")),
    (("non_western",), ("immigrants_non_western", "descendants_non_western")),
    (
        ("all",),
        (
            "danish_origin",
            "immigrants_western",
            "immigrants_non_western",
            "descendants_western",
            "descendants_non_western",
        ),
    ),
    (("all",), ("danish_origin", "immigrants", "descendants")),
    (("all",), ("danish_origin", "western", "non_western")),
    (("immigrants", "descendants"), ("western", "non_western")),
)
SEX_EQUATIONS = ((("all",), ("male", "female")),)

KINDS = ("area", "origin", "sex")


@dataclass(frozen=True)
class Structure:
    """Cell universe and equations of one table; cells are numbered area-major."""

    areas: tuple[str, ...]
    origins: tuple[str, ...]
    sexes: tuple[str, ...]
    levels: dict[str, str]
    # incidence[e, c] = +1 / -1 when cell c enters equation e as a total / a part.
    incidence: sparse.csr_matrix
    kinds: np.ndarray  # per equation: index into KINDS
    # per cell: in how many equations it is a total; ties in cost go to the more detailed cell
    aggregation: np.ndarray
    # aggregation[c, f] = 1 when finest cell f (municipality × detailed origin or menapt ×
    # male/female) is part of cell c: every table consistent with the equations is
    # aggregation @ y for some y, so the audit can work in these fewer coordinates.
    composition: sparse.csr_matrix
    fine_cells: np.ndarray  # per finest cell: its own cell number
    # per cell: the area index of its region (its own for Denmark and the regions); a
    # municipality's cells share equations with other regions only through the totals above
    area_region: np.ndarray
    eq_cells: list[np.ndarray] = field(repr=False)
    cell_eqs: list[np.ndarray] = field(repr=False)

    @property
    def n_cells(self) -> int:
        return len(self.areas) * len(self.origins) * len(self.sexes)

    def cell_index(self, area: np.ndarray, origin: np.ndarray, sex: np.ndarray) -> np.ndarray:
        """Map arrays of codes to cell numbers; raises on codes outside the hierarchy."""
        idx = []
        for values, codes, dim in (
            (area, self.areas, "area_code"),
            (origin, self.origins, "origin_group"),
            (sex, self.sexes, "sex"),
        ):
            lookup = {c: i for i, c in enumerate(codes)}
            try:
                idx.append(np.array([lookup[v] for v in values], dtype=np.int64))
            except KeyError as exc:
                raise ValueError(
                    f"disclosure control cannot place {dim} {exc.args[0]!r}: it is not in the "
                    "hierarchy, so its sums with other cells are unknown"
                ) from None
        n_o, n_s = len(self.origins), len(self.sexes)
        return (idx[0] * n_o + idx[1]) * n_s + idx[2]


def build_structure(municipality_regions: Mapping[str, str] | None = None) -> Structure:
    """Write down every published additive equation: area, origin and sex hierarchies.

    ``municipality_regions`` maps municipality code → region code (default: the 98 real
    municipalities). Denmark ("000") is the sum of the regions and of the municipalities.
    """
    if municipality_regions is None:
        municipality_regions = {c: m.region_code for c, m in load_municipalities().items()}
    regions = sorted(set(municipality_regions.values()))
    munis = sorted(municipality_regions)
    areas = (DENMARK, *regions, *munis)
    levels = (
        {DENMARK: "country"}
        | dict.fromkeys(regions, "region")
        | dict.fromkeys(munis, "municipality")
    )
    origins, sexes = ORIGIN_GROUPS, SEXES
    a_ix = {a: i for i, a in enumerate(areas)}
    o_ix = {o: i for i, o in enumerate(origins)}
    s_ix = {s: i for i, s in enumerate(sexes)}
    n_o, n_s = len(origins), len(sexes)

    def cell(a: int, o: int, s: int) -> int:
        return (a * n_o + o) * n_s + s

    area_eqs: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for r in regions:
        area_eqs.append(((a_ix[r],), tuple(a_ix[m] for m in munis if municipality_regions[m] == r)))
    if regions:
        area_eqs.append(((a_ix[DENMARK],), tuple(a_ix[r] for r in regions)))
    if len(regions) > 1:  # with one region Denmark = region = sum of municipalities already
        area_eqs.append(((a_ix[DENMARK],), tuple(a_ix[m] for m in munis)))
    origin_eqs = [
        (tuple(o_ix[x] for x in plus), tuple(o_ix[x] for x in minus))
        for plus, minus in ORIGIN_EQUATIONS
    ]
    sex_eqs = [
        (tuple(s_ix[x] for x in plus), tuple(s_ix[x] for x in minus))
        for plus, minus in SEX_EQUATIONS
    ]

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    kinds: list[int] = []
    eq = 0

    def add(plus: list[int], minus: list[int], kind: int) -> None:
        nonlocal eq
        if not plus or not minus:  # a total with no parts states nothing
            return
        rows.extend([eq] * (len(plus) + len(minus)))
        cols.extend(plus + minus)
        vals.extend([1.0] * len(plus) + [-1.0] * len(minus))
        kinds.append(kind)
        eq += 1

    for plus, minus in area_eqs:
        for o in range(n_o):
            for s in range(n_s):
                add([cell(a, o, s) for a in plus], [cell(a, o, s) for a in minus], 0)
    for a in range(len(areas)):
        for plus, minus in origin_eqs:
            for s in range(n_s):
                add([cell(a, o, s) for o in plus], [cell(a, o, s) for o in minus], 1)
        for o in range(n_o):
            for plus, minus in sex_eqs:
                add([cell(a, o, s) for s in plus], [cell(a, o, s) for s in minus], 2)

    n_cells = len(areas) * n_o * n_s
    incidence = sparse.csr_matrix((vals, (rows, cols)), shape=(eq, n_cells))
    eq_cells = [incidence.indices[incidence.indptr[i] : incidence.indptr[i + 1]] for i in range(eq)]
    composition, fine_cells = _compose(areas, regions, munis, municipality_regions, cell)
    by_cell = incidence.tocsc()
    cell_eqs = [by_cell.indices[by_cell.indptr[c] : by_cell.indptr[c + 1]] for c in range(n_cells)]
    return Structure(
        areas=areas,
        origins=origins,
        sexes=sexes,
        levels=levels,
        incidence=incidence,
        kinds=np.array(kinds, dtype=np.int8),
        aggregation=np.asarray((incidence > 0).sum(axis=0)).ravel(),
        composition=composition,
        fine_cells=fine_cells,
        area_region=np.repeat(
            np.array([a_ix[municipality_regions.get(a, a)] for a in areas]), n_o * n_s
        ),
        eq_cells=eq_cells,
        cell_eqs=cell_eqs,
    )


def _compose(
    areas, regions, munis, municipality_regions, cell
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Express every cell as a sum of finest cells (the null space of the equations)."""
    fine_areas = list(munis) if munis else [DENMARK]
    area_parts = {a: [a] for a in fine_areas}
    if munis:
        area_parts[DENMARK] = list(munis)
        for r in regions:
            area_parts[r] = [m for m in munis if municipality_regions[m] == r]
    origin_parts = {o: [o] for o in ORIGIN_GROUPS}
    for plus, minus in ORIGIN_EQUATIONS[:5]:
        origin_parts[plus[0]] = list(minus)
    sex_parts = {"all": ["male", "female"], "male": ["male"], "female": ["female"]}
    fine_origins = [o for o in ORIGIN_GROUPS if origin_parts[o] == [o]]
    fine_sexes = ["male", "female"]
    fine_index = {
        key: i
        for i, key in enumerate(
            (a, o, s) for a in fine_areas for o in fine_origins for s in fine_sexes
        )
    }
    rows, cols = [], []
    for ai, a in enumerate(areas):
        for oi, o in enumerate(ORIGIN_GROUPS):
            for si, s in enumerate(SEXES):
                c = cell(ai, oi, si)
                for pa in area_parts.get(a, []):
                    for po in origin_parts[o]:
                        for ps in sex_parts[s]:
                            rows.append(c)
                            cols.append(fine_index[(pa, po, ps)])
    a_ix = {a: i for i, a in enumerate(areas)}
    o_ix = {o: i for i, o in enumerate(ORIGIN_GROUPS)}
    s_ix = {s: i for i, s in enumerate(SEXES)}
    fine_cells = np.array([cell(a_ix[a], o_ix[o], s_ix[s]) for (a, o, s) in fine_index])
    n_cells = len(areas) * len(ORIGIN_GROUPS) * len(SEXES)
    composition = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(n_cells, len(fine_index))
    )
    return composition, fine_cells
