"""What each page and route costs the server: CPU milliseconds per request, one at a time.

    uv run --no-sync python bench/page_cost.py [--enterprises 5000] [--years 5] [--repeat 10]
                                               [--only /policies ...]

The district of bench/load_web.py (5,000 enterprises × 5 years on SQLite) is built, `industry-brain
serve` started, and once its start-up cockpit is computed (/api/v1/health says "ready") each
route is requested once to warm it and then `--repeat` times; printed per route: the wall time
and the CPU the server process spent per request (from /proc, user + system), and the answer's
size. The server runs every page on one core (NiceGUI is one process), so 50 clients with a
second of thinking between requests can be served only while the CPU per request, summed over a
client's requests, stays well under a second (`--only` measures the routes whose path starts
with one of the prefixes given, e.g. `--only /policies`); this is the figure to hold down, and unlike the
wall time it barely moves with the machine's load. This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import load_web  # noqa: E402


def _server_cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _routes(code: str, token: dict[str, str]) -> list[tuple[str, str, dict[str, str]]]:
    pages = [
        "/cockpit", f"/profile?code={code}", "/evaluation", "/plans", "/map", "/clusters", "/chains",
        "/tiers", "/pools", "/projects", "/imports", "/jobs", "/monitoring", "/policies", "/requests",
    ]  # fmt: skip
    return [
        ("health", "/api/v1/health", {}),
        ("api enterprises", "/api/v1/enterprises?limit=50", token),
        ("api profile", f"/api/v1/enterprises/{code}", token),
        *[(f"page {p.split('?')[0]}", p, {}) for p in pages],
    ]


async def measure(
    base: str, pid: int, code: str, repeat: int, only: list[str] | None = None
) -> list[tuple[str, int, float, float, int]]:
    rows = []
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        await load_web._page_sign_in(client, "u00")
        token = await load_web._sign_in(client, "u00")
        for name, path, headers in _routes(code, token):
            if only and not any(path.startswith(o) for o in only):
                continue
            answer = await client.get(path, headers=headers)  # warms the route's caches
            before_wall, before_cpu = time.perf_counter(), _server_cpu_ms(pid)
            for _ in range(repeat):
                answer = await client.get(path, headers=headers)
            wall = (time.perf_counter() - before_wall) * 1000 / repeat
            cpu = (_server_cpu_ms(pid) - before_cpu) / repeat
            rows.append((name, answer.status_code, wall, cpu, len(answer.content)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=5000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--only", nargs="*", help="measure only the routes starting with these paths")
    args = parser.parse_args()
    url, cleanup = load_web.make_database("sqlite")
    try:
        district = load_web.build_district(url, args.enterprises, args.years)
        process, base = load_web.start_server(url)
        try:
            warm = load_web.wait_until_ready(base)
            print(f"{args.enterprises} enterprises × {args.years} years; server ready after {warm} s")
            print(f"uptime: {load_web.uptime()}")
            rows = asyncio.run(measure(base, process.pid, district["codes"][0], args.repeat, args.only))
            print(f"{'route':<20}{'status':>7}{'wall ms':>10}{'server CPU ms':>15}{'bytes':>10}")
            for name, status, wall, cpu, size in rows:
                print(f"{name:<20}{status:>7}{wall:>10.1f}{cpu:>15.1f}{size:>10,}")
            print(f"uptime: {load_web.uptime()}")
        finally:
            from web_fixtures import stop

            stop(process)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
