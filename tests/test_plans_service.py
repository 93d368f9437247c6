"""Plan progress, actuals and the import template on SQLite and PostgreSQL, on a sample pack
whose computed figures are summed by hand from a small stats file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from helpers import code, run_import, write_csv
from industry_brain.cli.main import build_app
from industry_brain.core.db import transaction
from industry_brain.core.errors import FileRejected
from industry_brain.core.scope import Scope
from industry_brain.plans import pack as pack_module
from industry_brain.plans.actuals import (
    ActualsRejected,
    import_actuals,
    list_actuals,
    record_actual,
    write_template,
)
from industry_brain.plans.models import IndicatorActual, TaskReport
from industry_brain.plans.pack import load_packs_from
from industry_brain.plans.service import PlanForbidden, progress
from plans_fixtures import write_sample

HEADER = ["统一社会信用代码", "企业名称", "行业代码", "是否规上", "工业总产值（万元）"]


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packs = tmp_path / "packs"
    packs.mkdir()
    write_sample(packs)
    monkeypatch.setattr(pack_module, "_shipped", lambda: tuple(load_packs_from(packs)))


@pytest.fixture
def facts(engine, settings, tmp_path: Path, sample) -> None:
    y2020 = [
        [code(1), "甲", "3441", "是", 300000],
        [code(2), "乙", "3512", "是", 100000],
        [code(3), "丙", "1810", "否", 2000],
    ]
    y2023 = [
        [code(1), "甲", "3441", "是", 500000],
        [code(2), "乙", "3512", "是", 200000],
        [code(3), "丙", "1810", "否", 3000],
        [code(4), "丁", "3484", "是", 50000],
    ]
    for year, rows in ((2020, y2020), (2023, y2023)):
        run_import(
            engine, settings, write_csv(tmp_path / f"stats{year}.csv", [HEADER, *rows]), "stats", str(year)
        )


def _progress(engine, settings, as_of: str = "2023", scope: Scope | None = None) -> dict[str, dict]:
    with transaction(engine) as session:
        result = progress(
            session, plan_id="sample-plan", as_of=as_of, scope=scope or Scope.system(), settings=settings
        )
        return {r.id: r.__dict__ for r in result.indicators}


def test_computed_document_and_reported_actuals_are_kept_and_compared(engine, settings, facts) -> None:
    rows = _progress(engine, settings)
    out = rows["output-above-scale"]
    # 2023: (500000 + 200000 + 50000) 万元 of above-scale output = 75 亿元; 2020: 40 亿元
    assert out["computed"]["value"] == pytest.approx(75) and out["computed"]["period"] == "2023"
    assert "÷ 10000" in out["computed"]["formula"]
    assert out["actual"]["kind"] == "computed"
    # the document's 2020 figure, compared with the 2020 computed from the record
    assert (out["reported"]["kind"], out["reported"]["value"]) == ("document", 760.5)
    assert "sample.txt" in out["reported"]["source"]
    assert out["difference"] == pytest.approx(760.5 - 40)
    assert rows["enterprises-above-scale"]["computed"]["value"] == 3
    cluster = rows["cluster-equipment"]
    assert cluster["computed"]["value"] == pytest.approx(75)  # 3441, 3512, 3484
    # the pack states no baseline: the 2020 (baseline year) figure computed from the record stands in
    assert (cluster["baseline"]["value"], cluster["baseline"]["from"]) == (pytest.approx(40), "computed")
    assert cluster["progress"] == pytest.approx((75 - 40) / (1000 - 40))
    assert rows["output-above-scale"]["baseline"]["from"] == "pack"

    with transaction(engine) as session:
        record_actual(
            session,
            plan_id="sample-plan",
            indicator_id="output-above-scale",
            period="2023",
            value=980,
            reported_by="张三",
            unit="区统计局",
        )
    out = _progress(engine, settings)["output-above-scale"]
    assert (out["actual"]["kind"], out["actual"]["value"], out["actual"]["reported_by"]) == (
        "reported",
        980,
        "张三",
    )
    assert out["difference"] == pytest.approx(980 - 75)
    assert out["progress"] == pytest.approx((980 - 760.5) / (1200 - 760.5))  # 0.499
    assert out["expected"] == pytest.approx(0.6)
    assert out["attainment"] == pytest.approx(980 / 1200)
    assert out["status"] == "behind"
    assert out["responsible"] == ["区经信局"]


def test_as_of_excludes_later_actuals_and_unfinished_years(engine, settings, facts) -> None:
    out = _progress(engine, settings, as_of="2023-06")["output-above-scale"]
    assert out["computed"]["period"] == "2020"  # 2023 is not over by June
    assert out["expected"] == pytest.approx(2.5 / 5)


def test_document_actuals_load_once(engine, settings, sample) -> None:
    _progress(engine, settings)
    _progress(engine, settings)
    with transaction(engine) as session:
        kinds = session.execute(
            select(IndicatorActual.kind, func.count()).group_by(IndicatorActual.kind)
        ).all()
        listed = list_actuals(session, plan_id="sample-plan")
    assert kinds == [("document", 1)]
    assert listed[0]["reported_by"] == "规划文本" and listed[0]["plan_version"] == 1


def test_department_sees_only_its_indicators_and_a_town_none(engine, settings, sample) -> None:
    rows = _progress(engine, settings, scope=Scope(role="department", username="d", unit="区发改局"))
    assert sorted(rows) == ["energy-intensity-drop", "energy-task"]
    with pytest.raises(PlanForbidden):
        _progress(engine, settings, scope=Scope(role="town", username="t", township_code="330213100"))
    with transaction(engine) as session, pytest.raises(PlanForbidden):
        record_actual(
            session,
            plan_id="sample-plan",
            indicator_id="output-above-scale",
            period="2023",
            value=1,
            reported_by="x",
            scope=Scope(role="department", username="d", unit="区发改局"),
        )


def test_qualitative_indicator_takes_the_units_reported_status(engine, settings, sample) -> None:
    assert _progress(engine, settings)["energy-task"]["status"] == "no_data"
    with transaction(engine) as session:
        record_actual(
            session,
            plan_id="sample-plan",
            indicator_id="energy-task",
            period="2023-06",
            status="按序时推进",
            reported_by="李四",
            unit="区发改局",
        )
    row = _progress(engine, settings)["energy-task"]
    assert (row["status"], row["attainment"], row["progress"]) == ("on_track", None, None)
    assert "区发改局" in row["status_reason"]


def _fill(path: Path, values: dict[str, tuple]) -> None:
    """Fill the template's rows by 指标编号: (期间, 实绩值, 完成情况)."""
    book = load_workbook(path)
    ws = book.active
    header = [c.value for c in ws[2]]
    col = {name: i + 1 for i, name in enumerate(header)}
    for row in range(3, ws.max_row + 1):
        item = ws.cell(row, col["指标编号"]).value
        if item in values:
            period, value, status = values[item]
            ws.cell(row, col["期间"]).value = period
            ws.cell(row, col["实绩值"]).value = value
            ws.cell(row, col["完成情况"]).value = status
            ws.cell(row, col["填报单位"]).value = "区经信局"
    book.save(path)


