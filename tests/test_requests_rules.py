"""The rules files officials tune: the shipped ones validate; a file that does not is refused
with its name, line and reason; a district's folder replaces a file and nothing else."""

from __future__ import annotations

from importlib import resources

import pytest

from industry_brain.requests.rules import (
    RulesError,
    load_rules,
    parse_categories,
    parse_machine,
    parse_routing,
)


def shipped(name: str) -> str:
    return (resources.files("industry_brain.requests") / "data" / name).read_text(encoding="utf-8")


def test_the_shipped_classification_names_each_category_its_units_and_clocks() -> None:
    rules = load_rules()
    cats = rules.classification.categories
    assert {c.group for c in cats.values()} >= {"要素保障", "政策兑现", "审批", "基础设施", "市场"}
    assert {c.name for c in cats.values() if c.group == "要素保障"} == {
        "用地保障",
        "用能保障",
        "用工保障",
        "融资保障",
    }
    assert cats["land"].lead_unit == "区自然资源和规划局" and cats["land"].co_units == ("区经信局",)
    # units are spelled as the plans spell them, so a department account of that unit sees its cases
    from industry_brain.demo.platform import DEMO_UNIT

    assert cats["policy"].lead_unit == DEMO_UNIT
    assert cats["land"].clocks["普通"] == {"accept": 1, "reply": 7, "close": 15, "co_unit": 3}
    assert (
        rules.classification.find("用地保障") is cats["land"]
        and rules.classification.find("审批") is cats["approval"]
    )
    with pytest.raises(RulesError, match="未知问题分类“天气”"):
        rules.classification.find("天气")
    assert rules.routing.chains["fenghua-auto-parts"] == "汽车零部件产业链链长专班"


CATEGORY_BREAKS = [
    ("    lead_unit: 区自然资源和规划局\n", "", 9, "缺少“lead_unit”"),
    (
        "      普通: {accept: 1, reply: 7, close: 15, co_unit: 3}",
        "      普通: {accept: 1, reply: 7, close: 5, co_unit: 3}",
        15,
        "受理 ≤ 答复 ≤ 办结",
    ),
    (
        "      普通: {accept: 1, reply: 7, close: 15, co_unit: 3}",
        "      普通: {accept: 1, reply: 七, close: 15, co_unit: 3}",
        15,
        "答复时限“七”",
    ),
    ("  - code: energy\n", "  - code: land\n", 17, "重复"),
    ("effective_from: 2024-01-01", "effective_from: 明年", 3, "应为日期"),
    ("    co_units: [区经信局]\n", "    co_units: [区自然资源和规划局]\n", 13, "不在协办单位中"),
    ("      紧急: {accept: 1, reply: 3, close: 7, co_unit: 2}\n", "", 14, "每个优先级"),
    ("    group: 要素保障\n", "    group: 要素保障\n    owner: 某人\n", 12, "未知字段“owner”"),
]


@pytest.mark.parametrize(("old", "new", "line", "reason"), CATEGORY_BREAKS)
def test_a_classification_that_does_not_validate_is_refused_with_line_and_reason(
    old, new, line, reason
) -> None:  # type: ignore[no-untyped-def]
    text = shipped("categories.yaml")
    assert old in text
    with pytest.raises(RulesError) as refused:
        parse_categories(text.replace(old, new, 1), file="categories.yaml")
    assert f"categories.yaml 第 {line} 行" in str(refused.value) and reason in str(refused.value)


def test_broken_yaml_is_refused_with_its_line() -> None:
    with pytest.raises(RulesError, match="第 4 行：不是有效的 YAML"):
        parse_categories(
            "effective_from: 2024-01-01\npriorities: {普通: 一般}\ncategories: [\n", file="x.yaml"
        )


ROUTING_BREAKS = [
    ("  min_enterprises: 3", "  min_enterprises: 1", 6, "至少为 2"),
    ("  fenghua-fashion: 时尚服装产业链链长专班", "  fenghua-nothing: 某专班", 11, "不是已有产业链"),
    (
        "  - {level: 提醒, before: 1, to: 承办单位}",
        "  - {level: 提醒, before: 1, after: 2, to: 承办单位}",
        19,
        "只写 before",
    ),
    ("dispute_workdays: 2", "dispute_workdays: -1", 17, "0 至 250"),
]


@pytest.mark.parametrize(("old", "new", "line", "reason"), ROUTING_BREAKS)
def test_routing_that_does_not_validate_is_refused(old, new, line, reason) -> None:  # type: ignore[no-untyped-def]
    from industry_brain.clusters.chains import shipped_chains

    text = shipped("routing.yaml")
    assert old in text
    with pytest.raises(RulesError) as refused:
        parse_routing(
            text.replace(old, new, 1), file="routing.yaml", chain_ids={c.id for c in shipped_chains()}
        )
    assert f"第 {line} 行" in str(refused.value) and reason in str(refused.value), str(refused.value)


MACHINE_BREAKS = [
    (
        "{action: assign, from: [已受理], to: 已交办",
        "{action: assign, from: [待受理], to: 已交办",
        "跳过了状态",
    ),
    ("{action: close, from: [企业评价], to: 办结", "{action: close, from: [已答复], to: 办结", "跳过了状态"),
    ("{action: redo, from: [办结], to: 办理中", "{action: reply, from: [办结], to: 办理中", "只能重办"),
    ("roles: [analyst, admin], guard: satisfied}", "roles: [analyst, mayor], guard: satisfied}", "未知值"),
    (
        "{action: accept, from: [待受理], to: 已受理",
        "{action: accept, from: [待受理], to: 已收到",
        "未定义的状态“已收到”",
    ),
    ("guard: within_dispute}", "guard: whenever}", "未知值"),
]


@pytest.mark.parametrize(("old", "new", "reason"), MACHINE_BREAKS)
def test_a_state_machine_that_skips_or_reopens_is_refused(old, new, reason) -> None:  # type: ignore[no-untyped-def]
    text = shipped("states.yaml")
    assert old in text
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if old in row)
    with pytest.raises(RulesError, match=f"states.yaml 第 {line} 行：.*{reason}"):
        parse_machine(text.replace(old, new, 1), file="states.yaml")


def test_a_district_folder_replaces_one_file_and_a_bad_one_changes_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "categories.yaml").write_text(
        shipped("categories.yaml").replace("lead_unit: 区商务局", "lead_unit: 区商务和口岸局"),
        encoding="utf-8",
    )
    rules = load_rules(str(tmp_path))
    assert rules.classification.categories["market"].lead_unit == "区商务和口岸局"
    assert rules.machine == load_rules().machine  # the other files are the shipped ones
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "states.yaml").write_text("states: {}\ntransitions: []\n", encoding="utf-8")
    with pytest.raises(RulesError, match="恰有一个新建操作"):
        load_rules(str(bad))
