"""The tier rules and pool criteria files: read strictly, and every quote is in its seed."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from industry_brain.cultivation.rules import (
    RulesError,
    _data,
    parse_pools,
    parse_tier_rules,
    pools,
    tier_rules,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.skipif(not SEEDS.exists(), reason="the seeds are not next to the work tree")
def test_every_quote_occurs_in_its_seed():
    cited = [(t.seed, t.quote) for t in tier_rules().output_tiers] + [(p.seed, p.quote) for p in pools()]
    for seed, quote in cited:
        assert _squash(quote) in _squash((SEEDS / seed).read_text(encoding="utf-8")), quote


def test_the_shipped_rules():
    rules = tier_rules()
    assert rules.above_scale_revenue_wan == 2000
    assert [t.min_output_wan for t in rules.output_tiers] == [1e4, 1e5, 5e5, 1e6]
    assert {t.title for t in rules.title_tiers} >= {"专精特新", "小巨人", "单项冠军", "雄鹰", "高新技术企业"}
    assert [p.name for p in pools()] == ["小升规培育库", "单项冠军培育库", "雄鹰培育库", "高新技术企业苗子库"]


def _raw(name: str):
    return yaml.safe_load(_data(name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["above_scale"].update(revenue_wan="2000万"), "above_scale.revenue_wan: 应为数字"),
        (lambda d: d["output_tiers"][0].update(threshold=1), r"output_tiers\[0\]: 未知的键"),
        (lambda d: d["titles"].update(valid_years=0), "titles.valid_years"),
        (lambda d: d["titles"]["tiers"].append(dict(d["titles"]["tiers"][0])), "梯队 id 重复"),
    ],
)
def test_bad_tier_rules_are_refused_with_their_path(change, message):
    data = copy.deepcopy(_raw("tier_rules.yaml"))
    change(data)
    with pytest.raises(RulesError, match=message):
        parse_tier_rules(data, "tier_rules.yaml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["pools"][0]["criteria"][0].update(field="revenue"), "未知的字段 'revenue'"),
        (lambda d: d["pools"][0]["criteria"][0].update(op=">="), "未知的比较"),
        (lambda d: d["pools"][1]["criteria"][0]["titles_any"].append({"title": "专精特心"}), "未知的称号"),
        (lambda d: d["pools"][3]["criteria"][1]["by_revenue"].pop(), "只有最后一档"),
        (lambda d: d["pools"][0].pop("basis"), r"pools\[0\]: 缺少键 \['basis'\]"),
    ],
)
def test_bad_pool_criteria_are_refused_with_their_path(change, message):
    data = copy.deepcopy(_raw("pools.yaml"))
    change(data)
    with pytest.raises(RulesError, match=message):
        parse_pools(data, "pools.yaml", tier_rules())
