"""Load benchmark: 50 concurrent signed-in clients on the cockpit and profile routes of a district
of 5,000 enterprises × 5 years, on SQLite and on PostgreSQL.

    uv run --no-sync python bench/load_web.py [--db sqlite|postgres|both] [--clients 50]
                                              [--requests 20] [--enterprises 5000] [--years 5]
                                              [--think 0] [--pages [--all-pages]] [--gc-log]
                                              [--json] [--trace N]

For each database: a fresh database with the district inserted directly (enterprises spread over
the district's townships; a 税务 batch and a 统计 batch per year, so every profile resolves two
sources), accounts of each role, then `industry-brain serve` in a child process (one uvicorn
worker, as `serve` runs). Each client signs in (POST /api/v1/auth/token) and then, concurrently
with the others, sends `--requests` requests per route, waiting `--think` seconds between them:

- baseline: GET /api/v1/health (no database, no auth): what the server, the client and the
  machine cost with nothing of ours behind it, measured in the same run;
- cockpit: GET /api/v1/enterprises?limit=50 (the scoped list and count);
- profile: GET /api/v1/enterprises/{code} of an enterprise in the client's scope (master record,
  figures by year with sources, and an audit entry written);
- with --pages, also the NiceGUI pages /cockpit and /profile?code=... signed in by the form;
  with --all-pages as well, one more page of the role's menu each turn, every page in turn.

The load starts once the server's start-up cockpit is computed (/api/v1/health says "ready";
the seconds it took are printed): a server runs for days, its first minute is not the load.
Printed per route: requests, errors (any non-2xx or transport error), p50, p95 and max in ms,
with the machine's `uptime` before and after each database's run (the load of a shared machine
moves every figure).

With --gc-log, the server logs its garbage-collection pauses of 5 ms or more during the load
(setting gc_log) and their count, total and longest are printed after the table.

With --trace N, no server: each API route is called N times in this process, one request at a
time, on the same district, and what one request costs the database is printed: statements per
request and their time, pool checkouts, transactions. Round trips are what a loaded server pays
for (each one gives up and re-takes the interpreter lock), so this is where to look first.
Target (issue 5): p95 under 300 ms and zero errors. Clients are a mix of roles: a third
district-wide (leader/analyst), a third town, a third enterprise. This is a benchmark, not a
test: nothing fails on a missed target.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))  # helpers.code: valid credit codes
PG_BASE = os.environ.get("INDUSTRY_BRAIN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "bench-password-1"
TARGET_P95_MS = 300.0


def build_district(url: str, enterprises: int, years: int) -> dict[str, Any]:
    """Insert the district; return the townships and each township's codes."""
    import polars as pl

    from helpers import code
    from industry_brain.core import bulk
    from industry_brain.core.auth import create_user
    from industry_brain.core.db import transaction
    from industry_brain.reference.divisions import townships
    from industry_brain.registry import open_database

    towns = [d.code for d in townships("330213")]
    rng = random.Random(5000)
    codes = [code(i + 1) for i in range(enterprises)]
    town_of = {c: towns[i % len(towns)] for i, c in enumerate(codes)}
    now = dt.datetime(2026, 1, 1)
    master = pl.DataFrame(
        {
            "credit_code": codes,
            "name": [f"压测企业{i + 1:05d}有限公司" for i in range(enterprises)],
            "name_source": "registry",
            "industry_code": [rng.choice(["3484", "3311", "2929", "3989", "1713"]) for _ in codes],
            "industry_code_source": "registry",
            "township_code": [town_of[c] for c in codes],
            "township_code_source": "registry",
            "updated_at": now,
        }
    )
    engine = open_database(url)
    try:
        with transaction(engine) as session:
            bulk.insert_frame(session, "enterprise", master)
            batch = 0
            for year in range(2025 - years + 1, 2026):
                for source, template in (("tax", "tax"), ("stats", "stats")):
                    batch += 1
                    _batch(session, bulk, pl, batch, source, template, str(year), codes, rng, now)
            for i, (role, fields) in enumerate(_accounts(towns, codes)):
                create_user(session, username=f"u{i:02d}", role=role, password=PASSWORD, **fields)
    finally:
        engine.dispose()
    by_town: dict[str, list[str]] = {}
    for c, t in town_of.items():
        by_town.setdefault(t, []).append(c)
    return {"codes": codes, "by_town": by_town, "accounts": _accounts(towns, codes)}


