"""``barometer statbank fetch``: StatBank tables → inputs of a store, one outcome per table.

Each mapped table fills catalogue indicators (``population`` from FOLK1E,
``employment_rate_25_64`` and its gap from RAS201, …) under its own source,
``statbank:<TABLE>``, so a store can hold a register figure and a StatBank figure for the same
cell side by side; the store's settings say which source is preferred. How a table's figures
differ from the definition travels with every figure (the mapping's ``differences``), and the
requests that made them are kept as the input's provenance.

One table failing (an unknown table, a code that matches nothing, an API error, a truncated
answer) never loses the others: every table gets an outcome — stored, skipped (nothing new)
or failed with a message naming the table and the code — and the inputs of the stored tables
are returned. Nothing here opens a store: the pipeline does.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from barometer.catalogue.models import GapIndicator, Indicator
from barometer.errors import BarometerError
from barometer.inputs import Input
from barometer.sources.statbank.client import Answer, StatbankClient
from barometer.sources.statbank.errors import StatbankError
from barometer.sources.statbank.mapping import POPULATION_TABLE, Mapping, load_mappings
from barometer.sources.statbank.parse import parse_answer
from barometer.sources.statbank.plan import ALL_ONLY, Plan, resolve_plan, resolve_years
from barometer.sources.statbank.population import (
    PopulationPlan,
    population_cells,
    population_for,
    resolve_population,
)
from barometer.sources.statbank.tableinfo import TableInfo, parse_tableinfo
from barometer.sources.statbank.transform import (
    build_target,
    compute_gap,
    drop_foreign_areas,
    keyed_cells,
)

Progress = Callable[[str, int, int], None]
STORED, SKIPPED, FAILED = "stored", "skipped", "failed"


@dataclass
class TableResult:
    """What happened to one table."""

    table: str
    status: str  # stored, skipped or failed
    indicators: list[str] = field(default_factory=list)
    observations: int = 0
    suppressed: int = 0
    years: list[int] = field(default_factory=list)
    from_cache: bool = False
    missing_years: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    message: str = ""  # why it was skipped or failed


@dataclass
class Fetched:
    inputs: list[Input] = field(default_factory=list)
    tables: list[TableResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    requests_sent: int = 0

    @property
    def failed(self) -> list[TableResult]:
        return [t for t in self.tables if t.status == FAILED]


def check_mapping(mapping: Mapping, catalogue: dict[str, Indicator]) -> None:
    """Every indicator a mapping fills must be in the catalogue with the same unit; every gap
    must be a gap of one of them."""
    where = f"mapping {mapping.table}.yaml"
    for t in mapping.indicators:
        ind = catalogue.get(t.id)
        if ind is None:
            raise StatbankError(f"{where}: indicator {t.id!r} is not in the catalogue")
        if ind.unit != t.unit:
            raise StatbankError(
                f"{where}: unit {t.unit!r} differs from the catalogue's {ind.unit!r} for {t.id}"
            )
    own = {t.id for t in mapping.indicators}
    for g in mapping.gaps:
        gap = catalogue.get(g.id)
        if not isinstance(gap, GapIndicator) or gap.of not in own:
            raise StatbankError(
                f"{where}: gap {g.id!r} must be a catalogue gap of one of {sorted(own)}"
            )


def order_tables(tables: list[str], mappings: dict[str, Mapping]) -> list[str]:
    """Tables another table falls back for come first, so the fallback knows their outcome."""
    after = {
        t for t in tables if t in mappings and any(x.fallback_for for x in mappings[t].indicators)
    }
    return [t for t in tables if t not in after] + [t for t in tables if t in after]


@dataclass
class _Fetcher:
    client: StatbankClient
    mappings: dict[str, Mapping]
    catalogue: dict[str, Indicator]
    years: list[int] | None
    previous: dict[str, Input]
    refresh: bool
    available: set[str] = field(default_factory=set)  # tables stored now or before
    infos: dict[str, tuple[Answer, TableInfo]] = field(default_factory=dict)

    def tableinfo(self, table: str) -> tuple[Answer, TableInfo]:
        if table not in self.infos:
            answer = self.client.tableinfo(table)
            self.infos[table] = (answer, parse_tableinfo(answer.text, table))
        return self.infos[table]

    def effective(self, mapping: Mapping) -> tuple[Mapping, list[str]]:
        """The mapping without fallback indicators whose table is available, and notes."""
        keep, notes = [], []
        for t in mapping.indicators:
            if t.fallback_for and t.fallback_for in self.available:
                notes.append(f"{mapping.table}: {t.id} comes from {t.fallback_for} instead")
            else:
                keep.append(t)
        own = {t.id for t in keep}
        gaps = [g for g in mapping.gaps if self.catalogue[g.id].of in own]
        return mapping.model_copy(update={"indicators": keep, "gaps": gaps}), notes

    def years_for(self, mapping: Mapping, info: TableInfo) -> tuple[list[int] | None, int | None]:
        """The years to ask for; on a refresh only those newer than the store has (for the
        indicator it has the fewest years of: a share whose population came later)."""
        prev = self.previous.get(f"statbank:{mapping.table}")
        if not self.refresh or prev is None or prev.cells.empty:
            return self.years, None
        newest = int(prev.cells.groupby("indicator_id")["year"].max().min())
        asked = self.years
        if asked is None:
            found, _ = resolve_years(mapping.time, info.time_variable().codes(), None)
            asked = sorted(found.values())
        return [y for y in asked if y > newest], newest

    def fetch(self, mapping: Mapping) -> tuple[Input | None, TableResult]:
        table = mapping.table
        where = f"the mapping {table}.yaml"
        check_mapping(mapping, self.catalogue)
        mapping, notes = self.effective(mapping)
        if not mapping.indicators:
            return None, TableResult(table, SKIPPED, notes=notes, message=" ".join(notes))
        info_answer, info = self.tableinfo(table)
        years, newest = self.years_for(mapping, info)
        plan = resolve_plan(mapping, info, years, where)
        notes += plan.notes
        if not plan.year_of_time:
            codes = info.time_variable().codes()
            if newest is not None:
                why = f"up to date: the store has {table} up to {newest}"
            elif codes:
                why = f"none of the years asked for (the table has {codes[0]}…{codes[-1]})"
            else:
                why = "the table has no periods"
            return None, TableResult(table, SKIPPED, notes=notes, message=why)
        answer = self.client.data(table, plan.variables, fmt=plan.fmt)
        cells = parse_answer(answer.text, info, plan.fmt)
        cells, dropped = drop_foreign_areas(cells, plan)
        notes += dropped
        df = keyed_cells(cells, plan)
        request = {"tableinfo": info_answer.request(), "data": answer.request()}
        try:
            pop = self.population(mapping, plan, request, notes)
        except BarometerError as exc:
            # The indicators that need populations are left out; the others are kept.
            needing = [rt.target.id for rt in plan.targets if rt.target.population is not None]
            if len(needing) == len(plan.targets):
                raise
            notes.append(f"{table}: {', '.join(needing)} left out: {exc}")
            plan = dataclasses.replace(
                plan, targets=[rt for rt in plan.targets if rt.target.id not in needing]
            )
            mapping = mapping.model_copy(
                update={
                    "indicators": [t for t in mapping.indicators if t.id not in needing],
                    "gaps": [g for g in mapping.gaps if self.catalogue[g.id].of not in needing],
                }
            )
            pop = {}
        frames = []
        for rt in plan.targets:
            obs = build_target(df, rt, plan, *pop.get(rt.target.id, (None, None)))
            if obs.empty:
                notes.append(f"{table}: no cells for {rt.target.id} in the answer")
            frames.append(obs)
        rates = pd.concat(frames, ignore_index=True)
        gaps = [compute_gap(rates, self.catalogue[g.id]) for g in mapping.gaps]
        obs = pd.concat([rates, *gaps], ignore_index=True)
        digest = answer.sha256
        prev = self.previous.get(f"statbank:{table}") if self.refresh else None
        if prev is not None:
            obs, digest = merge_periods(prev, obs, mapping, digest, notes)
        if obs.empty:
            return None, TableResult(table, FAILED, notes=notes, message="the answer gave no cells")
        differences = {t.id: [d.model_dump() for d in t.differences] for t in mapping.indicators}
        differences |= {g.id: [d.model_dump() for d in g.differences] for g in mapping.gaps}
        inp = Input(
            source=f"statbank:{table}",
            kind="statbank",
            location=answer.url,
            sha256=digest,
            bytes=len(answer.content),
            cells=obs,
            request=request,
            details={
                "table_updated": info.updated,
                "table_text": info.text,
                "years": sorted(int(y) for y in obs["year"].unique()),
                "missing_years": plan.missing_years,
                "from_cache": answer.from_cache,
                "mapping": mapping.model_dump(mode="json", by_alias=True),
                "differences": differences,
                "format": plan.fmt,
                "earlier": prev.request if prev is not None else None,
            },
            notes=list(notes),
        )
        result = TableResult(
            table,
            STORED,
            indicators=inp.indicator_ids,
            observations=len(obs),
            suppressed=int((obs["status"] != "ok").sum()),
            years=sorted(plan.year_of_time.values()),
            from_cache=answer.from_cache,
            missing_years=plan.missing_years,
            notes=notes,
        )
        return inp, result

    def population(
        self, mapping: Mapping, plan: Plan, request: dict, notes: list[str]
    ) -> dict[str, tuple[pd.DataFrame, tuple]]:
        """FOLK1E populations per indicator that needs them (denominators or weights)."""
        targets = [rt for rt in plan.targets if rt.target.population is not None]
        if not targets:
            return {}
        folk = self.mappings.get(POPULATION_TABLE)
        if folk is None:
            raise StatbankError(f"{plan.table} needs populations from {POPULATION_TABLE}, "
                                "which has no mapping")  # fmt: skip
        needs = []
        for rt in targets:
            t = rt.target
            ranges = [t.population.ages] if rt.bands is None else list(rt.bands[1].values())
            needs += [(t.population.time, tuple(a)) for a in ranges]
        years = sorted(plan.year_of_time.values())
        info_answer, info = self.tableinfo(POPULATION_TABLE)
        where = f"the mapping {POPULATION_TABLE}.yaml (populations for {plan.table})"
        groups = {"all"} if plan.origin.variable is None or plan.origin.derive_all else set()
        groups |= set(plan.origin.groups.values()) - {ALL_ONLY}
        sexes = {"all"} if plan.sex.variable is None or plan.sex.derive_all else set()
        sexes |= set(plan.sex.groups.values()) - {ALL_ONLY}
        if all(rt.target.sexes for rt in targets):
            sexes &= {s for rt in targets for s in rt.target.sexes}
        pp: PopulationPlan = resolve_population(
            folk, info, plan.areas, needs, years, where, origin_groups=groups, sexes=sexes
        )
        notes += pp.notes
        if pp.missing_times:
            notes.append(
                f"{plan.table}: {POPULATION_TABLE} has no {', '.join(pp.missing_times)}; the "
                "cells that need those populations are left out"
            )
        answer = self.client.data(POPULATION_TABLE, pp.variables, fmt="BULK")
        request["population"] = {"tableinfo": info_answer.request(), "data": answer.request()}
        cells = population_cells(parse_answer(answer.text, info, "BULK"), pp)
        out = {}
        for rt in targets:
            t = rt.target
            if rt.bands is None:
                frame = population_for(cells, t.population.time, t.population.ages, years)
            else:
                frame = pd.concat(
                    [
                        population_for(cells, t.population.time, ages, years).assign(band=code)
                        for code, ages in rt.bands[1].items()
                    ],
                    ignore_index=True,
                )
            out[t.id] = (frame, (pp.origin, pp.sex))
        return out


def merge_periods(
    prev: Input, new: pd.DataFrame, mapping: Mapping, digest: str, notes: list[str]
) -> tuple[pd.DataFrame, str]:
    """The earlier input's periods with the new ones (new years replace, old years stay)."""
    ids = {t.id for t in mapping.indicators} | {g.id for g in mapping.gaps}
    old = prev.cells[prev.cells["indicator_id"].isin(ids) & ~prev.cells["year"].isin(new["year"])]
    kept = sorted(int(y) for y in old["year"].unique())
    if kept:
        notes.append(
            f"{mapping.table}: kept the store's {kept[0]}-{kept[-1]}, added "
            + ", ".join(str(y) for y in sorted(new["year"].unique()))
        )
    merged = pd.concat([old[new.columns], new], ignore_index=True)
    return merged, hashlib.sha256(f"{prev.sha256}+{digest}".encode()).hexdigest()


