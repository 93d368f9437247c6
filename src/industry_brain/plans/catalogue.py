"""The figures a plan indicator may be computed from (an indicator's `derive:` key).

Kept apart from derive.py (which builds Ibis expressions) so that validating a pack does not
import Ibis. Each entry says what is summed and how, in the words shown to users next to a
computed actual; docs/plans.md repeats the table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Derivation:
    key: str
    name: str
    unit: str
    formula: str


_ENTRIES = (
    Derivation(
        "output_above_scale",
        "规上工业总产值",
        "亿元",
        "Σ 规上企业工业总产值(万元) ÷ 10000",
    ),
    Derivation(
        "value_added_above_scale",
        "规上工业增加值",
        "亿元",
        "Σ 规上企业工业增加值(万元) ÷ 10000",
    ),
    Derivation(
        "revenue_above_scale",
        "规上工业营业收入",
        "亿元",
        "Σ 规上企业营业收入(万元) ÷ 10000",
    ),
    Derivation("count_above_scale", "规上工业企业数", "家", "规上企业家数"),
    Derivation(
        "count_output_over_1e8",
        "产值超亿元企业数",
        "家",
        "工业总产值 ≥ 10000万元(1亿元) 的企业家数",
    ),
    Derivation(
        "count_output_over_1e9",
        "产值超10亿元企业数",
        "家",
        "工业总产值 ≥ 100000万元(10亿元) 的企业家数",
    ),
    Derivation(
        "count_output_over_1e10",
        "产值超100亿元企业数",
        "家",
        "工业总产值 ≥ 1000000万元(100亿元) 的企业家数",
    ),
    Derivation(
        "mu_tax_above_scale",
        "规上工业亩均税收",
        "万元/亩",
        "Σ 规上企业税收(万元) ÷ "
        "Σ 同一批企业用地(亩，自有用地，无自有用地时取租用)；只计两项都有、用地 > 0 的规上企业",
    ),
    Derivation(
        "mu_output_above_scale",
        "规上工业亩均产值",
        "万元/亩",
        "Σ 规上企业工业总产值(万元) ÷ "
        "Σ 同一批企业用地(亩，自有用地，无自有用地时取租用)；只计两项都有、用地 > 0 的规上企业",
    ),
    Derivation(
        "mu_value_added_above_scale",
        "规上工业亩均增加值",
        "万元/亩",
        "Σ 规上企业工业增加值(万元) ÷ "
        "Σ 同一批企业用地(亩，自有用地，无自有用地时取租用)；只计两项都有、用地 > 0 的规上企业",
    ),
    Derivation(
        "rd_intensity",
        "规上工业R&D经费支出占营业收入比重",
        "%",
        "Σ 规上企业研发经费(万元，未报按 0 计) ÷ Σ 规上企业营业收入(万元) × 100；只计营业收入 > 0 的规上企业",
    ),
    Derivation(
        "energy_per_value_added",
        "规上工业单位增加值能耗",
        "吨标准煤/万元",
        "Σ 规上企业综合能耗(吨标准煤) ÷ Σ 同一批企业工业增加值(万元)；只计两项都有、增加值 > 0 的规上企业",
    ),
    Derivation(
        "cluster_output",
        "集群工业总产值",
        "亿元",
        "Σ 集群内企业（规上与规下）工业总产值(万元) ÷ 10000；集群成员：行业小类以集群所列 GB/T 4754-2017"
        " 代码开头（或持有集群所列称号）的企业；指标须有 concerns.cluster",
    ),
    Derivation(
        "cluster_output_above_scale",
        "集群规上工业总产值",
        "亿元",
        "Σ 集群内规上企业工业总产值(万元) ÷ 10000；成员同 cluster_output；指标须有 concerns.cluster",
    ),
    Derivation(
        "cluster_value_added",
        "集群规上工业增加值",
        "亿元",
        "Σ 集群内规上企业工业增加值(万元) ÷ 10000；成员同 cluster_output；指标须有 concerns.cluster",
    ),
    Derivation(
        "count_titled",
        "持有称号企业数",
        "家",
        "持有 concerns.title 所写称号的企业家数（称号名单 titles 导入；截至当年认定）",
    ),
)

DERIVATIONS: dict[str, Derivation] = {d.key: d for d in _ENTRIES}
# Keys whose value depends on a cluster the indicator concerns.
CLUSTER_KEYS = frozenset({"cluster_output", "cluster_output_above_scale", "cluster_value_added"})
# Keys whose value depends on a title the indicator concerns.
TITLE_KEYS = frozenset({"count_titled"})
