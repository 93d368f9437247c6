"""The state machine, as data, enforced on a real database (SQLite and PostgreSQL): every action
from every state by every role and party — allowed exactly where states.yaml allows it, refused
otherwise with the kind of refusal a user is told (not found / not your role / not allowed now).
Plus the hand-stated facts a user relies on: nothing skips a state; a closed case changes only
by 重办; the case's history keeps every step."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from helpers import code
from industry_brain.core.auth import Forbidden, NotFound
from industry_brain.core.db import transaction
from industry_brain.core.scope import Scope
from industry_brain.requests.models import EnterpriseRequest, RequestEvent
from industry_brain.requests.rules import load_rules
from industry_brain.requests.schemas import Step
from industry_brain.requests.service import RequestRefused, act, open_request
from requests_fixtures import (
    ADMIN,
    ANALYST,
    AUTO_CHIEF_UNIT,
    ECONOMY,
    LEADER,
    NATURAL,
    PATHS,
    TOWN_B,
    at,
    chief,
    department,
    drive,
    enterprise,
    seed_firms,
    town,
)

MACHINE = load_rules().machine
STATES = list(MACHINE.states)
ACTIONS = [a for a in MACHINE.actions() if a != "open"]
ACTORS: dict[str, Callable[[EnterpriseRequest], Scope]] = {
    "enterprise_own": lambda c: enterprise(c.credit_code),
    "enterprise_other": lambda c: enterprise(code(4)),
    "town_own": lambda c: town(c.township_code or ""),
    "town_other": lambda c: town(TOWN_B),
    "analyst": lambda c: ANALYST,
    "admin": lambda c: ADMIN,
    "leader": lambda c: LEADER,
    "department_natural": lambda c: department(NATURAL),
    "department_economy": lambda c: department(ECONOMY),
    "department_other": lambda c: department("区商务局"),
    "chief_auto": lambda c: chief("fenghua-auto-parts"),
    "chief_other": lambda c: chief("fenghua-pneumatics"),
}


def expected(label: str, scope: Scope, case: EnterpriseRequest, action: str) -> type[Exception] | None:
    """The refusal the rules call for, restated from the data and the scope rules."""
    unit = (
        AUTO_CHIEF_UNIT if scope.role == "chain_chief" and scope.chain == "fenghua-auto-parts" else scope.unit
    )
    units = {case.lead_unit, *[u for u in case.co_units.split("、") if u]}
    visible = {
        "enterprise_own": True,
        "town_own": True,
        "analyst": True,
        "admin": True,
        "leader": True,
        "enterprise_other": False,
        "town_other": False,
    }.get(label, case.assigned_on is not None and unit in units)
    if scope.role == "chain_chief":
        visible = case.assigned_on is not None and scope.chain == case.chain_id
    if not visible:
        return NotFound
    t = MACHINE.find(action, case.state)
    if t is None:
        return RequestRefused
    if scope.role not in t.roles:
        return Forbidden
    if scope.role in ("department", "chain_chief") and t.party != "any":
        lead, co = unit == case.lead_unit, unit in units - {case.lead_unit}
        if not {"lead": lead, "co": co, "own": lead or co}[t.party]:
            return Forbidden
    if t.guard == "extension_pending" or (t.guard == "unsatisfied" and case.rating != "不满意"):
        return RequestRefused  # no extension asked in these cases; the rating was 满意
    return None


def _case(session, settings, kind: str) -> EnterpriseRequest:  # type: ignore[no-untyped-def]
    seed_firms(session)
    if kind == "chain":  # two other auto-parts firms raised 用地 lately: the third goes to the chain
        for n in (2, 3):
            open_request(
                session,
                scope=ANALYST,
                settings=settings,
                credit_code=code(n),
                category="land",
                text="用地指标不足",
                opened_at=at("2024-03-01"),
            )
    case = open_request(
        session,
        scope=enterprise(code(1)),
        settings=settings,
        credit_code=code(1),
        category="land",
        text="新厂房用地指标迟迟未落实",
        opened_at=at("2024-03-04", 8),
    )
    assert (case.lead_unit, case.chain_id) == (
        (AUTO_CHIEF_UNIT, "fenghua-auto-parts") if kind == "chain" else (NATURAL, None)
    )
    return case


@pytest.mark.parametrize("kind", ["unit", "chain"])
@pytest.mark.parametrize("state", STATES)
def test_every_action_by_every_role_is_allowed_exactly_where_the_rules_say(
    engine, settings, kind, state
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        case = drive(session, settings, _case(session, settings, kind), state)
        other = open_request(
            session,
            scope=ANALYST,
            settings=settings,
            credit_code=code(2),
            category="land",
            text="另一件",
            opened_at=at("2024-03-04", 7),
        )
        case_id, outcomes = case.id, []
        for action in ACTIONS:
            for label, make in ACTORS.items():
                case = session.get(EnterpriseRequest, case_id)
                scope = make(case)
                want = expected(label, scope, case, action)
                step = Step(
                    action,
                    text="办理说明",
                    reason="理由",
                    unit=case.lead_unit,
                    days=3,
                    rating="满意",
                    of=other.id,
                )
                savepoint = session.begin_nested()
                try:
                    act(
                        session,
                        scope=scope,
                        settings=settings,
                        request_id=case_id,
                        step=step,
                        at=at("2024-03-04", 20),
                    )
                    got = None
                except (NotFound, Forbidden, RequestRefused) as exc:
                    got = type(exc)
                savepoint.rollback()
                outcomes.append((action, label, want, got))
        wrong = [o for o in outcomes if o[2] is not o[3]]
        assert wrong == []
        assert any(o[3] is None for o in outcomes) == (state not in ("不予受理", "重复", "非职责"))


@pytest.mark.parametrize(
    "role", ["enterprise", "town", "analyst", "admin", "leader", "department", "chain_chief"]
)
def test_who_may_raise_a_problem_and_for_whom(engine, settings, role) -> None:  # type: ignore[no-untyped-def]
    scopes = {
        "enterprise": (enterprise(code(1)), True, NotFound),
        "town": (town("330213001"), True, NotFound),
        "analyst": (ANALYST, True, True),
        "admin": (ADMIN, True, True),
        "leader": (LEADER, Forbidden, Forbidden),
        "department": (department(NATURAL), NotFound, NotFound),
        "chain_chief": (chief(), NotFound, NotFound),
    }
    scope, own, other = scopes[role]
    with transaction(engine) as session:
        seed_firms(session)
        for firm, want in ((code(1), own), (code(4), other)):
            try:
                opened = open_request(
                    session,
                    scope=scope,
                    settings=settings,
                    credit_code=firm,
                    category="用地保障",
                    text="问题",
                    opened_at=at("2024-03-04"),
                )
                assert want is True and opened.state == "待受理"
            except (NotFound, Forbidden) as exc:
                assert type(exc) is want, (firm, exc)


def test_nothing_skips_a_state_and_closed_cases_change_only_by_redo() -> None:
    order = [s for s in STATES if not MACHINE.closed(s) and not MACHINE.pauses(s)]
    assert order == ["待受理", "已受理", "已交办", "办理中", "已答复", "企业评价"]
    forward = {(s, t.target) for t in MACHINE.transitions for s in t.sources if t.target and t.target != s}
    # the only way into each step of the main line is from the step before it (or back from a later one)
    for before, after in zip([*order, "办结"], [*order[1:], "办结"], strict=False):
        into = {s for s, t in forward if t == after}
        assert before in into
        assert all(MACHINE.states[s]["order"] >= MACHINE.states[before]["order"] for s in into), (after, into)
    leaving_closed = {t.action for t in MACHINE.transitions for s in t.sources if MACHINE.closed(s)}
    assert leaving_closed == {"redo"}
    assert [t.target for t in MACHINE.transitions if "办结" in t.sources] == ["办理中"]


def test_a_case_runs_the_loop_and_reopens_on_an_unsatisfied_rating_with_its_history(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        case = drive(session, settings, _case(session, settings, "unit"), "已答复")
        case = act(
            session,
            scope=enterprise(code(1)),
            settings=settings,
            request_id=case.id,
            step=Step("rate", rating="不满意", text="指标仍未落实"),
            at=at("2024-03-05"),
        )
        with pytest.raises(RequestRefused, match="不满意"):
            act(
                session,
                scope=ANALYST,
                settings=settings,
                request_id=case.id,
                step=Step("close"),
                at=at("2024-03-05", 11),
            )
        case = act(
            session,
            scope=ANALYST,
            settings=settings,
            request_id=case.id,
            step=Step("redo", reason="企业不满意"),
            at=at("2024-03-05", 12),
        )
        assert (case.state, case.lead_unit, case.redo_count, case.rating) == ("办理中", NATURAL, 1, None)
        history = session.execute(
            select(
                RequestEvent.seq,
                RequestEvent.action,
                RequestEvent.from_state,
                RequestEvent.to_state,
                RequestEvent.role,
            )
            .where(RequestEvent.request_id == case.id)
            .order_by(RequestEvent.seq)
        ).all()
    assert [tuple(h) for h in history] == [
        (1, "open", None, "待受理", "enterprise"),
        (2, "accept", "待受理", "已受理", "analyst"),
        (3, "assign", "已受理", "已交办", "analyst"),
        (4, "start", "已交办", "办理中", "department"),
        (5, "reply", "办理中", "已答复", "department"),
        (6, "rate", "已答复", "企业评价", "enterprise"),
        (7, "redo", "企业评价", "办理中", "analyst"),
    ]


def test_the_paths_of_the_fixtures_cover_every_state() -> None:
    assert set(PATHS) | {"重复"} == set(STATES)
