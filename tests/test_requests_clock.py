"""Deadlines in working days on the State Council's 放假安排, checked against hand-worked cases:
the 2024 Spring Festival (2-10..2-17 off; Sundays 2-4 and 2-18 worked) and National Day 2024
(10-1..10-7 off; Sunday 9-29 and Saturday 10-12 worked); the wait on the enterprise pauses the
clocks; the co-unit clock runs from the day of assignment; 延期 moves them; 重办 restarts them;
the reminder and 督办 ladder climbs once a deadline nears and is missed."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import code
from industry_brain.core.db import transaction
from industry_brain.requests.schemas import Step
from industry_brain.requests.service import RequestRefused, act, open_request
from industry_brain.requests.views import list_requests, reminders, show_request
from requests_fixtures import ANALYST, ECONOMY, NATURAL, at, department, enterprise, seed_firms

D = dt.date.fromisoformat


def _open(session, settings, category: str, opened: dt.datetime):  # type: ignore[no-untyped-def]
    seed_firms(session)
    return open_request(
        session,
        scope=enterprise(code(4)),
        settings=settings,
        credit_code=code(4),
        category=category,
        text="问题",
        opened_at=opened,
    )


# (category, opened, accept, reply, close): 审批服务 普通 is 1 / 3 / 7 working days, 用地保障 1 / 7 / 15
HAND_WORKED = [
    # Friday before the Festival: Sunday 2-4 is a working day, so it is day 1; 2-10..2-17 are off
    # and Sunday 2-18 is worked: 2-5, 2-6 | 2-7, 2-8, 2-9, 2-18
    ("approval", at("2024-02-02"), "2024-02-04", "2024-02-06", "2024-02-18"),
    # the Thursday before: 2-9 | 2-18, 2-19 ... 2-23 | 2-26 ... 3-1, 3-4, 3-5, 3-6
    ("land", at("2024-02-08"), "2024-02-09", "2024-02-23", "2024-03-06"),
    # raised during the holiday: the first working day after it (Sunday 2-18) is day 1
    ("approval", at("2024-02-12"), "2024-02-18", "2024-02-20", "2024-02-26"),
    # National Day: Sunday 9-29 worked, 10-1..10-7 off, Saturday 10-12 worked
    ("approval", at("2024-09-27"), "2024-09-29", "2024-10-08", "2024-10-12"),
    # raised at 23:30 Beijing time on 9-30 (15:30 UTC): the clock counts from the Beijing day;
    # 10-8 | 10-9, 10-10 | 10-11, Saturday 10-12, 10-14, 10-15
    ("approval", at("2024-09-30", 23).replace(minute=30), "2024-10-08", "2024-10-10", "2024-10-15"),
]


@pytest.mark.parametrize(("category", "opened", "accept", "reply", "close"), HAND_WORKED)
def test_deadlines_across_the_spring_festival_and_national_day(
    engine, settings, category, opened, accept, reply, close
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        case = _open(session, settings, category, opened)
        assert (case.accept_due, case.reply_due, case.due) == (D(accept), D(reply), D(close))
        shown = show_request(session, scope=ANALYST, settings=settings, request_id=case.id, as_of=D(accept))
    assert {d["clock"]: d["due"] for d in shown["deadlines"]} == {
        "accept": accept,
        "reply": reply,
        "close": close,
    }


def _step(session, settings, case, scope, step, day, hour=10):  # type: ignore[no-untyped-def]
    return act(session, scope=scope, settings=settings, request_id=case.id, step=step, at=at(day, hour))


def _assigned(session, settings):  # type: ignore[no-untyped-def]
    """用地保障 raised Monday 2024-03-04: reply due 3-13, 办结 3-25; assigned 3-05 (co-unit due 3-08)."""
    case = _open(session, settings, "land", at("2024-03-04", 9))
    case = _step(session, settings, case, ANALYST, Step("accept"), "2024-03-04")
    case = _step(session, settings, case, ANALYST, Step("assign"), "2024-03-05")
    assert (case.reply_due, case.due, case.co_due) == (D("2024-03-13"), D("2024-03-25"), D("2024-03-08"))
    return _step(session, settings, case, department(NATURAL), Step("start"), "2024-03-05", 11)


def test_waiting_on_the_enterprise_pauses_every_clock_but_acceptance(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        case = _assigned(session, settings)
        case = _step(
            session,
            settings,
            case,
            department(NATURAL),
            Step("request_info", text="请补充红线图"),
            "2024-03-06",
        )
        # two working days into the wait (3-7, 3-8) the deadlines shown have moved by two
        shown = show_request(
            session, scope=ANALYST, settings=settings, request_id=case.id, as_of=D("2024-03-08")
        )
        assert shown["paused"] and shown["paused_days"] == 2
        assert {d["clock"]: d["due"] for d in shown["deadlines"]} == {
            "accept": "2024-03-05",
            "reply": "2024-03-15",
            "close": "2024-03-27",
            "co_unit": "2024-03-12",
        }
        assert shown["overdue"] is False
        # supplied Monday 3-11: waited 3-7, 3-8, 3-11 = 3 working days
        case = _step(
            session, settings, case, enterprise(code(4)), Step("supply", text="已补充"), "2024-03-11"
        )
        assert (case.state, case.paused_days) == ("办理中", 3)
        assert (case.reply_due, case.due, case.co_due) == (D("2024-03-18"), D("2024-03-28"), D("2024-03-13"))


def test_the_co_unit_clock_runs_from_assignment_and_stops_when_it_answers(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        case = _assigned(session, settings)
        late = reminders(session, scope=ANALYST, settings=settings, as_of=D("2024-03-11"))
        assert [(a["clock"], a["level"], a["unit"], a["late_workdays"]) for a in late] == [
            ("co_unit", "督办", ECONOMY, 1)
        ]
        rows = list_requests(session, scope=ANALYST, settings=settings, overdue=True, as_of=D("2024-03-11"))
        assert [(r["request_id"], r["overdue_clocks"]) for r in rows] == [(case.id, ["co_unit"])]
        _step(session, settings, case, department(ECONOMY), Step("co_reply", text="指标可调剂"), "2024-03-11")
        assert reminders(session, scope=ANALYST, settings=settings, as_of=D("2024-03-11")) == []
        assert (
            list_requests(session, scope=ANALYST, settings=settings, overdue=True, as_of=D("2024-03-11"))
            == []
        )


def test_the_ladder_reminds_before_and_escalates_after_a_missed_deadline(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        case = _open(session, settings, "land", at("2024-03-04", 9))  # accept due 3-05, reply 3-13

        def levels(day: str) -> list[tuple[str, str]]:
            return [
                (a["clock"], a["level"])
                for a in reminders(session, scope=ANALYST, settings=settings, as_of=D(day))
            ]

        assert levels("2024-03-04") == [("accept", "提醒")]  # one working day left
        assert levels("2024-03-05") == [("accept", "提醒")]  # due today
        assert levels("2024-03-06") == [("accept", "督办")]  # missed
        assert levels("2024-03-12") == [("accept", "挂牌督办"), ("reply", "提醒")]  # 5 working days late
        shown = show_request(
            session, scope=ANALYST, settings=settings, request_id=case.id, as_of=D("2024-03-12")
        )
        assert shown["overdue"] and shown["overdue_clocks"] == ["accept"]
        assert [a["to"] for a in shown["alerts"]] == ["区政府分管领导", "承办单位"]


def test_an_extension_is_asked_before_the_deadline_and_moves_it_once_approved(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        case = _assigned(session, settings)
        lead = department(NATURAL)
        case = _step(session, settings, case, lead, Step("extend", reason="需市级审批", days=5), "2024-03-20")
        with pytest.raises(RequestRefused, match="待批"):
            _step(session, settings, case, lead, Step("extend", reason="再延", days=2), "2024-03-20", 11)
        assert case.due == D("2024-03-25")  # asked, not yet approved
        case = _step(session, settings, case, ANALYST, Step("approve_extension"), "2024-03-21")
        assert (case.extension_days, case.due, case.reply_due) == (5, D("2024-04-01"), D("2024-03-20"))
        # 4-01 passed without an answer: a further extension comes too late
        with pytest.raises(RequestRefused, match="办结时限 2024-04-01 前"):
            _step(session, settings, case, lead, Step("extend", reason="再延", days=2), "2024-04-02")


def test_a_dispute_comes_within_two_working_days_of_assignment(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        case = _open(session, settings, "land", at("2024-03-04", 9))
        case = _step(session, settings, case, ANALYST, Step("accept"), "2024-03-04")
        case = _step(session, settings, case, ANALYST, Step("assign"), "2024-03-05")
        with pytest.raises(RequestRefused, match="2 个工作日内"):
            _step(
                session,
                settings,
                case,
                department(NATURAL),
                Step("dispute", reason="非本局职责"),
                "2024-03-08",
            )
        case = _step(
            session, settings, case, department(NATURAL), Step("dispute", reason="非本局职责"), "2024-03-07"
        )
        assert case.state == "已受理"
        case = _step(session, settings, case, ANALYST, Step("assign", unit="区住建局"), "2024-03-07", 11)
        assert (case.state, case.lead_unit) == ("已交办", "区住建局")


def test_redo_restarts_the_clocks_with_the_same_unit(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        case = _assigned(session, settings)
        lead = department(NATURAL)
        case = _step(session, settings, case, lead, Step("reply", text="已答复"), "2024-03-12")
        case = _step(session, settings, case, enterprise(code(4)), Step("rate", rating="满意"), "2024-03-13")
        case = _step(session, settings, case, ANALYST, Step("close"), "2024-03-13", 11)
        assert (case.state, case.closed_on) == ("办结", D("2024-03-13"))
        # 回访 on Monday 4-01 finds the enterprise unsatisfied: reopened; 15 working days from 4-01
        # (4-2, 4-3; 4-4..4-6 清明 off; Sunday 4-7 worked; 4-8..4-12; 4-15..4-19; 4-22, 4-23) end on 4-23
        case = _step(session, settings, case, ANALYST, Step("redo", reason="回访不满意"), "2024-04-01")
        assert (case.state, case.lead_unit, case.closed_on, case.due) == (
            "办理中",
            NATURAL,
            None,
            D("2024-04-23"),
        )
