"""公示, 申诉, 复核 and 终审 of evaluation runs: the whole story, the refusals, and the guarantee
that a published run is never changed (every test runs on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from evaluation_fixtures import BASE as FIXTURE_BASE
from evaluation_fixtures import YEAR
from helpers import code
from industry_brain.core.db import transaction
from industry_brain.core.errors import IndustryBrainError
from industry_brain.evaluation.inputs import SCHEMA
from industry_brain.evaluation.method import load_method
from industry_brain.evaluation.models import Appeal, EvaluationInput, EvaluationResult, EvaluationRun
from industry_brain.evaluation.service import (
    get_run,
    input_hash,
    method_of,
    run_evaluation,
    run_inputs,
    run_results,
)
from industry_brain.evaluation.workflow import (
    appealable_fields,
    file_appeal,
    finalize_due,
    list_appeals,
    list_runs,
    publish,
    review_appeal,
    run_info,
    standing,
    verify_run,
)
from industry_brain.evaluation.workflow_cli import workflow_app

TODAY = dt.date(2023, 9, 25)  # 黄岩区 published its 2022 results on this day
DEADLINE = dt.date(2023, 10, 9)
# The worked-example enterprise of the shared fixtures (113.128 under huangyan-2022).
BASE = {k: v for k, v in FIXTURE_BASE.items() if k != "name"}
# Five above-scale enterprises that differ only in tax: 企业1 is the worked example (113.128).
TAXES = [600.0, 500.0, 400.0, 300.0, 100.0]
E1, E2, E5 = code(1), code(2), code(5)


def facts(*changes: dict) -> pl.DataFrame:
    rows = [
        {**BASE, "credit_code": code(i + 1), "name": f"企业{i + 1}", "tax_wan": t}
        for i, t in enumerate(TAXES)
    ]
    for i, change in enumerate(changes):
        rows.append({**BASE, "credit_code": code(i + 6), "name": f"企业{i + 6}", **change})
    return pl.DataFrame(rows, schema=SCHEMA)


def score_of(tax_wan: float) -> float:
    """By hand, with huangyan-2022's published constants (weights 30/20/20/10/10/10)."""
    land, va = 20.0, 3000.0
    return (
        tax_wan / land / 24.097 * 30
        + va / land / 136.16 * 20
        + va / 1000.0 / 2.694 * 20
        + va / 0.5 / 4929.81 * 10
        + va / 150.0 / 18.14 * 10
        + 200.0 / 8000.0 / 0.0302 * 10
    )


def new_run(engine, settings, frame: pl.DataFrame | None = None) -> int:
    with transaction(engine) as s:
        summary, _ = run_evaluation(
            s,
            year=YEAR,
            method=load_method("huangyan-2022"),
            settings=settings,
            facts=facts() if frame is None else frame,
            input_source="test",
            user="经信局",
        )
    assert summary.run_id is not None
    return summary.run_id


def published_run(engine, settings, frame: pl.DataFrame | None = None) -> int:
    run_id = new_run(engine, settings, frame)
    with transaction(engine) as s:
        publish(s, run_id=run_id, deadline=DEADLINE, user="经信局", today=TODAY)
    return run_id


def appeal(engine, run_id: int, credit_code: str = E5, field: str = "tax_wan", value: float = 900.0, **kw):
    args = dict(
        run_id=run_id,
        credit_code=credit_code,
        field=field,
        claimed_value=value,
        statement="税务局完税证明显示实缴税金为 900 万元",
        filed_by="企业5",
        today=TODAY,
    )
    with transaction(engine) as s:
        return file_appeal(s, **{**args, **kw})


def review(engine, settings, appeal_id: int, accept: bool, reason: str = "与税务局完税证明核对一致", **kw):
    args = dict(appeal_id=appeal_id, accept=accept, reviewer="经信局审核员", reason=reason, settings=settings)
    with transaction(engine) as s:
        return review_appeal(s, **{**args, **kw})


def refused(engine, fn, *words: str, **kw) -> None:
    with pytest.raises(IndustryBrainError) as caught, transaction(engine) as s:
        fn(s, **kw)
    for word in words:
        assert word in str(caught.value), str(caught.value)


