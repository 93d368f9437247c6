"""The audit log: every read of confidential figures and every change, with who, when, what
and from where. Entries are written in the caller's transaction, so work that is rolled back
leaves no entry claiming it happened (and work that is committed always has its entry)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.auth_models import AuditEntry
from industry_brain.core.scope import Scope


def now() -> dt.datetime:
    """Naive UTC, as every timestamp of the database is stored."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def audit(
    session: Session,
    *,
    scope: Scope,
    action: str,
    target: str | None = None,
    detail: str | dict[str, Any] | None = None,
    address: str | None = None,
) -> AuditEntry:
    """Record that `scope`'s user did `action` to `target` (a credit code, a route, a user...)."""
    if isinstance(detail, dict):
        detail = json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True)
    entry = AuditEntry(
        at=now(),
        username=scope.username,
        role=scope.role,
        action=action,
        target=None if target is None else target[:300],
        detail=detail,
        address=None if address is None else address[:64],
    )
    session.add(entry)
    session.flush()
    return entry


def search_audit(
    session: Session,
    *,
    username: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Entries newest first; `action` matches a prefix ("enterprise." finds every enterprise action)."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if username:
        stmt = stmt.where(AuditEntry.username == username)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    if target:
        stmt = stmt.where(AuditEntry.target == target)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    entries = session.scalars(stmt.limit(limit).offset(offset))
    return [
        {
            "id": e.id,
            "at": e.at.isoformat(timespec="seconds"),
            "username": e.username,
            "role": e.role,
            "action": e.action,
            "target": e.target,
            "detail": e.detail,
            "address": e.address,
        }
        for e in entries
    ]
