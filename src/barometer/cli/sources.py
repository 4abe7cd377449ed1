"""`barometer statbank`, `barometer survey` and `barometer import`: more inputs for a store."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from barometer.cli._common import console, parse_years, print_result, progress_bar

statbank_app = typer.Typer(help="Statistics Denmark's StatBank API.", no_args_is_help=True)
survey_app = typer.Typer(help="Survey microdata (weighted shares).", no_args_is_help=True)


def _store_catalogue(store: Path):
    """The catalogue the store is finished with (its recorded setting, else the built-in)."""
    from barometer.catalogue import load_catalogue
    from barometer.store.read import read_run

    folder = read_run(store).parameters.get("catalogue") if Path(store).is_file() else None
    return load_catalogue(folder)


BaseUrlOption = Annotated[
    str | None, typer.Option(help="API base URL (env BAROMETER_STATBANK_URL).")
]
MappingsDirOption = Annotated[
    Path | None,
    typer.Option(help="Folder of <TABLE>.yaml mappings that add to or override the built-in."),
]
LangOption = Annotated[str, typer.Option(help="Language of titles and labels: en or da.")]


def _lang(lang: str) -> str:
    if lang not in ("en", "da"):
        raise typer.BadParameter(f"{lang!r}: give en or da")
    return lang


@statbank_app.command("fetch")
def statbank_fetch(
    store: Annotated[Path, typer.Option(help="Store to add the StatBank figures to.")],
    tables: Annotated[
        str | None,
        typer.Option(help="Comma-separated tables (default: every mapped table marked default)."),
    ] = None,
    years: Annotated[str | None, typer.Option(help="Years, e.g. 2015-2024.")] = None,
    base_url: BaseUrlOption = None,
    cache_dir: Annotated[Path | None, typer.Option(help="On-disk cache of responses.")] = None,
    mappings_dir: MappingsDirOption = None,
    refresh: Annotated[
        bool,
        typer.Option(help="Ask only for periods newer than the store has, and keep the rest."),
    ] = False,
) -> None:
    """Fetch tables (tableinfo first, codes resolved from it) as inputs of the store.

    Every table gets an outcome: stored, skipped (nothing new) or failed with the reason. The
    stored tables are added to the store even when others fail; the command then exits
    with code 1.
    """
    from barometer.pipeline import add_inputs
    from barometer.sources.statbank import fetch_tables
    from barometer.store.read import read_inputs
    from barometer.store.write import check_writable

    check_writable(store)
    t0 = time.perf_counter()
    previous = read_inputs(store, kinds=("statbank",)) if Path(store).exists() else None
    with progress_bar() as update:
        fetched = fetch_tables(
            _store_catalogue(store),
            tables=[t.strip().upper() for t in tables.split(",") if t.strip()] if tables else None,
            years=parse_years(years) if years else None,
            base_url=base_url,
            cache_dir=cache_dir,
            progress=update,
            mappings_dir=mappings_dir,
            previous=previous,
            refresh=refresh,
        )
        res = add_inputs(store, fetched.inputs, progress=update) if fetched.inputs else None
    for t in fetched.tables:
        if t.status == "stored":
            span = f"{t.years[0]}-{t.years[-1]}" if t.years else ""
            what = f"{', '.join(t.indicators)} ({span}, {t.observations} cells"
            what += f", {t.suppressed} withheld)" if t.suppressed else ")"
        else:
            what = t.message
        console.print(f"{t.table:<9} {t.status:<8} {what}", highlight=False, soft_wrap=True)
    console.print(f"{fetched.requests_sent} request(s) sent", highlight=False)
    if res is not None:
        print_result(res, "Finished", t0)
    if fetched.failed:
        names = ", ".join(t.table for t in fetched.failed)
        kept = "; the other tables were stored" if res is not None else ""
        console.print(f"[red]failed:[/] {names}{kept}", highlight=False)
        raise typer.Exit(1)


@statbank_app.command("tables")
def statbank_tables(
    subject: Annotated[
        list[str] | None, typer.Option(help="Subject id(s), e.g. 4 (repeat for several).")
    ] = None,
    search: Annotated[str | None, typer.Option(help="Text in the id or title.")] = None,
    lang: LangOption = "en",
    base_url: BaseUrlOption = None,
    mappings_dir: MappingsDirOption = None,
) -> None:
    """List the StatBank's tables (id, latest period, updated, title); * marks mapped ones."""
    from barometer.sources.statbank import StatbankClient
    from barometer.sources.statbank.explore import list_tables
    from barometer.sources.statbank.mapping import load_mappings

    mapped = load_mappings(mappings_dir)
    with StatbankClient(base_url, lang=_lang(lang)) as client:
        found = list_tables(client, subject, search)
    for t in found:
        mark = "*" if t.id in mapped else " "
        print(f"{mark} {t.id:<10} {t.latest_period:<8} {t.updated[:10]:<10} {t.text}")
    console.print(f"{len(found)} table(s); * = mapped (barometer statbank info TABLE)")


