"""涉企问题' logic: raise a case, route it, move it through the state machine, list and show it
within the caller's scope. Pages, the API and the CLI call these; services flush, the boundary
commits once.

Who sees a case: the district-wide roles every case; an enterprise its own; a town those of its
enterprises; a department those assigned to it as lead or co-unit; a chain chief those routed
to its chain. Asking for a case outside the scope is the same NotFound as for one that does not
exist. Who may act is the state machine (rules.Machine, data); who is the case's party (its
enterprise, its town, its lead unit, a co-unit) is checked here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Engine, exists, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from industry_brain.core.audit import now
from industry_brain.core.auth import Forbidden, NotFound
from industry_brain.core.db import transaction
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.enterprises.models import Enterprise
from industry_brain.reference.credit_code import problem
from industry_brain.reference.workdays import WorkdayCalendar, load_calendar
from industry_brain.requests import clock
from industry_brain.requests.models import EnterpriseRequest, RequestEvent
from industry_brain.requests.rules import RATINGS, Rules, Transition, load_rules
from industry_brain.requests.schemas import ACTION_NAMES, CHANNELS, ROLE_NAMES, Step

T = TypeVar("T")
SEP = "、"


class RequestRefused(IndustryBrainError):
    """A step the state machine or the case's clocks do not allow, with the reason."""


class ConcurrentUpdate(IndustryBrainError):
    """Another user changed the case between this one's read and write."""


def rules_for(settings: Settings) -> Rules:
    return load_rules(settings.requests_rules_dir)


def calendar_for(settings: Settings) -> WorkdayCalendar:
    return load_calendar(settings.workday_calendar or None)


def co_units_of(case: EnterpriseRequest) -> list[str]:
    return [u for u in case.co_units.split(SEP) if u]


def visible_clause(scope: Scope) -> Any:
    """WHERE clause of the cases `scope` sees."""
    r = EnterpriseRequest
    if scope.district_wide:
        return true()
    if scope.role == "enterprise" and scope.credit_code:
        return r.credit_code == scope.credit_code
    if scope.role == "town" and scope.township_code:
        return r.township_code == scope.township_code
    if scope.role == "department" and scope.unit:
        assigned = r.assigned_on.is_not(None)
        return assigned & or_(r.lead_unit == scope.unit, r.co_units.contains(f"{SEP}{scope.unit}{SEP}"))
    if scope.role == "chain_chief" and scope.chain:
        return r.assigned_on.is_not(None) & (r.chain_id == scope.chain)
    return r.id.is_(None)


def get_case(session: Session, *, scope: Scope, request_id: int) -> EnterpriseRequest:
    case = session.scalar(
        select(EnterpriseRequest).where(EnterpriseRequest.id == request_id, visible_clause(scope))
    )
    if case is None:
        raise NotFound("未找到该涉企问题，或不在您的权限范围内")
    return case


def _actor_unit(scope: Scope, rules: Rules) -> str | None:
    if scope.role == "chain_chief" and scope.chain:
        return rules.routing.chains.get(scope.chain)
    return scope.unit


def _is_party(scope: Scope, t: Transition, case: EnterpriseRequest, rules: Rules) -> bool:
    """Whether the actor is the case's party the transition asks for (a visible case only)."""
    if scope.role in ("enterprise", "town") or t.party == "any":
        return True  # their scope is already the case's own enterprise or town
    if scope.role not in ("department", "chain_chief"):
        return True  # district-wide roles act on any case
    unit = _actor_unit(scope, rules)
    lead, co = unit == case.lead_unit, unit in co_units_of(case)
    return {"lead": lead, "co": co, "own": lead or co}[t.party]


def _check_guard(
    t: Transition, case: EnterpriseRequest, day: dt.date, rules: Rules, cal: WorkdayCalendar
) -> None:
    category = rules.classification.categories[case.category]
    if t.guard == "before_due":
        due = clock.deadlines(case, category, cal, as_of=day).close
        if day > due:
            raise RequestRefused(f"延期须在办结时限 {due} 前申请，现已逾期")
        if case.extension_pending is not None:
            raise RequestRefused("已有一项延期申请待批，不能重复申请")
    elif t.guard == "extension_pending" and case.extension_pending is None:
        raise RequestRefused("没有待批的延期申请")
    elif t.guard == "within_dispute":
        window = rules.routing.dispute_workdays
        if case.assigned_on is None or cal.workdays_between(case.assigned_on, day) > window:
            raise RequestRefused(f"交办异议须在交办后 {window} 个工作日内提出")
    elif t.guard == "satisfied" and case.rating not in ("满意", "基本满意"):
        raise RequestRefused("企业评价为不满意，不能办结，应重办")
    elif t.guard == "unsatisfied" and case.rating != "不满意":
        raise RequestRefused("企业评价为满意或基本满意，无需重办")


