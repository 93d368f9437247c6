"""Reading enterprises within a scope: the list, one master record, its figures by year.

Pages, the JSON API and the CLI call these, so every renderer applies the same scope. An
enterprise outside the caller's scope raises the same NotFound as one that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from industry_brain.core.auth import NotFound
from industry_brain.core.scope import Scope
from industry_brain.core.text import normalise_code
from industry_brain.enterprises.models import Enterprise
from industry_brain.ingest.facts import FIGURES, EnterpriseFigures, resolve_enterprise
from industry_brain.reference.divisions import known_township_name as township_name

CODE = re.compile(r"^[0-9A-Z]{18}$")
MAX_LIMIT = 500


def _row(e: Any) -> dict[str, Any]:
    return {
        "credit_code": e.credit_code,
        "name": e.name,
        "industry_code": e.industry_code,
        "township_code": e.township_code,
        "township": township_name(e.township_code),
    }


def _visible(scope: Scope) -> Any:
    return scope.enterprise_clause(Enterprise.credit_code, Enterprise.township_code)


def _search(q: str | None) -> Any:
    q = (q or "").replace("\x00", "").strip()
    if not q:
        return None
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        Enterprise.name.like(pattern, escape="\\"),
        Enterprise.credit_code.startswith(q.upper(), autoescape=True),
    )


def list_enterprises(
    session: Session, *, scope: Scope, q: str | None = None, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """{"total", "limit", "offset", "items"}: the enterprises in scope whose name contains `q`
    or whose credit code starts with it, by credit code."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    where = [_visible(scope)]
    if (match := _search(q)) is not None:
        where.append(match)
    cols = (Enterprise.credit_code, Enterprise.name, Enterprise.industry_code, Enterprise.township_code)
    count = select(func.count()).select_from(Enterprise).where(and_(*where))
    # The count rides along the page as an uncorrelated subquery (computed once): one round
    # trip, not two. Only a page past the end, which has no row to carry it, counts again.
    page = select(*cols, count.scalar_subquery().label("total")).where(and_(*where))
    rows = session.execute(page.order_by(Enterprise.credit_code).limit(limit).offset(offset)).all()
    total = rows[0].total if rows else (session.scalar(count) if offset else 0)
    return {"total": int(total or 0), "limit": limit, "offset": offset, "items": [_row(r) for r in rows]}


def visible_enterprise(session: Session, *, scope: Scope, credit_code: str) -> Enterprise | None:
    """The enterprise with the code as typed (normalised: spaces, hyphens, case, full width),
    or None when it does not exist or lies outside `scope`."""
    code = normalise_code(credit_code)
    return session.scalar(select(Enterprise).where(Enterprise.credit_code == code, _visible(scope)))


def enterprise_figures(
    session: Session, *, scope: Scope, credit_code: str, years: Iterable[int] | None = None
) -> tuple[Enterprise, EnterpriseFigures] | None:
    """The enterprise and its figures resolved by year (ingest.facts.resolve_enterprise), or
    None outside `scope`: what the profile page and the API's enterprise detail both show,
    read by this one function so they cannot disagree."""
    ent = visible_enterprise(session, scope=scope, credit_code=credit_code)
    if ent is None:
        return None
    return ent, resolve_enterprise(session, credit_code=ent.credit_code, years=years)


def get_enterprise(session: Session, *, scope: Scope, credit_code: str) -> dict[str, Any]:
    """The master record with the source of each attribute; NotFound outside the scope."""
    if not CODE.fullmatch(credit_code or ""):
        raise NotFound()
    e = visible_enterprise(session, scope=scope, credit_code=credit_code)
    if e is None:
        raise NotFound()
    return _master(e)


def _master(e: Enterprise) -> dict[str, Any]:
    return {
        **_row(e),
        "zone": e.zone,
        "established": e.established.isoformat() if e.established else None,
        "sources": {
            "name": e.name_source,
            "industry_code": e.industry_code_source,
            "township_code": e.township_code_source,
            "zone": e.zone_source,
            "established": e.established_source,
        },
    }


def figures_of(session: Session, *, scope: Scope, credit_code: str) -> list[dict[str, Any]]:
    """The enterprise's figures by year, newest first, each figure with the source chosen by
    the stated precedence (as in ingest.facts.resolve_year) and the files it came from."""
    return profile_of(session, scope=scope, credit_code=credit_code)["years"]


def profile_of(session: Session, *, scope: Scope, credit_code: str) -> dict[str, Any]:
    """The master record (as get_enterprise) with its `years` (figures by year); NotFound
    outside the scope. The JSON of GET /api/v1/enterprises/{credit_code}."""
    found = None
    if CODE.fullmatch(credit_code or ""):  # the API takes the canonical form only
        found = enterprise_figures(session, scope=scope, credit_code=credit_code)
    if found is None:
        raise NotFound()
    ent, resolved = found
    return {**_master(ent), "years": years_json(resolved)}


def years_json(resolved: EnterpriseFigures) -> list[dict[str, Any]]:
    """Each year with records, newest first: {"year", "figures": {field: {"value", "source"}}
    in FIGURES order, "sources": {source: {"files", "batch_ids"}} by source}."""
    picked: dict[int, dict[str, Any]] = {}
    for r in resolved.chosen.iter_rows(named=True):
        picked.setdefault(r["year"], {})[r["field"]] = {"value": r["value"], "source": r["source"]}
    sources: dict[int, dict[str, Any]] = {}
    for r in resolved.files.iter_rows(named=True):
        sources.setdefault(r["year"], {})[r["source"]] = {"files": r["files"], "batch_ids": r["batch_ids"]}
    return [
        {
            "year": year,
            "figures": {f: picked[year][f] for f in FIGURES if f in picked.get(year, {})},
            "sources": dict(sorted(sources[year].items())),
        }
        for year in resolved.years()
    ]
