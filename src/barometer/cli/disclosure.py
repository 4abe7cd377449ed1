"""`barometer disclosure report`: what protection cost, per indicator, area and reason."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Statistical disclosure control.", no_args_is_help=True)


@app.command("report")
def report(
    store: Annotated[Path, typer.Option(help="A store built by `barometer build`.")],
    by: Annotated[str, typer.Option(help="area_level or area_code")] = "area_level",
    fmt: Annotated[str, typer.Option("--format", help="table or csv")] = "table",
) -> None:
    """How many cells were suppressed, per indicator, area (level) and reason."""
    from barometer.disclosure import render_suppression_report, summarise_suppression
    from barometer.store.read import read_observations

    if by not in ("area_level", "area_code"):
        raise typer.BadParameter("--by must be area_level or area_code")
    obs = read_observations(store)
    summary = summarise_suppression(obs, by=by)
    if fmt == "csv":
        print(summary.to_csv(index=False, lineterminator="\n"), end="")
    else:
        print(render_suppression_report(summary), end="")