def snapshot(engine, run_id: int) -> tuple[bytes, bytes, dict]:
    """A run's inputs and results as bytes, and its row: to show they never change."""
    with transaction(engine) as s:
        run = get_run(s, run_id)
        results = run_results(s, run, method_of(run)).sort("credit_code")
        inputs = run_inputs(s, run).sort("credit_code")
        row = {c.key: getattr(run, c.key) for c in EvaluationRun.__table__.columns}
    row.pop("status")
    return results.write_ipc(None).getvalue(), inputs.write_ipc(None).getvalue(), row


# --- the whole story ---------------------------------------------------------------------------


def test_publish_appeal_accept_new_version_finalize(engine, settings):
    run_id = new_run(engine, settings)
    with transaction(engine) as s:
        before = standing(s, run_id=run_id, credit_code=E5)
        assert before is not None and before.grade == "C" and before.rank == 5
        assert before.score == pytest.approx(score_of(100.0), abs=1e-9)
        assert standing(s, run_id=run_id, credit_code=E1).grade == "A"  # type: ignore[union-attr]
        info = publish(s, run_id=run_id, deadline=DEADLINE, user="经信局", today=TODAY)
    assert (info.status, info.deadline, info.version) == ("published", DEADLINE, 1)
    assert info.published_at is not None

    # 企业5 disputes its tax; 企业2 disputes its employees (still pending when 企业5's is accepted)
    first = appeal(engine, run_id)
    assert (first.status, first.current_value, first.claimed_value, first.name) == (
        "pending",
        100.0,
        900.0,
        "企业5",
    )
    second = appeal(
        engine, run_id, credit_code=E2, field="employees", value=120.0, filed_by="某某街道", today=DEADLINE
    )
    assert second.current_value == 150.0

    outcome = review(engine, settings, first.appeal_id, True)
    new = outcome.new_run
    assert new is not None
    assert (new.version, new.parent_id, new.status, new.deadline) == (2, run_id, "published", DEADLINE)
    assert outcome.carried_over == [second.appeal_id]
    assert outcome.before is not None and outcome.before.grade == "C"
    after = outcome.after
    assert after is not None and after.grade == "A" and after.rank == 1
    # tax per mu 900 / 20 = 45; 45 / 24.097 × 30 = 56.024 instead of 6.225: 82.004 → 131.803
    assert after.score == pytest.approx(131.8025, abs=1e-4)
    assert after.score == pytest.approx(score_of(900.0), abs=1e-9)

    with transaction(engine) as s:
        old, latest = get_run(s, run_id), get_run(s, new.run_id)
        assert old.status == "superseded"
        assert latest.method_fingerprint == old.method_fingerprint and latest.method_yaml == old.method_yaml
        corrected = run_inputs(s, latest)
        assert latest.input_hash == input_hash(corrected) != old.input_hash
        assert corrected.filter(pl.col("credit_code") == E5)["tax_wan"].item() == 900.0
        changed = corrected.sort("credit_code").drop("tax_wan")
        assert changed.equals(run_inputs(s, old).sort("credit_code").drop("tax_wan"))
        assert f"申诉 #{first.appeal_id}" in latest.input_source and "100 → 900" in latest.input_source
        assert latest.created_by == "经信局审核员"
        results = run_results(s, latest, method_of(latest)).sort("credit_code")
        assert results["grade"].to_list() == ["B", "B", "B", "C", "A"]  # 企业1 … 企业5
        assert results.filter(pl.col("credit_code") == E5)["score_tax_per_mu"].item() == pytest.approx(
            45 / 24.097 * 30
        )
        row = s.get(Appeal, first.appeal_id)
        assert row is not None
        assert (row.status, row.reviewer, row.new_run_id, row.current_value, row.claimed_value) == (
            "accepted",
            "经信局审核员",
            new.run_id,
            100.0,
            900.0,
        )
        assert row.review_reason == "与税务局完税证明核对一致" and row.reviewed_at is not None
        moved = s.get(Appeal, second.appeal_id)
        assert moved is not None and (moved.run_id, moved.status) == (new.run_id, "pending")
        history = list_appeals(s, run_id=run_id)
        assert [(a.appeal_id, a.run_id, a.run_version) for a in history] == [
            (first.appeal_id, run_id, 1),
            (second.appeal_id, new.run_id, 2),
        ]
        assert list_appeals(s, run_id=new.run_id) == history

    rejected = review(engine, settings, second.appeal_id, False, reason="社保缴纳名册显示从业人员 150 人")
    assert rejected.new_run is None and rejected.appeal.status == "rejected"
    with transaction(engine) as s:
        assert get_run(s, new.run_id).status == "published"  # a rejection changes no run
        assert finalize_due(s, today=DEADLINE).finalized == []  # appeals are taken on the deadline day
        report = finalize_due(s, today=DEADLINE + dt.timedelta(days=1))
    assert (report.finalized, report.blocked) == ([new.run_id], [])
    with transaction(engine) as s:
        assert [(r.run_id, r.status) for r in list_runs(s, year=YEAR)] == [
            (run_id, "superseded"),
            (new.run_id, "final"),
        ]
        assert get_run(s, new.run_id).finalized_at is not None
        assert list_runs(s, year=YEAR + 1) == []
    refused(
        engine,
        file_appeal,
        "已终审",
        run_id=new.run_id,
        credit_code=E1,
        field="tax_wan",
        claimed_value=1.0,
        statement="x",
        filed_by="企业1",
        today=DEADLINE,
    )


