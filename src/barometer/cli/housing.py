"""`barometer housing …`: the housing-area lists (almenboligloven § 61 a/b) per list year."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from barometer.cli._common import console

app = typer.Typer(help="Housing areas: legal criteria per list year.", no_args_is_help=True)


@app.command("classify")
def classify(
    areas: Annotated[Path, typer.Option(help="Area statistics (CSV or Parquet, docs/housing.md).")],
    list_year: Annotated[int, typer.Option(help="The 1 December list to compute.")],
    out: Annotated[Path, typer.Option(help="Output CSV (or .parquet).")],
    from_year: Annotated[
        int | None, typer.Option(help="Also every list year from this one.")
    ] = None,
) -> None:
    """Classify every area by the rules in force in the list year."""
    from barometer.housing import classify as do_classify
    from barometer.housing import read_area_stats, write_table

    result = do_classify(read_area_stats(areas), list_year, from_year=from_year)
    write_table(result, out)
    console.print(f"[green]Wrote[/] {len(result)} rows to {out}")


@app.command("stats")
def stats(
    registers: Annotated[Path, typer.Option(help="Register folder incl. boligomraader.")],
    out: Annotated[Path, typer.Option(help="Output CSV (or .parquet).")],
    scale: Annotated[
        float | None, typer.Option(help="Sample scale (default: from manifest.json, else 1).")
    ] = None,
) -> None:
    """Area statistics (the criteria's inputs) from a register delivery, validated first."""
    import duckdb

    from barometer.housing import compute_area_stats, write_table
    from barometer.pipeline.registers import read_manifest
    from barometer.sources.registers import load_delivery

    if scale is None:
        manifest = read_manifest(registers) or {}
        scale = float(manifest.get("scale", 1.0))
    with duckdb.connect() as con:
        delivery = load_delivery(registers, con)  # the whole delivery is validated first
        for note in delivery.warnings:
            console.print(f"[yellow]note:[/] {note}")
        result = compute_area_stats(delivery, con, scale=scale)
    write_table(result, out)
    console.print(f"[green]Wrote[/] {len(result)} area-years to {out}")


@app.command("warn")
def warn(
    areas: Annotated[Path, typer.Option(help="Area statistics (CSV or Parquet).")],
    list_year: Annotated[int, typer.Option(help="The coming 1 December list.")],
    out: Annotated[Path, typer.Option(help="Output CSV (or .parquet).")],
    margin: Annotated[
        float | None,
        typer.Option(help="Move each criterion by this fraction of its threshold (default 0.10)."),
    ] = None,
) -> None:
    """Early warning: distance to each threshold, and who would enter or leave a list."""
    from barometer.housing import early_warning, read_area_stats, write_table
    from barometer.settings import resolve_build_settings

    margin = resolve_build_settings({"warning_margin": margin}).warning_margin
    result = early_warning(read_area_stats(areas), list_year, margin)
    write_table(result, out)
    console.print(f"[green]Wrote[/] {len(result)} rows to {out}")
