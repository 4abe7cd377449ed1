"""Time the annual report: one report in a fresh process, then all 99 in one process.

    python benchmarks/report.py STORE [--year Y] [--lang da] [--format pdf] [--out DIR]
                                      [--area 101] [--areas 101,751]

1. ``barometer.publish.report.render_report`` for ``--area`` in a fresh Python process, so the
   time includes imports, reading the store and starting vl-convert (what a user waits for on
   ``barometer report``). Wall and CPU seconds are reported.
2. ``render_all`` for Denmark and the 98 municipalities (or ``--areas``) into ``--out``, timed
   per report through the progress callback.

Prints a text summary and one JSON line (for docs/report.md).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SINGLE = """
import json, os, sys, time
t0, c0 = time.perf_counter(), os.times()
from barometer.publish.report import render_report
render_report(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6])
c1 = os.times()
print(json.dumps({"wall": time.perf_counter() - t0,
                  "cpu": (c1.user - c0.user) + (c1.system - c0.system)}))
"""


def single(store: Path, area: str, year: int, lang: str, fmt: str, out_dir: Path) -> dict:
    out = out_dir / f"single_{area}.{fmt}"
    proc = subprocess.run(
        [sys.executable, "-c", SINGLE, str(store), area, str(year), lang, fmt, str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["bytes"] = out.stat().st_size
    return result


def run_all(
    store: Path, year: int, lang: str, fmt: str, out_dir: Path, areas: list[str] | None
) -> dict:
    from barometer.publish.report import render_all

    stamps: list[tuple[str, float]] = []

    def progress(label: str, done: int, total: int) -> None:
        stamps.append((label, time.perf_counter()))
        print(f"\r{done}/{total} {label:>4}", end="", file=sys.stderr, flush=True)

    t0, c0 = time.perf_counter(), os.times()
    paths = render_all(store, year, lang, fmt, out_dir, progress, areas=areas)
    wall = time.perf_counter() - t0
    c1 = os.times()
    print(file=sys.stderr)
    per = {a: b[1] - a_t for (a, a_t), b in itertools.pairwise(stamps)}
    times = list(per.values())
    return {
        "reports": len(paths),
        "wall": wall,
        "cpu": (c1.user - c0.user) + (c1.system - c0.system),
        "load_store": stamps[0][1] - t0 if stamps else None,
        "per_report_mean": statistics.mean(times) if times else None,
        "per_report_median": statistics.median(times) if times else None,
        "per_report_max": max(times) if times else None,
        "slowest": max(per, key=per.get).removeprefix("report ") if per else None,
        "bytes": sum(p.stat().st_size for p in paths),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--year", type=int, default=None, help="default: newest data year")
    ap.add_argument("--lang", default="da", choices=["da", "en"])
    ap.add_argument("--format", default="pdf", choices=["pdf", "html"])
    ap.add_argument("--out", type=Path, default=None, help="default: a temporary folder")
    ap.add_argument("--area", default="101", help="area of the single-report timing")
    ap.add_argument("--areas", default=None, help="comma-separated subset for render_all")
    ap.add_argument("--skip-all", action="store_true", help="only the single report")
    args = ap.parse_args()

    year = args.year
    if year is None:
        from barometer.publish.report.data import load_snapshot

        snap = load_snapshot(args.store, args.area)
        year = snap.data_years[1]
    out = args.out or Path(tempfile.mkdtemp(prefix="report-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    areas = args.areas.split(",") if args.areas else None

    one = single(args.store, args.area, year, args.lang, args.format, out)
    print(
        f"one report ({args.area}, {args.format}, {args.lang}): {one['wall']:.1f} s wall, "
        f"{one['cpu']:.1f} s CPU, {one['bytes'] / 1e3:.0f} kB"
    )
    result = {"year": year, "format": args.format, "lang": args.lang, "single": one}
    if not args.skip_all:
        every = run_all(args.store, year, args.lang, args.format, out, areas)
        print(
            f"all reports: {every['reports']} in {every['wall']:.0f} s wall "
            f"({every['cpu']:.0f} s CPU); per report mean {every['per_report_mean']:.1f} s, "
            f"median {every['per_report_median']:.1f} s, max {every['per_report_max']:.1f} s "
            f"({every['slowest']}); store read {every['load_store']:.1f} s; "
            f"{every['bytes'] / 1e6:.1f} MB in {out}"
        )
        result["all"] = every
    result["load_average"] = os.getloadavg()
    result["cpus"] = os.cpu_count()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
