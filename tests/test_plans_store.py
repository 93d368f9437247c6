"""The district's own plans, on SQLite and PostgreSQL: `plans add` from YAML and Excel, refusals
with their line or cell, versions that keep the old one and its actuals, `plans remove` and
restore, and every shipped pack giving the same progress after a round trip through `plans add`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from industry_brain.cli.main import build_app
from industry_brain.core.db import transaction
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.scope import Scope
from industry_brain.plans import pack as pack_module
from industry_brain.plans import service
from industry_brain.plans.actuals import record_actual
from industry_brain.plans.models import IndicatorActual, PlanPack, TaskReport
from industry_brain.plans.pack import PackError, load_pack, load_packs, packs_dir
from industry_brain.plans.pack_data import read_pack_file
from industry_brain.plans.pack_excel import write_pack_xlsx
from industry_brain.plans.service import progress
from industry_brain.plans.store import add_pack, current_pack, current_packs, ensure_shipped, versions
from plans_fixtures import SAMPLE_PACK

SHIPPED = [p.id for p in load_packs()]
runner = CliRunner()


def _cli(*args: str, db_url: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(build_app(), [*args, "--db", db_url], input=stdin)


def _said(result, text: str) -> bool:  # type: ignore[no-untyped-def]
    """`text` is in the command's output, however the console wrapped its lines."""
    return re.sub(r"\s+", "", text) in re.sub(r"\s+", "", result.output)


def _rows(engine) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        return [(r.plan_id, r.version, r.state) for r in s.scalars(select(PlanPack).order_by(PlanPack.id))]