def _accounts(towns: list[str], codes: list[str]) -> list[tuple[str, dict[str, str]]]:
    accounts: list[tuple[str, dict[str, str]]] = []
    for i in range(3):
        accounts.append(("leader" if i % 2 else "analyst", {}))
        accounts.append(("town", {"township_code": towns[i % len(towns)]}))
        accounts.append(("enterprise", {"credit_code": codes[i * 37 % len(codes)]}))
    return accounts


def _batch(session, bulk, pl, batch, source, template, period, codes, rng, now) -> None:  # type: ignore[no-untyped-def]
    session.execute(
        __import__("sqlalchemy").text(
            "INSERT INTO import_batch (id, source, template, period, status, supplement, file_name,"
            " file_sha256, file_bytes, header_row, columns, rows_read, rows_accepted, rows_rejected,"
            " rows_skipped, warnings, imported_at) VALUES (:id, :source, :template, :period, 'active', 0,"
            " :file, :sha, 0, 1, '[]', :n, :n, 0, 0, 0, :at)"
        ),
        {
            "id": batch,
            "source": source,
            "template": template,
            "period": period,
            "file": f"{source}-{period}.xlsx",
            "sha": uuid.uuid4().hex * 2,
            "n": len(codes),
            "at": now,
        },
    )
    n = len(codes)
    figures = {"tax_wan": [round(rng.uniform(5, 900), 2) for _ in codes]}
    if source == "stats":
        figures |= {
            "revenue_wan": [round(rng.uniform(500, 90000), 1) for _ in codes],
            "output_wan": [round(rng.uniform(500, 95000), 1) for _ in codes],
            "value_added_wan": [round(rng.uniform(100, 20000), 1) for _ in codes],
            "employees": [float(rng.randint(5, 900)) for _ in codes],
            "energy_tce": [round(rng.uniform(10, 9000), 1) for _ in codes],
        }
    frame = pl.DataFrame(
        {
            "batch_id": [batch] * n,
            "row": list(range(2, n + 2)),
            "period": [period] * n,
            "credit_code": codes,
            **figures,
        }
    )
    bulk.insert_frame(session, "record", frame)


def make_database(kind: str) -> tuple[str, Any]:
    """(url, cleanup)."""
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="ib-load-"))
        return f"sqlite:///{folder / 'load.db'}", lambda: None
    from sqlalchemy import create_engine, text

    base = PG_BASE.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"ib_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.rsplit("/", 1)[0] + "/" + name, drop


def start_server(url: str, gc_log: str = "") -> tuple[subprocess.Popen[bytes], str]:
    from web_fixtures import free_port, serve

    port = free_port()
    env = {"INDUSTRY_BRAIN_LOGIN_MAX_FAILURES": "1000", "INDUSTRY_BRAIN_GC_LOG": gc_log}
    return serve(url, port, env=env), f"http://127.0.0.1:{port}"


