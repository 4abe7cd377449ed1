"""The `barometer` command. Thin wrappers: each command parses options and calls one function."""

from __future__ import annotations

import os

# Disclosure control solves many small sparse problems; OpenBLAS threads only contend on 2 cores
# (measured 29 s vs 1.1 s for one step). Set before NumPy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import contextlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from barometer import __version__
from barometer.errors import BarometerError, InputError

app = typer.Typer(
    help="Integrationsbarometer: integration indicators for Danish municipalities.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)


def _register_groups() -> None:
    from barometer.commands import disclosure, goals, housing, sources

    app.add_typer(disclosure.app, name="disclosure")
    app.add_typer(goals.app, name="goals")
    app.add_typer(housing.app, name="housing")
    app.add_typer(sources.statbank_app, name="statbank")
    app.add_typer(sources.survey_app, name="survey")
    app.command("import")(sources.import_command)


def parse_years(text: str) -> list[int]:
    """'2012-2024' or '2015,2018' or '2020' → a sorted list of years."""
    years: set[int] = set()
    try:
        for part in text.split(","):
            if "-" in part:
                a, b = (int(x) for x in part.split("-", 1))
                if a > b:
                    raise ValueError
                years.update(range(a, b + 1))
            else:
                years.add(int(part))
    except ValueError:
        raise typer.BadParameter(f"{text!r}: give years as 2012-2024, 2015,2018 or 2020") from None
    return sorted(years)


@contextlib.contextmanager
def progress_bar() -> Iterator:
    """A rich progress bar fed by callbacks of the form (step, done, total)."""
    with Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    ) as prog:
        tasks: dict[str, int] = {}
        stage = {"name": None}

        def update(step: str, done: int, total: int) -> None:
            name = step.split(" ")[0]
            if name not in tasks:
                tasks[name] = prog.add_task(name, total=max(total, 1))
            prog.update(tasks[name], completed=done, total=max(total, 1), description=step)
            stage["name"] = name

        yield update
        for tid in tasks.values():
            t = prog.tasks[tid]
            prog.update(tid, completed=t.total)


@app.command()
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


@app.command()
def validate(
    registers: Annotated[Path, typer.Option(help="Folder with register files.")],
    show_values: Annotated[bool, typer.Option("--show-values", help=SHOW_VALUES_HELP)] = False,
) -> None:
    """Check a register delivery (columns, types, codes, duplicates) without building."""
    import duckdb

    from barometer.sources.registers import load_delivery

    delivery = load_delivery(registers, duckdb.connect(), show_values=show_values)
    for w in delivery.warnings:
        console.print(f"[yellow]note:[/] {w}")
    console.print(f"[green]OK[/]: {len(delivery.files)} files, years {delivery.years()}")


@app.command()
def build(
    registers: Annotated[Path, typer.Option(help="Folder with register files (see docs).")],
    store: Annotated[Path, typer.Option(help="The store file to (re)build.")] = Path(
        "barometer.duckdb"
    ),
    catalogue: Annotated[
        Path | None, typer.Option(help="Folder of indicator YAML files (default: built-in).")
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
        int, typer.Option(help="Smallest publishable count (never below 3).")
    ] = 5,
    show_values: Annotated[bool, typer.Option("--show-values", help=SHOW_VALUES_HELP)] = False,
) -> None:
    """Validate registers, compute every indicator and write the store atomically."""
    from barometer.build import build_store

    t0 = time.perf_counter()
    with progress_bar() as update:
        res = build_store(
            registers,
            store,
            catalogue_dir=catalogue,
            engine=engine,
            spark_master=spark_master,
            years=parse_years(years) if years else None,
            progress=update,
            disclosure_threshold=disclosure_threshold,
            show_values=show_values,
        )
    for note in res.notes:
        console.print(f"[yellow]note:[/] {note}")
    label = " [bold red](SYNTHETIC DATA)[/]" if res.run.synthetic else ""
    console.print(
        f"[green]Built[/] {res.store}{label}: {res.observations:,} observations, "
        f"run {res.run.run_id}, {time.perf_counter() - t0:.1f} s"
    )


@app.command()
def indicators(
    catalogue: Annotated[Path | None, typer.Option(help="Folder of indicator YAML files.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or markdown")] = "table",
) -> None:
    """List the indicator catalogue."""
    from barometer.catalogue import load_catalogue
    from barometer.catalogue.docs import render_markdown

    cat = load_catalogue(catalogue)
    if fmt == "markdown":
        print(render_markdown(cat), end="")
        return
    if fmt == "json":
        print(
            json.dumps(
                [i.model_dump(mode="json") for i in cat.values()], indent=2, ensure_ascii=False
            )
        )
        return
    table = Table("id", "kind", "unit", "area", "title (en)", "source")
    for i in cat.values():
        table.add_row(i.id, i.kind, i.unit, i.area, i.title.en, ", ".join(i.sources))
    Console().print(table)


