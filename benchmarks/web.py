"""Load test of the web app: N concurrent clients for T seconds over a mix of pages and API calls.

    python benchmarks/web.py STORE [--clients 20] [--duration 60] [--warm]

Starts ``barometer.publish.web.serve`` on a free port in a separate process, then runs the
clients (asyncio + httpx) in this one. Prints throughput, latency percentiles and errors as text
and one JSON line. ``--warm`` first requests every URL of the mix once (the app caches rendered
responses, so a warm run measures the steady state; a cold run includes first renders).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from barometer.codes import load_municipalities

INDICATORS = (
    "population",
    "employment_rate_25_64",
    "employment_gap_25_64",
    "youth_education_20_24",
    "public_support_share",
    "convicted_share_15_79",
)
GROUPS = ("non_western", "all", "immigrants", "descendants")


def url_mix(seed: int = 1) -> list[str]:
    """About 700 URLs: every municipality page and twin, indicator pages, compare, the API."""
    rnd = random.Random(seed)
    munis = sorted(load_municipalities())
    urls = ["/", "/index.json", "/indicators", "/goals", "/housing", "/about", "/openapi.json"]
    urls += ["/api/v1/indicators", "/api/v1/goals?area=000", "/api/v1/housing"]
    for code in munis:
        urls += [f"/municipality/{code}", f"/municipality/{code}.json"]
        urls.append(f"/api/v1/observations?area={code}&indicator={rnd.choice(INDICATORS)}")
        urls.append(f"/api/v1/goals?area={code}")
    for ind in INDICATORS:
        for _ in range(20):
            area = rnd.choice(munis)
            group = rnd.choice(GROUPS)
            urls.append(f"/indicator/{ind}?area={area}&origin_group={group}")
            urls.append(f"/indicator/{ind}.json?area={area}")
            urls.append(
                f"/api/v1/observations?indicator={ind}&year=2015-2024&origin_group={group}&sex=all"
            )
    for _ in range(60):
        pick = rnd.sample(munis, rnd.randint(2, 6))
        urls.append(f"/compare?areas={','.join(pick)}&indicator={rnd.choice(INDICATORS)}")
    urls += [u + ("&" if "?" in u else "?") + "lang=en" for u in rnd.sample(urls, 80)]
    return urls


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    store: Path, port: int, *, prewarm: bool = True, timeout: float = 180
) -> subprocess.Popen:
    """`barometer serve`'s server for ``store`` in its own process, once it answers."""
    code = (
        "from barometer.publish.web import serve; from barometer.settings import ServeSettings; "
        f"serve({str(store)!r}, ServeSettings(host='127.0.0.1', port={port}, prewarm={prewarm}))"
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/indicators", timeout=2).status_code:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
    proc.terminate()
    raise SystemExit(f"server did not start within {timeout:g} s")


class Connection:
    """A minimal HTTP/1.1 keep-alive client (GET only), so the clients cost little CPU.

    httpx spends more CPU per request than the cached server does, which on a small machine
    would measure the client instead of the app.
    """

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode("latin-1"))
        await self.writer.drain()
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, chunked = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await self.reader.readexactly(length)
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def client_loop(
    port: int, urls: list[str], until: float, seed: int, lat: list[float], errors: list[str]
) -> None:
    rnd = random.Random(seed)
    conn = Connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            url = rnd.choice(urls)
            t0 = time.perf_counter()
            try:
                status = await conn.get(url)
            except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
                status = repr(exc)
                await conn.close()
                conn = Connection("127.0.0.1", port)
            lat.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(f"{url}: {status}")
    finally:
        await conn.close()


async def run(port: int, urls: list[str], clients: int, duration: float) -> dict:
    lat: list[float] = []
    errors: list[str] = []
    start = time.perf_counter()
    until = start + duration
    await asyncio.gather(*(client_loop(port, urls, until, i, lat, errors) for i in range(clients)))
    elapsed = time.perf_counter() - start
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [0.0] * 99
    return {
        "clients": clients,
        "duration_s": round(elapsed, 1),
        "requests": len(lat),
        "throughput_rps": round(len(lat) / elapsed, 1),
        "p50_ms": round(1000 * q[49], 1),
        "p95_ms": round(1000 * q[94], 1),
        "p99_ms": round(1000 * q[98], 1),
        "max_ms": round(1000 * max(lat), 1) if lat else 0.0,
        "errors": len(errors),
        "error_samples": errors[:5],
    }


async def warm(base: str, urls: list[str], timeout: float = 60) -> float:
    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as http:
        for url in dict.fromkeys(urls):
            await http.get(url)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--warm", action="store_true", help="request every URL once first")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    port = args.port or free_port()
    t0 = time.perf_counter()
    proc = start_server(args.store, port)
    startup = time.perf_counter() - t0
    base = f"http://127.0.0.1:{port}"
    urls = url_mix()
    try:
        warm_s = asyncio.run(warm(base, urls)) if args.warm else None
        result = asyncio.run(run(port, urls, args.clients, args.duration))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    result.update(
        store=str(args.store),
        startup_s=round(startup, 1),
        distinct_urls=len(set(urls)),
        warm=args.warm,
        warm_s=round(warm_s, 1) if warm_s is not None else None,
    )
    print(
        f"{result['clients']} clients × {result['duration_s']} s over {result['distinct_urls']} "
        f"URLs ({'warm' if args.warm else 'cold'} cache; server start {result['startup_s']} s)\n"
        f"  requests {result['requests']}, throughput {result['throughput_rps']} req/s\n"
        f"  latency p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
        f"p99 {result['p99_ms']} ms, max {result['max_ms']} ms\n"
        f"  errors {result['errors']}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