def _check_step(scope: Scope, t: Transition | None, step: Step, case: EnterpriseRequest | None) -> Transition:
    state = case.state if case else "新建"
    name = ACTION_NAMES.get(step.action, step.action)
    if t is None:
        raise RequestRefused(f"状态“{state}”的问题不能“{name}”")
    role = "admin" if scope.role == "system" else scope.role  # the CLI operator acts as admin
    if role not in t.roles:
        raise Forbidden(f"{ROLE_NAMES.get(scope.role, scope.role)}不能办理“{name}”（状态“{state}”）")
    missing = [n for n in t.needs if not step.given(n)]
    if missing:
        labels = {
            "reason": "理由",
            "text": "内容",
            "unit": "单位",
            "days": "延期天数",
            "rating": "评价",
            "of": "重复的案件编号",
        }
        raise RequestRefused(f"“{name}”须写明：{'、'.join(labels[m] for m in missing)}")
    if step.rating is not None and step.rating not in RATINGS:
        raise RequestRefused(f"评价“{step.rating}”无效；可选：{'、'.join(RATINGS)}")
    if step.days is not None and not 1 <= step.days <= 60:
        raise RequestRefused("延期天数应为 1 至 60 个工作日")
    return t


def _record(
    session: Session,
    case: EnterpriseRequest,
    scope: Scope,
    rules: Rules,
    step: Step,
    at: dt.datetime,
    before: str | None,
    seq: int,
) -> RequestEvent:
    detail = step.detail() | {"due": case.due.isoformat()}
    event = RequestEvent(
        request_id=case.id,
        seq=seq,  # the case's version after this step: two writers of one version collide here too
        at=at,
        actor=scope.username,
        role=scope.role,
        unit=_actor_unit(scope, rules),
        action=step.action,
        from_state=before,
        to_state=case.state,
        text=step.text,
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
    )
    session.add(event)
    return event


def open_request(
    session: Session,
    *,
    scope: Scope,
    settings: Settings,
    credit_code: str,
    category: str,
    text: str,
    priority: str = "普通",
    opened_at: dt.datetime | None = None,
    channel: str | None = None,
) -> EnterpriseRequest:
    """Raise a problem for an enterprise: checked, routed, its deadlines set, its first event kept."""
    rules, cal = rules_for(settings), calendar_for(settings)
    code = credit_code.strip().upper()
    if (why := problem(code)) is not None:
        raise RequestRefused(f"统一社会信用代码“{credit_code}”无效：{why}")
    firm = session.get(Enterprise, code)
    if firm is None or not scope.sees_enterprise(credit_code=code, township_code=firm.township_code):
        raise NotFound(f"企业主档中没有统一社会信用代码为 {code} 的企业，或不在您的权限范围内")
    cat = rules.classification.find(category)
    if priority not in rules.classification.priorities:
        raise RequestRefused(f"优先级“{priority}”无效；可选：{'、'.join(rules.classification.priorities)}")
    step = Step("open", text=text)
    _check_step(scope, rules.machine.find("open", None), step, None)
    at = clock.to_utc(opened_at) if opened_at else now()
    day = clock.local_date(at)
    lead, co, chain = route(session, rules=rules, cal=cal, firm=firm, category=cat.code, day=day)
    case = EnterpriseRequest(
        credit_code=code,
        township_code=firm.township_code,
        category=cat.code,
        priority=priority,
        text=text.strip(),
        channel=channel or CHANNELS.get(scope.role, "服务专员"),
        state="待受理",
        lead_unit=lead,
        co_units=_joined(co),
        chain_id=chain,
        opened_at=at,
        opened_by=scope.username,
        clock_start=day,
        paused_days=0,
        extension_days=0,
        redo_count=0,
        rules_from=rules.classification.effective_from,
        updated_at=at,
        version=1,
    )
    clock.store_deadlines(case, cat, cal)
    session.add(case)
    session.flush()
    _record(session, case, scope, rules, step, at, None, 1)
    session.flush()
    return case