def test_a_published_run_is_byte_identical_after_an_accepted_appeal(engine, settings):
    run_id = published_run(engine, settings)
    results, inputs, row = snapshot(engine, run_id)
    filed = appeal(engine, run_id)
    outcome = review(engine, settings, filed.appeal_id, True)
    assert outcome.new_run is not None
    assert snapshot(engine, run_id) == (results, inputs, row)
    with transaction(engine) as s:
        for run in (run_id, outcome.new_run.run_id):
            check = verify_run(s, run_id=run, settings=settings)
            assert (check.inputs_match, check.results_match, check.differences) == (True, True, [])
        assert run_info(s, run_id=run_id).superseded_by == outcome.new_run.run_id


def test_an_appeal_can_bring_an_enterprise_into_the_evaluation_and_lift_a_veto(engine, settings):
    run_id = published_run(engine, settings, facts({"tax_wan": None}, {"safety_accident": 1}))
    no_tax, accident = code(6), code(7)
    with transaction(engine) as s:
        assert standing(s, run_id=run_id, credit_code=no_tax).grade == "T"  # type: ignore[union-attr]
        assert standing(s, run_id=run_id, credit_code=accident).grade == "D"  # type: ignore[union-attr]
    missing = appeal(engine, run_id, credit_code=no_tax, value=600.0, filed_by="企业6")
    assert missing.current_value is None
    flag = appeal(engine, run_id, credit_code=accident, field="safety_accident", value=0, filed_by="企业7")
    first = review(engine, settings, missing.appeal_id, True)
    assert first.after is not None and first.after.pool == "above_scale" and first.after.score is not None
    assert first.carried_over == [flag.appeal_id]
    second = review(engine, settings, flag.appeal_id, True, reason="应急管理局复函：该事故不属于本企业")
    assert second.new_run is not None and second.new_run.version == 3
    assert second.after is not None and second.after.grade != "D"
    with transaction(engine) as s:
        latest = run_inputs(s, get_run(s, second.new_run.run_id))
        assert latest.filter(pl.col("credit_code") == accident)["safety_accident"].item() == 0
        assert latest.filter(pl.col("credit_code") == no_tax)["tax_wan"].item() == 600.0  # both corrections
        assert [r.status for r in list_runs(s)] == ["superseded", "superseded", "published"]


# --- refusals ----------------------------------------------------------------------------------


