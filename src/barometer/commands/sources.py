"""`barometer statbank`, `barometer survey` and `barometer import`: more sources into a store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True)
statbank_app = typer.Typer(help="Statistics Denmark's StatBank API.", no_args_is_help=True)
survey_app = typer.Typer(help="Survey microdata (weighted shares).", no_args_is_help=True)


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
    """Fetch tables (tableinfo first, codes mapped from it) into the store as observations."""
    from barometer.cli import parse_years, progress_bar
    from barometer.sources.statbank import fetch_into_store

    with progress_bar() as update:
        res = fetch_into_store(
            store,
            tables=[t.strip().upper() for t in tables.split(",")] if tables else None,
            years=parse_years(years) if years else None,
            base_url=base_url,
            cache_dir=cache_dir,
            progress=update,
        )
    for note in res.notes:
        console.print(f"[yellow]note:[/] {note}")
    console.print(
        f"[green]Fetched[/] {len(res.tables)} table(s) into {store} "
        f"({res.requests_sent} request(s) sent)"
    )


@survey_app.command("import")
def survey_import(
    file: Annotated[Path, typer.Argument(help="Respondent-level file (CSV, Excel, SPSS, Stata).")],
    spec: Annotated[Path, typer.Option(help="Spec YAML mapping questions to indicators.")],
    store: Annotated[Path, typer.Option(help="Store to add the survey figures to.")],
    min_respondents: Annotated[
        int | None, typer.Option(help="Fewest respondents in a published cell.")
    ] = None,
    replace: Annotated[bool, typer.Option(help="Replace this survey's earlier import.")] = False,
) -> None:
    """Weighted shares with design-based 95 % intervals, per indicator, group and area."""
    from barometer.sources.surveys import import_survey

    res = import_survey(file, spec, store, min_respondents=min_respondents, replace=replace)
    console.print(
        f"[green]Imported[/] {res.observations} cells from {res.respondents} respondents "
        f"({res.suppressed} suppressed: too few respondents) as {res.source}"
    )


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
    replace: Annotated[bool, typer.Option(help="Replace cells from other sources.")] = False,
) -> None:
    """Import ready-made figures for one indicator, validated against the catalogue."""
    from barometer.sources.files import import_file

    res = import_file(file, indicator, store, name=name, replace=replace)
    console.print(
        f"[green]Imported[/] {res.observations} cells of {res.indicator_id} as {res.source}"
    )
