"""`barometer indicators`, `export`, `summary`, `report` and `serve`: reading a store."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from barometer.cli._common import console, progress_bar
from barometer.errors import InputError


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
    table = Table("id", "kind", "unit", "theme", "title (en)", "source")
    for i in cat.values():
        table.add_row(i.id, i.kind, i.unit, i.theme, i.title.en, ", ".join(i.sources))
    Console().print(table)


def export(
    store: Annotated[Path, typer.Option(help="The store to read.")],
    fmt: Annotated[str, typer.Option("--format", help="csv, parquet or xlsx")] = "csv",
    indicator: Annotated[str | None, typer.Option(help="Only this indicator id.")] = None,
    area: Annotated[str | None, typer.Option(help="Only this area code (000, 084, 101 …).")] = None,
    out: Annotated[Path | None, typer.Option(help="Output file (default: stdout for csv).")] = None,
) -> None:
    """Export observations (every source, with the preferred one marked)."""
    from barometer.publish.export import export_store, write_csv
    from barometer.store.read import read_observations, read_run

    if out is None:
        if fmt != "csv":
            raise typer.BadParameter("--out is required for parquet and xlsx", param_hint="--out")
        if read_run(store).synthetic:
            console.print("[bold red]SYNTHETIC DATA[/]: not real figures.")
        obs = read_observations(store, indicator=indicator, area=area)
        if obs.empty:
            raise InputError("no observations match", path=store)
        sys.stdout.write(write_csv(obs))
        return
    n = export_store(store, fmt, out, indicator=indicator, area=area)
    console.print(f"[green]Exported[/] {n:,} rows to {out}")


def summary(
    store: Annotated[Path, typer.Option(help="The store to summarise.")],
    area: Annotated[str, typer.Option(help="Area code.")] = "000",
) -> None:
    """Key figures for an area: the newest value of each indicator for three origin groups."""
    from barometer.publish.figures import key_figure_table
    from barometer.store.read import read_snapshot

    code = area.strip().zfill(3) if area.strip().isdigit() else area.strip()
    snap = read_snapshot(store, areas=[code], sexes=["all"])
    if snap.observations.empty:
        raise InputError(f"no observations for area {area!r}", path=store)
    run = snap.run
    title = f"Integrationsbarometer — area {code}, run {run.run_id}"
    if run.synthetic:
        title += f"  [bold red]SYNTHETIC DATA (scale {run.scale})[/]"
    rows = key_figure_table(snap, code, "en")
    table = Table("indicator", "year", "danish origin", "non-western", "all", "source", title=title)
    for r in rows:
        table.add_row(*r)
    Console().print(table)


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


def serve(
    store: Annotated[Path, typer.Option(help="The store to publish.")],
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port (env PORT or BAROMETER_PORT).")] = None,
    programme_db: Annotated[
        str | None,
        typer.Option(
            help="Also serve the refugee programme module of this database at /programme."
        ),
    ] = None,
    programme_key: Annotated[
        Path | None,
        typer.Option(help="The programme's CPR key file (env BAROMETER_PROGRAMME_KEY_FILE)."),
    ] = None,
    welcomehouse_db: Annotated[
        str | None,
        typer.Option(help="Also serve the Welcome House module of this database at /welcomehouse."),
    ] = None,
    demo_login: Annotated[
        bool,
        typer.Option(help="Offer the modules' demo logins (synthetic databases only)."),
    ] = False,
    insecure_cookies: Annotated[
        bool, typer.Option(help="Module session cookies without Secure (plain HTTP only).")
    ] = False,
) -> None:
    """Serve the dashboard and the JSON API (reads the store only); optionally the refugee
    programme and Welcome House modules beside it, each behind its login."""
    import os

    from barometer.publish.web import serve as run
    from barometer.settings import resolve_serve_settings

    if port is None and os.environ.get("PORT"):
        port = int(os.environ["PORT"])
    settings = resolve_serve_settings({"host": host, "port": port})
    mounts = {}
    if programme_db:
        mounts["/programme"] = _programme_app(
            programme_db, programme_key, demo_login, insecure_cookies
        )
    if welcomehouse_db:
        from barometer.welcomehouse.web.app import WelcomeSettings, create_welcomehouse_app

        wh = WelcomeSettings(demo=demo_login, secure_cookies=not insecure_cookies)
        mounts["/welcomehouse"] = create_welcomehouse_app(welcomehouse_db, settings=wh)
    run(store, settings, mounts=mounts)


def _programme_app(db: str, key: Path | None, demo: bool, insecure: bool):
    """The programme module's app for mounting at /programme."""
    from barometer.casework.crypto import CprKeyError, load_vault
    from barometer.programme.web.app import ProgrammeSettings, create_programme_app

    try:
        vault = load_vault(key)
    except CprKeyError:
        if not demo:
            raise
        vault = None
    settings = ProgrammeSettings(demo=demo, secure_cookies=not insecure)
    return create_programme_app(db, settings=settings, vault=vault)