def test_publishing_is_refused_twice_with_a_past_deadline_or_beside_another_publication(engine, settings):
    run_id = new_run(engine, settings)
    refused(engine, publish, "须晚于今天", run_id=run_id, deadline=TODAY, user="x", today=TODAY)
    refused(engine, publish, "不存在", run_id=999, deadline=DEADLINE, user="x", today=TODAY)
    with transaction(engine) as s:
        publish(s, run_id=run_id, deadline=DEADLINE, user="x", today=TODAY)
    refused(engine, publish, "只有草稿可以公示", run_id=run_id, deadline=DEADLINE, user="x", today=TODAY)
    other = new_run(engine, settings)
    refused(
        engine, publish, f"批次 {run_id} 正在公示", run_id=other, deadline=DEADLINE, user="x", today=TODAY
    )


def test_appeals_are_refused_unless_open_in_the_run_and_for_a_used_figure(engine, settings):
    draft = new_run(engine, settings)
    kw = dict(
        credit_code=E5, field="tax_wan", claimed_value=900.0, statement="依据", filed_by="企业5", today=TODAY
    )
    refused(engine, file_appeal, "尚未公示", run_id=draft, **kw)
    with transaction(engine) as s:
        publish(s, run_id=draft, deadline=DEADLINE, user="x", today=TODAY)
    run_id = draft
    late = {**kw, "today": DEADLINE + dt.timedelta(days=1)}
    refused(engine, file_appeal, "已于 2023-10-09 截止", run_id=run_id, **late)
    refused(
        engine, file_appeal, f"企业 {code(99)} 不在批次", run_id=run_id, **{**kw, "credit_code": code(99)}
    )
    refused(engine, file_appeal, "output_wan", "不使用此项", run_id=run_id, **{**kw, "field": "output_wan"})
    refused(engine, file_appeal, "name", "不是事实表中可申诉", run_id=run_id, **{**kw, "field": "name"})
    refused(
        engine,
        file_appeal,
        "应为 1 或 0",
        run_id=run_id,
        **{**kw, "field": "safety_accident", "claimed_value": 2},
    )
    refused(
        engine, file_appeal, "不能为负数", run_id=run_id, **{**kw, "field": "land_mu", "claimed_value": -1.0}
    )
    refused(engine, file_appeal, "有限的数字", run_id=run_id, **{**kw, "claimed_value": float("nan")})
    refused(engine, file_appeal, "相同", run_id=run_id, **{**kw, "claimed_value": 100.0})
    refused(engine, file_appeal, "statement", run_id=run_id, **{**kw, "statement": "  "})
    filed = appeal(engine, run_id)
    refused(engine, file_appeal, f"待复核的申诉 #{filed.appeal_id}", run_id=run_id, **kw)
    assert appeal(engine, run_id, field="land_mu", value=18.0).status == "pending"  # another figure: fine

    refused(
        engine,
        review_appeal,
        "驳回申诉须写明理由",
        appeal_id=filed.appeal_id,
        accept=False,
        reviewer="审核员",
        reason="",
        settings=settings,
    )
    refused(
        engine,
        review_appeal,
        "不能复核自己的申诉",
        appeal_id=filed.appeal_id,
        accept=True,
        reviewer="企业5",
        reason="核实",
        settings=settings,
    )
    refused(
        engine,
        review_appeal,
        "申诉 999 不存在",
        appeal_id=999,
        accept=True,
        reviewer="审核员",
        reason="核实",
        settings=settings,
    )
    outcome = review(engine, settings, filed.appeal_id, True)
    assert outcome.new_run is not None
    refused(
        engine,
        review_appeal,
        "不能再次复核",
        appeal_id=filed.appeal_id,
        accept=False,
        reviewer="审核员",
        reason="重复",
        settings=settings,
    )
    refused(engine, file_appeal, f"请对批次 {outcome.new_run.run_id} 申诉", run_id=run_id, **kw)
    # the corrected figure is the new run's: appealing it again starts from 900
    again = appeal(engine, outcome.new_run.run_id, value=950.0)
    assert again.current_value == 900.0


def test_the_fields_an_appeal_may_dispute_are_those_the_method_uses():
    fields = appealable_fields(load_method("huangyan-2022"))
    assert fields == [
        "above_scale",
        "land_mu",
        "rented_mu",
        "tax_wan",
        "value_added_wan",
        "revenue_wan",
        "energy_tce",
        "emission_t",
        "employees",
        "rd_spend_wan",
        "electricity_wan_kwh",
        "safety_accident",
        "env_violation",
    ]