def test_template_round_trip(engine, settings, sample, tmp_path: Path) -> None:
    path = write_template(plan_id="sample-plan", path=tmp_path / "t.xlsx", period="2023")
    _fill(
        path,
        {
            "output-above-scale": ("2023", 980, None),
            "energy-task": ("2023", None, "已完成"),
            "task-01": ("2023-06", None, "滞后"),
        },
    )
    with transaction(engine) as session:
        summary = import_actuals(session, path=path, reported_by="王五")
    assert (summary.plan_id, summary.actuals, summary.task_reports) == ("sample-plan", 2, 1)
    assert summary.skipped == 5  # 7 indicators + 1 task, 3 filled
    with transaction(engine) as session:
        reported = session.scalars(select(IndicatorActual).where(IndicatorActual.kind == "reported")).all()
        tasks = session.scalars(select(TaskReport)).all()
    assert {(r.indicator_id, r.period, r.value, r.status, r.unit) for r in reported} == {
        ("output-above-scale", "2023", 980.0, None, "区经信局"),
        ("energy-task", "2023", None, "achieved", "区经信局"),
    }
    assert [(t.task_id, t.period, t.status) for t in tasks] == [("task-01", "2023-06", "behind")]
    with transaction(engine) as session:
        review = progress(
            session,
            plan_id="sample-plan",
            as_of="2023",
            scope=Scope.system(),
            settings=settings,
            compute=False,
        )
    assert [(t["id"], t["status"], t["lead_units"]) for t in review.tasks] == [
        ("task-01", "behind", ["区经信局"])
    ]
    assert review.by_unit["区发改局"]["achieved"] == 1  # energy-task, reported 已完成
    assert review.by_unit["区经信局"]["no_data"] == 1  # hi-tech-share: no actual yet
    assert all(r.source.startswith("t.xlsx 第") and r.reported_by == "王五" for r in reported)


def test_an_unfilled_template_is_refused(engine, settings, sample, tmp_path: Path) -> None:
    path = write_template(plan_id="sample-plan", path=tmp_path / "t.csv", period="2023")
    with transaction(engine) as session, pytest.raises(FileRejected, match="no row filled"):
        import_actuals(session, path=path, reported_by="王五")


