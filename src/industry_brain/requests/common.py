"""共性问题: cases of several enterprises with one cause, grouped under one title so the cause
reaches the policy makers instead of being answered case by case.

Only the 企业综合服务中心 (analyst) and the admin create groups, link and unlink cases and move a
group's state; everyone who sees a case sees the title of its group (views.show_request). A case
is in at most one group (the link's key is the case). Each link and unlink is a step of the
case's own history (so it shows where the case's other steps show), and every change of a group
is in the audit log. Suggestions are the open, ungrouped cases of one category whose
enterprises share a chain (the routing rule's chain classes) or a township, found in one query.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import String, and_, distinct, func, literal, select, union_all
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from industry_brain.core.audit import audit, now
from industry_brain.core.auth import Forbidden, NotFound
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.enterprises.models import Enterprise
from industry_brain.reference.divisions import township_name
from industry_brain.requests import clock
from industry_brain.requests.models import CommonProblem, CommonProblemCase, EnterpriseRequest, RequestEvent
from industry_brain.requests.service import (
    RequestRefused,
    calendar_for,
    chain_names,
    chief_chain_classes,
    get_case,
    rules_for,
)

STATES = ("在办", "已提交政策研究", "已解决")
MANAGERS = frozenset({"analyst", "admin", "system"})  # system: the CLI operator


def _manager(scope: Scope) -> None:
    if scope.role not in MANAGERS:
        raise Forbidden("只有企业综合服务中心能归集和管理共性问题")


def _reader(scope: Scope) -> None:
    if not scope.district_wide:
        raise Forbidden("共性问题清单只对区级用户开放")


def _group(session: Session, common_id: int) -> CommonProblem:
    group = session.get(CommonProblem, common_id)
    if group is None:
        raise NotFound(f"没有编号为 {common_id} 的共性问题")
    return group


def _case_step(
    session: Session, case: EnterpriseRequest, scope: Scope, action: str, group: CommonProblem
) -> None:
    """The link as a step of the case's history: the case's version moves as with any step."""
    stamp = now()
    case.version += 1
    case.updated_at = stamp
    session.flush()
    session.add(
        RequestEvent(
            request_id=case.id,
            seq=case.version,
            at=stamp,
            actor=scope.username,
            role=scope.role,
            unit=scope.unit,
            action=action,
            from_state=case.state,
            to_state=case.state,
            text=group.title,
            detail=json.dumps({"common_id": group.id}, ensure_ascii=False),
        )
    )
    session.flush()


def create_common(
    session: Session,
    *,
    scope: Scope,
    settings: Settings,
    title: str,
    category: str,
    description: str,
    request_ids: list[int],
) -> CommonProblem:
    """A new group 在办 with its first cases linked."""
    _manager(scope)
    if not title.strip() or not description.strip():
        raise RequestRefused("共性问题须写明标题和共性原因")
    if not request_ids:
        raise RequestRefused("共性问题至少须归入一件涉企问题")
    code = rules_for(settings).classification.find(category).code
    stamp = now()
    group = CommonProblem(
        title=title.strip(),
        category=code,
        description=description.strip(),
        state=STATES[0],
        created_by=scope.username,
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(group)
    session.flush()
    audit(
        session,
        scope=scope,
        action="requests.common.create",
        target=str(group.id),
        detail={"title": group.title},
    )
    for request_id in dict.fromkeys(request_ids):
        link(session, scope=scope, common_id=group.id, request_id=request_id)
    return group


def link(session: Session, *, scope: Scope, common_id: int, request_id: int) -> None:
    """Put a case under a group; refused when it is in one already."""
    _manager(scope)
    group = _group(session, common_id)
    case = get_case(session, scope=scope, request_id=request_id)
    held = session.scalar(
        select(CommonProblem.title)
        .join(CommonProblemCase, CommonProblemCase.common_id == CommonProblem.id)
        .where(CommonProblemCase.request_id == case.id)
    )
    if held is not None:
        raise RequestRefused(f"第 {case.id} 号问题已归入共性问题“{held}”，须先移出")
    session.add(
        CommonProblemCase(request_id=case.id, common_id=group.id, linked_by=scope.username, linked_at=now())
    )
    _case_step(session, case, scope, "common_link", group)
    audit(
        session,
        scope=scope,
        action="requests.common.link",
        target=str(group.id),
        detail={"request_id": case.id},
    )


def unlink(session: Session, *, scope: Scope, common_id: int, request_id: int) -> None:
    _manager(scope)
    group = _group(session, common_id)
    row = session.get(CommonProblemCase, request_id)
    if row is None or row.common_id != group.id:
        raise RequestRefused(f"第 {request_id} 号问题不在共性问题“{group.title}”中")
    session.delete(row)
    _case_step(session, get_case(session, scope=scope, request_id=request_id), scope, "common_unlink", group)
    audit(
        session,
        scope=scope,
        action="requests.common.unlink",
        target=str(group.id),
        detail={"request_id": request_id},
    )


def set_state(session: Session, *, scope: Scope, common_id: int, state: str, reason: str) -> CommonProblem:
    _manager(scope)
    if state not in STATES:
        raise RequestRefused(f"共性问题状态“{state}”无效；可选：{'、'.join(STATES)}")
    if not reason.strip():
        raise RequestRefused("改变共性问题状态须写明理由")
    group = _group(session, common_id)
    before, group.state, group.updated_at = group.state, state, now()
    session.flush()
    audit(
        session,
        scope=scope,
        action="requests.common.state",
        target=str(group.id),
        detail={"from": before, "to": state, "reason": reason.strip()},
    )
    return group


def _closed_states(settings: Settings) -> list[str]:
    machine = rules_for(settings).machine
    return [s for s in machine.states if machine.closed(s)]


def list_common(session: Session, *, scope: Scope, settings: Settings) -> list[dict[str, Any]]:
    """Every group, newest first, with its cases, enterprises, open cases and townships counted."""
    _reader(scope)
    g, link_, r = CommonProblem, CommonProblemCase, EnterpriseRequest
    open_case = when((r.state.not_in(_closed_states(settings)), 1), else_=0)
    rows = session.execute(
        select(
            g,
            func.count(r.id),
            func.count(distinct(r.credit_code)),
            func.coalesce(func.sum(open_case), 0),
            func.count(distinct(r.township_code)),
        )
        .outerjoin(link_, link_.common_id == g.id)
        .outerjoin(r, r.id == link_.request_id)
        .group_by(g.id)
        .order_by(g.created_at.desc(), g.id.desc())
    ).all()
    categories = rules_for(settings).classification.categories
    return [
        {
            "id": grp.id,
            "title": grp.title,
            "category": grp.category,
            "category_name": categories[grp.category].name if grp.category in categories else grp.category,
            "description": grp.description,
            "state": grp.state,
            "created_by": grp.created_by,
            "created_at": clock.to_beijing(grp.created_at).isoformat(timespec="minutes"),
            "cases": cases,
            "enterprises": firms,
            "open_cases": int(open_),
            "townships": towns,
        }
        for grp, cases, firms, open_, towns in rows
    ]


def group_cases(session: Session, *, scope: Scope, common_id: int) -> list[int]:
    _reader(scope)
    _group(session, common_id)
    return list(
        session.scalars(
            select(CommonProblemCase.request_id)
            .where(CommonProblemCase.common_id == common_id)
            .order_by(CommonProblemCase.request_id)
        )
    )


def common_of(session: Session, *, request_id: int) -> dict[str, Any] | None:
    """The group a case is in (its id, title and state), for whoever may see the case."""
    row = session.execute(
        select(CommonProblem.id, CommonProblem.title, CommonProblem.state)
        .join(CommonProblemCase, CommonProblemCase.common_id == CommonProblem.id)
        .where(CommonProblemCase.request_id == request_id)
    ).first()
    return None if row is None else {"id": row.id, "title": row.title, "state": row.state}


def _workdays_back(settings: Settings, day: dt.date, count: int) -> dt.date:
    """The day `count` working days before `day` (as add_workdays counts, backwards)."""
    cal = calendar_for(settings)
    while count > 0:
        day -= dt.timedelta(days=1)
        count -= cal.is_workday(day)
    return day


def suggest(
    session: Session,
    *,
    scope: Scope,
    settings: Settings,
    as_of: dt.date | None = None,
    within_workdays: int | None = None,
) -> list[dict[str, Any]]:
    """Open, ungrouped cases of one category raised within the last N working days (the routing
    rule's window by default) by at least two enterprises of one chain or one township: each
    such set is a suggested 共性问题. One query: each case is listed once per chain its
    enterprise's industry is on and once for its township, and the sets are grouped in SQL."""
    _manager(scope)
    rules = rules_for(settings)
    window = rules.routing.within_workdays if within_workdays is None else within_workdays
    since = _workdays_back(settings, as_of or clock.today(), window)
    r, e = EnterpriseRequest, Enterprise
    grouped = select(CommonProblemCase.request_id)
    where = (
        r.state.not_in(_closed_states(settings)),
        r.opened_at >= clock.to_utc(dt.datetime.combine(since, dt.time())),
        r.id.not_in(grouped),
    )
    cols = (r.id.label("request_id"), r.category.label("category"), r.credit_code.label("credit_code"))
    parts: list[Any] = [
        select(*cols, literal("chain", String).label("kind"), literal(chain, String).label("key"))
        .join(e, e.credit_code == r.credit_code)
        .where(*where, e.industry_code.in_(sorted(classes)))
        for chain, classes in chief_chain_classes(rules).items()
        if classes
    ]
    parts.append(
        select(*cols, literal("township", String).label("kind"), r.township_code.label("key")).where(
            *where, r.township_code.is_not(None)
        )
    )
    member = union_all(*parts).subquery()
    sets = (
        select(member.c.kind, member.c.key, member.c.category)
        .group_by(member.c.kind, member.c.key, member.c.category)
        .having(func.count(distinct(member.c.credit_code)) >= 2)
        .subquery()
    )
    same = and_(*(member.c[k] == sets.c[k] for k in ("kind", "key", "category")))
    rows = session.execute(
        select(member.c.kind, member.c.key, member.c.category, member.c.request_id, member.c.credit_code)
        .join(sets, same)
        .order_by(member.c.kind, member.c.key, member.c.category, member.c.request_id)
    ).all()
    return _suggestions(rows, rules, since)


def _suggestions(rows: Any, rules: Any, since: dt.date) -> list[dict[str, Any]]:
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    categories, names = rules.classification.categories, chain_names()
    for kind, key, category, request_id, credit_code in rows:
        item = found.setdefault(
            (kind, key, category),
            {
                "basis": "chain" if kind == "chain" else "township",
                "basis_name": names.get(key, key) if kind == "chain" else township_name(key),
                "chain_id": key if kind == "chain" else None,
                "township_code": key if kind == "township" else None,
                "category": category,
                "category_name": categories[category].name if category in categories else category,
                "request_ids": [],
                "credit_codes": [],
                "since": since.isoformat(),
            },
        )
        item["request_ids"].append(request_id)
        if credit_code not in item["credit_codes"]:
            item["credit_codes"].append(credit_code)
    return sorted(
        found.values(), key=lambda s: (-len(s["credit_codes"]), -len(s["request_ids"]), s["basis_name"])
    )
