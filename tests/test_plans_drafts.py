"""Editing a plan on the platform, on SQLite and PostgreSQL: a draft of the next version, edited
field by field (a change that breaks the pack is refused and not saved), units assigned to
indicators and tasks, then published; only analysts and admins edit."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from industry_brain.core.db import transaction
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.scope import Scope
from industry_brain.plans.drafts import (
    discard_draft,
    discard_preview,
    edit_draft,
    get_draft,
    list_discarded,
    publish_draft,
    restore_draft,
    start_draft,
    upload_draft,
)
from industry_brain.plans.pack import PackError
from industry_brain.plans.pack_data import read_pack_file
from industry_brain.plans.service import PlanForbidden, progress
from industry_brain.plans.store import add_pack, current_pack, versions
from plans_fixtures import SAMPLE_PACK

ANALYST = Scope(role="analyst", username="王分析")
LEADER = Scope(role="leader", username="李领导")
DEPARTMENT = Scope(role="department", username="科技局", unit="区科技局")


@pytest.fixture
def sample(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "sample.yaml"
    path.write_text(SAMPLE_PACK, encoding="utf-8")
    with transaction(engine) as s:
        add_pack(s, pack=read_pack_file(path), source_name=path.name, by="测试")


def test_a_draft_is_edited_units_assigned_and_published_as_the_next_version(engine, settings, sample) -> None:
    with transaction(engine) as s:
        draft = start_draft(s, plan_id="sample-plan", scope=ANALYST)
        assert (draft["version"], draft["state"]) == (2, "draft")
        edited = edit_draft(
            s,
            plan_id="sample-plan",
            scope=ANALYST,
            indicators={
                "value-added-double": {"responsible": ["区经信局", "区统计局"], "name": "规上工业增加值"},
                "output-above-scale": {"target_value": 1300, "target_year": 2025, "unit": "亿元"},
                "hi-tech-share": {"baseline_value": None},  # clears the baseline
            },
            tasks={"task-01": {"lead_units": ["区经信局"], "partner_units": ["区科技局"]}},
        )
        ind = {i["id"]: i for i in edited["pack"]["indicators"]}
        assert ind["value-added-double"]["responsible"] == ["区经信局", "区统计局"]
        assert ind["hi-tech-share"]["baseline"] is None
        # the draft is not read by progress: the plan's current version is still 1
        assert current_pack(s, "sample-plan").version == 1
    with transaction(engine) as s:
        published = publish_draft(s, plan_id="sample-plan", scope=ANALYST)
        assert (published["version"], published["state"]) == (2, "published")
        result = progress(
            s, plan_id="sample-plan", as_of="2023", scope=Scope.system(), settings=settings, compute=False
        )
        assert get_draft(s, plan_id="sample-plan", scope=ANALYST) is None
    rows = {r.id: r for r in result.indicators}
    assert result.version == 2
    assert rows["value-added-double"].name == "规上工业增加值"
    assert rows["value-added-double"].responsible == ["区经信局", "区统计局"]
    assert rows["output-above-scale"].target["value"] == 1300
    # the unit now answers for its one indicator, which has no actual yet
    assert {k: v for k, v in result.by_unit["区统计局"].items() if v} == {"no_data": 1}
    task = result.tasks[0]
    assert (task["lead_units"], task["partner_units"]) == (["区经信局"], ["区科技局"])


def test_an_edit_that_breaks_the_pack_is_refused_and_nothing_is_saved(engine, sample) -> None:
    with transaction(engine) as s:
        start_draft(s, plan_id="sample-plan", scope=ANALYST)
    with transaction(engine) as s, pytest.raises(PackError) as info:
        edit_draft(
            s,
            plan_id="sample-plan",
            scope=ANALYST,
            indicators={
                "output-above-scale": {"name": "新名称"},
                "energy-intensity-drop": {"change": None},
            },
        )
    assert "指标“单位工业增加值能耗下降”的 change" in str(info.value)
    assert "decrease_by 须写 change" in info.value.reason
    with transaction(engine) as s:
        draft = get_draft(s, plan_id="sample-plan", scope=ANALYST)
        assert draft is not None
        names = {i["id"]: i["name"] for i in draft["pack"]["indicators"]}
        assert names["output-above-scale"] == "规上工业总产值"  # the valid part was not saved either
        with pytest.raises(ConfigurationError, match="没有指标 'nope'"):
            edit_draft(s, plan_id="sample-plan", scope=ANALYST, indicators={"nope": {"name": "x"}})
        with pytest.raises(ConfigurationError, match="不能修改的字段 where"):
            edit_draft(
                s, plan_id="sample-plan", scope=ANALYST, indicators={"output-above-scale": {"where": "x"}}
            )


def test_only_analysts_and_admins_edit_plans(engine, sample, tmp_path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(SAMPLE_PACK, encoding="utf-8")
    with transaction(engine) as s:
        for scope in (LEADER, DEPARTMENT):
            with pytest.raises(PlanForbidden, match="只有经信局分析人员和管理员"):
                start_draft(s, plan_id="sample-plan", scope=scope)
            with pytest.raises(PlanForbidden):
                upload_draft(s, path=path, scope=scope)
        start_draft(s, plan_id="sample-plan", scope=Scope(role="admin", username="管理员"))


def test_an_uploaded_pack_becomes_a_draft_of_the_next_version_and_can_be_discarded(
    engine, sample, tmp_path
) -> None:
    path = tmp_path / "修订.yaml"
    path.write_text(SAMPLE_PACK.replace("value: 1200,", "value: 1250,"), encoding="utf-8")
    with transaction(engine) as s:
        draft = upload_draft(s, path=path, scope=ANALYST)
        assert draft["version"] == 2 and draft["note"] == "版本号由 1 改为 2（已有版本 1）"
        with pytest.raises(PackError, match="已有草稿"):
            upload_draft(s, path=path, scope=ANALYST)
        discard_draft(s, plan_id="sample-plan", scope=ANALYST)
        assert get_draft(s, plan_id="sample-plan", scope=ANALYST) is None
        assert current_pack(s, "sample-plan").indicator("output-above-scale").target.value == 1200


def test_discarding_names_what_is_given_up_keeps_the_draft_and_it_is_restored(engine, sample, tmp_path):
    path = tmp_path / "修订.yaml"
    path.write_text(SAMPLE_PACK.replace("value: 1200,", "value: 1250,"), encoding="utf-8")
    with transaction(engine) as s:
        upload_draft(s, path=path, scope=ANALYST)
        edit_draft(
            s, plan_id="sample-plan", scope=ANALYST, indicators={"energy-task": {"responsible": ["区统计局"]}}
        )
        what = discard_preview(s, plan_id="sample-plan", scope=ANALYST)
        assert (what["title"], what["version"], what["source_name"], what["new_plan"]) == (
            "示例区制造业发展规划",
            2,
            "修订.yaml",
            False,
        )
        assert what["changes"] == [  # in the order of the indicators' ids
            "责任单位变更：完成上级下达的节能减排任务 区发改局 → 区统计局",
            "目标变更：规上工业总产值 2025年 1,200亿元 → 2025年 1,250亿元",
        ]
        assert discard_draft(s, plan_id="sample-plan", scope=ANALYST)["version"] == 2
    with transaction(engine) as s:
        assert get_draft(s, plan_id="sample-plan", scope=ANALYST) is None
        rows = versions(s, plan_id="sample-plan")
        assert [(r["version"], r["state"], r["current"]) for r in rows] == [
            (1, "published", True),
            (2, "discarded", False),
        ]
        assert rows[1]["retired_at"] is not None
        gone = list_discarded(s, scope=ANALYST)
        assert [(d["title"], d["version"], d["discarded_by"]) for d in gone] == [
            ("示例区制造业发展规划", 2, "王分析")
        ]
        # its number is not reused: a file of version 2 is refused, naming the discarded draft
        with pytest.raises(PackError, match="版本 2 是已放弃的草稿"):
            add_pack(s, pack=replace(read_pack_file(path), version=2), source_name="v2.yaml", by="测试")
        restored = restore_draft(s, plan_id="sample-plan", scope=ANALYST)
        assert (restored["version"], restored["state"], restored["note"]) == (2, "draft", None)
        pack = restored["pack"]
        ind = {i["id"]: i for i in pack["indicators"]}
        assert ind["output-above-scale"]["target"]["value"] == 1250  # what was saved comes back
        assert ind["energy-task"]["responsible"] == ["区统计局"]
        with pytest.raises(ConfigurationError, match="已有草稿（版本 2）"):
            restore_draft(s, plan_id="sample-plan", scope=ANALYST)
        discard_draft(s, plan_id="sample-plan", scope=ANALYST)
        with pytest.raises(ConfigurationError, match="没有版本 1 的已放弃的草稿可恢复"):
            restore_draft(s, plan_id="sample-plan", scope=ANALYST, version=1)
        for scope in (LEADER, DEPARTMENT):
            with pytest.raises(PlanForbidden):
                discard_draft(s, plan_id="sample-plan", scope=scope)


def test_a_discarded_draft_restored_after_a_later_version_takes_the_next_number(engine, sample):
    with transaction(engine) as s:
        start_draft(s, plan_id="sample-plan", scope=ANALYST)
        edit_draft(s, plan_id="sample-plan", scope=ANALYST, indicators={"output-above-scale": {"name": "甲"}})
        discard_draft(s, plan_id="sample-plan", scope=ANALYST)  # version 2
        assert start_draft(s, plan_id="sample-plan", scope=ANALYST)["version"] == 3
        with pytest.raises(ConfigurationError, match="已有草稿（版本 3）"):
            restore_draft(s, plan_id="sample-plan", scope=ANALYST, version=2)
        publish_draft(s, plan_id="sample-plan", scope=ANALYST)
        restored = restore_draft(s, plan_id="sample-plan", scope=ANALYST, version=2)
        assert (restored["version"], restored["note"]) == (4, "版本号由 2 改为 4（其后已有版本 3）")
        publish_draft(s, plan_id="sample-plan", scope=ANALYST)
        current = current_pack(s, "sample-plan")
        assert (current.version, current.indicator("output-above-scale").name) == (4, "甲")
        assert [(r["version"], r["state"]) for r in versions(s, plan_id="sample-plan")] == [
            (1, "published"),
            (3, "published"),
            (4, "published"),
        ]


def test_plans_versions_shows_a_discarded_draft_and_plans_restore_brings_it_back(engine, db_url, sample):
    from typer.testing import CliRunner

    from industry_brain.cli.main import build_app

    with transaction(engine) as s:
        start_draft(s, plan_id="sample-plan", scope=ANALYST)
        discard_draft(s, plan_id="sample-plan", scope=ANALYST)
    runner = CliRunner()
    wide = {"COLUMNS": "200"}  # one line a version
    listed = runner.invoke(build_app(), ["plans", "versions", "sample-plan", "--db", db_url], env=wide)
    rows = [[c.strip() for c in line.split("│")[1:3]] for line in listed.output.splitlines() if "│" in line]
    assert listed.exit_code == 0 and rows == [["1", "已发布"], ["2", "已放弃的草稿"]], listed.output
    restored = runner.invoke(
        build_app(), ["plans", "restore", "sample-plan", "--version", "2", "--db", db_url]
    )
    assert restored.exit_code == 0, restored.output
    assert "已放弃的草稿恢复为草稿：版本 2" in restored.output
    with transaction(engine) as s:
        draft = get_draft(s, plan_id="sample-plan", scope=ANALYST)
        assert draft is not None and draft["version"] == 2
