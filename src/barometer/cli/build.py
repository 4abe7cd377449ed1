"""`barometer synth`, `validate`, `build`, `refinish` and `settings`: making a store."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from barometer.cli._common import console, parse_years, print_result, progress_bar


def synth(
    out: Annotated[Path, typer.Option(help="Folder to write the register files into.")],
    scale: Annotated[float, typer.Option(help="Share of Denmark's population, 0 < S ≤ 1.")] = 0.1,
    years: Annotated[str, typer.Option(help="Years, e.g. 2012-2024.")] = "2012-2024",
    seed: Annotated[int, typer.Option(help="Random seed; same arguments give the same files.")] = 1,
) -> None:
    """Generate a synthetic Denmark in the register delivery layout (labelled synthetic)."""
    from barometer.sources.synthetic import generate

    if not 0 < scale <= 1:
        raise typer.BadParameter("scale must be above 0 and at most 1", param_hint="--scale")
    t0 = time.perf_counter()
    with progress_bar() as update:
        manifest = generate(out, scale=scale, years=parse_years(years), seed=seed, progress=update)
    rows = sum(manifest.get("rows", {}).values()) if isinstance(manifest.get("rows"), dict) else 0
    console.print(
        f"[green]Synthetic Denmark[/] (scale {scale}, seed {seed}, {years}) written to {out} "
        f"in {time.perf_counter() - t0:.1f} s" + (f", {rows:,} rows" if rows else "")
    )


SHOW_VALUES_HELP = (
    "Also print the offending values (PNRs, dates, codes) in messages; for the data owner "
    "inside the research environment only."
)


def validate(
    registers: Annotated[Path, typer.Option(help="Folder with register files.")],
    show_values: Annotated[bool, typer.Option("--show-values", help=SHOW_VALUES_HELP)] = False,
) -> None:
    """Check a register delivery (columns, types, codes, duplicates) without building."""
    import duckdb

    from barometer.sources.registers import load_delivery

    delivery = load_delivery(registers, duckdb.connect(), show_values=show_values)
    for w in delivery.warnings:
        console.print(f"[yellow]note:[/] {w}", highlight=False)
    console.print(f"[green]OK[/]: {len(delivery.files)} files, years {delivery.years()}")


def build(
    registers: Annotated[Path, typer.Option(help="Folder with register files (see docs).")],
    store: Annotated[Path, typer.Option(help="The store file to (re)build.")] = Path(
        "barometer.duckdb"
    ),
    catalogue: Annotated[
        Path | None, typer.Option(help="Folder of indicator YAML files (default: built-in).")
    ] = None,
    goals: Annotated[
        list[Path] | None,
        typer.Option(help="Goal-set YAML file(s) to evaluate besides the built-in ones."),
    ] = None,
    engine: Annotated[str, typer.Option(help="Compute engine: duckdb or spark.")] = "duckdb",
    spark_master: Annotated[
        str | None,
        typer.Option(
            help="With --engine spark: local[2], spark://host:7077, sc://host:15002 (Spark "
            "Connect); default: the session spark-submit provides, else local[*]."
        ),
    ] = None,
    years: Annotated[str | None, typer.Option(help="Only these years, e.g. 2015-2024.")] = None,
    disclosure_threshold: Annotated[
        int | None,
        typer.Option(help="Smallest publishable count (never below 3; default 5 or the store's)."),
    ] = None,
    show_values: Annotated[bool, typer.Option("--show-values", help=SHOW_VALUES_HELP)] = False,
) -> None:
    """Validate registers, compute every indicator and finish the store with them.

    The store's other inputs (StatBank tables, surveys, imported figures) are kept and
    finished again with the new register figures; the store is replaced atomically.
    """
    from barometer.pipeline import build_store

    t0 = time.perf_counter()
    with progress_bar() as update:
        res = build_store(
            registers,
            store,
            engine=engine,
            spark_master=spark_master,
            years=parse_years(years) if years else None,
            progress=update,
            show_values=show_values,
            settings={
                "disclosure_threshold": disclosure_threshold,
                "catalogue": str(catalogue.resolve()) if catalogue else None,
                "goal_files": tuple(str(g.resolve()) for g in goals) if goals else None,
            },
        )
    print_result(res, "Built", t0)


def refinish(
    store: Annotated[Path, typer.Option(help="The store to finish again from its inputs.")],
    disclosure_threshold: Annotated[
        int | None, typer.Option(help="Smallest publishable count (never below 3).")
    ] = None,
) -> None:
    """Finish a store again from its inputs (e.g. after changing a setting)."""
    from barometer.pipeline import refinish as do_refinish

    t0 = time.perf_counter()
    with progress_bar() as update:
        res = do_refinish(
            store, progress=update, settings={"disclosure_threshold": disclosure_threshold}
        )
    print_result(res, "Finished", t0)


def settings() -> None:
    """List every setting, its environment variable and default."""
    from barometer.settings import describe_settings

    table = Table("environment variable", "default", "kind", "meaning")
    for env, default, text, kind in describe_settings():
        table.add_row(env, default, kind, text)
    Console().print(table)