def test_a_run_with_pending_appeals_past_its_deadline_is_reported_not_finalized(engine, settings):
    run_id = published_run(engine, settings)
    filed = appeal(engine, run_id, today=DEADLINE)
    after = DEADLINE + dt.timedelta(days=3)
    with transaction(engine) as s:
        report = finalize_due(s, today=after)
    assert report.finalized == []
    assert report.blocked == [{"run_id": run_id, "deadline": DEADLINE, "pending_appeals": [filed.appeal_id]}]
    assert report.to_json()["blocked"][0]["deadline"] == "2023-10-09"
    review(engine, settings, filed.appeal_id, False, reason="未提供证明材料")
    with transaction(engine) as s:
        assert finalize_due(s, today=after).finalized == [run_id]
        assert finalize_due(s, today=after).finalized == []  # once
        assert run_info(s, run_id=run_id).status == "final"
    refused(
        engine,
        publish,
        "只有草稿可以公示",
        run_id=run_id,
        deadline=after + dt.timedelta(days=9),
        user="x",
        today=after,
    )


# --- a published run cannot be changed ------------------------------------------------------------


def test_changing_a_published_run_through_the_orm_is_refused(engine, settings):
    draft = new_run(engine, settings)
    with transaction(engine) as s:  # a draft may still be corrected
        row = s.scalars(select(EvaluationResult).where(EvaluationResult.run_id == draft).limit(1)).one()
        row.name = "草稿可改"
    with transaction(engine) as s:
        publish(s, run_id=draft, deadline=DEADLINE, user="x", today=TODAY)
    run_id = draft
    results, inputs, row_before = snapshot(engine, run_id)

    def change_result(s, **_):
        s.scalars(
            select(EvaluationResult).where(EvaluationResult.run_id == run_id).limit(1)
        ).one().score = -1.0
        s.flush()

    def change_input(s, **_):
        s.scalars(
            select(EvaluationInput).where(EvaluationInput.run_id == run_id).limit(1)
        ).one().tax_wan = 1.0
        s.flush()

    def add_result(s, **_):
        s.add(EvaluationResult(run_id=run_id, credit_code=code(50), pool="above_scale", grade="A"))
        s.flush()

    def change_run(s, **_):
        get_run(s, run_id).deadline = DEADLINE + dt.timedelta(days=30)
        s.flush()

    def back_to_draft(s, **_):
        get_run(s, run_id).status = "draft"
        s.flush()

    def delete_run(s, **_):
        s.delete(get_run(s, run_id))
        s.flush()

    refused(engine, change_result, "其评价结果不能修改")
    refused(engine, change_input, "其评价输入不能修改")
    refused(engine, add_result, "其评价结果不能修改")
    refused(engine, change_run, "不能修改 deadline")
    refused(engine, back_to_draft, "不能从“公示中”改为“草稿”")
    refused(engine, delete_run, "不能删除")
    assert snapshot(engine, run_id) == (results, inputs, row_before)

    filed = appeal(engine, run_id)
    review(engine, settings, filed.appeal_id, False, reason="无依据")

    def rewrite_decision(s, **_):
        found = s.get(Appeal, filed.appeal_id)
        found.status = "accepted"
        s.flush()

    refused(engine, rewrite_decision, "已复核（已驳回），不能修改")


def test_the_database_refuses_changes_to_a_published_run(engine, settings, db_url):
    """Migration 0003's triggers: even raw SQL, bypassing the ORM guard, cannot change it."""
    run_id = published_run(engine, settings)
    for sql in (
        "UPDATE evaluation_result SET score = score + 1 WHERE run_id = :r",
        "DELETE FROM evaluation_input WHERE run_id = :r",
        "INSERT INTO evaluation_result (run_id, credit_code, pool, grade, imputed, vetoes) "
        "VALUES (:r, 'X', 'above_scale', 'A', '', '')",
    ):
        with (
            pytest.raises(DBAPIError, match="published evaluation runs are never changed"),
            engine.begin() as conn,
        ):
            conn.execute(text(sql), {"r": run_id})
    with transaction(engine) as s:
        check = verify_run(s, run_id=run_id, settings=settings)
    assert (check.inputs_match, check.results_match) == (True, True)