def _joined(units: list[str] | tuple[str, ...]) -> str:
    return f"{SEP}{SEP.join(units)}{SEP}" if units else ""


@cache
def _chain_classes() -> dict[str, frozenset[str]]:
    from industry_brain.clusters.chains import shipped_chains

    return {c.id: frozenset(c.classes()) for c in shipped_chains()}


@cache
def chain_names() -> dict[str, str]:
    from industry_brain.clusters.chains import shipped_chains

    return {c.id: c.name for c in shipped_chains()}


def chief_chain_classes(rules: Rules) -> dict[str, frozenset[str]]:
    """The industry classes of each chain with a chief (routing.yaml), as the routing rule reads them."""
    return {c: _chain_classes().get(c, frozenset()) for c in rules.routing.chains}


def chains_of(industry_code: str | None, rules: Rules) -> list[str]:
    """The chains with a chief (routing.yaml) whose nodes' industry classes include the code."""
    if not industry_code:
        return []
    return [c for c in rules.routing.chains if industry_code in _chain_classes().get(c, frozenset())]


def route(
    session: Session, *, rules: Rules, cal: WorkdayCalendar, firm: Enterprise, category: str, day: dt.date
) -> tuple[str, list[str], str | None]:
    """(lead unit, co-units, chain): the category's units, unless enough enterprises of one
    chain raised the same category lately, when the chain's chief leads and the category's
    lead unit joins the co-units."""
    cat = rules.classification.categories[category]
    rule = rules.routing
    for chain in chains_of(firm.industry_code, rules):
        since = dt.datetime.combine(day - dt.timedelta(days=rule.within_workdays * 2 + 30), dt.time())
        rows = session.execute(
            select(EnterpriseRequest.credit_code, EnterpriseRequest.opened_at, Enterprise.industry_code)
            .join(Enterprise, Enterprise.credit_code == EnterpriseRequest.credit_code)
            .where(EnterpriseRequest.category == category, EnterpriseRequest.opened_at >= since)
        ).all()
        firms = {firm.credit_code} | {
            c
            for c, at, ind in rows
            if chain in chains_of(ind, rules)
            and cal.workdays_between(clock.local_date(at), day) <= rule.within_workdays
        }
        if len(firms) >= rule.min_enterprises:
            return rule.chains[chain], [cat.lead_unit, *cat.co_units], chain
    return cat.lead_unit, list(cat.co_units), None


def act(
    session: Session,
    *,
    scope: Scope,
    settings: Settings,
    request_id: int,
    step: Step,
    at: dt.datetime | None = None,
) -> EnterpriseRequest:
    """Take one step on a case: the machine says whether this role may, in this state; the
    case's party, needs and guard are checked; the event is appended; the clocks are moved."""
    rules, cal = rules_for(settings), calendar_for(settings)
    case = get_case(session, scope=scope, request_id=request_id)
    t = _check_step(scope, rules.machine.find(step.action, case.state), step, case)
    if not _is_party(scope, t, case, rules):
        who = {"lead": "本件主办单位", "co": "本件协办单位", "own": "本件承办单位"}[t.party]
        raise Forbidden(f"只有{who}能办理“{ACTION_NAMES[step.action]}”")
    stamp = clock.to_utc(at) if at else now()
    last = session.scalar(
        select(RequestEvent.at)
        .where(RequestEvent.request_id == case.id)
        .order_by(RequestEvent.seq.desc())
        .limit(1)
    )
    if last is not None and stamp < last:
        if at:  # a step entered with its own time may not precede the history
            raise RequestRefused(f"办理时间早于上一步（{last:%Y-%m-%d %H:%M} UTC）")
        # A parallel step took its time a moment later and committed first: this one follows it.
        stamp = last
    day = clock.local_date(stamp)
    _check_guard(t, case, day, rules, cal)
    before, seq = case.state, case.version + 1
    case.version = seq
    _apply(session, case, t, step, day, rules, cal)
    case.updated_at = stamp
    clock.store_deadlines(case, rules.classification.categories[case.category], cal)
    session.flush()
    _record(session, case, scope, rules, step, stamp, before, seq)
    session.flush()
    return case


