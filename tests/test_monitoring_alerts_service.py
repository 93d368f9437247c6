"""Alerts through the import path on SQLite and PostgreSQL: evaluated from imported power
readings, one alert continuing across months, ack / dismiss / silence audited, precision per
rule, a town seeing only its own, and a past month replayed with the data as known then."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from helpers import code, run_import, write_csv
from industry_brain.core.auth_models import AuditEntry
from industry_brain.core.db import transaction
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.ingest.models import ImportBatch
from industry_brain.monitoring import alerts
from monitoring_alerts_fixtures import months

ACCOUNTS = [["户号", "统一社会信用代码", "户名"], ["3300001", code(1), "甲"], ["3300002", code(2), "乙"]]
SYSTEM = Scope.system()


def _readings(tmp_path, name, values):  # type: ignore[no-untyped-def]
    rows = [["户号", "月份", "用电量（千瓦时）"]]
    rows += [["3300001", m, v] for m, v in values.items()]
    rows += [["3300002", m, 100_000] for m in values]  # 乙 steady at 10 万kWh
    return write_csv(tmp_path / name, rows)


@pytest.fixture
def loaded(engine, settings, tmp_path):  # type: ignore[no-untyped-def]
    run_import(engine, settings, write_csv(tmp_path / "acc.csv", ACCOUNTS), "power")
    # 甲: 10 万kWh a month; from March 2024 4 万kWh (-60% on the same month of 2023)
    values = {m: (40_000 if m >= "2024-03" else 100_000) for m in months("2023-01", "2024-05")}
    for year in ("2023", "2024"):  # the power company's file for each year
        year_values = {m: v for m, v in values.items() if m.startswith(year)}
        batch = run_import(engine, settings, _readings(tmp_path, f"p{year}.csv", year_values), "power")
    return batch


def _evaluate(engine, month):  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        alerts.evaluate(s, month=month, scope=SYSTEM)
        return alerts.list_alerts(s, month=month, scope=SYSTEM)


def test_one_alert_continues_and_explains_itself(engine, loaded):
    march = {r["rule"]: r for r in _evaluate(engine, "2024-03")}
    april = {r["rule"]: r for r in _evaluate(engine, "2024-04")}
    # -60% on March 2023: pending (the rule wants two months in a row), firing in April
    assert (march["power_yoy_drop"]["state"], april["power_yoy_drop"]["state"]) == ("pending", "firing")
    drop = april["power_yoy_drop"]
    assert (drop["credit_code"], drop["first_month"], drop["month"]) == (code(1), "2024-03", "2024-04")
    assert (drop["observed"], drop["expected"]) == pytest.approx((4.0, 10.0))
    assert drop["explanation"] == (
        "2024年4月用电量 4.00 万千瓦时，比上年同期 10.00 万千瓦时下降 60.0%"
        "（规则“用电同比大幅下降”：降幅达 30% 即预警），预警。"
    )
    assert [s["role"] for s in drop["sources"]] == ["observed", "expected"]
    assert drop["sources"][0]["file"] == "p2024.csv" and drop["sources"][0]["row"] == 5  # April 2024
    assert drop["sources"][0]["batch_id"] in loaded.batches  # one batch a month of the file
    assert drop["sources"][1]["file"] == "p2023.csv" and drop["sources"][1]["row"] == 5  # April 2023
    assert drop["alert_id"] == march["power_yoy_drop"]["alert_id"]  # the same alert, not a new one
    assert march["power_decline_3m"]["state"] == "pending"  # March is one month deeper than February
    assert {r["credit_code"] for r in march.values()} == {code(1)}  # 乙 is steady


def test_ack_dismiss_silence_are_audited_and_counted(engine, loaded):
    alert_id = {r["rule"]: r for r in _evaluate(engine, "2024-03")}["power_yoy_drop"]["alert_id"]
    user = Scope(role="analyst", username="li")
    with transaction(engine) as s:
        alerts.ack(s, alert_id=alert_id, comment="已电话联系企业", scope=user)
        with pytest.raises(IndustryBrainError, match="未知的驳回原因"):
            alerts.dismiss(s, alert_id=alert_id, reason="不知道", scope=user)
        alerts.dismiss(s, alert_id=alert_id, reason="检修", comment="停产检修两个月", scope=user)
        stats = {r["rule"]: r for r in alerts.rule_stats(s)}
        assert (stats["power_yoy_drop"]["raised"], stats["power_yoy_drop"]["dismissed"]) == (1, 1)
        assert stats["power_yoy_drop"]["precision"] == 0.0
        assert stats["power_yoy_drop"]["dismissed_by_reason"] == {"检修": 1}
        assert stats["power_decline_3m"]["precision"] == 1.0  # raised once, not dismissed
        [decline] = alerts.list_alerts(s, month="2024-03", scope=SYSTEM, state="pending")  # drop dismissed
        assert decline["rule"] == "power_decline_3m"
        alerts.silence(
            s, alert_id=decline["alert_id"], until=dt.date.today() + dt.timedelta(days=30), scope=user
        )
        # silenced from this month on: 2024-03 stays as it was shown, the current month is quiet
        assert [r["rule"] for r in alerts.list_alerts(s, month="2024-03", scope=SYSTEM)] == [
            "power_decline_3m"
        ]
        assert alerts._silenced(s, dt.date.today().strftime("%Y-%m")) == {
            (decline["credit_code"], decline["rule"])
        }
        assert alerts._silenced(s, "2024-03") == set()
        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.username == "li")))
    assert actions == {"monitoring.alert.ack", "monitoring.alert.dismiss", "monitoring.alert.silence"}


def test_a_town_sees_its_own_township_only(engine, loaded):
    _evaluate(engine, "2024-03")
    with transaction(engine) as s:
        other = Scope(role="town", username="z", township_code="330213999")
        assert alerts.list_alerts(s, month="2024-03", scope=other) == []
        with pytest.raises(alerts.AlertNotFound):
            alerts.ack(s, alert_id=1, comment="看看", scope=other)


def test_the_bulletin_summary_counts_open_alerts(engine, loaded):
    _evaluate(engine, "2024-03")
    _evaluate(engine, "2024-04")
    with transaction(engine) as s:
        summary = alerts.summary(s, month="2024-04")
    got = (summary["total"], summary["by_rule"], summary["by_severity"])
    assert got == (1, {"power_yoy_drop": 1}, {"warning": 1})
    assert summary["top"][0]["explanation"].startswith("2024年4月用电量 4.00 万千瓦时")


def test_replay_uses_the_data_as_known_then(engine, settings, tmp_path, loaded):
    with transaction(engine) as s:
        s.execute(update(ImportBatch).values(imported_at=dt.datetime(2024, 4, 5)))
    # the power company corrects March: it was 10 万kWh after all
    rows = [
        ["户号", "月份", "用电量（千瓦时）"],
        ["3300001", "2024-03", 100_000],
        ["3300002", "2024-03", 100_000],
    ]
    fixed = run_import(engine, settings, write_csv(tmp_path / "fix.csv", rows), "power")
    with transaction(engine) as s:
        s.execute(
            update(ImportBatch)
            .where(ImportBatch.id == fixed.batch_id)
            .values(imported_at=dt.datetime(2024, 4, 20))
        )
        s.execute(
            update(ImportBatch)
            .where(ImportBatch.superseded_by == fixed.batch_id)
            .values(superseded_at=dt.datetime(2024, 4, 20))
        )
        then = alerts.replay(s, month="2024-03", as_of=dt.datetime(2024, 4, 10))
        known_now = alerts.compute_month(s, month="2024-03")
    assert {r["rule"] for r in then if r["credit_code"] == code(1)} == {"power_yoy_drop", "power_decline_3m"}
    assert [r for r in known_now if r["rule"] == "power_yoy_drop"] == []


def test_a_department_sees_the_alerts_its_unit_receives(engine, loaded):
    _evaluate(engine, "2024-03")
    with transaction(engine) as s:
        jxj = Scope(role="department", username="d1", unit="区经信局")  # receives power_yoy_drop
        tax = Scope(role="department", username="d2", unit="区税务局")
        assert [r["rule"] for r in alerts.list_alerts(s, month="2024-03", scope=jxj)] == ["power_yoy_drop"]
        assert alerts.list_alerts(s, month="2024-03", scope=tax) == []
        summary = alerts.summary(s, month="2024-03")
    # both are pending in March: nothing open yet for the bulletin
    assert (summary["total"], summary["pending"], summary["top"]) == (0, 2, [])