def test_verification_detects_a_draft_changed_behind_the_application(engine, settings, db_url):
    run_id = new_run(engine, settings)
    with engine.begin() as conn:  # drafts are not frozen; the hash and recomputation catch it
        conn.execute(text("UPDATE evaluation_result SET score = score + 1 WHERE run_id = :r"), {"r": run_id})
    with transaction(engine) as s:
        check = verify_run(s, run_id=run_id, settings=settings)
    assert (check.inputs_match, check.results_match) == (True, False)
    assert "结果列 score 与重算不一致" in check.differences
    shown = CliRunner().invoke(workflow_app, ["show", str(run_id), "--verify", "--db", db_url])
    assert shown.exit_code == 1 and "核对不通过" in shown.stdout
    with engine.begin() as conn:
        conn.execute(text("UPDATE evaluation_input SET tax_wan = 1 WHERE run_id = :r"), {"r": run_id})
    with transaction(engine) as s:
        assert verify_run(s, run_id=run_id, settings=settings).inputs_match is False


# --- the commands --------------------------------------------------------------------------------


def test_the_workflow_commands(engine, settings, db_url):
    runner = CliRunner()

    def cli(*args: str, code: int = 0):
        result = runner.invoke(workflow_app, [*args, "--db", db_url])
        assert result.exit_code == code, result.output
        return result

    run_id = new_run(engine, settings)
    runs = json.loads(cli("runs", "--year", str(YEAR), "--json").stdout)
    assert [(r["run_id"], r["status"], r["version"]) for r in runs] == [(run_id, "draft", 1)]
    assert "草稿" in cli("runs").stdout
    shown = json.loads(cli("show", str(run_id), "--json").stdout)
    assert shown["grades"] == {"A": 1, "B": 3, "C": 1} and shown["method"] == "huangyan-2022"
    assert "A类 优先支持：1 户" in cli("show", str(run_id)).stdout

    deadline = dt.date.today() + dt.timedelta(days=14)
    # the date as officials type it, with slashes, is read as the ISO one
    published = cli("publish", str(run_id), "--deadline", f"{deadline:%Y/%m/%d}", "--by", "经信局").stdout
    assert "已公示" in published and deadline.isoformat() in published
    bad = cli("publish", str(run_id), "--deadline", deadline.isoformat(), code=2)
    assert [line for line in bad.stderr.splitlines() if line.strip()] == [
        line for line in bad.stderr.splitlines() if "只有草稿可以公示" in line
    ]
    refused_date = cli("publish", str(run_id), "--deadline", "10/9/2023", code=2).stderr
    assert "请写成 2026-12-20、2026/12/20" in refused_date and "10/9/2023" in refused_date

    filed = json.loads(
        cli(
            "appeal",
            str(run_id),
            "--credit-code",
            E5.lower(),
            "--field",
            "tax_wan",
            "--value",
            "900",
            "--statement",
            "完税证明",
            "--by",
            "企业5",
            "--json",
        ).stdout
    )
    assert (filed["current_value"], filed["claimed_value"], filed["status"]) == (100.0, 900.0, "pending")
    text_out = cli(
        "appeal",
        str(run_id),
        "--credit-code",
        E1,
        "--field",
        "tax_wan",
        "--value",
        "-5",
        "--statement",
        "退税",
        "--by",
        "企业1",
    ).stdout
    assert "600 → -5" in text_out
    assert (
        "不使用此项"
        in cli(
            "appeal",
            str(run_id),
            "--credit-code",
            E1,
            "--field",
            "output_wan",
            "--value",
            "1",
            "--statement",
            "x",
            code=2,
        ).stderr
    )

    assert (
        "须指定 --accept 或 --reject"
        in cli("review", str(filed["appeal_id"]), "--reason", "x", code=2).output
    )
    assert "须写明理由" in cli("review", str(filed["appeal_id"]), "--reject", "--by", "审核员", code=2).stderr
    accepted = cli(
        "review", str(filed["appeal_id"]), "--accept", "--reason", "核对完税证明", "--by", "审核员"
    )
    new_id = run_id + 1
    assert (
        f"更正后的批次 {new_id}（第 2 版）" in accepted.stdout and "C 82.0038 → A 131.803" in accepted.stdout
    )
    assert "转到批次" in accepted.stdout
    again = cli("review", str(filed["appeal_id"]), "--reject", "--reason", "x", "--by", "审核员", code=2)
    assert "不能再次复核" in again.stderr

    listed = json.loads(cli("appeals", str(run_id), "--json").stdout)
    assert [(a["status"], a["run_id"]) for a in listed] == [("accepted", run_id), ("pending", new_id)]
    assert "已采纳" in cli("appeals", str(new_id)).stdout
    rejected = json.loads(
        cli(
            "review",
            str(listed[1]["appeal_id"]),
            "--reject",
            "--reason",
            "无依据",
            "--by",
            "审核员",
            "--json",
        ).stdout
    )
    assert rejected["new_run"] is None and rejected["appeal"]["review_reason"] == "无依据"

    verified = json.loads(cli("show", str(run_id), "--verify", "--json").stdout)
    assert verified["status"] == "superseded" and verified["superseded_by"] == new_id
    assert verified["verification"]["results_match"] is True
    assert "核对：输入与哈希一致" in cli("show", str(new_id), "--verify").stdout

    assert "没有到期" in cli("finalize", "--today", deadline.isoformat()).stdout
    final = json.loads(
        cli("finalize", "--today", (deadline + dt.timedelta(days=1)).isoformat(), "--json").stdout
    )
    assert final["finalized"] == [new_id] and final["blocked"] == []
    assert [r["status"] for r in json.loads(cli("runs", "--json").stdout)] == ["superseded", "final"]
    assert "已终审" in cli("show", str(new_id)).stdout
    assert "评价批次 999 不存在" in cli("show", "999", code=2).stderr