@app.command()
def export(
    store: Annotated[Path, typer.Option(help="The store to read.")],
    fmt: Annotated[str, typer.Option("--format", help="csv, parquet or xlsx")] = "csv",
    indicator: Annotated[str | None, typer.Option(help="Only this indicator id.")] = None,
    area: Annotated[str | None, typer.Option(help="Only this area code (000, 084, 101 …).")] = None,
    out: Annotated[Path | None, typer.Option(help="Output file (default: stdout for csv).")] = None,
) -> None:
    """Export observations as CSV, Parquet or Excel."""
    from barometer.publish.export import export as do_export
    from barometer.store.reader import read_observations, read_run

    if out is None:
        if fmt != "csv":
            raise typer.BadParameter("--out is required for parquet and xlsx", param_hint="--out")
        if read_run(store).synthetic:
            console.print("[bold red]SYNTHETIC DATA[/]: not real figures.")
        obs = read_observations(store, indicator=indicator, area=area)
        if obs.empty:
            raise InputError("no observations match", path=store)
        obs.to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    n = do_export(store, fmt, out, indicator=indicator, area=area)
    console.print(f"[green]Exported[/] {n:,} rows to {out}")


@app.command()
def summary(
    store: Annotated[Path, typer.Option(help="The store to summarise.")],
    area: Annotated[str, typer.Option(help="Area code.")] = "000",
) -> None:
    """Key figures for an area: the latest value of each indicator, non-western vs all."""
    from barometer.catalogue import load_catalogue
    from barometer.store.reader import read_observations, read_run

    run = read_run(store)
    obs = read_observations(store, area=area)
    obs = obs[obs["sex"] == "all"]
    cat = load_catalogue()
    title = f"Integrationsbarometer — area {area}, run {run.run_id}"
    if run.synthetic:
        title += f"  [bold red]SYNTHETIC DATA (scale {run.scale})[/]"
    table = Table("indicator", "year", "danish origin", "non-western", "all", title=title)
    for ind_id, g in obs.groupby("indicator_id", sort=True):
        latest = g["year"].max()
        g = g[g["year"] == latest].set_index("origin_group")

        def fmt(group: str, g=g) -> str:
            if group not in g.index or g.loc[group, "value"] != g.loc[group, "value"]:
                return "–"
            v = g.loc[group, "value"]
            return f"{v:,.0f}" if g.loc[group, "unit"] == "count" else f"{v:.1f}"

        label = cat[ind_id].title.en if ind_id in cat else ind_id
        table.add_row(label, str(latest), fmt("danish_origin"), fmt("non_western"), fmt("all"))
    Console().print(table)


@app.command()
def report(
    store: Annotated[Path, typer.Option(help="The store file.")] = Path("barometer.duckdb"),
    area: Annotated[str | None, typer.Option(help="Municipality code, or 000 for Denmark.")] = None,
    year: Annotated[int | None, typer.Option(help="Report year (default: newest).")] = None,
    lang: Annotated[str, typer.Option(help="da or en.")] = "da",
    fmt: Annotated[str, typer.Option("--format", help="pdf or html.")] = "pdf",
    out: Annotated[Path | None, typer.Option(help="File (one report) or folder (--all).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Denmark and every municipality.")] = False,
) -> None:
    """Write 'Integrationsbarometer <year> — <municipality>' as PDF or HTML."""
    from barometer.publish.report import render_all, render_report

    if all_ == (area is not None):
        raise InputError("give either --area CODE or --all")
    t0 = time.perf_counter()
    if all_:
        with progress_bar() as update:
            paths = render_all(store, year, lang, fmt, out or Path("reports"), update)
        console.print(
            f"[green]Wrote[/] {len(paths)} reports to {paths[0].parent}, "
            f"{time.perf_counter() - t0:.0f} s"
        )
    else:
        path = render_report(store, area, year, lang, fmt, out)
        console.print(f"[green]Wrote[/] {path}, {time.perf_counter() - t0:.1f} s")


@app.command()
def serve(
    store: Annotated[Path, typer.Option(help="The store to publish.")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Serve the dashboard and the JSON API (reads the store only)."""
    from barometer.publish.web import serve as run

    run(store, host=host, port=port)


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        print(__version__)
        raise typer.Exit()


_register_groups()


def main() -> None:
    try:
        app()
    except BarometerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
