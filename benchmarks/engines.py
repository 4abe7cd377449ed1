"""Benchmark the full build on each engine, side by side: wall time, peak memory, setup cost.

    python benchmarks/engines.py                          # 100 % of Denmark × 10 years
    python benchmarks/engines.py --scale 0.01 --years 2015-2024 --json engines.json
    python benchmarks/engines.py --engines duckdb --scale 0.1

Generates the synthetic Denmark into bench-data/ (shared with benchmarks/build.py, kept between
runs). Then, for each engine, one fresh child process runs the whole build (validation in DuckDB,
indicators on the engine, housing, goals, store) and reports its phases:

- setup: importing the engine and starting it (for Spark: the JVM and the session);
- compute: the indicators (compute_observations / compute_with_spark);
- build: everything, from the first import to the written store.

Peak memory is sampled by the parent every 0.1 s as the summed RSS of the child's whole process
tree (/proc), so Spark's JVM (a grandchild) is included; the kernel's own high-water mark of the
Python process (getrusage RUSAGE_SELF in the child) is reported beside it.

Engines: duckdb and spark (local mode, --spark-master). Polars is not an engine the project offers
(Ibis has a Polars backend, but the build does not expose it), so it is not measured.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
engine, data, store, master = sys.argv[1:5]
from pathlib import Path
import barometer.build as build
phases = {}
if engine == "spark":
    from barometer.compute import spark as sp
    session = sp.spark_session(master)
    session.sparkContext.setLogLevel("ERROR")
    phases["setup"] = time.perf_counter() - t0
    if "spark" in build.ENGINES:  # wired into the build: the real path
        real = sp.compute_with_spark
        def timed(*a, **k):
            t = time.perf_counter()
            r = real(*a, **{**k, "session": session})
            phases["compute"] = time.perf_counter() - t
            return r
        sp.compute_with_spark = timed
        kwargs = {"engine": "spark", "spark_master": master}
    else:  # not wired yet: the same build with the compute step on Spark
        captured = {}
        real_load = build.load_delivery
        def load(directory, con, **options):
            captured["con"] = con
            return real_load(directory, con, **options)
        def compute(con, delivery, catalogue, *, years=None, progress=None):
            t = time.perf_counter()
            r = sp.compute_with_spark(delivery, catalogue, duckdb_con=captured["con"],
                                      session=session, years=years, progress=progress)
            phases["compute"] = time.perf_counter() - t
            return r
        build.load_delivery = load
        build.compute_observations = compute
        kwargs = {}
else:
    import ibis
    ibis.duckdb.connect()
    phases["setup"] = time.perf_counter() - t0
    real = build.compute_observations
    def compute(*a, **k):
        t = time.perf_counter()
        r = real(*a, **k)
        phases["compute"] = time.perf_counter() - t
        return r
    build.compute_observations = compute
    kwargs = {}
res = build.build_store(Path(data), Path(store), **kwargs)
phases["build"] = time.perf_counter() - t0
if engine == "spark":
    session.stop()
import resource
rss = {
    "python_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "children_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}
print("RESULT " + json.dumps({**phases, **rss, "observations": res.observations}))
"""


def tree_rss_mb(pid: int) -> float:
    """Summed resident memory of ``pid`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total / 1024


def run_engine(engine: str, data: Path, master: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / f"{engine}.duckdb"
        cmd = [sys.executable, "-c", CHILD, engine, str(data), str(store), master]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, tree_rss_mb(proc.pid))
            time.sleep(0.1)
        wall = time.perf_counter() - t0
        out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{err[-3000:]}")
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    return {"engine": engine, "wall": wall, "peak_tree_mb": peak, **result}


def ensure_data(scale: float, years: str, seed: int) -> Path:
    """The same data folder as benchmarks/build.py uses."""
    data = ROOT / "bench-data" / f"scale{scale:g}-{years}-seed{seed}"
    if not (data / "manifest.json").is_file():
        t0 = time.perf_counter()
        subprocess.run(
            [
                *(sys.executable, "-m", "barometer", "synth", "--scale", str(scale)),
                *("--years", years, "--seed", str(seed), "--out", str(data)),
            ],
            check=True,
        )
        print(f"generated {data} in {time.perf_counter() - t0:.1f} s")
    return data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--years", default="2015-2024")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--engines", default="duckdb,spark")
    ap.add_argument("--spark-master", default="local[2]")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()
    data = ensure_data(args.scale, args.years, args.seed)
    manifest = json.loads((data / "manifest.json").read_text())
    persons = sum(v for k, v in manifest["files"].items() if k.startswith("bef"))
    rows = sum(manifest["files"].values())
    results = []
    for engine in args.engines.split(","):
        print(f"running {engine} …", flush=True)
        results.append(run_engine(engine, data, args.spark_master))
    print(
        f"\ndata: scale {args.scale:g}, years {args.years}, {persons:,} person-years, "
        f"{rows:,} rows in all files; {os.cpu_count()} CPUs"
    )
    print("| engine | wall s | setup s | compute s | peak RSS, process tree MB | Python MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        name = r["engine"] + (f" {args.spark_master}" if r["engine"] == "spark" else "")
        print(
            f"| {name} | {r['wall']:.1f} | {r['setup']:.1f} | {r['compute']:.1f} "
            f"| {r['peak_tree_mb']:.0f} | {r['python_rss_mb']:.0f} |"
        )
    if args.json:
        meta = {"scale": args.scale, "years": args.years, "person_years": persons, "rows": rows}
        args.json.write_text(json.dumps({**meta, "results": results}, indent=2))


if __name__ == "__main__":
    main()
