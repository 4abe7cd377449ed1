"""Benchmark the synthetic Denmark generator: wall time, peak RSS and bytes written.

Usage: python benchmarks/synth.py [--scale 1.0] [--years 2012-2024] [--seed 1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from barometer.sources.synthetic import generate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--years", default="2012-2024")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, default=None, help="write here and keep the files")
    args = ap.parse_args()
    first, last = (int(x) for x in args.years.split("-"))
    out = args.keep or Path(tempfile.mkdtemp(prefix="synth-bench-"))
    laps: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    main0 = time.thread_time()

    def progress(step: str, done: int, total: int) -> None:
        laps.append((step, time.perf_counter() - t0))

    try:
        manifest = generate(
            out, scale=args.scale, years=range(first, last + 1), seed=args.seed, progress=progress
        )
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        main_cpu = time.thread_time() - main0  # the simulation; the rest is the writer thread
        size = sum(p.stat().st_size for p in out.iterdir())
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        prev = 0.0
        for step, t in laps:
            print(f"  {step:<20} {t - prev:6.1f} s")
            prev = t
        bef_rows = manifest["files"][f"bef{last}12.parquet"]
        print(
            f"scale {args.scale} years {first}-{last} seed {args.seed}: "
            f"{bef_rows:,} persons in {last}"
        )
        print(
            f"wall time {wall:.1f} s, CPU time {cpu:.1f} s (main thread {main_cpu:.1f} s, "
            f"writer thread {cpu - main_cpu:.1f} s), peak RSS {rss_mb:,.0f} MB, "
            f"written {size / 1e6:,.0f} MB in {len(manifest['files'])} files, "
            f"load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