def _apply(
    session: Session,
    case: EnterpriseRequest,
    t: Transition,
    step: Step,
    day: dt.date,
    rules: Rules,
    cal: WorkdayCalendar,
) -> None:
    machine = rules.machine
    if t.target is not None and case.paused_since and not machine.pauses(t.target):
        # leaving the wait on the enterprise: its working days move the clocks
        case.paused_days += cal.workdays_between(case.paused_since, day)
        case.paused_since = None
    elif t.target is not None and machine.pauses(t.target) and not case.paused_since:
        case.paused_since = day
    handler = _HANDLERS.get(step.action)
    if handler:
        handler(session, case, step, day, rules)
    if t.target and machine.closed(t.target):
        case.closed_on, case.close_reason = day, step.reason
    if t.target:
        case.state = t.target


def _assign(session: Session, case: EnterpriseRequest, step: Step, day: dt.date, rules: Rules) -> None:
    if step.unit and step.unit != case.lead_unit:
        chain = next((c for c, u in rules.routing.chains.items() if u == step.unit), None)
        case.co_units = _joined([u for u in co_units_of(case) if u != step.unit])
        case.lead_unit, case.chain_id = step.unit.strip(), chain
    case.assigned_on = day


def _duplicate(session: Session, case: EnterpriseRequest, step: Step, day: dt.date, rules: Rules) -> None:
    other = session.get(EnterpriseRequest, step.of) if step.of else None
    if other is None or other.id == case.id:
        raise RequestRefused(f"重复的案件编号 {step.of} 不存在")
    case.duplicate_of = other.id


def _extend(session: Session, case: EnterpriseRequest, step: Step, day: dt.date, rules: Rules) -> None:
    case.extension_pending = step.days


def _approve(session: Session, case: EnterpriseRequest, step: Step, day: dt.date, rules: Rules) -> None:
    case.extension_days += case.extension_pending or 0
    case.extension_pending = None


def _reject(session: Session, case: EnterpriseRequest, step: Step, day: dt.date, rules: Rules) -> None:
    case.extension_pending = None


def _reply(session: Session, case: EnterpriseRequest, step: Step, day: dt.date, rules: Rules) -> None:
    case.replied_on = day


def _rate(session: Session, case: EnterpriseRequest, step: Step, day: dt.date, rules: Rules) -> None:
    case.rating = step.rating


def _redo(session: Session, case: EnterpriseRequest, step: Step, day: dt.date, rules: Rules) -> None:
    """重办: back to the same lead unit, its clocks restarted from today; the history stays."""
    case.redo_count += 1
    case.rating = case.replied_on = case.closed_on = case.close_reason = None
    case.clock_start, case.paused_days, case.extension_days, case.extension_pending = day, 0, 0, None


_HANDLERS: dict[str, Callable[[Session, EnterpriseRequest, Step, dt.date, Rules], None]] = {
    "assign": _assign,
    "reassign": _assign,
    "duplicate": _duplicate,
    "extend": _extend,
    "approve_extension": _approve,
    "reject_extension": _reject,
    "reply": _reply,
    "rate": _rate,
    "redo": _redo,
}


def with_retry(engine: Engine, work: Callable[[Session], T], *, attempts: int = 3) -> T:
    """Run `work` in its own transaction; when another user changed the same case between the
    read and the write (the version check failed), run it again on a fresh read, so neither
    update is lost. Gives up with ConcurrentUpdate after `attempts`."""
    for _ in range(attempts):
        try:
            with transaction(engine) as session:
                return work(session)
        except (StaleDataError, IntegrityError) as exc:
            if isinstance(exc, IntegrityError) and "request_event" not in str(exc):
                raise
            continue
    raise ConcurrentUpdate("该问题正被他人同时办理，请刷新后重试")


def co_replied(session: Session, case_ids: list[int]) -> dict[int, set[str]]:
    """The co-units that gave their opinion, per case, since its last 重办."""
    rows = session.execute(
        select(RequestEvent.request_id, RequestEvent.unit, RequestEvent.action)
        .where(RequestEvent.request_id.in_(case_ids), RequestEvent.action.in_(("co_reply", "redo")))
        .order_by(RequestEvent.request_id, RequestEvent.seq)
    ).all()
    found: dict[int, set[str]] = {i: set() for i in case_ids}
    for rid, unit, action in rows:
        found[rid] = set() if action == "redo" else found[rid] | {unit or ""}
    return found


def has_cases(session: Session, *, scope: Scope) -> bool:
    return bool(session.scalar(select(exists().where(visible_clause(scope)))))
