"""Benchmark `barometer build` against a plain DuckDB scan of the columns it uses.

    python benchmarks/build.py                      # 100 % of Denmark × 10 years (2015-2024)
    python benchmarks/build.py --scale 0.1 --years 2015-2024

Generates the synthetic Denmark into bench-data/ (kept between runs), then, each in its own
process so that peak memory is the process's own: (1) the scan floor — every used column of
every used file read and hashed by DuckDB; (2) the full build (validation, indicators, housing,
goals, store). Prints wall time, peak RSS and the ratio build / floor. Goal: ≤ 3× and ≤ 1.5 GB.
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

USED = {  # register stem prefix → the columns the build reads
    "bef": [
        "PNR",
        "FOED_DAG",
        "ALDER",
        "KOEN",
        "KOM",
        "IE_TYPE",
        "OPR_LAND",
        "FOERSTE_INDVANDRING",
        "ADRESSE_ID",
    ],
    "akm": ["PNR", "SOCIO13"],
    "udda": ["PNR", "HFAUDD"],
    "of": ["PNR", "PTI_TILSTAND_KODE", "GRADAAR"],
    "ind": ["PNR", "PERINDKIALT_13"],
    "kraf": ["PNR", "AFG_AFGOEDTO", "AFG_GER7", "AFG_AFGTYP3"],
    "udfk": ["PNR", "SKOLEAAR", "GRUNDSKOLEFAG", "FAGDISCIPLIN", "KLTRIN", "GRUNDSKOLEKARAKTER"],
    "danskuddannelse": ["PNR", "KURSISTTYPE", "STARTDATO", "PROEVE", "PROEVEDATO", "BESTAAET"],
    "boligomraader": ["ADRESSE_ID", "area_id", "area_name", "KOM"],
}

# Every used column of every register file read and hashed once; files whose name matches
# ``skip`` are left to the code appended after this loop.
SCAN = """
import re, resource, time, duckdb
from pathlib import Path
used = {used!r}
data = Path({data!r})
t0 = time.perf_counter()
con = duckdb.connect()
rows = 0
for path in sorted(data.glob("*.parquet")):
    if {skip!r} and re.match({skip!r}, path.stem):
        continue
    key = next((k for k in sorted(used, key=len, reverse=True) if path.stem.startswith(k)), None)
    if key is None:  # not a register file (e.g. benchmarks/disclosure.py's cache)
        continue
    cols = ", ".join(f"sum(hash({{c}}))" for c in used[key])
    rows += con.execute(f"SELECT count(*), {{cols}} FROM read_parquet('{{path}}')").fetchone()[0]
"""
REPORT = """
wall = time.perf_counter() - t0
print(wall, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, rows)
"""
FLOOR = SCAN + REPORT

# The second yardstick: what the definitions cannot do without. Per year, the population
# snapshot left-joined on PNR to the four registers every build must attach to a person (akm,
# udda, of summed per person, ind), counted; the files read once, not per year, are scanned as
# in the floor. No validation, no grouping, no disclosure control.
JOINED = r"(bef|akm|udda|of|ind)[0-9]{4}"
JOIN_SQL = """
SELECT count(*), count(a.SOCIO13), count(u.HFAUDD), sum(o.g), sum(i.PERINDKIALT_13),
       sum(hash(b.KOM)), sum(hash(b.ALDER))
FROM read_parquet('{d}/bef{y}12.parquet') b
LEFT JOIN read_parquet('{d}/akm{y}.parquet') a ON a.PNR = b.PNR
LEFT JOIN read_parquet('{d}/udda{y}09.parquet') u ON u.PNR = b.PNR
LEFT JOIN (SELECT PNR, sum(GRADAAR) g FROM read_parquet('{d}/of{y}.parquet') GROUP BY PNR) o
    ON o.PNR = b.PNR
LEFT JOIN read_parquet('{d}/ind{y}.parquet') i ON i.PNR = b.PNR
"""
JOIN_FLOOR = (
    SCAN
    + """
for bef in sorted(data.glob("bef*12.parquet")):
    sql = {join_sql!r}.format(d=data, y=bef.stem[3:7])
    rows += con.execute(sql).fetchone()[0]
"""
    + REPORT
)

BUILD = """
import json, resource, time
from pathlib import Path
try:  # the pipeline (this version) or the old single build module (before it)
    from barometer.pipeline import build_store
except ImportError:
    from barometer.build import build_store
marks = []
def progress(phase, done, total):
    if not marks or marks[-1][0] != phase:
        marks.append((phase, time.perf_counter()))
t0 = time.perf_counter()
res = build_store(Path({data!r}), Path({store!r}), progress=progress)
wall = time.perf_counter() - t0
ends = [t for _, t in marks[1:]] + [t0 + wall]
phases = {{}}
for (p, t), e in zip(marks, ends):
    key = "compute" if p.startswith("compute") else p
    phases[key] = round(phases.get(key, 0) + e - t, 1)
print(json.dumps(phases))
print(wall, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, res.observations)
"""


def run(code: str) -> tuple[float, float, int, dict]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    wall, rss, n = lines[-1].split()
    phases = json.loads(lines[-2]) if len(lines) > 1 and lines[-2].startswith("{") else {}
    return float(wall), float(rss), int(float(n)), phases


def ensure_data(scale: float, years: str, seed: int) -> Path:
    data = ROOT / "bench-data" / f"scale{scale:g}-{years}-seed{seed}"
    if not (data / "manifest.json").is_file():
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "barometer",
                "synth",
                "--scale",
                str(scale),
                "--years",
                years,
                "--seed",
                str(seed),
                "--out",
                str(data),
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
    args = ap.parse_args()
    data = ensure_data(args.scale, args.years, args.seed)
    manifest = json.loads((data / "manifest.json").read_text())
    persons = sum(v for k, v in manifest["files"].items() if k.startswith("bef"))
    load = os.getloadavg()[0]
    floor_wall, floor_rss, rows, _ = run(FLOOR.format(used=USED, data=str(data), skip=""))
    join_wall, _join_rss, _, _ = run(
        JOIN_FLOOR.format(used=USED, data=str(data), skip=JOINED, join_sql=JOIN_SQL)
    )
    with tempfile.TemporaryDirectory() as tmp:
        build_wall, build_rss, n_obs, phases = run(
            BUILD.format(data=str(data), store=str(Path(tmp) / "bench.duckdb"))
        )
    print(
        f"data: scale {args.scale:g}, years {args.years}, {persons:,} person-years, "
        f"{rows:,} rows in all files"
    )
    print(f"scan floor : {floor_wall:8.1f} s   peak RSS {floor_rss:7.0f} MB")
    print(
        f"build      : {build_wall:8.1f} s   peak RSS {build_rss:7.0f} MB   {n_obs:,} observations"
    )
    print("phases     : " + ", ".join(f"{p} {t:.1f} s" for p, t in phases.items()))
    print(f"join floor : {join_wall:8.1f} s   (the person-year joins the definitions need)")
    print(f"ratio build / floor: {build_wall / floor_wall:.2f}  (goal ≤ 3)")
    print(f"ratio build / join floor: {build_wall / join_wall:.2f}")
    print(f"load average at start {load:.1f}, at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