def test_bad_rows_are_named_and_nothing_is_written(engine, settings, sample, tmp_path: Path) -> None:
    path = write_template(plan_id="sample-plan", path=tmp_path / "t.xlsx")
    _fill(
        path,
        {
            "output-above-scale": ("2023", "九百", None),
            "energy-task": ("2023", 5, None),
            "hi-tech-share": ("23年", 55, None),
            "enterprises-above-scale": ("2023", 900, None),
        },
    )
    with transaction(engine) as session, pytest.raises(ActualsRejected) as info:
        import_actuals(session, path=path, reported_by="王五")
    assert [(c, r) for _, c, r in info.value.problems] == [
        ("实绩值", "'九百' 不是数字 (not a number)"),
        ("期间", "'23年' 应为 YYYY 或 YYYY-MM"),
        ("实绩值", "定性指标和任务不填实绩值，请填完成情况"),
    ]
    assert [r for r, _, _ in info.value.problems] == [3, 5, 8]  # spreadsheet rows (title, header first)
    assert "t.xlsx" in str(info.value)
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(IndicatorActual)) == 0


def test_cli_progress_and_actuals(engine, settings, db_url, sample, tmp_path: Path) -> None:
    runner = CliRunner()
    app = build_app()
    template = tmp_path / "t.xlsx"
    assert (
        runner.invoke(app, ["actuals", "template", "sample-plan", "--output", str(template)]).exit_code == 0
    )
    _fill(template, {"enterprises-above-scale": ("2022", 900, None)})
    got = runner.invoke(app, ["actuals", "import", str(template), "--by", "赵六", "--db", db_url, "--json"])
    assert got.exit_code == 0, got.output
    assert json.loads(got.output)["actuals"] == 1
    got = runner.invoke(
        app, ["plans", "progress", "sample-plan", "--as-of", "2022", "--db", db_url, "--json"]
    )
    assert got.exit_code == 0, got.output
    row = next(r for r in json.loads(got.output)["indicators"] if r["id"] == "enterprises-above-scale")
    for key in ("attainment", "progress", "expected", "status", "status_reason", "responsible", "actual"):
        assert key in row
    assert (
        row["progress"] == pytest.approx(0.5) and row["status"] == "on_track"
    )  # 900: half way, expected 0.4
    got = runner.invoke(
        app,
        [
            "plans",
            "progress",
            "sample-plan",
            "--as-of",
            "2022",
            "--unit",
            "区发改局",
            "--db",
            db_url,
            "--json",
        ],
    )
    assert [r["id"] for r in json.loads(got.output)["indicators"]] == ["energy-intensity-drop", "energy-task"]
    got = runner.invoke(app, ["plans", "progress", "sample-plan", "--as-of", "22", "--db", db_url])
    assert got.exit_code == 2 and "YYYY" in got.output
    listed = runner.invoke(app, ["actuals", "list", "sample-plan", "--db", db_url, "--json"])
    assert [r["reported_by"] for r in json.loads(listed.output)] == ["规划文本", "赵六"]


def test_shipped_plans_listed() -> None:
    got = CliRunner().invoke(build_app(), ["plans", "list", "--json"])
    assert got.exit_code == 0, got.output
    ids = {p["id"] for p in json.loads(got.output)}
    assert ids >= {
        "yinzhou-154",
        "yinzhou-mic2025",
        "ningbo-14th",
        "yinzhou-521",
        "fenghua-13th",
        "fenghua-14th",
    }


def test_fenghua_13th_2020_column_loads_as_document_actuals(engine, settings) -> None:
    from industry_brain.plans.pack import load_pack

    pack = load_pack("fenghua-13th")
    with transaction(engine) as session:
        review = progress(
            session,
            plan_id="fenghua-13th",
            as_of="2020",
            scope=Scope.system(),
            settings=settings,
            compute=False,
        )
    with_actual = {r.id: r.actual for r in review.indicators if r.actual}
    assert len(with_actual) == len(pack.actuals)
    for a in pack.actuals:
        shown = with_actual[a.indicator]
        assert (shown["value"], shown["period"], shown["kind"]) == (a.value, "2020", "document")
        assert pack.source_file in shown["source"]
    # 2020 is the target year: every indicator with an actual is judged met or missed
    assert {r.status for r in review.indicators if r.actual} <= {"achieved", "off_track"}


def test_a_plan_of_another_area_is_not_measured_from_this_districts_record(engine, settings, facts) -> None:
    """The record holds one district: a city plan's 规上工业总产值 is not the district's."""
    elsewhere = settings.replace(district_code="330212")
    with transaction(engine) as session:
        result = progress(
            session, plan_id="sample-plan", as_of="2023", scope=Scope.system(), settings=elsewhere
        )
    rows = {r.id: r for r in result.indicators}
    assert rows["output-above-scale"].computed is None
    assert rows["output-above-scale"].actual["kind"] == "document"  # the pack's own 2020 figure
    assert result.computed_note is not None and "330212" in result.computed_note
