"""``barometer statbank fetch``: StatBank tables → observations in a store, with provenance.

Coexistence with register figures (docs/sources.md): each StatBank table feeds its own
indicator id (``population_statbank``, ``employment_rate_16_64_statbank`` …), never a register
id, because the figures differ in definition (1 January vs 31 December, RAS November status,
all offences vs the criminal code) and a store can then hold both and compare them. Every row
has ``source = statbank:<TABLE>``; the requests that made them go to ``imports``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from barometer.sources.files import Batch, ImportRecord, merge_batches
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
class FetchResult:
    store: Path
    tables: list[TableResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    requests_sent: int = 0


def fetch_table(
    client: StatbankClient, mapping: Mapping, years: list[int] | None
) -> tuple[pd.DataFrame, ImportRecord, TableResult]:
    """Read tableinfo, request the mapped cells as BULK and turn them into observations."""
    info_answer = client.tableinfo(mapping.table)
    info = parse_tableinfo(info_answer.text, mapping.table)
    plan = plan_request(mapping, info, years)
    data_answer = client.data(mapping.table, plan.variables, fmt="BULK")
    cells = parse_csv(data_answer.text, info)
    obs = to_observations(cells, mapping, info, plan)
    record = ImportRecord(
        kind="statbank",
        source=f"statbank:{mapping.table}",
        location=data_answer.url,
        sha256=data_answer.sha256,
        bytes=len(data_answer.content),
        request={"tableinfo": info_answer.request(), "data": data_answer.request()},
        details={
            "table_updated": info.updated,
            "table_text": info.text,
            "years": sorted(plan.year_of_time.values()),
            "missing_years": plan.missing_years,
            "notes": plan.notes,
            "from_cache": data_answer.from_cache,
            "mapping": mapping.model_dump(mode="json"),
        },
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
    return obs, record, result


def definition_of(mapping: Mapping) -> dict:
    """The ``definitions`` row for a StatBank indicator: its metadata plus the mapping."""
    spec = mapping.indicator.model_dump(mode="json")
    spec.update(
        kind="statbank",
        sources=[f"statbank:{mapping.table}"],
        notes=mapping.notes,
        unconfirmed=mapping.unconfirmed,
        statbank={"table": mapping.table, "time": mapping.time, "kind": mapping.kind},
    )
    return spec


def fetch_into_store(
    store: Path,
    tables: list[str] | None = None,
    years: list[int] | None = None,
    base_url: str | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    *,
    mappings_dir: Path | None = None,
    client: StatbankClient | None = None,
) -> FetchResult:
    """Fetch each table's mapped indicator and merge it into ``store`` (created if missing).

    Every table is fetched and checked before anything is written, so a layout error or an
    API error in one table leaves the store unchanged. ``years`` None means every year the
    table has.
    """
    mappings = load_mappings(mappings_dir)
    wanted = [t.upper() for t in (tables or DEFAULT_TABLES)]
    unknown = [t for t in wanted if t not in mappings]
    if unknown:
        raise StatbankError(
            f"no mapping for table(s) {', '.join(unknown)}; mapped tables: "
            + ", ".join(sorted(mappings))
        )
    own = client is None
    client = client or StatbankClient(base_url, cache_dir=cache_dir)
    result = FetchResult(Path(store))
    fetched = []
    try:
        for i, table in enumerate(wanted):
            if progress:
                progress(f"statbank {table}", i, len(wanted))
            fetched.append(fetch_table(client, mappings[table], years))
        if progress:
            progress("statbank", len(wanted), len(wanted))
    finally:
        result.requests_sent = client.requests_sent
        if own:
            client.close()
    batches = []
    for (obs, record, table_result), table in zip(fetched, wanted, strict=True):
        mapping = mappings[table]
        batches.append(Batch(obs, record, {mapping.indicator.id: definition_of(mapping)}))
        result.tables.append(table_result)
        result.notes.extend(table_result.notes)
        if table_result.missing_years:
            result.notes.append(
                f"{table}: no data for {', '.join(map(str, table_result.missing_years))}"
            )
    merge_batches(store, batches)
    return result
