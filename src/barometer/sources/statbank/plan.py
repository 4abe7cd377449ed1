"""From a mapping and the table's ``tableinfo`` to the data request, every code resolved.

Why checks here: a StatBank table can gain a variable or lose a code between releases; a
request that silently eliminates a new variable, or a code that no longer exists, would give
wrong figures. Every variable of the table must be accounted for by each indicator of the
mapping (kept, summed or left out on purpose) and every code must resolve (``resolve.py``),
else a ``LayoutError`` names the table, the variable and the mapping.
"""

from __future__ import annotations

from dataclasses import dataclass

from barometer.codes import DENMARK, area_codes
from barometer.sources.statbank.errors import LayoutError
from barometer.sources.statbank.mapping import Breakdown, Mapping, Target
from barometer.sources.statbank.resolve import Resolver
from barometer.sources.statbank.tableinfo import TableInfo

ALL_ONLY = ""  # the group of a code counted only in a derived 'all'


@dataclass(frozen=True)
class Group:
    """A resolved origin or sex variable."""

    variable: str | None  # the table's variable id; None: the table has none (everyone)
    groups: dict[str, str]  # table code → our code (ALL_ONLY for in_all_only codes)
    derive_all: bool  # sum the groups to 'all' (the table gives no total)


@dataclass(frozen=True)
class ResolvedTarget:
    target: Target
    selects: dict[str, list[str] | None]  # table variable → codes kept (None: left out)
    ratio: tuple[str, list[str], list[str]] | None  # variable, numerator, denominator codes
    bands: tuple[str, dict[str, tuple[int, int]]] | None  # variable, code → ages


@dataclass(frozen=True)
class Plan:
    """The data request for one mapping, and how its answer maps back to our keys."""

    table: str
    info: TableInfo
    area: str | None  # the table's area variable (None: a national table, area '000')
    areas: list[str]
    origin: Group
    sex: Group
    targets: list[ResolvedTarget]
    time_variable: str
    year_of_time: dict[str, int]
    missing_years: list[int]
    variables: dict[str, list[str]]
    fmt: str
    notes: list[str]


def resolve_group(r: Resolver, bd: Breakdown | None, *, additive: bool) -> tuple[Group, list[str]]:
    """Resolve the origin or sex variable; the codes to request."""
    if bd is None:
        return Group(None, {}, False), []
    var = r.variable(bd.variable)
    groups: dict[str, str] = {}
    skipped = []
    for ref in bd.codes:
        code = r.code(var, ref, optional=ref.optional)
        if code is None:
            skipped.append(ref)
            continue
        groups[code] = ALL_ONLY if ref.in_all_only else ref.as_
    derive = bd.derive_all and additive and "all" not in groups.values()
    parts_missing = [s for s in skipped if s.as_ != "all"]
    for ref in skipped:
        if derive and ref.as_ == "all" and not parts_missing:
            r.notes.append(f"{r.info.id}: {var.id} has no total; 'all' is the sum of its groups")
        else:
            r.notes.append(
                f"{r.info.id}: {var.id} has no code {ref.show()} (UNCONFIRMED in {r.where}); "
                f"the group {ref.as_ or 'it counts in'} is left out"
            )
    if derive and parts_missing:
        derive = False
    if not derive:
        groups = {c: g for c, g in groups.items() if g != ALL_ONLY}
    return Group(var.id, groups, derive), list(groups)


