"""What every command shares: the console, year lists, the progress display, result lines."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(stderr=True)


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
    """Progress fed by callbacks of the form (step, done, total).

    On a terminal: a bar per stage. Elsewhere (CI, a log file): one line per new step with
    the seconds since the start, so a long build never sits silent.
    """
    if not console.is_terminal:
        t0 = time.perf_counter()
        seen: set[str] = set()

        def log(step: str, done: int, total: int) -> None:
            if step not in seen:
                seen.add(step)
                console.print(f"[{time.perf_counter() - t0:6.1f} s] {step}", highlight=False)

        yield log
        return
    with Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as prog:
        tasks: dict[str, int] = {}

        def update(step: str, done: int, total: int) -> None:
            name = step.split(" ")[0]
            if name not in tasks:
                tasks[name] = prog.add_task(name, total=max(total, 1))
            prog.update(tasks[name], completed=done, total=max(total, 1), description=step)

        yield update
        for tid in tasks.values():
            t = prog.tasks[tid]
            prog.update(tid, completed=t.total)


def print_result(result, verb: str, started: float) -> None:
    """The closing lines of a build or import: notes, what was kept, the store written."""
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    if result.kept:
        console.print(f"kept the store's other inputs: {', '.join(result.kept)}", highlight=False)
    if result.replaced:
        console.print(f"replaced: {', '.join(result.replaced)}", highlight=False)
    label = " [bold red](SYNTHETIC DATA)[/]" if result.synthetic else ""
    console.print(
        f"[green]{verb}[/] {result.store}{label}: {result.observations:,} observations, "
        f"run {result.run_id}, disclosure threshold {result.settings.disclosure_threshold}, "
        f"{time.perf_counter() - started:.1f} s"
    )
