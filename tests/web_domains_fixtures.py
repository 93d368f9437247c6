"""A small district for the chain, tier/pool, project and plan routes and pages, served over
real HTTP on SQLite and PostgreSQL, with one account per role.

The enterprises are those of tests/chains_fixtures.py (chain fenghua-pneumatics, 2024 against
2023) with revenues added, so that tiers and pools have hand-workable answers; the projects
are seed 004's 73 (two of them located in 锦屏街道, the town account's township).

Hand-worked (revenue in 万元, 规上 = revenue ≥ 2000 since no 是否规上 flag is imported):

| code | township | revenue 2023 | revenue 2024 | 2024 规上 | 小升规 candidate (规下, ≥1000, +20%) |
|---|---|---|---|---|---|
| 1 | 溪口镇 | 5000 | 6000 | yes | no |
| 2 | 溪口镇 | 3000 | 3000 | yes | no |
| 3 | 锦屏街道 | 900 | 1200 | no | yes (+33%) |
| 4 | 锦屏街道 | 1600 | 2000 | yes | no |
| 5 | 溪口镇 | 1000 | 1500 | no | yes (+50%) |
| 6 | 锦屏街道 | 9000 | 9999 | yes | no |
| 7 | 溪口镇 | — | 800 | no | no (no growth) |
| 8 | 锦屏街道 | — | 100 | no | no |

So 2024 规上: 4 in the district, 2 in 锦屏街道 (4, 6), 1 for enterprise 1 itself.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from chains_fixtures import JINPING, ROWS, TOWN_NAMES, XIKOU, YEAR, registry_rows
from helpers import code, run_import, write_xlsx
from industry_brain.core.auth import create_user
from industry_brain.core.db import transaction
from industry_brain.core.settings import get_settings
from industry_brain.registry import open_database
from web_fixtures import SignedInClients, serve

PASSWORD = "correct-horse-9"
UNIT = "区科技局"  # a responsible unit of the 鄞州 plans
DEPT_PLAN = "yinzhou-mic2025"
CHAIN = "fenghua-pneumatics"
REVENUE = {
    YEAR - 1: {1: 5000, 2: 3000, 3: 900, 4: 1600, 5: 1000, 6: 9000},
    YEAR: {1: 6000, 2: 3000, 3: 1200, 4: 2000, 5: 1500, 6: 9999, 7: 800, 8: 100},
}
ACCOUNTS: dict[str, tuple[str, dict[str, str]]] = {
    "admin": ("admin", {}),
    "analyst": ("analyst", {}),
    "leader": ("leader", {}),
    "department": ("department", {"unit": UNIT}),
    "town": ("town", {"township_code": JINPING}),
    "enterprise": ("enterprise", {"credit_code": code(1)}),
}
TOWN_OF = {code(n): town for n, _, _, town, _, _ in ROWS}
NAME_OF = {code(n): name for n, name, _, _, _, _ in ROWS}
ALL = set(TOWN_OF)


def visible(username: str) -> set[str]:
    """The credit codes an account may see, restated from the scope rules."""
    role, fields = ACCOUNTS[username]
    if role in ("admin", "analyst", "leader"):
        return ALL
    if role == "town":
        return {c for c, t in TOWN_OF.items() if t == fields["township_code"]}
    if role == "enterprise":
        return {fields["credit_code"]}
    return set()


# The server: create_app plus this part's routers and pages until create_app includes them.


def _stats(year: int) -> list[list[object]]:
    head = ["统一社会信用代码", "企业名称", "行业代码", "工业总产值（万元）", "营业收入（万元）"]
    body = []
    for n, name, cls, _, now, before in ROWS:
        output = now if year == YEAR else before
        if output is not None or n in REVENUE[year]:
            body.append([code(n), name, cls, output, REVENUE[year].get(n)])
    return [head, *body]


def seed(db_url: str, tmp: Path) -> None:
    from industry_brain.projects.seed import load_seed_projects

    settings = get_settings(environ={}, database_url=db_url)
    engine = open_database(db_url)
    try:
        run_import(engine, settings, write_xlsx(tmp / "registry.xlsx", registry_rows()), "registry")
        for year in (YEAR - 1, YEAR):
            path = write_xlsx(tmp / f"stats-{year}.xlsx", _stats(year))
            run_import(engine, settings, path, "stats", str(year))
        with transaction(engine) as session:
            for username, (role, fields) in ACCOUNTS.items():
                create_user(session, username=username, role=role, password=PASSWORD, **fields)
            load_seed_projects(session)
    finally:
        engine.dispose()


@dataclass
class Server(SignedInClients):
    base: str
    db_url: str
    tokens: dict[str, str] = field(default_factory=dict)
    client_timeout = 120  # the domain routes compute chains and rankings on request


def start(db_url: str, port: int) -> subprocess.Popen[bytes]:
    """The platform as a user starts it, `industry-brain serve`, on `port`."""
    return serve(db_url, port)


__all__ = ["JINPING", "TOWN_NAMES", "XIKOU", "YEAR"]
