"""What the pages, the API and the CLI show of cases: the list, one case with its deadlines and
history, and the reminders and 督办 due — all within the caller's scope, all computed at `as_of`
(a case waiting on the enterprise has its clocks paused up to that day)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.enterprises.models import Enterprise
from industry_brain.requests import clock
from industry_brain.requests.models import EnterpriseRequest, RequestAttachment, RequestEvent
from industry_brain.requests.schemas import ACTION_NAMES, CLOCK_LABELS, ROLE_NAMES
from industry_brain.requests.service import (
    calendar_for,
    co_replied,
    co_units_of,
    get_case,
    rules_for,
    visible_clause,
)


def _status(
    case: EnterpriseRequest, settings: Settings, as_of: dt.date, replied: set[str]
) -> tuple[clock.Deadlines, list[str], list[dict[str, Any]]]:
    rules, cal = rules_for(settings), calendar_for(settings)
    category = rules.classification.categories[case.category]
    d = clock.deadlines(case, category, cal, as_of=as_of)
    co_open = bool(case.assigned_on) and bool(set(co_units_of(case)) - replied)
    running = clock.running_clocks(case, rules.machine.closed(case.state), co_open)
    late = [c for c in running if (due := getattr(d, c)) is not None and as_of > due]
    return d, late, clock.ladder(case, d, running, rules.routing, cal, as_of)


def _row(case: EnterpriseRequest, d: clock.Deadlines, late: list[str], settings: Settings) -> dict[str, Any]:
    category = rules_for(settings).classification.categories[case.category]
    return {
        "request_id": case.id,
        "credit_code": case.credit_code,
        "category": case.category,
        "category_name": category.name,
        "priority": case.priority,
        "state": case.state,
        "lead_unit": case.lead_unit,
        "co_units": co_units_of(case),
        "township_code": case.township_code,
        "opened_at": clock.to_beijing(case.opened_at).isoformat(timespec="minutes"),
        "due": d.close.isoformat(),
        "overdue": bool(late),
        "overdue_clocks": late,
    }


def list_requests(
    session: Session,
    *,
    scope: Scope,
    settings: Settings,
    state: str | None = None,
    unit: str | None = None,
    overdue: bool = False,
    as_of: dt.date | None = None,
) -> list[dict[str, Any]]:
    """The cases in scope, newest first; `unit` matches the lead unit or a co-unit."""
    day = as_of or clock.today()
    query = select(EnterpriseRequest).where(visible_clause(scope))
    if state:
        query = query.where(EnterpriseRequest.state == state)
    if unit:
        query = query.where(
            (EnterpriseRequest.lead_unit == unit) | EnterpriseRequest.co_units.contains(f"、{unit}、")
        )
    cases = list(
        session.scalars(query.order_by(EnterpriseRequest.opened_at.desc(), EnterpriseRequest.id.desc()))
    )
    replied = co_replied(session, [c.id for c in cases]) if cases else {}
    rows = []
    for case in cases:
        d, late, _ = _status(case, settings, day, replied.get(case.id, set()))
        if overdue and not late:
            continue
        rows.append(_row(case, d, late, settings))
    return rows


# Steps between the units that the enterprise is not shown: a dispute over who answers, the
# co-units' opinions, an extension asked or refused and a reassignment (it sees the deadline
# that results). Nor the officials' user names: it sees who by unit and role.
INTERNAL = frozenset({"dispute", "co_reply", "extend", "reject_extension", "reassign"})


def _events(session: Session, case_id: int, *, internal: bool = True) -> list[dict[str, Any]]:
    """The case's history; without `internal`, as the enterprise is shown it."""
    files: dict[int | None, list[dict[str, Any]]] = {}
    for a in session.scalars(select(RequestAttachment).where(RequestAttachment.request_id == case_id)):
        files.setdefault(a.event_id, []).append({"id": a.id, "file_name": a.file_name, "size": a.size})
    events = session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == case_id).order_by(RequestEvent.seq)
    )
    shown = [e for e in events if internal or e.action not in INTERNAL]
    return [
        {
            "seq": e.seq,
            "at": clock.to_beijing(e.at).isoformat(timespec="minutes"),
            "actor": e.actor
            if internal or e.role == "enterprise"
            else (e.unit or ROLE_NAMES.get(e.role, e.role)),
            "role": e.role,
            "role_name": ROLE_NAMES.get(e.role, e.role),
            "unit": e.unit,
            "action": e.action,
            "action_name": ACTION_NAMES.get(e.action, e.action),
            "from_state": e.from_state,
            "to_state": e.to_state,
            "text": e.text,
            "detail": json.loads(e.detail or "{}"),
            "attachments": files.get(e.id, []),
        }
        for e in shown
    ]


