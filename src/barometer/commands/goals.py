"""`barometer goals …`: goal status for an area from a store or from exported figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from barometer.errors import InputError

app = typer.Typer(help="Goals: movement, traffic lights and targets.", no_args_is_help=True)


def read_values(path: Path) -> pd.DataFrame:
    """Figures in the export format (CSV), e.g. from another system."""
    if not path.is_file():
        raise InputError("file not found", path=path)
    df = pd.read_csv(path, dtype={"area_code": str, "origin_group": str, "sex": str})
    need = {"indicator_id", "area_code", "year", "origin_group", "sex", "value", "unit"}
    missing = sorted(need - set(df.columns))
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", path=path)
    for col, default in (
        ("numerator", float("nan")),
        ("denominator", float("nan")),
        ("status", "ok"),
    ):
        if col not in df:
            df[col] = default
    return df


@app.command("status")
def status(
    area: Annotated[str, typer.Option(help="Area code: 000 Denmark, 101 København …")],
    store: Annotated[Path | None, typer.Option(help="A store built by `barometer build`.")] = None,
    values: Annotated[
        Path | None, typer.Option(help="Instead of --store: a CSV in the export format.")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Latest year to use (default: newest).")] = None,
    goals: Annotated[
        list[Path] | None, typer.Option(help="Goal YAML file(s) instead of the built-in sets.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    lang: Annotated[str, typer.Option(help="da or en (table labels)")] = "en",
) -> None:
    """Each goal with its indicators: base and latest values, movement, light, target."""
    from barometer.goals import evaluate, load_goal_sets, render_status
    from barometer.goals.evaluate import GoalParams
    from barometer.store.reader import read_observations

    if (store is None) == (values is None):
        raise typer.BadParameter("give exactly one of --store and --values")
    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("--format must be table, csv or json")
    obs = read_observations(store) if store else read_values(values)
    if not (obs["area_code"].astype(str).str.zfill(3) == area.zfill(3)).any():
        raise InputError(f"no figures for area {area!r}", path=store or values)
    sets = load_goal_sets(goals) if goals else load_goal_sets()
    frames = evaluate(obs, sets, year=year, params=GoalParams(areas=(area.zfill(3),)))
    print(render_status(frames, fmt, lang=lang), end="")
