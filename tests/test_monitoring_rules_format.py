"""The rule file format: the shipped set loads; a file that does not validate is refused with
its line and the reason, and the setting's file replaces the shipped set."""

from __future__ import annotations

import pytest

from industry_brain.monitoring.rules import RulesError, load_rules, parse_rules

GOOD = """version: 1
rules:
  - id: drop
    name: 用电下降
    kind: yoy_change
    measure: electricity_wan_kwh
    severity: warning
    min_months: 1
    receivers: [{kind: town}, {kind: chain, name: 汽车零部件产业链}]
    params:
      - {from: "2020-01", fire_pct: -30, clear_pct: -15, min_base: 1}
      - {from: "2025-01", fire_pct: -25, clear_pct: -10, min_base: 1}
"""


def test_the_shipped_rules_cover_the_issue():
    rules = load_rules()
    kinds = {r.id: r.kind for r in rules.rules}
    assert kinds == {
        "power_yoy_drop": "yoy_change",
        "power_decline_3m": "yoy_decline",
        "suspected_stoppage": "seasonal_norm",
        "output_power_divergence": "divergence",
        "tax_drop": "yoy_change",
        "exit_scale_warning": "run_rate_below",
        "scale_up_candidate": "run_rate_above",
    }
    assert rules.rule("power_yoy_drop").params_at("2024-03")["fire_pct"] == -30
    assert rules.rule("power_decline_3m").min_months == 3
    assert rules.rule("exit_scale_warning").params_at("2024-01")["fire_wan"] == 1900  # 5% below 2000


def test_dated_parameters_and_receivers_as_data(tmp_path):
    path = tmp_path / "district.yaml"
    path.write_text(GOOD, encoding="utf-8")
    rule = load_rules(path).rules[0]
    assert rule.params_at("2024-12")["fire_pct"] == -30
    assert rule.params_at("2025-01")["fire_pct"] == -25
    assert [r.as_dict() for r in rule.receivers] == [
        {"kind": "town", "name": None},
        {"kind": "chain", "name": "汽车零部件产业链"},
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("measure: electricity_wan_kwh", "measure: power"), "第 3 行：指标 measure“power”不可用"),
        (("severity: warning", "severity: 很严重"), "第 3 行：严重程度 severity“很严重”不可用"),
        (("clear_pct: -15", "clear_pct: -40"), "第 11 行：clear_pct 应大于 fire_pct"),
        (('from: "2025-01"', 'from: "2019-01"'), "第 12 行：params 的生效月份应从早到晚"),
        (('from: "2025-01"', 'from: "2025-1"'), "第 12 行：生效月份“2025-1”应写作 YYYY-MM"),
        (("{kind: town}", "{kind: mayor}"), "第 9 行：接收方类型“mayor”不可用"),
        (("min_months: 1", "min_months: 0"), "第 3 行：min_months 应为 1 到 24 的整数"),
        (("    min_months: 1\n", "    min_months: 1\n    colour: red\n"), "第 3 行：规则有未知字段“colour”"),
        (("fire_pct: -25, ", ""), "第 12 行：参数缺少“fire_pct”"),
        (("rules:", "rules: ["), "不是有效的 YAML"),
    ],
)
def test_a_bad_file_is_refused_with_line_and_reason(change, message):
    text = GOOD.replace(*change, 1)
    with pytest.raises(RulesError, match=message.replace("(", r"\(").replace(")", r"\)")) as exc:
        parse_rules(text, file="district.yaml")
    assert str(exc.value).startswith("district.yaml 第 ")


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(RulesError, match="不存在"):
        load_rules(tmp_path / "nope.yaml")