def memory_mb(pid: int, field: str = "VmHWM") -> float | None:
    """The server process's resident memory in MB: its peak so far (VmHWM) or now (VmRSS);
    None off Linux."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return None
    kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith(field + ":")), 0)
    return round(kb / 1024, 1)


def gc_pauses(path: str) -> dict[str, Any]:
    """The server's garbage-collection pauses of 5 ms or more logged during the load (setting
    gc_log): how many, their total and the longest, in ms, and the full collections among them."""
    lines = [line.split() for line in Path(path).read_text(encoding="utf-8").splitlines() if line]
    ms = [float(m) for _, m in lines]
    full = [float(m) for g, m in lines if g == "2"]
    return {
        "pauses": len(ms),
        "total_ms": round(sum(ms), 1),
        "max_ms": max(ms, default=0.0),
        "full": len(full),
        "full_total_ms": round(sum(full), 1),
    }


async def _sign_in(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _page_sign_in(client: httpx.AsyncClient, username: str) -> None:
    import re

    form = (await client.get("/login")).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    await client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token[1]})


def _menu(role: str) -> list[str]:
    """Every page the role's menu offers, besides the cockpit and the profile."""
    from industry_brain.web.pages.domain_common import DOMAIN_PAGES
    from industry_brain.web.pages.layout import PAGES

    pages = {**PAGES, **DOMAIN_PAGES}
    return sorted(p for p, (_, roles) in pages.items() if role in roles and p not in ("/cockpit", "/profile"))


def _visible(role: str, fields: dict[str, str], district: dict[str, Any]) -> list[str]:
    if role == "town":
        return list(district["by_town"][fields["township_code"]])
    if role == "enterprise":
        return [fields["credit_code"]]
    return list(district["codes"])


async def _client(
    base: str,
    index: int,
    district: dict[str, Any],
    args: argparse.Namespace,
    samples: dict[str, list[float]],
    errors: dict[str, Any],
    start: asyncio.Event,
    ready: list[int],
) -> None:
    accounts = district["accounts"]
    slot = index % len(accounts)
    role, fields = accounts[slot]
    rng = random.Random(index)
    visible = _visible(role, fields, district)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        headers = await _sign_in(client, f"u{slot:02d}")
        if args.pages:
            await _page_sign_in(client, f"u{slot:02d}")
        ready.append(index)
        await start.wait()
        routes = [("baseline", "/api/v1/health"), ("cockpit", "/api/v1/enterprises?limit=50")]
        menu = _menu(role) if args.all_pages else []
        for turn in range(args.requests):
            plan = [*routes, ("profile", f"/api/v1/enterprises/{rng.choice(visible)}")]
            if args.pages:
                page = "/cockpit" if role in ("leader", "analyst", "town") else "/profile"
                plan += [("page " + page, page), ("page /profile", f"/profile?code={rng.choice(visible)}")]
            if menu:  # one more page of the role's menu each turn, in turn
                other = menu[(turn + index) % len(menu)]
                plan.append(("page " + other, other))
            rng.shuffle(plan)
            for name, url in plan:
                began = time.perf_counter()
                try:
                    response = await client.get(url, headers=headers)
                    failure = (
                        None if response.status_code < 300 else f"{response.status_code} {response.text[:80]}"
                    )
                except httpx.HTTPError as exc:
                    failure = f"{type(exc).__name__}: {exc}"
                samples.setdefault(name, []).append((time.perf_counter() - began) * 1000)
                if failure is not None:
                    errors[name] = errors.get(name, 0) + 1
                    errors.setdefault(f"{name} examples", []).append(f"{url}: {failure}")
                if args.think:
                    await asyncio.sleep(rng.uniform(0, 2 * args.think))