def drop_fallbacks(
    previous: dict[str, Input],
    fetched: set[str],
    mappings: dict[str, Mapping],
    catalogue: dict[str, Indicator],
    available: set[str],
) -> list[Input]:
    """Earlier inputs not fetched again that hold fallback figures for a table that is now
    available lose those figures, so the better source is the only one."""
    out = []
    for source, inp in previous.items():
        table = source.split(":", 1)[1]
        if table in fetched or table not in mappings:
            continue
        mapping = mappings[table]
        fallbacks = {
            t.id: t.fallback_for
            for t in mapping.indicators
            if t.fallback_for and t.fallback_for in available
        }
        gone = set(fallbacks) | {g.id for g in mapping.gaps if catalogue[g.id].of in fallbacks}
        cells = inp.cells[~inp.cells["indicator_id"].isin(gone)]
        if not gone or len(cells) == len(inp.cells) or cells.empty:
            continue
        by = ", ".join(sorted(set(fallbacks.values())))
        out.append(
            dataclasses.replace(
                inp,
                cells=cells,
                sha256=hashlib.sha256(f"{inp.sha256}-{sorted(gone)}".encode()).hexdigest(),
                protected=None,
                protection=None,
                notes=[*inp.notes, f"{table}: {', '.join(sorted(gone))} left out ({by} has it)"],
            )
        )
    return out


