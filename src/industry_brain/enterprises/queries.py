"""Reading enterprises within a scope: the list, one master record, its figures by year.

Pages, the JSON API and the CLI call these, so every renderer applies the same scope. An
enterprise outside the caller's scope raises the same NotFound as one that does not exist.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from industry_brain.core.auth import NotFound
from industry_brain.core.scope import Scope
from industry_brain.enterprises.models import Enterprise

CODE = re.compile(r"^[0-9A-Z]{18}$")
MAX_LIMIT = 500


def township_name(code: str | None) -> str | None:
    if code is None:
        return None
    from industry_brain.reference.divisions import divisions

    division = divisions().get(code)
    return division.name if division else None


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
    total = session.scalar(select(func.count()).select_from(Enterprise).where(and_(*where))) or 0
    rows = session.execute(
        select(*cols).where(and_(*where)).order_by(Enterprise.credit_code).limit(limit).offset(offset)
    ).all()
    return {"total": int(total), "limit": limit, "offset": offset, "items": [_row(r) for r in rows]}


def get_enterprise(session: Session, *, scope: Scope, credit_code: str) -> dict[str, Any]:
    """The master record with the source of each attribute; NotFound outside the scope."""
    if not CODE.fullmatch(credit_code or ""):
        raise NotFound()
    e = session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code, _visible(scope)))
    if e is None:
        raise NotFound()
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


def _accounts(session: Session, credit_code: str, named: list[str]) -> list[str]:
    """Of the power accounts (户号) `named` beside the enterprise's code, those whose newest
    active mapping names the enterprise."""
    from industry_brain.ingest.models import ImportBatch, Record

    if not named:
        return []
    maps = session.execute(
        select(Record.account_no, Record.credit_code, Record.batch_id)
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(
            ImportBatch.status == "active",
            ImportBatch.template == "power_accounts",
            Record.account_no.in_(named),
        )
    ).all()
    newest: dict[str, tuple[int, str | None]] = {}
    for account, code, batch in maps:
        if account is None:
            continue
        if account not in newest or batch >= newest[account][0]:
            newest[account] = (batch, code)
    return [a for a, (_, code) in newest.items() if code == credit_code]


def _records(session: Session, credit_code: str) -> pl.DataFrame:
    """The enterprise's records from active periodic batches, power readings mapped through
    the account map as resolve_year maps them (the newest mapping of an account decides).
    One indexed query by credit code (its account-map rows name its power accounts), and a
    second only for readings filed under those accounts; not one query with OR, which SQLite
    answers with a full scan."""
    from industry_brain.ingest.facts import _PERIODIC, FIGURES
    from industry_brain.ingest.models import ImportBatch, Record

    cols = ["batch_id", "account_no", "parcel_id", "period", *FIGURES]
    base = (
        select(
            ImportBatch.template,
            ImportBatch.source,
            ImportBatch.file_name,
            *[getattr(Record, c) for c in cols],
        )
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(ImportBatch.status == "active", ImportBatch.source.in_([*_PERIODIC, "power"]))
    )
    found = session.execute(base.where(Record.credit_code == credit_code)).all()
    named = sorted({r.account_no for r in found if r.template == "power_accounts" and r.account_no})
    rows = [r[1:] for r in found if r.template != "power_accounts" and r.source in _PERIODIC]
    if accounts := _accounts(session, credit_code, named):
        unmapped = base.where(
            Record.credit_code.is_(None),
            Record.account_no.in_(accounts),
            ImportBatch.template != "power_accounts",
        )
        rows += [r[1:] for r in session.execute(unmapped).all()]
    schema = {
        "source": pl.String,
        "file": pl.String,
        "batch_id": pl.Int64,
        "account_no": pl.String,
        "parcel_id": pl.String,
        "period": pl.String,
        **{f: pl.Float64 for f in FIGURES},
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def figures_of(session: Session, *, scope: Scope, credit_code: str) -> list[dict[str, Any]]:
    """The enterprise's figures by year, newest first, each figure with the source chosen by
    the stated precedence (as in ingest.facts.resolve_year) and the files it came from."""
    get_enterprise(session, scope=scope, credit_code=credit_code)  # NotFound outside the scope
    return _figures(session, credit_code)


def profile_of(session: Session, *, scope: Scope, credit_code: str) -> dict[str, Any]:
    """The master record (get_enterprise) with its `years` (figures_of), scope checked once."""
    record = get_enterprise(session, scope=scope, credit_code=credit_code)
    return {**record, "years": _figures(session, credit_code)}


def _figures(session: Session, credit_code: str) -> list[dict[str, Any]]:
    from industry_brain.ingest.corrections import CORRECTION_SOURCE
    from industry_brain.ingest.facts import FIGURES, _corrections, _long, _per_source

    records = _records(session, credit_code)
    if records.is_empty():
        return []
    # One pass over every year: the year stands in for the credit code, so the per-source and
    # precedence rules of resolve_year group by year exactly as they group by enterprise there.
    frame = records.with_columns(pl.col("period").str.slice(0, 4).alias("credit_code"))
    departments = frame.filter(pl.col("source") != CORRECTION_SOURCE).drop("file")
    long = _long(_per_source(departments), _corrections(frame.drop("file")))
    chosen = long.sort("rank", "source").unique(["credit_code", "field"], keep="first")
    picked: dict[str, dict[str, Any]] = {}
    for r in chosen.iter_rows(named=True):
        picked.setdefault(r["credit_code"], {})[r["field"]] = {"value": r["value"], "source": r["source"]}
    files = frame.group_by("credit_code", "source").agg(
        pl.col("file").unique().sort(), pl.col("batch_id").unique().sort()
    )
    sources: dict[str, dict[str, Any]] = {}
    for r in files.sort("source").iter_rows(named=True):
        sources.setdefault(r["credit_code"], {})[r["source"]] = {
            "files": r["file"],
            "batch_ids": r["batch_id"],
        }
    years = [
        {
            "year": int(year),
            "figures": {f: picked.get(year, {})[f] for f in FIGURES if f in picked.get(year, {})},
            "sources": sources[year],
        }
        for year in sorted(sources, reverse=True)
    ]
    return years
