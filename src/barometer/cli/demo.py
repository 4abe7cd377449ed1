"""`barometer demo`: the SYNTHETIC demo in one process and one finishing run.

What `make demo` did in nine commands (each finishing the store again): a synthetic Denmark,
the store built from it, the four demo surveys, the refugee programme's and Welcome
House's demo databases and their published aggregates. Here every input is made first and the
store is finished once, with a progress line and an estimate of the time left for each step.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from barometer.cli._common import console, parse_years, progress_bar

# Seconds each step took on the reference machine (2 cores, make demo at scale 0.1, 13 years;
# docs/performance.md); the estimate scales the register steps with scale × years.
REFERENCE = {"registers": 20.0, "modules": 12.0, "build": 75.0, "summary": 1.0}
REFERENCE_SIZE = 0.1 * 13


class Steps:
    """Numbered progress lines with the time left, corrected by how fast the steps so far ran."""

    def __init__(self, estimates: dict[str, float]):
        self.estimates = estimates
        self.names = list(estimates)
        self.t0 = time.perf_counter()
        self.spent = 0.0
        self.planned = 0.0

    def start(self, key: str, text: str) -> float:
        i = self.names.index(key)
        speed = self.spent / self.planned if self.planned else 1.0
        left = sum(self.estimates[k] for k in self.names[i:]) * speed
        console.print(
            f"[{i + 1}/{len(self.names)}] {text} (about {self.estimates[key] * speed:.0f} s; "
            f"about {left:.0f} s left in all)",
            highlight=False,
            soft_wrap=True,
        )
        return time.perf_counter()

    def done(self, key: str, started: float) -> None:
        took = time.perf_counter() - started
        self.spent += took
        self.planned += self.estimates[key]
        console.print(f"      done in {took:.1f} s", highlight=False, soft_wrap=True)


def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo's files.")] = Path("demo"),
    scale: Annotated[float, typer.Option(help="Sample fraction of the synthetic Denmark.")] = 0.1,
    years: Annotated[str, typer.Option(help="Years, e.g. 2012-2024.")] = "2012-2024",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
) -> None:
    """Build the SYNTHETIC demo: registers, surveys, the programme and Welcome House modules
    and their aggregates, in one store finished once (then `barometer serve`)."""
    from barometer.catalogue import load_catalogue
    from barometer.cli.sources import case_module_input
    from barometer.pipeline import build_store
    from barometer.programme import cli as programme
    from barometer.sources.surveys import generate_demo_surveys, survey_input
    from barometer.sources.synthetic import generate
    from barometer.welcomehouse import cli as welcomehouse

    year_list = parse_years(years)
    size = scale * len(year_list) / REFERENCE_SIZE
    steps = Steps(
        {
            "registers": REFERENCE["registers"] * size,
            "modules": REFERENCE["modules"],
            "build": REFERENCE["build"] * max(size, 0.5),
            "summary": REFERENCE["summary"],
        }
    )
    out.mkdir(parents=True, exist_ok=True)
    store = out / "barometer.duckdb"

    t = steps.start("registers", f"a synthetic Denmark, scale {scale:g}, {years}")
    with progress_bar() as update:
        generate(out / "registers", scale=scale, years=year_list, seed=seed, progress=update)
    steps.done("registers", t)

    t = steps.start("modules", "Copenhagen's surveys, the programme and Welcome House")
    catalogue = load_catalogue()
    inputs = [
        survey_input(data, spec, catalogue)
        for data, spec in generate_demo_surveys(out / "surveys", seed=seed).values()
    ]
    prog_db, key = out / "programme.sqlite", out / "programme.key"
    house_db = out / "welcomehouse.sqlite"
    for db in (prog_db, house_db):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    if not key.exists():
        programme.keygen(out=key)
    programme.synth(db=str(prog_db), key_file=key, seed=seed)
    inputs.append(case_module_input("programme", str(prog_db), "101", "2025-06-30", "copenhagen"))
    welcomehouse.synth(db=str(house_db), seed=seed)
    inputs.append(case_module_input("welcomehouse", str(house_db), "101", None, "copenhagen"))
    steps.done("modules", t)

    t = steps.start("build", "the store: every indicator, disclosure control, goals, peers")
    with progress_bar() as update:
        res = build_store(out / "registers", store, progress=update, inputs=inputs)
    steps.done("build", t)

    t = steps.start("summary", "done")
    console.print(
        f"Built {store} (SYNTHETIC DATA): {res.observations:,} observations from "
        f"{len(inputs) + 1} inputs, run {res.run_id}, in {time.perf_counter() - steps.t0:.0f} s",
        highlight=False,
        soft_wrap=True,
    )
    steps.done("summary", t)