def _sample(tmp_path: Path, text: str = SAMPLE_PACK, name: str = "示例规划.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- every shipped pack round-trips -----------------------------------------------------------


def _actuals(session, pack) -> str:  # type: ignore[no-untyped-def]
    """A reported actual for every indicator (90% of its target value, or on_track) in the
    period's second year, and a report on the first task; returns the as-of period."""
    year = pack.period_start + 1
    now = dt.datetime(2026, 1, 5)
    for ind in pack.indicators:
        value = None if not ind.quantified else round(0.9 * (ind.target.value or 0), 4)
        status = "on_track" if not ind.quantified else None
        session.add(
            IndicatorActual(
                plan_id=pack.id,
                plan_version=pack.version,
                indicator_id=ind.id,
                period=str(year),
                value=value,
                status=status,
                kind="reported",
                source="测试",
                reported_by="张三",
                reported_at=now,
            )
        )
    if pack.tasks:
        session.add(
            TaskReport(
                plan_id=pack.id,
                plan_version=pack.version,
                task_id=pack.tasks[0].id,
                period=str(year),
                status="on_track",
                text="推进中",
                reported_by="张三",
                reported_at=now,
            )
        )
    session.flush()
    return str(year + 1)


@pytest.mark.parametrize("fmt", ["yaml", "xlsx"])
@pytest.mark.parametrize("plan_id", SHIPPED)
def test_every_shipped_pack_round_trips_through_plans_add_with_the_same_progress(
    engine, settings, db_url, tmp_path, monkeypatch, plan_id: str, fmt: str
) -> None:
    shipped = load_pack(plan_id)
    # before: progress on the pack read from the package's folder, as it was before the catalogue
    with monkeypatch.context() as m:
        m.setattr(service, "current_pack", lambda _s, pid: load_pack(pid))
        with transaction(engine) as s:
            as_of = _actuals(s, shipped)
            before = progress(
                s, plan_id=plan_id, as_of=as_of, scope=Scope.system(), settings=settings, compute=False
            ).to_json()
    assert _rows(engine) == []  # nothing was read from the database catalogue
    # after: the catalogue holds nothing but what `plans add` stored from the file
    monkeypatch.setattr(pack_module, "_shipped", lambda: ())
    if fmt == "yaml":
        path = packs_dir() / f"{plan_id}.yaml"
    else:
        path = write_pack_xlsx(tmp_path / f"{plan_id}.xlsx", shipped)
    result = _cli("plans", "add", str(path), db_url=db_url)
    assert result.exit_code == 0, result.output
    assert _rows(engine) == [(plan_id, 1, "published")]
    with transaction(engine) as s:
        assert current_pack(s, plan_id) == shipped
        after = progress(
            s, plan_id=plan_id, as_of=as_of, scope=Scope.system(), settings=settings, compute=False
        )
    assert after.to_json() == before
    # the comparison can fail: statuses other than no_data are in it
    assert sum(n for status, n in after.counts.items() if status != "no_data") > 0


def test_the_shipped_packs_are_stored_once_on_first_use_and_a_retired_one_stays_retired(engine) -> None:
    with transaction(engine) as s:
        assert [p.id for p in current_packs(s)] == sorted(SHIPPED)
        assert ensure_shipped(s) == 0
    assert sorted(_rows(engine)) == sorted((p, 1, "published") for p in SHIPPED)
    with transaction(engine) as s:
        row = s.scalar(select(PlanPack).where(PlanPack.plan_id == "yinzhou-154"))
        assert row is not None and row.origin == "shipped"
        row.state = "retired"
    with transaction(engine) as s:
        assert ensure_shipped(s) == 0
        assert "yinzhou-154" not in [p.id for p in current_packs(s)]


# --- refusals name the line or the cell -------------------------------------------------------


def test_a_yaml_pack_that_does_not_validate_is_refused_with_its_line_and_nothing_changes(
    db_url, engine, tmp_path
) -> None:
    lines = SAMPLE_PACK.split("\n")
    line = next(i for i, text in enumerate(lines) if "direction: decrease_by" in text)
    lines[line] = lines[line].replace("decrease_by", "down")
    before = _cli("plans", "list", db_url=db_url)
    assert before.exit_code == 0
    rows = _rows(engine)
    result = _cli("plans", "add", str(_sample(tmp_path, "\n".join(lines))), db_url=db_url)
    assert result.exit_code == 2
    assert _said(result, f"示例规划.yaml: 第 {line + 1} 行（indicators[1].direction）")
    assert _said(result, "'down' 不是")
    assert _rows(engine) == rows


def test_an_excel_pack_is_refused_with_its_sheet_row_and_column(db_url, engine, tmp_path) -> None:
    path = write_pack_xlsx(tmp_path / "示例.xlsx", read_pack_file(_sample(tmp_path)))
    book = load_workbook(path)
    sheet = book["指标"]
    assert (sheet["K1"].value, sheet["E1"].value) == ("目标值", "方向")
    sheet["K2"] = "很多"
    book.save(path)
    with pytest.raises(PackError, match=r"工作表“指标”第 2 行 K 列（目标值）: “很多”不是数字"):
        read_pack_file(path)
    sheet["K2"] = 1200
    sheet["E3"] = "向上"
    book.save(path)
    result = _cli("plans", "add", str(path), db_url=db_url)
    assert result.exit_code == 2
    assert _said(result, "工作表“指标”第 3 行 E 列（方向）（indicators[1].direction）: '向上' 不是")
    assert not [r for r in _rows(engine) if r[0] == "sample-plan"]


def test_the_blank_excel_template_reads_back_asking_for_the_plan_id(tmp_path) -> None:
    path = write_pack_xlsx(tmp_path / "模板.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["规划", "指标", "文件实绩", "集群", "任务", "填写说明"]
    assert [c.value for c in book["任务"][1]][:4] == ["编号", "任务名称", "牵头领导", "牵头单位"]
    with pytest.raises(PackError, match=r"工作表“规划”第 2 行 B 列（规划编号）（id）: 缺少必填字段"):
        read_pack_file(path)


def test_units_named_with_a_list_mark_inside_brackets_survive_the_excel_round_trip(tmp_path) -> None:
    text = SAMPLE_PACK.replace("responsible: [区经信局]", "responsible: [区经信局, 各镇（街、园区）]")
    pack = read_pack_file(_sample(tmp_path, text))
    back = read_pack_file(write_pack_xlsx(tmp_path / "x.xlsx", pack))
    assert back.indicator("output-above-scale").responsible == ("区经信局", "各镇（街、园区）")
    assert back == pack


# --- versions -----------------------------------------------------------------------------------


def test_a_new_version_keeps_the_old_one_and_its_actuals(engine, settings, db_url, tmp_path) -> None:
    assert _cli("plans", "add", str(_sample(tmp_path)), db_url=db_url).exit_code == 0
    with transaction(engine) as s:
        record_actual(
            s,
            plan_id="sample-plan",
            indicator_id="output-above-scale",
            period="2023",
            value=900,
            reported_by="李四",
        )
    v2 = SAMPLE_PACK.replace("version: 1", "version: 2").replace("value: 1200,", "value: 1300,")
    same_version = SAMPLE_PACK.replace("value: 1200,", "value: 1300,")
    # the same version with other content is refused; the same content is no change
    refused = _cli("plans", "add", str(_sample(tmp_path, same_version, "a.yaml")), db_url=db_url)
    assert refused.exit_code == 2 and _said(refused, "已有版本 1 且内容不同；新版本请把 version 改为 2")
    again = _cli("plans", "add", str(_sample(tmp_path, SAMPLE_PACK, "b.yaml")), db_url=db_url)
    assert again.exit_code == 0 and _said(again, "未作改动")
    # a new current version lists what changes and asks; "no" changes nothing
    asked = _cli("plans", "add", str(_sample(tmp_path, v2, "c.yaml")), db_url=db_url, stdin="n\n")
    assert asked.exit_code == 1 and _said(asked, "目标变更：") and _said(asked, "1,300")
    with transaction(engine) as s:
        assert [v["version"] for v in versions(s, plan_id="sample-plan")] == [1]
    added = _cli("plans", "add", str(_sample(tmp_path, v2, "c.yaml")), db_url=db_url, stdin="y\n")
    assert added.exit_code == 0 and _said(added, "原版本 1 及其实绩保留")
    older = _cli(
        "plans",
        "add",
        str(_sample(tmp_path, SAMPLE_PACK.replace("title: 示例", "title: 旧"), "d.yaml")),
        db_url=db_url,
    )
    assert older.exit_code == 2
    with transaction(engine) as s:
        result = progress(
            s, plan_id="sample-plan", as_of="2023", scope=Scope.system(), settings=settings, compute=False
        )
        rows = {v["version"]: v for v in versions(s, plan_id="sample-plan")}
    out = next(r for r in result.indicators if r.id == "output-above-scale")
    assert result.version == 2 and out.target["value"] == 1300
    assert (out.actual["value"], out.actual["kind"]) == (900, "reported")  # recorded against version 1
    # (900 − 760.5) / (1300 − 760.5) = 0.2586
    assert out.progress == pytest.approx((900 - 760.5) / (1300 - 760.5))
    assert rows[1]["state"] == rows[2]["state"] == "published" and rows[2]["current"]
    assert rows[1]["actuals"] == 2  # the reported 900 and the document's 2020 figure


def test_remove_shows_what_changes_asks_and_restore_brings_the_plan_back(
    engine, settings, db_url, tmp_path
) -> None:
    assert _cli("plans", "add", str(_sample(tmp_path)), db_url=db_url).exit_code == 0
    v2 = SAMPLE_PACK.replace("version: 1", "version: 2")
    v2 = v2.replace("title: 示例区制造业发展规划\narea", "title: 示例区制造业发展规划（修订）\narea")
    assert _cli("plans", "add", str(_sample(tmp_path, v2, "v2.yaml")), db_url=db_url).exit_code == 0
    with transaction(engine) as s:
        record_actual(
            s,
            plan_id="sample-plan",
            indicator_id="output-above-scale",
            period="2023",
            value=900,
            reported_by="李四",
        )
    declined = _cli("plans", "remove", "sample-plan", "--version", "2", db_url=db_url, stdin="n\n")
    assert declined.exit_code == 1
    assert _said(
        declined, "将停用规划 sample-plan 的版本 2：当前版本变为 1；已录入的实绩 2 条、任务进展 0 条保留"
    )
    assert ("sample-plan", 2, "published") in _rows(engine)
    assert _cli("plans", "remove", "sample-plan", "--version", "2", "--yes", db_url=db_url).exit_code == 0
    with transaction(engine) as s:
        assert current_pack(s, "sample-plan").version == 1
    gone = _cli("plans", "remove", "sample-plan", "--yes", db_url=db_url)
    assert _said(gone, "该规划将不再出现在规划列表")
    with transaction(engine) as s:
        assert "sample-plan" not in [p["id"] for p in service.list_plans(s)]
        with pytest.raises(ConfigurationError, match="没有规划"):
            progress(s, plan_id="sample-plan", as_of="2023", scope=Scope.system(), settings=settings)
        assert s.scalar(select(func.count()).select_from(IndicatorActual)) == 2  # nothing deleted
    restored = _cli("plans", "restore", "sample-plan", db_url=db_url)
    assert restored.exit_code == 0 and _said(restored, "版本 1")
    with transaction(engine) as s:
        assert current_pack(s, "sample-plan").version == 1
    assert _cli("plans", "restore", "sample-plan", "--version", "2", db_url=db_url).exit_code == 0
    with transaction(engine) as s:
        assert current_pack(s, "sample-plan").title == "示例区制造业发展规划（修订）"


def test_a_pack_whose_cluster_reference_breaks_the_catalogue_is_refused(engine, tmp_path) -> None:
    data = yaml.safe_load(SAMPLE_PACK)
    data["indicators"][6]["concerns"] = {"cluster": "yinzhou-154/none"}
    path = _sample(tmp_path, yaml.safe_dump(data, allow_unicode=True))
    with transaction(engine) as s, pytest.raises(PackError, match="没有集群 'yinzhou-154/none'"):
        add_pack(s, pack=read_pack_file(path), source_name=path.name, by="测试")


def test_a_draft_added_from_the_command_line_is_published_by_plans_publish(engine, db_url, tmp_path) -> None:
    assert _cli("plans", "add", str(_sample(tmp_path)), "--draft", db_url=db_url).exit_code == 0
    with transaction(engine) as s:
        assert "sample-plan" not in [p.id for p in current_packs(s)]  # a draft is no plan yet
    published = _cli("plans", "publish", "sample-plan", db_url=db_url)
    assert published.exit_code == 0 and _said(published, "已发布规划 sample-plan 版本 1")
    assert ("sample-plan", 1, "published") in _rows(engine)
    again = _cli("plans", "publish", "sample-plan", db_url=db_url)
    assert again.exit_code == 2 and _said(again, "没有草稿")