@statbank_app.command("info")
def statbank_info(
    table: Annotated[str, typer.Argument(help="Table id, e.g. RAS201.")],
    lang: LangOption = "en",
    base_url: BaseUrlOption = None,
    mappings_dir: MappingsDirOption = None,
    codes: Annotated[int, typer.Option(help="Codes shown per variable (0: all).")] = 30,
) -> None:
    """A table's variables and codes, and whether its mapping resolves against them.

    Exits with code 1 when the table is mapped and the mapping does not fit it.
    """
    from barometer.sources.statbank import StatbankClient
    from barometer.sources.statbank.explore import describe_table
    from barometer.sources.statbank.mapping import load_mappings

    with StatbankClient(base_url, lang=_lang(lang)) as client:
        d = describe_table(client, table, load_mappings(mappings_dir))
    info = d.info
    print(f"{info.id}: {info.text} ({info.unit}; updated {info.updated})")
    for v in info.variables:
        flags = ", ".join(
            f for f, on in (("time", v.time), ("can be left out", v.elimination)) if on
        )
        print(f"  {v.id} ({v.text}){f' [{flags}]' if flags else ''}: {len(v.values)} codes")
        shown = v.values if codes <= 0 else v.values[:codes]
        for code, label in shown:
            print(f"    {code:<12} {label}")
        if len(shown) < len(v.values):
            print(f"    … and {len(v.values) - len(shown)} more (--codes 0 shows all)")
    if not d.mapped:
        print("not mapped (add a mapping with --mappings-dir to fetch it)")
        return
    if d.problem:
        print(f"mapping {info.id}.yaml does not fit: {d.problem}")
        raise typer.Exit(1)
    print(f"mapping {info.id}.yaml resolves against this table")
    for note in d.check:
        print(f"  note: {note}")


@survey_app.command("import")
def survey_import(
    files: Annotated[
        list[Path], typer.Argument(help="Respondent-level file(s) (CSV, Excel, SPSS, Stata).")
    ],
    spec: Annotated[
        list[Path], typer.Option(help="Spec YAML mapping questions to indicators, one per file.")
    ],
    store: Annotated[Path, typer.Option(help="Store to add the survey figures to.")],
    min_respondents: Annotated[
        int | None,
        typer.Option(
            help="Fewest respondents in a published cell (at least 3); default the spec's, "
            "else each indicator's catalogue minimum."
        ),
    ] = None,
) -> None:
    """Weighted shares with 95 % intervals per indicator, group and area, as inputs.

    Give one --spec per file, in the same order; all of them finish the store once. A new
    import of the same survey (the spec's name) replaces the earlier one.
    """
    from barometer.errors import InputError
    from barometer.pipeline import add_inputs
    from barometer.sources.surveys import survey_input
    from barometer.store.write import check_writable

    if len(files) != len(spec):
        raise InputError(f"give one --spec per file: {len(files)} file(s), {len(spec)} spec(s)")
    check_writable(store)
    t0 = time.perf_counter()
    catalogue = _store_catalogue(store)
    inputs = [
        survey_input(f, s, catalogue, min_respondents=min_respondents)
        for f, s in zip(files, spec, strict=True)
    ]
    with progress_bar() as update:
        res = add_inputs(store, inputs, progress=update)
    for inp in inputs:
        console.print(
            f"{inp.source}: {len(inp.cells)} cells from {inp.details['respondents']} respondents",
            highlight=False,
        )
    print_result(res, "Finished", t0)


@survey_app.command("demo")
def survey_demo(
    out: Annotated[Path, typer.Option(help="Folder for the synthetic survey files and specs.")],
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
) -> None:
    """Write the SYNTHETIC demo surveys with their specs: København's safety, youth citizenship
    and health surveys and the national citizenship survey."""
    from barometer.sources.surveys import generate_demo_surveys

    for name, (data, spec) in generate_demo_surveys(out, seed=seed).items():
        print(f"{name}\t{data}\t{spec}")


