"""晾晒 figures against a hand-built quarter, and the CLI contract (names and JSON keys)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from helpers import code
from industry_brain.cli.main import build_app
from industry_brain.core.db import transaction
from industry_brain.core.errors import ConfigurationError
from industry_brain.requests.schemas import Step
from industry_brain.requests.service import act, open_request
from industry_brain.requests.stats import period_bounds, request_stats, write_stats_xlsx
from requests_fixtures import ANALYST, NATURAL, TOWN_A, TOWN_B, at, department, enterprise, seed_firms


def test_periods() -> None:
    assert period_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert period_bounds("2024-q4") == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    with pytest.raises(ConfigurationError, match="YYYY-Qn"):
        period_bounds("2024-13")


def _run(session, settings, firm: str, day: str, steps: list[tuple[str, Step, str]]):  # type: ignore[no-untyped-def]
    case = open_request(
        session,
        scope=ANALYST,
        settings=settings,
        credit_code=firm,
        category="approval",
        text="审批卡点",
        opened_at=at(day, 9),
    )
    for who, step, when in steps:
        scope = {"a": ANALYST, "e": enterprise(firm), "d": department("区审管办")}[who]
        case = act(session, scope=scope, settings=settings, request_id=case.id, step=step, at=at(when))
    return case


def _loop(rating: str, reply_on: str, close_on: str) -> list[tuple[str, Step, str]]:
    return [
        ("a", Step("accept"), "2024-03-04"),
        ("a", Step("assign"), "2024-03-04"),
        ("d", Step("start"), "2024-03-04"),
        ("d", Step("reply", text="已办"), reply_on),
        ("e", Step("rate", rating=rating), close_on),
    ] + ([("a", Step("close"), close_on)] if rating != "不满意" else [])


def test_the_league_table_of_a_quarter_by_unit_and_township(engine, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """审批服务 普通 (办结 7 working days) received Monday 2024-03-04: due 3-13.
    A (town A): closed 3-08 (4 working days), 满意 — on time.
    B (town A): closed 3-15 (9 working days), 基本满意 — late.
    C (town B): rated 不满意 3-12, reopened 3-12, still open, not yet due again — rated, redone.
    D (town B): received 3-04, untouched: past due on 3-20 — overdue.
    E: received 4-01, outside the quarter.
    (The chain rule is raised out of reach: three of these firms are on the auto-parts chain.)"""
    from importlib import resources

    shipped = (resources.files("industry_brain.requests") / "data" / "routing.yaml").read_text(
        encoding="utf-8"
    )
    (tmp_path / "routing.yaml").write_text(
        shipped.replace("min_enterprises: 3", "min_enterprises: 9"), encoding="utf-8"
    )
    settings = settings.replace(requests_rules_dir=str(tmp_path))
    with transaction(engine) as session:
        seed_firms(session)
        _run(session, settings, code(1), "2024-03-04", _loop("满意", "2024-03-07", "2024-03-08"))
        _run(session, settings, code(2), "2024-03-04", _loop("基本满意", "2024-03-14", "2024-03-15"))
        c = _run(session, settings, code(3), "2024-03-04", _loop("不满意", "2024-03-11", "2024-03-12"))
        act(
            session,
            scope=ANALYST,
            settings=settings,
            request_id=c.id,
            step=Step("redo", reason="不满意"),
            at=at("2024-03-12", 11),
        )
        _run(session, settings, code(4), "2024-03-04", [])
        _run(session, settings, code(4), "2024-04-01", [])
        stats = request_stats(
            session, scope=ANALYST, settings=settings, period="2024-Q1", as_of=dt.date(2024, 3, 20)
        )
    assert stats["total"] == {
        "received": 4,
        "closed": 2,
        "on_time": 1,
        "overdue": 2,
        "on_time_rate": 0.5,
        "median_days": 6.5,
        "satisfaction": round(2 / 3, 4),
        "redo_rate": round(1 / 3, 4),
    }
    assert [u["unit"] for u in stats["units"]] == ["区审管办"]
    towns = {t["township_code"]: t for t in stats["townships"]}
    assert (towns[TOWN_A]["received"], towns[TOWN_A]["on_time"], towns[TOWN_A]["overdue"]) == (2, 1, 1)
    assert (
        towns[TOWN_B]["received"],
        towns[TOWN_B]["closed"],
        towns[TOWN_B]["overdue"],
        towns[TOWN_B]["redo_rate"],
    ) == (2, 0, 1, 1.0)
    assert towns[TOWN_B]["satisfaction"] == 0.0 and towns[TOWN_B]["median_days"] is None
    path = write_stats_xlsx(stats, tmp_path / "晾晒.xlsx")
    sheet = load_workbook(path)["按承办单位"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert rows[0][:5] == ["承办单位", "受理数", "办结数", "按期办结", "逾期"]
    assert rows[1] == ["区审管办", 4, 2, 1, 2, "50.0%", 6.5, "66.7%", "33.3%"]
    assert load_workbook(path)["按镇街"]["A4"].value == "锦屏街道"


def test_the_cli_contract(db_url, engine) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        seed_firms(session)
    runner = CliRunner()
    app = build_app()

    def run(*args: str) -> str:
        result = runner.invoke(app, [*args, "--db", db_url])
        assert result.exit_code == 0, result.output
        return result.output

    opened = json.loads(
        run(
            "requests",
            "open",
            "--code",
            code(1),
            "--category",
            "用地保障",
            "--text",
            "用地",
            "--opened-at",
            "2024-02-08T10:00",
            "--json",
        )
    )
    assert opened["lead_unit"] == NATURAL and opened["due"] == "2024-03-06" and opened["request_id"] == 1
    listed = json.loads(run("requests", "list", "--as-of", "2024-02-20", "--json"))
    assert set(listed[0]) >= {
        "request_id",
        "credit_code",
        "category",
        "state",
        "lead_unit",
        "opened_at",
        "due",
        "overdue",
    }
    assert (listed[0]["state"], listed[0]["overdue"]) == ("待受理", True)  # 受理 was due 2-09
    assert json.loads(run("requests", "list", "--state", "办结", "--json")) == []
    assert json.loads(run("requests", "list", "--overdue", "--as-of", "2024-02-09", "--json")) == []
    cats = json.loads(runner.invoke(app, ["requests", "categories", "--json"]).output)
    assert {"category": "land", "lead_unit": NATURAL, "working_days": 15}.items() <= cats[0].items()
    assert (
        json.loads(run("requests", "accept", "1", "--at", "2024-02-09T09:00", "--json"))["state"] == "已受理"
    )
    refused = runner.invoke(app, ["requests", "start", "1", "--db", db_url])
    assert refused.exit_code == 2 and "状态“已受理”的问题不能“签收办理”" in refused.output
    run("requests", "assign", "1", "--at", "2024-02-09T10:00")
    shown = json.loads(run("requests", "show", "1", "--as-of", "2024-02-20", "--json"))
    assert [e["action"] for e in shown["history"]] == ["open", "accept", "assign"]
    stats = json.loads(run("requests", "stats", "--period", "2024-02", "--as-of", "2024-03-10", "--json"))
    assert stats["total"]["received"] == 1 and stats["total"]["overdue"] == 1
    reminders = json.loads(run("requests", "reminders", "--as-of", "2024-02-20", "--json"))
    assert [(r["clock"], r["level"]) for r in reminders] == [("co_unit", "提醒")]
    bad = runner.invoke(
        app,
        [
            "requests",
            "open",
            "--code",
            "91330213000000001X",
            "--category",
            "land",
            "--text",
            "x",
            "--db",
            db_url,
        ],
    )
    assert bad.exit_code == 2 and "校验码" in bad.output
