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


@statbank_app.command("fetch")
def statbank_fetch(
    store: Annotated[Path, typer.Option(help="Store to add the StatBank figures to.")],
    tables: Annotated[
        str | None, typer.Option(help="Comma-separated tables (default FOLK1E,RAS200,STRAFNA9).")
    ] = None,
    years: Annotated[str | None, typer.Option(help="Years, e.g. 2015-2024.")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="API base URL (env BAROMETER_STATBANK_URL).")
    ] = None,
    cache_dir: Annotated[Path | None, typer.Option(help="On-disk cache of responses.")] = None,
) -> None:
    """Fetch tables (tableinfo first, codes mapped from it) as inputs of the store."""
    from barometer.pipeline import add_inputs
    from barometer.sources.statbank import fetch_tables
    from barometer.store.write import check_writable

    check_writable(store)
    t0 = time.perf_counter()
    with progress_bar() as update:
        fetched = fetch_tables(
            _store_catalogue(store),
            tables=[t.strip().upper() for t in tables.split(",")] if tables else None,
            years=parse_years(years) if years else None,
            base_url=base_url,
            cache_dir=cache_dir,
            progress=update,
        )
        res = add_inputs(store, fetched.inputs, progress=update)
    console.print(
        f"fetched {len(fetched.tables)} table(s) ({fetched.requests_sent} request(s) sent): "
        + ", ".join(f"{t.table} → {t.indicator_id}" for t in fetched.tables),
        highlight=False,
    )
    print_result(res, "Finished", t0)


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
        int | None, typer.Option(help="Fewest respondents in a published cell (at least 3).")
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
    """Write the SYNTHETIC safety and citizenship surveys for København, with their specs."""
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

    from barometer.errors import InputError
    from barometer.inputs import Input
    from barometer.programme.platform.db import create_db_engine, is_synthetic, make_sessionmaker

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