def fetch_tables(
    catalogue: dict[str, Indicator],
    tables: list[str] | None = None,
    years: list[int] | None = None,
    base_url: str | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    *,
    mappings_dir: Path | None = None,
    client: StatbankClient | None = None,
    previous: list[Input] | None = None,
    refresh: bool = False,
) -> Fetched:
    """Fetch each table's mapped indicators as an input; one outcome per table.

    ``tables`` None means every mapped table marked ``default`` (built-in, plus
    ``mappings_dir``); ``years``
    None every year a table has. ``previous`` are the store's inputs: with ``refresh`` a
    table the store already holds is asked only for newer periods, merged into one input.
    """
    mappings = load_mappings(mappings_dir)
    named = tables or [t for t in sorted(mappings) if mappings[t].default]
    wanted = list(dict.fromkeys(t.upper() for t in named))
    earlier = {i.source: i for i in previous or [] if i.kind == "statbank"}
    own = client is None
    client = client or StatbankClient(base_url, cache_dir=cache_dir)
    result = Fetched()
    run = _Fetcher(
        client, mappings, catalogue, years, earlier, refresh,
        available={s.split(":", 1)[1] for s in earlier},
    )  # fmt: skip
    ordered = order_tables(wanted, mappings)
    try:
        for i, table in enumerate(ordered):
            if progress:
                progress(f"statbank {table}", i, len(ordered))
            if table not in mappings:
                result.tables.append(
                    TableResult(
                        table,
                        FAILED,
                        message=f"StatBank: no mapping for table {table}; mapped tables: "
                        + ", ".join(sorted(mappings)),
                    )
                )
                continue
            try:
                inp, outcome = run.fetch(mappings[table])
            except BarometerError as exc:
                text = str(exc)
                if table not in text:
                    text = f"{table}: {text}"
                inp, outcome = None, TableResult(table, FAILED, message=text)
            if inp is not None:
                result.inputs.append(inp)
                run.available.add(table)
            result.tables.append(outcome)
            result.notes.extend(outcome.notes)
            if outcome.missing_years:
                result.notes.append(
                    f"{table}: no data for {', '.join(map(str, outcome.missing_years))}"
                )
        result.tables.sort(key=lambda t: wanted.index(t.table))
        fetched = {t.table for t in result.tables if t.status == STORED}
        result.inputs += drop_fallbacks(earlier, fetched, mappings, catalogue, run.available)
        if progress:
            progress("statbank", len(ordered), len(ordered))
    finally:
        result.requests_sent = client.requests_sent
        if own:
            client.close()
    return result


__all__ = ["Fetched", "TableResult", "check_mapping", "fetch_tables"]
