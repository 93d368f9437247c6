"""The history of a case is append-only (the ORM and the database both refuse a change), and two
users updating one case at once lose neither update (the version check, then a retry on a
fresh read) — on SQLite and PostgreSQL, with two real sessions."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from helpers import code
from industry_brain.core.db import transaction
from industry_brain.requests.models import EnterpriseRequest, HistoryIsAppendOnly, RequestEvent
from industry_brain.requests.schemas import Step
from industry_brain.requests.service import act, open_request, with_retry
from industry_brain.requests.views import show_request
from requests_fixtures import ANALYST, ECONOMY, NATURAL, at, department, drive, enterprise, seed_firms


def _case_in_progress(engine, settings) -> int:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        seed_firms(session)
        case = open_request(
            session,
            scope=enterprise(code(1)),
            settings=settings,
            credit_code=code(1),
            category="land",
            text="用地指标",
            opened_at=at("2024-03-04", 8),
        )
        return drive(session, settings, case, "办理中").id


def test_every_event_records_who_in_which_role_and_unit_when_and_what(engine, settings) -> None:  # type: ignore[no-untyped-def]
    case_id = _case_in_progress(engine, settings)
    with transaction(engine) as session:
        act(
            session,
            scope=department(NATURAL),
            settings=settings,
            request_id=case_id,
            step=Step("extend", reason="需市级审批", days=3),
            at=at("2024-03-06", 15),
        )
        shown = show_request(session, scope=ANALYST, settings=settings, request_id=case_id)
    last = shown["history"][-1]
    assert {k: last[k] for k in ("seq", "at", "role", "unit", "action", "from_state", "to_state")} == {
        "seq": 5,
        "at": "2024-03-06T15:00",
        "role": "department",
        "unit": NATURAL,
        "action": "extend",
        "from_state": "办理中",
        "to_state": "办理中",
    }
    assert last["detail"] == {"days": 3, "due": "2024-03-25", "reason": "需市级审批"}
    assert [e["action_name"] for e in shown["history"]] == [
        "提出问题",
        "受理",
        "交办",
        "签收办理",
        "申请延期",
    ]


def test_the_history_cannot_be_changed_or_deleted(engine, settings) -> None:  # type: ignore[no-untyped-def]
    case_id = _case_in_progress(engine, settings)
    with Session(engine) as session:
        event = session.scalars(select(RequestEvent).where(RequestEvent.request_id == case_id)).first()
        assert event is not None
        event.text = "改写"
        with pytest.raises(HistoryIsAppendOnly):
            session.flush()
        session.rollback()
        session.delete(session.scalars(select(RequestEvent)).first())
        with pytest.raises(HistoryIsAppendOnly):
            session.flush()
    for sql in ("UPDATE request_event SET text = 'x'", "DELETE FROM request_event"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM request_event")).scalar() == 4


def test_two_users_updating_one_case_at_once_lose_neither(engine, settings) -> None:  # type: ignore[no-untyped-def]
    """The co-unit gives its opinion while the lead unit asks for an extension: both read version
    4; the co-unit commits first; the lead unit's write finds version 5, is refused, and its
    step is taken again on a fresh read. Both steps are in the history, in order."""
    case_id = _case_in_progress(engine, settings)
    first, second = Session(engine), Session(engine)
    try:
        act(
            first,
            scope=department(ECONOMY),
            settings=settings,
            request_id=case_id,
            step=Step("co_reply", text="指标可调剂"),
            at=at("2024-03-06", 14),
        )
        seen = second.get(EnterpriseRequest, case_id)
        assert seen is not None and seen.version == 4  # read before the first commits
        first.commit()
        with pytest.raises(StaleDataError):
            act(
                second,
                scope=department(NATURAL),
                settings=settings,
                request_id=case_id,
                step=Step("extend", reason="需市级审批", days=3),
                at=at("2024-03-06", 15),
            )
        second.rollback()
    finally:
        first.close()
        second.close()

    def extend(session: Session) -> EnterpriseRequest:
        return act(
            session,
            scope=department(NATURAL),
            settings=settings,
            request_id=case_id,
            step=Step("extend", reason="需市级审批", days=3),
            at=at("2024-03-06", 15),
        )

    assert with_retry(engine, extend).extension_pending == 3
    with transaction(engine) as session:
        rows = session.execute(
            select(RequestEvent.seq, RequestEvent.action, RequestEvent.unit, RequestEvent.detail)
            .where(RequestEvent.request_id == case_id, RequestEvent.seq > 4)
            .order_by(RequestEvent.seq)
        ).all()
        case = session.get(EnterpriseRequest, case_id)
        assert case is not None and (case.version, case.extension_pending) == (6, 3)
    assert [(r.seq, r.action, r.unit) for r in rows] == [(5, "co_reply", ECONOMY), (6, "extend", NATURAL)]
    assert json.loads(rows[1].detail)["days"] == 3


def test_with_retry_retries_a_lost_race_and_keeps_both(engine, settings) -> None:  # type: ignore[no-untyped-def]
    """The race inside with_retry: its first attempt reads, another user commits, its write fails,
    and the second attempt applies the step over the other user's."""
    case_id = _case_in_progress(engine, settings)
    attempts, held = [], []

    def note(session: Session) -> EnterpriseRequest:
        held.append(session.get(EnterpriseRequest, case_id))  # held: the read stays in the session
        if not attempts:
            with transaction(engine) as other:
                act(
                    other,
                    scope=enterprise(code(1)),
                    settings=settings,
                    request_id=case_id,
                    step=Step("note", text="企业补充说明"),
                    at=at("2024-03-06", 14),
                )
        attempts.append(1)
        return act(
            session,
            scope=department(NATURAL),
            settings=settings,
            request_id=case_id,
            step=Step("note", text="部门说明"),
            at=at("2024-03-06", 15),
        )

    case = with_retry(engine, note)
    assert len(attempts) == 2 and case.version == 6
    with transaction(engine) as session:
        texts = session.scalars(
            select(RequestEvent.text)
            .where(RequestEvent.request_id == case_id, RequestEvent.seq > 4)
            .order_by(RequestEvent.seq)
        ).all()
    assert texts == ["企业补充说明", "部门说明"]