async def load(base: str, district: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    samples: dict[str, list[float]] = {}
    errors: dict[str, Any] = {}
    start = asyncio.Event()
    ready: list[int] = []
    tasks = [
        asyncio.create_task(_client(base, i, district, args, samples, errors, start, ready))
        for i in range(args.clients)
    ]
    # every client signs in first; the clock starts when all are ready
    while len(ready) < args.clients and not any(t.done() for t in tasks):
        await asyncio.sleep(0.2)
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    routes = {k: _stats(v, errors.get(k, 0)) for k, v in samples.items()}
    for k in routes:
        routes[k]["error_examples"] = errors.get(f"{k} examples", [])[:3]
    return {"seconds": round(elapsed, 1), "routes": routes}


def _stats(values: list[float], errors: int) -> dict[str, Any]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {
        "requests": len(values),
        "errors": errors,
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(ordered[-1], 1),
    }


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def wait_until_ready(base: str, limit: float = 600.0) -> float:
    """Seconds until the server's start-up cockpit is computed (/api/v1/health says "ready"):
    the load is measured on a running server, not on one that is still starting."""
    began = time.perf_counter()
    while time.perf_counter() - began < limit:
        if httpx.get(f"{base}/api/v1/health", timeout=10).json().get("cockpit") == "ready":
            break
        time.sleep(0.5)
    return round(time.perf_counter() - began, 1)


def run(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    url, cleanup = make_database(kind)
    try:
        began = time.perf_counter()
        district = build_district(url, args.enterprises, args.years)
        built = time.perf_counter() - began
        if args.trace:
            from trace_web import trace

            return {
                "db": kind,
                "build_seconds": round(built, 1),
                "uptime": [uptime()],
                **trace(url, district, args),
            }
        log = str(Path(tempfile.mkdtemp(prefix="ib-gc-")) / "gc.log") if args.gc_log else ""
        process, base = start_server(url, log)
        try:
            warm = wait_until_ready(base)
            if log:  # the load's pauses, not start-up's
                Path(log).write_text("", encoding="utf-8")
            load_before = uptime()
            start_mb = memory_mb(process.pid, "VmRSS")
            result = asyncio.run(load(base, district, args))
            result["warm_seconds"] = warm
            result["server_start_mb"] = start_mb
            if log:
                result["gc"] = gc_pauses(log)
            result["server_peak_mb"] = memory_mb(process.pid)
            result["server_end_mb"] = memory_mb(process.pid, "VmRSS")
        finally:
            from web_fixtures import stop

            stop(process)
    finally:
        cleanup()
    return {"db": kind, "build_seconds": round(built, 1), "uptime": [load_before, uptime()], **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="requests per client per route")
    parser.add_argument("--enterprises", type=int, default=5000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean seconds a client waits between requests"
    )
    parser.add_argument("--pages", action="store_true", help="also load the NiceGUI pages")
    parser.add_argument(
        "--all-pages",
        action="store_true",
        help="with --pages, also one more page of the role's menu each turn (every page in turn)",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--gc-log",
        action="store_true",
        help="also print the server's garbage-collection pauses during the load",
    )
    parser.add_argument(
        "--trace", type=int, default=0, metavar="N", help="no load: N requests per route in process, traced"
    )
    args = parser.parse_args()
    args.pages = args.pages or args.all_pages
    results = [run(kind, args) for kind in (["sqlite", "postgres"] if args.db == "both" else [args.db])]
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    if args.trace:
        from trace_web import report

        for r in results:
            report(r)
        return
    for r in results:
        print(
            f"\n{r['db']}: {args.enterprises} enterprises × {args.years} years "
            f"(built in {r['build_seconds']} s; server ready after {r['warm_seconds']} s of start-up "
            f"cockpit), {args.clients} clients, think {args.think} s, {r['seconds']} s"
        )
        print("\n".join(f"uptime: {u}" for u in r["uptime"]))
        mb = (r.get("server_peak_mb"), r.get("server_start_mb"), r.get("server_end_mb"))
        print(f"server memory: peak {mb[0]} MB, {mb[1]} MB when the load began, {mb[2]} MB at its end")
        print(f"{'route':<16}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  target")
        for name, s in sorted(r["routes"].items()):
            meets = (
                "baseline"
                if name == "baseline"
                else ("ok" if s["p95_ms"] < TARGET_P95_MS and s["errors"] == 0 else "MISSED")
            )
            cells = f"{s['requests']:>9}{s['errors']:>8}{s['p50_ms']:>9}{s['p95_ms']:>9}{s['max_ms']:>9}"
            print(f"{name:<16}{cells}  {meets}")
            for example in s["error_examples"]:
                print(f"    error: {example}")
        if "gc" in r:
            g = r["gc"]
            print(
                f"garbage collection: {g['pauses']} pauses of 5 ms or more, {g['total_ms']} ms in all, "
                f"longest {g['max_ms']} ms; {g['full']} full collections, {g['full_total_ms']} ms"
            )


if __name__ == "__main__":
    main()