# --- migration 0004: the run's own row, and rows moved between runs --------------------------------

FROZEN_MESSAGE = "published evaluation runs are never changed"
LATER = "'2023-10-10 08:00:00'"  # a finalized_at, written as SQL so both databases take it


def database_refuses(engine, *sqls: str, **params) -> None:
    """Each statement (or, with several, the sequence in one transaction) is refused by the
    database itself, bypassing the ORM guard."""
    with pytest.raises(DBAPIError, match=FROZEN_MESSAGE), engine.begin() as conn:
        for sql in sqls:
            conn.execute(text(sql), params)


def database_allows(engine, sql: str, **params) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def test_the_database_refuses_changes_to_a_published_runs_own_row(engine, settings, db_url):
    run_id = published_run(engine, settings)
    results, inputs, row_before = snapshot(engine, run_id)
    # The reviewer's sequence: back to draft, change a grade, publish again.
    database_refuses(
        engine,
        "UPDATE evaluation_run SET status = 'draft' WHERE id = :r",
        "UPDATE evaluation_result SET grade = 'A' WHERE run_id = :r",
        "UPDATE evaluation_run SET status = 'published' WHERE id = :r",
        r=run_id,
    )
    for sql in (
        "UPDATE evaluation_run SET method_yaml = 'x', input_hash = 'y' WHERE id = :r",
        "UPDATE evaluation_run SET year = year + 1 WHERE id = :r",
        "UPDATE evaluation_run SET deadline = NULL WHERE id = :r",  # NULL is a change too
        "UPDATE evaluation_run SET published_by = NULL WHERE id = :r",
        "UPDATE evaluation_run SET parent_id = :r WHERE id = :r",  # NULL → a value
        "UPDATE evaluation_run SET status = 'final' WHERE id = :r",  # final needs finalized_at
        f"UPDATE evaluation_run SET finalized_at = {LATER} WHERE id = :r",  # only with final
        f"UPDATE evaluation_run SET status = 'superseded', finalized_at = {LATER} WHERE id = :r",
        "UPDATE evaluation_run SET status = 'withdrawn' WHERE id = :r",
        f"UPDATE evaluation_run SET status = 'final', finalized_at = {LATER}, engine = 'x' WHERE id = :r",
        "DELETE FROM evaluation_run WHERE id = :r",
    ):
        database_refuses(engine, sql, r=run_id)
    database_allows(engine, "UPDATE evaluation_run SET status = status WHERE id = :r", r=run_id)  # no change
    assert snapshot(engine, run_id) == (results, inputs, row_before)
    with transaction(engine) as s:
        assert get_run(s, run_id).status == "published"
        check = verify_run(s, run_id=run_id, settings=settings)
    assert (check.inputs_match, check.results_match) == (True, True)