def import_command(
    file: Annotated[Path, typer.Argument(help="CSV or Excel with area, year, group and figures.")],
    indicator: Annotated[str, typer.Option(help="Indicator id from the catalogue.")],
    store: Annotated[Path, typer.Option(help="Store to add the figures to.")],
    name: Annotated[str | None, typer.Option(help="Source name (default: file name).")] = None,
) -> None:
    """Import ready-made figures for one indicator as an input (source file:<name>).

    The figures are protected like register figures; a new import under the same name
    replaces the earlier one.
    """
    from barometer.pipeline import add_inputs
    from barometer.sources.files import figures_input
    from barometer.store.write import check_writable

    check_writable(store)
    t0 = time.perf_counter()
    inp = figures_input(file, indicator, _store_catalogue(store), name=name)
    with progress_bar() as update:
        res = add_inputs(store, [inp], progress=update)
    console.print(f"{inp.source}: {len(inp.cells)} cells of {indicator}", highlight=False)
    print_result(res, "Finished", t0)


def case_module_input(kind: str, db: str | None, area: str, as_of: str | None, name: str):
    """A case module's aggregates (never its person rows) as an input of a store."""
    import hashlib
    import json
    import os
    from datetime import date

    from barometer.casework.db import create_db_engine, is_synthetic, make_sessionmaker
    from barometer.errors import InputError
    from barometer.inputs import Input

    if kind == "programme":
        from barometer.programme.aggregates import compute_barometer_cells
    else:
        from barometer.welcomehouse.aggregates import compute_barometer_cells
    env = "BAROMETER_PROGRAMME_DB" if kind == "programme" else "BAROMETER_WELCOMEHOUSE_DB"
    url = db or os.environ.get(env)
    if not url:
        raise InputError(f"give --db URL (or set {env})")
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise InputError(f"--as-of must be a date (YYYY-MM-DD), got {as_of!r}") from None
    engine = create_db_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            synthetic = is_synthetic(session)
    finally:
        engine.dispose()
    cells, _ = compute_barometer_cells(url, area.zfill(3), as_of=day)
    if cells.empty:
        raise InputError("the database has no complete period with figures yet")
    digest = hashlib.sha256(
        cells.to_csv(index=False).encode() + json.dumps([area, as_of]).encode()
    ).hexdigest()
    return Input(
        source=f"{kind}:{name}",
        kind=kind,
        location=f"{kind} database (aggregates only)",
        sha256=digest,
        bytes=0,
        cells=cells.assign(status="ok"),
        synthetic=synthetic,
        details={"area": area.zfill(3), "as_of": as_of, "cells": len(cells)},
    )


def _publish_case_module(
    kind: str, store: Path, db: str | None, area: str, as_of: str | None, name: str
) -> None:
    """A case module's aggregates as an input of the store, which is finished again."""
    from barometer.pipeline import add_inputs
    from barometer.store.write import check_writable

    check_writable(store)
    t0 = time.perf_counter()
    inp = case_module_input(kind, db, area, as_of, name)
    with progress_bar() as update:
        res = add_inputs(store, [inp], progress=update)
    print_result(res, "Finished", t0)


StoreOption = Annotated[Path, typer.Option(help="Store to add the figures to.")]
AreaOption = Annotated[str, typer.Option(help="The municipality's area code.")]
AsOfOption = Annotated[str | None, typer.Option(help="Data date (default: today).")]


def programme_publish(
    store: StoreOption,
    db: Annotated[
        str | None, typer.Option(help="Database URL or SQLite path (env BAROMETER_PROGRAMME_DB).")
    ] = None,
    area: AreaOption = "101",
    as_of: AsOfOption = None,
    name: Annotated[str, typer.Option(help="Source name: programme:<name>.")] = "copenhagen",
) -> None:
    """Add the refugee programme's cohort figures to the store as an input.

    Only aggregates leave the case database: counts per cohort year, sex and origin group,
    protected by the store's disclosure control like every other input.
    """
    _publish_case_module("programme", store, db, area, as_of, name)


def welcomehouse_publish(
    store: StoreOption,
    db: Annotated[
        str | None,
        typer.Option(help="Database URL or SQLite path (env BAROMETER_WELCOMEHOUSE_DB)."),
    ] = None,
    area: AreaOption = "101",
    as_of: AsOfOption = None,
    name: Annotated[str, typer.Option(help="Source name: welcomehouse:<name>.")] = "copenhagen",
) -> None:
    """Add Welcome House's yearly figures (volunteers, organisations, attendance, hours) to
    the store as an input, protected like every other input."""
    _publish_case_module("welcomehouse", store, db, area, as_of, name)
