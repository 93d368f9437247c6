"""What one API request costs the database: `bench/load_web.py --trace N` (see its docstring).

The routes of the load benchmark are called in this process, one request at a time, through
the same functions uvicorn calls (web.api), with SQLAlchemy's cursor, transaction and pool
events counting every statement, commit and checkout, and the pool's liveness ping timed.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections import Counter
from typing import Any


class Tracer:
    """Counts and times what reaches the database, for the request being traced."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.reset()
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine.pool, "checkout", lambda *_: self._count("checkout"))
        engine.dispose()  # connections opened from now on are seen (and traced) from the start
        for name in ("do_commit", "do_rollback"):  # the driver's own commit, timed
            setattr(engine.dialect, name, self._timed(name[3:].upper(), getattr(engine.dialect, name)))
        ping = engine.dialect.do_ping

        if engine.pool._pre_ping:  # the pool pings each connection it hands out
            engine.dialect.do_ping = self._timed("ping", ping)
        self.connections: list[Any] = []
        if engine.dialect.name == "postgresql":  # libpq's own trace counts every round trip
            event.listen(engine.pool, "connect", lambda dbapi, _rec: self.connections.append(dbapi))
        self._wire = tempfile.NamedTemporaryFile("w+", suffix=".pqtrace")  # noqa: SIM115

    def start_wire(self) -> None:
        """Trace what libpq sends from now on (PostgreSQL only)."""
        self._wire.seek(0)
        self._wire.truncate()
        for conn in self.connections:
            conn.pgconn.trace(os.dup(self._wire.fileno()))

    def wire_round_trips(self) -> int | None:
        """Round trips since start_wire: each simple Query, and each extended-protocol batch
        (Parse/Bind/Execute ...) that ends with Sync, waits for the server's answer."""
        if not self.connections:
            return None
        for conn in self.connections:
            conn.pgconn.untrace()  # flushes
        self._wire.seek(0)
        trips = 0
        for line in self._wire:
            parts = line.rstrip("\n").split("\t")
            if "F" in parts[:2] and any(p in ("Query", "Sync") for p in parts[1:4]):
                trips += 1
        return trips

    def _timed(self, kind: str, call: Any) -> Any:
        def timed(dbapi_connection: Any) -> Any:
            began = time.perf_counter()
            try:
                return call(dbapi_connection)
            finally:
                self._count(kind, time.perf_counter() - began)

        return timed

    def reset(self) -> None:
        self.counts: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        self.statements: Counter[str] = Counter()
        self._started = 0.0

    def _count(self, kind: str, seconds: float = 0.0) -> None:
        self.counts[kind] += 1
        self.seconds[kind] += seconds

    def _before(self, *_args: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        kind = statement.lstrip().split(None, 1)[0].upper()
        self._count(kind, time.perf_counter() - self._started)
        self.statements[" ".join(statement.split())[:110]] += 1


def trace(url: str, district: dict[str, Any], args: Any) -> dict[str, Any]:
    """{"routes": {route: costs per request}, "statements": {route: the commonest statements}}."""
    from starlette.requests import Request

    from industry_brain.core.auth import get_user, start_session
    from industry_brain.core.db import transaction
    from industry_brain.core.settings import get_settings
    from industry_brain.registry import open_database
    from industry_brain.web import api
    from industry_brain.web.security import configure

    settings = get_settings(database_url=url)
    engine = open_database(url)
    configure(engine, settings)
    tracer = Tracer(engine)
    tokens = []
    with transaction(engine) as session:
        for i, (role, fields) in enumerate(district["accounts"]):
            user = get_user(session, f"u{i:02d}")
            token = start_session(session, user=user, kind="access", settings=settings, address="127.0.0.1")
            tokens.append((token, role, fields))
    request = Request(
        {"type": "http", "client": ("127.0.0.1", 1), "headers": [], "method": "GET", "path": "/"}
    )
    rng = random.Random(7)
    from load_web import _visible

    calls = {
        "cockpit": lambda tok, _codes: api.enterprises(token=tok, q=None, limit=50, offset=0),
        "profile": lambda tok, codes: api.enterprise(rng.choice(codes), request, token=tok),
    }
    routes: dict[str, Any] = {}
    statements: dict[str, list[tuple[int, str]]] = {}
    try:
        for name, call in calls.items():
            walls: list[float] = []
            totals: Counter[str] = Counter()
            seconds: Counter[str] = Counter()
            for i in range(args.trace):
                token, role, fields = tokens[i % len(tokens)]
                codes = _visible(role, fields, district)
                if i == 1:  # the first request of a route warms caches and imports: not counted
                    tracer.reset()
                    tracer.start_wire()
                    walls.clear()
                began = time.perf_counter()
                call(token, codes)
                walls.append((time.perf_counter() - began) * 1000)
            totals.update(tracer.counts)
            seconds.update(tracer.seconds)
            n = len(walls)
            trips = tracer.wire_round_trips()
            if trips is not None:
                totals["round trips"] = trips
            routes[name] = {
                "requests": n,
                "wall_p50_ms": round(statistics.median(walls), 2),
                "per_request": {k: round(v / n, 2) for k, v in sorted(totals.items())},
                "db_ms_per_request": round(1000 * sum(seconds.values()) / n, 2),
                "ms_by_kind": {k: round(1000 * v / n, 2) for k, v in sorted(seconds.items()) if v},
            }
            statements[name] = [(c, s) for s, c in tracer.statements.most_common(8)]
            tracer.reset()
    finally:
        engine.dispose()
    return {"routes": routes, "statements": statements}


def report(result: dict[str, Any]) -> None:
    print(f"\n{result['db']}: traced in process, one request at a time")
    print("\n".join(f"uptime: {u}" for u in result["uptime"]))
    for name, r in result["routes"].items():
        print(
            f"{name}: {r['requests']} requests, wall p50 {r['wall_p50_ms']} ms, "
            f"database {r['db_ms_per_request']} ms per request"
        )
        print("  per request: " + ", ".join(f"{k} {v}" for k, v in r["per_request"].items()))
        print("  ms by kind:  " + ", ".join(f"{k} {v}" for k, v in r["ms_by_kind"].items()))
        for count, statement in result["statements"][name]:
            print(f"  {count:>6} × {statement}")