def test_the_database_lets_a_published_run_move_only_forward(engine, settings, db_url):
    superseded = published_run(engine, settings)
    database_allows(engine, "UPDATE evaluation_run SET status = 'superseded' WHERE id = :r", r=superseded)
    final = published_run(engine, settings)  # the year has no run under 公示 again
    database_allows(
        engine, f"UPDATE evaluation_run SET status = 'final', finalized_at = {LATER} WHERE id = :r", r=final
    )
    for run_id, current, moved in ((superseded, "superseded", LATER), (final, "final", "NULL")):
        for status in {"draft", "published", "superseded", "final"} - {current}:
            database_refuses(engine, f"UPDATE evaluation_run SET status = '{status}' WHERE id = :r", r=run_id)
        database_refuses(engine, f"UPDATE evaluation_run SET finalized_at = {moved} WHERE id = :r", r=run_id)
        database_refuses(engine, "UPDATE evaluation_run SET input_source = 'x' WHERE id = :r", r=run_id)
        database_refuses(engine, "DELETE FROM evaluation_run WHERE id = :r", r=run_id)
    with transaction(engine) as s:
        assert [get_run(s, r).status for r in (superseded, final)] == ["superseded", "final"]
    draft = new_run(engine, settings)  # a draft's row is not frozen
    database_allows(engine, "UPDATE evaluation_run SET input_source = 'x' WHERE id = :r", r=draft)


def test_the_database_refuses_moving_a_drafts_rows_into_a_published_run(engine, settings, db_url):
    run_id = published_run(engine, settings)
    draft, other_draft = new_run(engine, settings), new_run(engine, settings)
    for table in ("evaluation_result", "evaluation_input"):
        database_refuses(engine, f"UPDATE {table} SET run_id = :p WHERE run_id = :d", p=run_id, d=draft)
        database_refuses(engine, f"UPDATE {table} SET run_id = :d WHERE run_id = :p", p=run_id, d=draft)
        # between drafts the rows may still move
        database_allows(engine, f"UPDATE {table} SET run_id = :o WHERE run_id = :d", o=other_draft, d=draft)
    with transaction(engine) as s:
        assert s.scalar(select(EvaluationResult.id).where(EvaluationResult.run_id == draft)) is None
        check = verify_run(s, run_id=run_id, settings=settings)
    assert (check.inputs_match, check.results_match) == (True, True)


def test_the_database_refuses_changes_to_a_decided_appeal(engine, settings, db_url):
    """Migration 0009: a decided appeal's row is as fixed as the run it decided."""
    run_id = published_run(engine, settings)
    rejected = appeal(engine, run_id)
    review(engine, settings, rejected.appeal_id, False, reason="证明材料不足")
    pending = appeal(engine, run_id, credit_code=E2, field="employees", value=120.0, filed_by="乙")
    for sql in (
        "UPDATE appeal SET status = 'accepted' WHERE id = :a",
        "UPDATE appeal SET claimed_value = 1 WHERE id = :a",
        "DELETE FROM appeal WHERE id = :a",
    ):
        with pytest.raises(DBAPIError, match="decided appeals are never changed"), engine.begin() as conn:
            conn.execute(text(sql), {"a": rejected.appeal_id})
    # a pending appeal is still the reviewer's to decide
    database_allows(engine, "UPDATE appeal SET statement = '补充说明' WHERE id = :a", a=pending.appeal_id)
