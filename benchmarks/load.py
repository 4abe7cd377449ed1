"""Load test of the dashboard under hostile clients (issue #20 item 9), on loopback only.

    python benchmarks/load.py STORE [--clients 20] [--duration 60]

Starts `barometer serve`'s server (``barometer.publish.web.serve``) for STORE on a free
loopback port in a separate process, requests every URL of the mix once (benchmarks/web.py
``url_mix``: about 700 pages, twins and API calls), then runs two phases of ``--clients``
clients for ``--duration`` seconds each:

1. **cached**: the mix as it is. Goal: p99 ≤ 50 ms, 0 errors.
2. **hostile**: every URL with a random junk parameter (a new one per request, as a cache
   buster would send), while one more client downloads big exports without pause (the
   largest page CSV, streamed, and full 10,000-row pages of the observations API). Goal: p99
   of the page clients ≤ 200 ms, 0 errors, server memory growth ≤ 100 MB (resident set
   size, sampled twice a second, against the size after the cached phase).

Bounded: the server listens on 127.0.0.1 only, phases last at most 600 s, at most 100
clients. Prints text and one JSON line. A benchmark, not a test (docs/performance.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from web import Connection, free_port, start_server, url_mix, warm  # benchmarks/ is not a package

HOST = "127.0.0.1"
EXPORTS = ["/indicator/population.csv", "/indicator/employment_rate_25_64.csv"]
EXPORTS += [f"/api/v1/observations?limit=10000&offset={k * 10_000}" for k in range(8)]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class MemoryWatch:
    """The server's resident set size, sampled twice a second in a thread."""

    def __init__(self, pid: int):
        self.pid, self.samples, self.stop = pid, [], threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.wait(0.5):
            self.samples.append(rss_mb(self.pid))

    def __enter__(self) -> MemoryWatch:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def with_junk(url: str, rnd: random.Random) -> str:
    return url + ("&" if "?" in url else "?") + f"utm_junk={rnd.getrandbits(48):x}"


async def page_client(port, urls, until, seed, junk, lat, errors) -> None:
    rnd = random.Random(seed)
    conn = Connection(HOST, port)
    try:
        while time.perf_counter() < until:
            url = rnd.choice(urls)
            url = with_junk(url, rnd) if junk else url
            t0 = time.perf_counter()
            try:
                status = await conn.get(url)
            except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
                status = repr(exc)
                await conn.close()
                conn = Connection(HOST, port)
            lat.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(f"{url}: {status}")
    finally:
        await conn.close()


async def export_client(port, until, done: list, errors: list) -> None:
    """Big downloads one after another; counts the bytes (the body is read and dropped)."""
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=120) as http:
        i = 0
        while time.perf_counter() < until:
            url = EXPORTS[i % len(EXPORTS)]
            i += 1
            t0 = time.perf_counter()
            size = 0
            async with http.stream("GET", url) as response:
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
            done.append((url, size, time.perf_counter() - t0))
            if response.status_code != 200:
                errors.append(f"{url}: {response.status_code}")


def summary(lat: list[float], errors: list[str], elapsed: float) -> dict:
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [0.0] * 99
    return {
        "requests": len(lat),
        "throughput_rps": round(len(lat) / elapsed, 1),
        "p50_ms": round(1000 * q[49], 1),
        "p95_ms": round(1000 * q[94], 1),
        "p99_ms": round(1000 * q[98], 1),
        "max_ms": round(1000 * max(lat), 1) if lat else 0.0,
        "errors": len(errors),
        "error_samples": errors[:5],
    }


async def phase(port, urls, clients, duration, *, junk: bool) -> dict:
    lat: list[float] = []
    errors: list[str] = []
    exports: list = []
    export_errors: list[str] = []
    start = time.perf_counter()
    until = start + duration
    tasks = [page_client(port, urls, until, i, junk, lat, errors) for i in range(clients)]
    if junk:
        tasks.append(export_client(port, until, exports, export_errors))
    await asyncio.gather(*tasks)
    out = summary(lat, errors, time.perf_counter() - start)
    if junk:
        out["exports"] = {
            "downloads": len(exports),
            "megabytes": round(sum(s for _, s, _ in exports) / 1e6, 1),
            "largest_mb": round(max((s for _, s, _ in exports), default=0) / 1e6, 1),
            "errors": len(export_errors),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--duration", type=float, default=60)
    args = ap.parse_args()
    if not (1 <= args.clients <= 100 and 0 < args.duration <= 600):
        raise SystemExit("--clients 1-100 and --duration up to 600 s")
    port = free_port()
    t0 = time.perf_counter()
    proc = start_server(args.store, port, prewarm=False, timeout=300)
    result: dict = {"store": str(args.store), "clients": args.clients, "duration_s": args.duration}
    try:
        result["startup_s"] = round(time.perf_counter() - t0, 1)
        urls = url_mix()
        asyncio.run(warm(f"http://{HOST}:{port}", urls, timeout=120))
        result["distinct_urls"] = len(set(urls))
        result["rss_after_warm_mb"] = round(rss_mb(proc.pid), 1)
        result["cached"] = asyncio.run(phase(port, urls, args.clients, args.duration, junk=False))
        before = rss_mb(proc.pid)
        with MemoryWatch(proc.pid) as watch:
            result["hostile"] = asyncio.run(
                phase(port, urls, args.clients, args.duration, junk=True)
            )
        peak = max([before, *watch.samples])
        result["hostile"].update(
            rss_before_mb=round(before, 1),
            rss_peak_mb=round(peak, 1),
            rss_growth_mb=round(peak - before, 1),
        )
        result["load_average"] = os.getloadavg()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    c, h = result["cached"], result["hostile"]
    print(
        f"{args.clients} clients × {args.duration:g} s per phase over "
        f"{result['distinct_urls']} URLs (server start {result['startup_s']} s; "
        f"load average after {', '.join(f'{x:.1f}' for x in result['load_average'])})\n"
        f"  cached : {c['requests']} requests, {c['throughput_rps']} req/s, p50 {c['p50_ms']} "
        f"ms, p99 {c['p99_ms']} ms, max {c['max_ms']} ms, errors {c['errors']}\n"
        f"  hostile: {h['requests']} requests, {h['throughput_rps']} req/s, p50 {h['p50_ms']} "
        f"ms, p99 {h['p99_ms']} ms, max {h['max_ms']} ms, errors {h['errors']}; "
        f"{h['exports']['downloads']} exports ({h['exports']['megabytes']} MB); server RSS "
        f"{h['rss_before_mb']} → peak {h['rss_peak_mb']} MB (+{h['rss_growth_mb']} MB)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
