"""What the pages, the API and the CLI show of cases: the list, one case with its deadlines and
history, and the reminders and 督办 due — all within the caller's scope, all computed at `as_of`
(a case waiting on the enterprise has its clocks paused up to that day)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Date, and_, func, literal, or_, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session, aliased

from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.enterprises.models import Enterprise
from industry_brain.requests import clock
from industry_brain.requests.common import common_of
from industry_brain.requests.models import EnterpriseRequest, RequestAttachment, RequestEvent
from industry_brain.requests.schemas import ACTION_NAMES, CLOCK_LABELS, ROLE_NAMES
from industry_brain.requests.service import (
    SEP,
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
    credit_code: str | None = None,
) -> list[dict[str, Any]]:
    """The cases in scope, newest first; `unit` matches the lead unit or a co-unit,
    `credit_code` narrows to one enterprise's (its profile's 涉企问题)."""
    day = as_of or clock.today()
    query = select(EnterpriseRequest).where(visible_clause(scope))
    if credit_code:
        query = query.where(EnterpriseRequest.credit_code == credit_code.strip().upper())
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


def _co_unit_open() -> Any:
    """SQL: some co-unit of the case has not given its opinion since the last 重办 (co_replied)."""
    r, e, redo = EnterpriseRequest, RequestEvent, aliased(RequestEvent)
    last_redo = (
        select(func.coalesce(func.max(redo.seq), 0))
        .where(redo.request_id == r.id, redo.action == "redo")
        .scalar_subquery()
    )
    replied = (
        select(func.count(func.distinct(e.unit)))
        .where(
            e.request_id == r.id,
            e.action == "co_reply",
            e.seq > last_redo,
            r.co_units.contains(literal(SEP) + e.unit + literal(SEP)),
        )
        .scalar_subquery()
    )
    # "、A、B、" names len - len(without 、) - 1 units
    named = func.length(r.co_units) - func.length(func.replace(r.co_units, SEP, "")) - 1
    return replied < named


def case_counts(
    session: Session, *, scope: Scope, settings: Settings, as_of: dt.date | None = None
) -> dict[str, Any]:
    """{"open", "overdue", "as_of"}: the cases in scope not closed, and those of them with a
    running clock past its deadline at `as_of` — the cases `list_requests(overdue=True)` lists,
    counted in one query over the deadlines each case stores at its last step (the cockpit reads
    it on every view, so nothing is computed per case). A wait on the enterprise still open
    moves the 答复, 办结 and 协办 deadlines day by day with it, so such a case counts as late when
    its deadline had passed on the day the wait began."""
    day = as_of or clock.today()
    machine = rules_for(settings).machine
    r = EnterpriseRequest
    until = func.coalesce(r.paused_since, literal(day, Date))
    late = or_(
        r.due < until,
        and_(r.replied_on.is_(None), r.reply_due < until),
        and_(r.state == "待受理", r.accept_due < literal(day, Date)),
        and_(r.co_due.is_not(None), r.co_due < until, _co_unit_open()),
    )
    closed = [s for s in machine.states if machine.closed(s)]
    n_open, n_late = session.execute(
        select(func.count(), func.coalesce(func.sum(when((late, 1), else_=0)), 0)).where(
            visible_clause(scope), r.state.not_in(closed)
        )
    ).one()
    return {"open": int(n_open), "overdue": int(n_late), "as_of": day.isoformat()}


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
        "common_problem": common_of(session, request_id=case.id),
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