def show_request(
    session: Session, *, scope: Scope, settings: Settings, request_id: int, as_of: dt.date | None = None
) -> dict[str, Any]:
    """One case: its fields, every deadline with its state, the reminders due, the history."""
    day = as_of or clock.today()
    case = get_case(session, scope=scope, request_id=request_id)
    replied = co_replied(session, [case.id])[case.id]
    d, late, alerts = _status(case, settings, day, replied)
    firm = session.get(Enterprise, case.credit_code)
    rules = rules_for(settings)
    out = _row(case, d, late, settings) | {
        "enterprise_name": firm.name if firm else None,
        "text": case.text,
        "channel": case.channel,
        "chain_id": case.chain_id,
        "deadlines": [
            {"clock": k, "label": CLOCK_LABELS[k], "due": v, "late": k in late}
            for k, v in d.as_dict().items()
            if v
        ],
        "paused": case.paused_since is not None,
        "paused_days": clock.paused_now(case, calendar_for(settings), day),
        "extension_days": case.extension_days,
        "extension_pending": case.extension_pending,
        "co_units_replied": sorted(replied),
        "rating": case.rating,
        "redo_count": case.redo_count,
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "close_reason": case.close_reason,
        "duplicate_of": case.duplicate_of,
        "alerts": [a | {"clock_name": CLOCK_LABELS[a["clock"]]} for a in alerts],
        "actions": _next_actions(rules, case.state, scope),
        "history": _events(session, case.id, internal=scope.role != "enterprise"),
        "as_of": day.isoformat(),
    }
    return out


def _next_actions(rules: Any, state: str, scope: Scope) -> list[dict[str, Any]]:
    role = "admin" if scope.role == "system" else scope.role
    return [
        {"action": t.action, "name": ACTION_NAMES.get(t.action, t.action), "needs": list(t.needs)}
        for t in rules.machine.transitions
        if state in t.sources and role in t.roles
    ]


def reminders(
    session: Session, *, scope: Scope, settings: Settings, as_of: dt.date | None = None
) -> list[dict[str, Any]]:
    """Every reminder and 督办 due at `as_of` over the open cases in scope, the most late first."""
    day = as_of or clock.today()
    rules = rules_for(settings)
    closed = [s for s in rules.machine.states if rules.machine.closed(s)]
    cases = list(
        session.scalars(
            select(EnterpriseRequest).where(visible_clause(scope), EnterpriseRequest.state.not_in(closed))
        )
    )
    replied = co_replied(session, [c.id for c in cases]) if cases else {}
    found = []
    for case in cases:
        _, _, alerts = _status(case, settings, day, replied.get(case.id, set()))
        for a in alerts:
            unit = (
                "、".join(sorted(set(co_units_of(case)) - replied.get(case.id, set())))
                if a["clock"] == "co_unit"
                else case.lead_unit
            )
            found.append(
                a
                | {
                    "request_id": case.id,
                    "credit_code": case.credit_code,
                    "state": case.state,
                    "unit": unit,
                    "clock_name": CLOCK_LABELS[a["clock"]],
                }
            )
    return sorted(found, key=lambda a: (-a["late_workdays"], a["due"], a["request_id"]))
