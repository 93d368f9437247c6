"""What the chain, tier/pool, project and plan routes of the JSON API share: who may call which
route, ids checked before any work (404 for an unknown id, as for one outside the scope), and
the service errors that mean "not for your role" turned into 403.

The routers themselves are in api_chains, api_cultivation, api_projects and api_plans;
`ROUTERS` lists them for web.app.create_app. Every route calls the same service function as
the CLI command and the page of the same data, with the caller's scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import HTTPException
from sqlalchemy.orm import Session

from industry_brain.core.auth import NotFound
from industry_brain.core.scope import Scope

FORBIDDEN = "无权访问 (forbidden for this role)"
# A credit code's characters (GB 32100), and free text without NUL (PostgreSQL refuses it).
CREDIT_CODE = r"^[0-9A-Z]{18}$"
TEXT = r"^[^\x00]*$"
# Roles that may read enterprise-level figures (a town its township's, an enterprise its own).
ENTERPRISE_READERS = frozenset({"admin", "analyst", "leader", "town", "enterprise"})
# Roles that may change chain membership, pool membership.
EDITORS = frozenset({"admin", "analyst"})


def allow(scope: Scope, roles: frozenset[str]) -> None:
    if scope.role not in roles:
        raise HTTPException(status_code=403, detail=FORBIDDEN)


@contextmanager
def refusals() -> Iterator[None]:
    """A service's "not for this role" as 403 (plans.service.PlanForbidden is a plain
    IndustryBrainError, which the app would answer with 400)."""
    from industry_brain.plans.service import PlanForbidden

    try:
        yield
    except PlanForbidden as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None


def data_year(session: Session, year: int | None) -> int:
    """`year`, or the newest year with imported data (400 when nothing has been imported)."""
    from industry_brain.clusters.chain_service import latest_year

    return year if year is not None else latest_year(session)


def known_chain(chain_id: str) -> str:
    from industry_brain.clusters.chain_service import list_chains

    if chain_id not in {c["id"] for c in list_chains()}:
        raise NotFound()
    return chain_id


def known_pool(pool_id: str) -> str:
    from industry_brain.cultivation.rules import pools

    for p in pools():
        if pool_id in (p.id, p.name):
            return p.id
    raise NotFound()


def known_plan(plan_id: str, session: Session | None = None) -> str:
    """`plan_id` if the plan catalogue has it (with a session; else the shipped packs), or 404."""
    from industry_brain.plans.service import list_plans

    if plan_id not in {p["id"] for p in list_plans(session)}:
        raise NotFound()
    return plan_id


def plan_title(plan_id: str, session: Session | None = None) -> str:
    """A plan's title, for a file name (the id if it has none)."""
    from industry_brain.plans.service import list_plans

    return next((p["title"] for p in list_plans(session) if p["id"] == plan_id), plan_id)


def chain_name(chain_id: str) -> str:
    from industry_brain.clusters.chain_service import list_chains

    return next((c["name"] for c in list_chains() if c["id"] == chain_id), chain_id)


def routers() -> list[Any]:
    """Every router of this part of the API, for app.include_router."""
    from industry_brain.web import (
        api_chains,
        api_commitments,
        api_cultivation,
        api_monitoring_alerts,
        api_plans,
        api_policies,
        api_policy_notices,
        api_projects,
    )

    return [
        api_chains.router,
        api_cultivation.router,
        api_projects.router,
        api_plans.router,
        api_policies.router,
        api_policy_notices.router,
        api_monitoring_alerts.router,
        api_commitments.router,
    ]
