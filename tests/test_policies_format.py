"""The policy format: a file that does not validate is refused with its line and reason."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest

from industry_brain.policies.format import PolicyError, parse_policy, shipped


def base() -> str:
    return (resources.files("industry_brain.policies") / "data" / "tech_upgrade.yaml").read_text(
        encoding="utf-8"
    )


def refused(text: str) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "bad.yaml")
    return info.value


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_shipped_policies_all_cite_their_basis():
    for p in shipped().values():
        assert "种子文件" in p.basis and ("示例" in p.basis or "示例" in p.document_no)
        assert all(c.article for c in p.conditions)


@pytest.mark.parametrize(
    ("old", "new", "needle", "reason"),
    [
        (
            "field: tech_investment_wan",
            "field: tech_invest_wan",
            "tech_invest_wan",
            "未知的字段“tech_invest_wan”",
        ),
        ('op: ">="', 'op: "=>"', '"=>"', "未知的比较"),
        ("param: min_investment_wan", "param: min_invest", "param: min_invest", "未定义的参数“min_invest”"),
        ("mode: 申报", "mode: 自动", "mode: 自动", "应为 免申即享或申报"),
        (
            "formula: tech_investment_wan * rate_pct / 100",
            "formula: __import__('os')",
            "__import__",
            "不允许的写法",
        ),
        (
            "formula: tech_investment_wan * rate_pct / 100",
            "formula: invest * rate_pct",
            "invest *",
            "未知的名称“invest”",
        ),
        ("{from: 2026-01-01, value: 300}", "{from: 2024-06-01, value: 300}", "2024-06-01", "按日期从早到晚"),
        ("effective_to: 2027-12-31", "effective_to: 2024-12-31", "effective_to", "失效日期早于生效日期"),
        ("{from: 2025-01-01, value: 200}", "{from: 2025-01-01, value: -5}", "value: -5", "参数不能为负数"),
        (
            "    article: 第五条\n  - id: no_accident",
            "    article: 第五条\n    colour: red\n  - id: no_accident",
            "colour",
            "未知的键“colour”",
        ),
    ],
)
def test_refusals_name_line_and_reason(old, new, needle, reason):
    text = base()
    assert old in text
    bad = text.replace(old, new, 1)
    err = refused(bad)
    assert reason in err.reason
    assert err.line == line_of(bad, needle), (err.line, err.reason)
    assert str(err).startswith(f"bad.yaml:{err.line}: ")


def test_yaml_syntax_error_names_its_line():
    bad = base().replace("name: 工业企业技术改造投资补助", "name: [未闭合", 1)
    err = refused(bad)
    assert "不是有效的 YAML" in err.reason and err.line >= line_of(bad, "[未闭合")


def test_a_missing_key_is_refused():
    err = refused(base().replace("document_no: 示例〔2025〕1号\n", ""))
    assert "缺少键“document_no”" in err.reason


def test_parameters_in_force_by_date():
    p = shipped()["tech_upgrade"].parameters["min_investment_wan"]
    assert p.at(dt.date(2024, 12, 31)) is None
    assert p.at(dt.date(2025, 12, 31)) == (dt.date(2025, 1, 1), 500)
    assert p.at(dt.date(2026, 1, 1)) == (dt.date(2026, 1, 1), 300)
