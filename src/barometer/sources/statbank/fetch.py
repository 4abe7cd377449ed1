"""``barometer statbank fetch``: StatBank tables → inputs of a store, with provenance.

Each mapped table fills one catalogue indicator (``population`` from FOLK1E,
``employment_rate_16_64`` from RAS200, …) under its own source, ``statbank:<TABLE>``, so a
store can hold a register figure and a StatBank figure for the same cell side by side; the
store's settings say which source is preferred. How a table's figures differ from the
definition travels with every figure (the mapping's ``differences``). The requests that made
them are kept as the input's provenance. Nothing here opens a store: the pipeline does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from barometer.catalogue.models import Indicator
from barometer.inputs import Input
from barometer.sources.statbank.client import StatbankClient
from barometer.sources.statbank.errors import StatbankError
from barometer.sources.statbank.mapping import Mapping, load_mappings
from barometer.sources.statbank.parse import parse_csv
from barometer.sources.statbank.tableinfo import parse_tableinfo
from barometer.sources.statbank.transform import plan_request, to_observations

Progress = Callable[[str, int, int], None]
# RAS201 is opt-in: its variable and codes are UNCONFIRMED (mappings/RAS201.yaml).
DEFAULT_TABLES = ("FOLK1E", "RAS200", "STRAFNA9")


@dataclass
class TableResult:
    table: str
    indicator_id: str
    observations: int
    suppressed: int
    from_cache: bool
    missing_years: list[int]
    notes: list[str] = field(default_factory=list)


@dataclass
class Fetched:
    inputs: list[Input] = field(default_factory=list)
    tables: list[TableResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    requests_sent: int = 0


def fetch_table(
    client: StatbankClient, mapping: Mapping, years: list[int] | None
) -> tuple[Input, TableResult]:
    """Read tableinfo, request the mapped cells as BULK and turn them into an input."""
    info_answer = client.tableinfo(mapping.table)
    info = parse_tableinfo(info_answer.text, mapping.table)
    plan = plan_request(mapping, info, years)
    data_answer = client.data(mapping.table, plan.variables, fmt="BULK")
    cells = parse_csv(data_answer.text, info)
    obs = to_observations(cells, mapping, info, plan)
    differences = [d.model_dump() for d in mapping.indicator.differences]
    inp = Input(
        source=f"statbank:{mapping.table}",
        kind="statbank",
        location=data_answer.url,
        sha256=data_answer.sha256,
        bytes=len(data_answer.content),
        cells=obs,
        request={"tableinfo": info_answer.request(), "data": data_answer.request()},
        details={
            "table_updated": info.updated,
            "table_text": info.text,
            "years": sorted(plan.year_of_time.values()),
            "missing_years": plan.missing_years,
            "from_cache": data_answer.from_cache,
            "mapping": mapping.model_dump(mode="json"),
            "differences": {mapping.indicator.id: differences},
        },
        notes=list(plan.notes),
    )
    result = TableResult(
        mapping.table,
        mapping.indicator.id,
        len(obs),
        int((obs["status"] != "ok").sum()),
        data_answer.from_cache,
        plan.missing_years,
        plan.notes,
    )
    return inp, result


def check_mapping(mapping: Mapping, catalogue: dict[str, Indicator]) -> None:
    """A mapping must fill a catalogue indicator of the same unit."""
    ind = catalogue.get(mapping.indicator.id)
    if ind is None:
        raise StatbankError(
            f"mapping {mapping.table}: indicator {mapping.indicator.id!r} is not in the catalogue"
        )
    if ind.unit != mapping.indicator.unit:
        raise StatbankError(
            f"mapping {mapping.table}: unit {mapping.indicator.unit!r} differs from the "
            f"catalogue's {ind.unit!r} for {ind.id}"
        )


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
) -> Fetched:
    """Fetch each table's mapped indicator as an input.

    Every table is fetched and checked before anything is returned, so a layout error or an
    API error in one table stops the fetch and no store changes. ``years`` None means every
    year the table has.
    """
    mappings = load_mappings(mappings_dir)
    wanted = [t.upper() for t in (tables or DEFAULT_TABLES)]
    unknown = [t for t in wanted if t not in mappings]
    if unknown:
        raise StatbankError(
            f"no mapping for table(s) {', '.join(unknown)}; mapped tables: "
            + ", ".join(sorted(mappings))
        )
    for table in wanted:
        check_mapping(mappings[table], catalogue)
    own = client is None
    client = client or StatbankClient(base_url, cache_dir=cache_dir)
    result = Fetched()
    try:
        for i, table in enumerate(wanted):
            if progress:
                progress(f"statbank {table}", i, len(wanted))
            inp, table_result = fetch_table(client, mappings[table], years)
            result.inputs.append(inp)
            result.tables.append(table_result)
            result.notes.extend(table_result.notes)
            if table_result.missing_years:
                result.notes.append(
                    f"{table}: no data for {', '.join(map(str, table_result.missing_years))}"
                )
        if progress:
            progress("statbank", len(wanted), len(wanted))
    finally:
        result.requests_sent = client.requests_sent
        if own:
            client.close()
    return result


__all__ = ["DEFAULT_TABLES", "Fetched", "TableResult", "fetch_table", "fetch_tables"]
