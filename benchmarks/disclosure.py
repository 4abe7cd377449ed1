"""Benchmark disclosure control on the observations of a synthetic Denmark.

    python benchmarks/disclosure.py                          # scale 0.1 × 2012-2024 (the demo)
    python benchmarks/disclosure.py --scale 1.0 --years 2015-2024

Generates the synthetic Denmark into bench-data/ (kept between runs, as benchmarks/build.py
does), computes the unprotected observations once (cached next to the data), then times
`protect` as the build calls it and prints what it cost: cells hidden per level, and the
national cells hidden as secondary — the loss users notice first.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from barometer.catalogue import load_catalogue
from barometer.codes import DENMARK
from barometer.inputs import Input
from barometer.pipeline.protect import protect_input
from barometer.pipeline.registers import derive_register_input
from barometer.settings import resolve_build_settings
from build import ensure_data


def compute_raw(data: Path, scale: float) -> pd.DataFrame:
    """The register input's cells before protection, cached as Parquet beside the registers."""
    cache = data / "observations-unprotected.parquet"
    if cache.is_file():
        return pd.read_parquet(cache)
    obs = derive_register_input(data, load_catalogue(None)).cells
    obs.to_parquet(cache)
    return obs


def protect(raw: pd.DataFrame) -> pd.DataFrame:
    """The pipeline's protection of a register input with these cells (never cached here)."""
    inp = Input("registers", "registers", "benchmark", "0" * 64, 0, raw)
    verdict = protect_input(inp, load_catalogue(None), resolve_build_settings())
    return inp.cells.assign(status=verdict["status"], reason=verdict["reason"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--years", default="2012-2024")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    data = ensure_data(args.scale, args.years, args.seed)
    raw = compute_raw(data, args.scale)
    workers = resolve_build_settings().disclosure_workers
    start = time.perf_counter()
    before = os.times()
    out = protect(raw)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = sum(after[:4]) - sum(before[:4])  # user + system, this process and its workers
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    people = out[~out["indicator_id"].str.startswith("housing_")]
    level = people["area_code"].map(
        lambda a: "country" if a == DENMARK else ("region" if a.startswith("08") else "muni")
    )
    print(f"data: scale {args.scale:g}, years {args.years}, {len(people):,} person-based cells")
    print(
        f"protect: {wall:.1f} s wall, {cpu:.1f} s CPU incl. workers, {workers} workers, "
        f"peak RSS {rss:.0f} MB, load average {load:.1f}"
    )
    table = pd.crosstab(level, people["status"], margins=True)
    print(table.to_string())
    national = people[level.eq("country")]
    secondary = national[national["status"].eq("suppressed_secondary")]
    print("national cells hidden as secondary, per indicator:")
    counts = secondary.groupby("indicator_id").size()
    totals = national.groupby("indicator_id").size()
    for indicator, total in totals.items():
        print(f"  {indicator:28s} {counts.get(indicator, 0):4d} of {total}")


if __name__ == "__main__":
    main()