def resolve_plan(mapping: Mapping, info: TableInfo, years: list[int] | None, where: str) -> Plan:
    """Check the mapping against tableinfo and build the ``variables`` of the data call."""
    r = Resolver(info, where)
    time_var = info.time_variable()
    additive = any(t.additive for t in mapping.indicators)
    origin, origin_codes = resolve_group(r, mapping.origin, additive=additive)
    sex, sex_codes = resolve_group(r, mapping.sex, additive=additive)
    area_var = r.variable(mapping.area).id if mapping.area else None
    areas = _resolve_areas(r, mapping, area_var)
    request: dict[str, list[str] | None] = {}
    if area_var:
        request[area_var] = areas
    for var_id, codes in ((origin.variable, origin_codes), (sex.variable, sex_codes)):
        if var_id:
            request[var_id] = codes
    targets = [_resolve_target(r, mapping, t, request) for t in mapping.indicators]
    for rt in targets:
        handled = {v.casefold() for v in (area_var, origin.variable, sex.variable) if v}
        handled |= {v.casefold() for v in rt.selects}
        handled |= {x[0].casefold() for x in (rt.ratio, rt.bands) if x}
        new = [v for v in info.variables if not v.time and v.id.casefold() not in handled]
        if new:
            listing = ", ".join(f"{v.id} ({v.text})" for v in new)
            raise LayoutError(
                f"table {info.id} has variable(s) {listing} that {where} does not handle for "
                f"{rt.target.id}; the table's layout has changed, so add them to the mapping "
                "(select a code, or eliminate) before fetching"
            )
    year_of_time, missing = resolve_years(mapping.time, time_var.codes(), years)
    variables = {k: v for k, v in request.items() if v is not None}
    if year_of_time:
        variables[time_var.id] = list(year_of_time)
    eliminated = [k for k, v in request.items() if v is None]
    fmt = mapping.format
    if eliminated and fmt == "BULK":
        fmt = "CSV"  # BULK needs values for every variable (ANCHORS.md §5.3)
    return Plan(
        table=info.id,
        info=info,
        area=area_var,
        areas=areas if area_var else [DENMARK],
        origin=origin,
        sex=sex,
        targets=targets,
        time_variable=time_var.id,
        year_of_time=year_of_time,
        missing_years=missing,
        variables=variables,
        fmt=fmt,
        notes=r.finish(),
    )


def _resolve_areas(r: Resolver, mapping: Mapping, area_var: str | None) -> list[str]:
    if area_var is None:
        return []
    var = r.info.variable(area_var)
    if mapping.areas is not None:
        return r.codes(var, mapping.areas)
    ours = set(area_codes())
    areas = [c for c in var.codes() if c in ours]
    if not areas:
        raise LayoutError(
            f"table {r.info.id}, variable {var.id}: none of its codes is an area of the barometer "
            f"(000, regions 081-085, municipalities); it has: {', '.join(var.codes()[:20])}"
        )
    return areas


def _resolve_target(
    r: Resolver, mapping: Mapping, target: Target, request: dict[str, list[str] | None]
) -> ResolvedTarget:
    info = r.info
    selects: dict[str, list[str] | None] = {}

    def want(var_id: str, codes: list[str] | None) -> None:
        have = request.get(var_id, [])
        if (codes is None) != (have is None) and var_id in request:
            raise LayoutError(
                f"table {info.id}, variable {var_id}: one indicator of {r.where} leaves it out "
                "and another selects codes of it; a request can do only one"
            )
        request[var_id] = None if codes is None else list(dict.fromkeys([*(have or []), *codes]))

    for sel in mapping.selects(target):
        var = r.variable(sel.variable)
        if sel.eliminate:
            if not var.elimination:
                raise LayoutError(
                    f"table {info.id}, variable {var.id} cannot be left out of a request "
                    f"(tableinfo says elimination: false); select its codes in {r.where}"
                )
            selects[var.id] = None
            want(var.id, None)
        else:
            selects[var.id] = r.codes(var, sel.codes)
            want(var.id, selects[var.id])
    ratio = None
    if target.ratio is not None:
        var = r.variable(target.ratio.variable)
        num = r.codes(var, target.ratio.numerator)
        den = (
            r.total(var)
            if target.ratio.denominator == "total"
            else r.codes(var, target.ratio.denominator)
        )
        if set(num) >= set(den):
            raise LayoutError(
                f"table {info.id}, variable {var.id}: the denominator ({', '.join(den)}) of "
                f"{target.id} is within its numerator; name the denominator codes in {r.where}"
            )
        ratio = (var.id, num, den)
        want(var.id, [*num, *den])
    bands = None
    if target.bands is not None:
        var = r.variable(target.bands.variable)
        bands = (var.id, {r.code(var, b): tuple(b.ages) for b in target.bands.codes})
        want(var.id, list(bands[1]))
    return ResolvedTarget(target, selects, ratio, bands)


def resolve_years(
    pattern: str, codes: list[str], years: list[int] | None
) -> tuple[dict[str, int], list[int]]:
    """Time codes of the years asked for (every year the table has when None) and the
    years it lacks."""
    available = set(codes)
    if years is None:
        years = [
            int(c[:4]) for c in codes if c[:4].isdigit() and time_code(pattern, int(c[:4])) == c
        ]
    year_of_time, missing = {}, []
    for y in years:
        code = time_code(pattern, y)
        if code in available:
            year_of_time[code] = y
        else:
            missing.append(y)
    return year_of_time, missing


def time_code(pattern: str, year: int) -> str:
    """'{year}K1' → '2023K1'; '{next}K1' → '2024K1' for 2023 (the day after 31 December)."""
    return pattern.format(year=year, next=year + 1)
