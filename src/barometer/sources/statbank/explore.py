"""``barometer statbank tables`` and ``info``: what the StatBank has, and how a mapping fits it.

Why: a table's codes are the part of a mapping most likely to be wrong or to change, and
the user who writes or checks a mapping needs the table's real variables and codes. ``info``
shows them and, for a mapped table, resolves the mapping against them exactly as the fetch
would (what matched by code, what by label, what did not match at all).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from barometer.sources.statbank.client import StatbankClient
from barometer.sources.statbank.errors import StatbankError
from barometer.sources.statbank.mapping import POPULATION_TABLE, Mapping
from barometer.sources.statbank.plan import resolve_plan
from barometer.sources.statbank.population import resolve_population
from barometer.sources.statbank.resolve import normalise
from barometer.sources.statbank.tableinfo import (
    TableInfo,
    TableSummary,
    parse_tableinfo,
    parse_tables,
)


def list_tables(
    client: StatbankClient, subjects: list[str] | None = None, search: str | None = None
) -> list[TableSummary]:
    """The tables of the subjects (all when None) whose id or title contains ``search``."""
    found = parse_tables(client.tables(subjects).text)
    if search:
        needle = normalise(search)
        found = [t for t in found if needle in normalise(f"{t.id} {t.text}")]
    return found


@dataclass
class Description:
    info: TableInfo
    mapped: bool
    check: list[str] = field(default_factory=list)  # notes of a mapping that resolves
    problem: str | None = None  # why the mapping does not resolve


def describe_table(client: StatbankClient, table: str, mappings: dict[str, Mapping]) -> Description:
    """The table's tableinfo and, for a mapped table, the mapping resolved against it."""
    table = table.upper()
    info = parse_tableinfo(client.tableinfo(table).text, table)
    mapping = mappings.get(table)
    out = Description(info, mapping is not None)
    if mapping is None:
        return out
    where = f"the mapping {table}.yaml"
    try:
        plan = resolve_plan(mapping, info, None, where)
        out.check = list(plan.notes)
        needs = [
            (t.population.time, tuple(a))
            for rt in plan.targets
            if (t := rt.target).population is not None
            for a in ([t.population.ages] if rt.bands is None else rt.bands[1].values())
        ]
        if needs and table != POPULATION_TABLE and POPULATION_TABLE in mappings:
            folk = parse_tableinfo(client.tableinfo(POPULATION_TABLE).text, POPULATION_TABLE)
            years = sorted(plan.year_of_time.values())
            pp = resolve_population(
                mappings[POPULATION_TABLE], folk, plan.areas, needs, years, where
            )
            out.check += pp.notes
    except StatbankError as exc:
        out.problem = str(exc)
    return out
