"""`barometer goals status`: goal status for an area, as stored, or from a file of figures."""

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
    try:
        df = pd.read_csv(path, dtype={"area_code": str, "origin_group": str, "sex": str})
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot be read as CSV: {exc}", path=path) from None
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


def _stored(store: Path, area: str, year: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    from barometer.publish.goals import goal_frames
    from barometer.store.read import read_snapshot

    snap = read_snapshot(store, areas=[area])
    if snap.goal_status.empty:
        raise InputError(f"no figures for area {area!r}", path=store)
    if year is not None and year not in set(snap.goal_status["year"]):
        years = sorted(int(y) for y in snap.goal_status["year"].unique())
        raise InputError(f"no goal status for {year} (years {years[0]}-{years[-1]})", path=store)
    return goal_frames(snap, area, year)


def _evaluated(values: Path, area: str, year: int | None, goals: list[Path] | None):
    from barometer.catalogue import load_catalogue, load_goal_sets
    from barometer.goals import Definitions, GoalParams, evaluate

    obs = read_values(values)
    if "preferred" in obs:  # an export: every source, the preferred one marked
        obs = obs[obs["preferred"].astype(str).str.lower() == "true"]
    if not (obs["area_code"].astype(str).str.zfill(3) == area).any():
        raise InputError(f"no figures for area {area!r}", path=values)
    catalogue = load_catalogue()
    sets = load_goal_sets(goals, with_builtin=False, catalogue=catalogue) if goals else None
    sets = sets or load_goal_sets(catalogue=catalogue)
    if year is None:  # the newest data year, as for a store: list and cohort years aside
        lists = {i for i, d in catalogue.items() if d.kind in ("housing_count", "programme")}
        data = obs[~obs["indicator_id"].isin(lists)]
        year = int(pd.to_numeric((data if len(data) else obs)["year"]).max())
    sources = obs.groupby("indicator_id")["source"].first().to_dict() if "source" in obs else {}
    definitions = Definitions.from_catalogue(catalogue, sources)
    return evaluate(obs, sets, year=year, params=GoalParams(areas=(area,)), definitions=definitions)


@app.command("status")
def status(
    area: Annotated[str, typer.Option(help="Area code: 000 Denmark, 101 København …")],
    store: Annotated[Path | None, typer.Option(help="A store: its stored goal status.")] = None,
    values: Annotated[
        Path | None, typer.Option(help="Instead of --store: a CSV in the export format.")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Evaluation year (default: newest).")] = None,
    goals: Annotated[
        list[Path] | None,
        typer.Option(help="With --values: goal YAML file(s) instead of the built-in sets."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    lang: Annotated[str, typer.Option(help="da or en (table labels)")] = "en",
) -> None:
    """Each goal with its indicators: base and latest values, movement, light, target.

    With --store it shows the status the store holds (the same as the dashboard, the API and
    the report); with --values it evaluates the built-in or given goals on a file of figures.
    """
    from barometer.cli.goals_render import render_status

    if (store is None) == (values is None):
        raise typer.BadParameter("give exactly one of --store and --values")
    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("--format must be table, csv or json")
    code = area.strip().zfill(3) if area.strip().isdigit() else area.strip()
    if store is not None:
        if goals:
            raise typer.BadParameter(
                "goal files are evaluated when the store is built: "
                "`barometer build --goals FILE` (or use --values)",
                param_hint="--goals",
            )
        frames = _stored(store, code, year)
    else:
        frames = _evaluated(values, code, year, goals)
    print(render_status(frames, fmt, lang=lang), end="")
