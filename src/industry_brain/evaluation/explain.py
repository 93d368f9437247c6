"""Each enterprise's result, explained in plain Chinese: for every item of its indicator set the
indicator (with its numerator and denominator), the benchmark actually used, the weight and the
item score; imputed items; the total, its rank in the pool, the pool's grade boundaries, vetoes
and the reason of a T grade. docs/evaluation-policies.md shows an example.

`explain` is pure (a result row, the method, the run's results); `explain_enterprise` reads a
stored run and recomputes the per-row benchmarks with `analytics.benchmarks`, the same
expressions the evaluation used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.text import normalise_code
from industry_brain.evaluation.method import INDICATORS, Item, Method

# indicator -> (中文, unit); docs/evaluation-methods.md has the same table.
INDICATOR_LABELS: dict[str, tuple[str, str]] = {
    "tax_per_mu": ("亩均税收", "万元/亩"),
    "value_added_per_mu": ("亩均增加值", "万元/亩"),
    "output_per_mu": ("亩均产值", "万元/亩"),
    "revenue_per_mu": ("亩均营业收入", "万元/亩"),
    "rd_per_mu": ("亩均研发经费", "万元/亩"),
    "value_added_per_energy": ("单位能耗增加值", "万元/吨标准煤"),
    "value_added_per_emission": ("单位排放增加值", "万元/吨"),
    "labour_productivity": ("全员劳动生产率", "万元/人"),
    "rd_intensity": ("研发经费占比", ""),
    "tax_per_electricity": ("单位电耗税收", "万元/万千瓦时"),
    "revenue_per_electricity": ("单位电耗营业收入", "万元/万千瓦时"),
}
# operand of an indicator (facts column, or "land") -> (中文, unit)
OPERAND_LABELS: dict[str, tuple[str, str]] = {
    "tax_wan": ("税收", "万元"),
    "value_added_wan": ("工业增加值", "万元"),
    "output_wan": ("工业总产值", "万元"),
    "revenue_wan": ("营业收入", "万元"),
    "rd_spend_wan": ("研发经费", "万元"),
    "energy_tce": ("综合能耗", "吨标准煤"),
    "emission_t": ("主要污染物排放量", "吨"),
    "employees": ("从业人员", "人"),
    "electricity_wan_kwh": ("用电量", "万千瓦时"),
    "land": ("用地", "亩"),
}
POOL_LABELS = {
    "above_scale": "规上企业",
    "below_scale_3mu_plus": "规下企业（用地{split}亩及以上）",
    "below_scale_under_3mu": "规下企业（用地{split}亩以下）",
    "tenant": "租赁企业（无自有用地）",
    "not_evaluated": "不参评",
}
SET_LABELS = {"above_scale": "规上企业指标体系", "below_scale": "规下企业指标体系"}
GRADE_LABELS = {
    "A": "A类（优先支持）",
    "B": "B类（鼓励提升）",
    "C": "C类（帮扶转型）",
    "D": "D类（倒逼整治）",
    "T": "T（不参评）",
}
_CN_NUMBERS = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五"}


def pool_label(pool: str, method: Method) -> str:
    return POOL_LABELS.get(pool, pool).format(split=f"{method.below_scale_split_mu:g}")


def reason_text(reason: str | None, method: Method) -> str:
    years = _CN_NUMBERS.get(method.new_enterprise_years, str(method.new_enterprise_years))
    texts = {
        "utility": (
            f"属于电力、热力、燃气及水生产和供应业（行业大类 {'、'.join(method.utility_divisions)}），不参评"
        ),
        "new": f"成立不满{years}年，不参评",
        "no_tax": "缺少税收数据，不参评",
        "no_land": "既无自有用地也无租用土地，不参评",
    }
    return texts.get(reason or "", f"不参评（{reason}）")


def veto_text(veto: str, method: Method) -> str:
    low = method.vetoes.get("low_efficiency") or {}
    texts = {
        "safety_accident": "发生安全生产事故，一票否决为D类",
        "env_violation": "存在环境违法行为，一票否决为D类",
        "low_efficiency": (
            f"自有用地 {float(low.get('min_land_mu', 0)):g} 亩及以上且亩均税收低于 "
            f"{float(low.get('max_tax_per_mu', 0)):g} 万元/亩，一票否决为D类"
        ),
    }
    return texts.get(veto, f"{veto}，一票否决为D类")


def number(value: float | None, digits: int = 2) -> str:
    """Figures as officials read them: 2 decimals (4 significant digits under 1); '—' if none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if value != 0 and abs(value) < 1:
        return f"{value:.4g}"
    return f"{value:.{digits}f}"


def figure(value: float | None) -> str:
    """An input figure as given: up to 4 decimals, no trailing zeros (600, 0.5, 12.25)."""
    if value is None:
        return "—"
    return f"{value:.4f}".rstrip("0").rstrip(".")


def points(value: float | None) -> str:
    """A score: always 2 decimals."""
    return "—" if value is None else f"{value:.2f}"


def benchmark_number(value: float | None) -> str:
    return "—" if value is None else f"{value:.6g}"


@dataclass
class ItemExplanation:
    indicator: str
    label: str
    unit: str
    value: float | None
    numerator: float | None
    denominator: float | None
    benchmark: float | None
    benchmark_rule: str
    weight: float
    cap: float | None
    score: float | None
    imputed: bool
    text: str


@dataclass
class Boundary:
    grade: str
    from_share: float
    to_share: float
    first_rank: int | None
    last_rank: int | None
    text: str


@dataclass
class Explanation:
    credit_code: str
    name: str | None
    pool: str
    pool_label: str
    indicator_set: str | None
    grade: str
    grade_label: str
    score: float | None
    rank: int | None
    pool_size: int | None
    top_share: float | None
    score_grade: str | None
    boundaries: list[Boundary]
    vetoes: list[dict[str, str]]
    reason: str | None
    items: list[ItemExplanation]
    run_id: int | None = None
    year: int | None = None
    method_id: str | None = None
    method_title: str | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "text": self.text}


def grade_for_share(p: float, method: Method, pool: str) -> str:
    """The grade the rank alone gives (p = members strictly ahead ÷ pool size)."""
    g = method.thresholds(pool)
    return "A" if p < g.A else "B" if p < g.B else "C" if p < g.C else "D"


def _last_rank(share: float, n: int) -> int:
    """The largest rank k (1-based) with (k − 1) ÷ n < share, by the engine's comparison."""
    k = min(n, max(0, math.ceil(share * n)))
    while k > 0 and not ((k - 1) / n < share):
        k -= 1
    while k < n and k / n < share:
        k += 1
    return k


def boundaries(method: Method, pool: str, n: int | None) -> list[Boundary]:
    """A: 排名前20%（第1–121位） and so on; rank ranges only when the pool size is known."""
    g = method.thresholds(pool)
    cuts = [("A", 0.0, g.A), ("B", g.A, g.B), ("C", g.B, g.C), ("D", g.C, 1.0)]
    out, first = [], 1
    for grade, lo, hi in cuts:
        if grade == "A":
            words = f"排名前{hi:.0%}"
        elif grade == "D":
            words = f"其余（后{1 - lo:.0%}）" if hi >= 1 else f"排名{lo:.0%}以后"
        else:
            words = f"排名{lo:.0%}–{hi:.0%}"
        first_rank = last_rank = None
        if n:
            last = n if grade == "D" else _last_rank(hi, n)
            if last >= first:
                first_rank, last_rank = first, last
                words += f"（本池第{first}–{last}位）" if last > first else f"（本池第{first}位）"
            else:
                words += "（本池无）"
            first = max(first, last + 1)
        out.append(Boundary(grade, lo, hi, first_rank, last_rank, f"{grade}类：{words}"))
    return out


def _set_of(row: Mapping[str, Any], method: Method, facts_row: Mapping[str, Any] | None) -> str | None:
    if row.get("pool") in (None, "not_evaluated"):
        return None
    if facts_row is not None and facts_row.get("above_scale") is not None:
        return "above_scale" if facts_row["above_scale"] == 1 else "below_scale"
    if row["pool"] == "above_scale":
        return "above_scale"
    if row["pool"] != "tenant":
        return "below_scale"
    # a tenant's set: the one whose every item has a score
    for iset, items in method.sets.items():
        if all(row.get(f"score_{i.indicator}") is not None for i in items):
            return iset
    return None


def _operand(facts_row: Mapping[str, Any] | None, column: str) -> float | None:
    if facts_row is None:
        return None
    if column == "land":
        own = facts_row.get("land_mu")
        return own if own is not None and own > 0 else facts_row.get("rented_mu")
    value = facts_row.get(column)
    return None if value is None else float(value)


def _benchmark_words(item: Item, value: float | None) -> str:
    bm = item.benchmark
    shown = benchmark_number(value)
    if item.indicator == "rd_intensity" and value is not None:
        shown = f"{value * 100:.6g}%"  # a ratio, shown as the value is: 0.0302 → 3.02%
    text = f"基准值 {shown}"
    num, den = (OPERAND_LABELS[c][0] for c in INDICATORS[item.indicator])
    scope = "本池同指标体系" + ("同行业大类" if bm.by_division else "")
    notes = {
        "constant": "",
        "pool_aggregate": f"{scope}企业Σ{num}÷Σ{den}",
        "pool_mean": f"{scope}企业的平均值",
    }[bm.rule]
    if bm.multiple != 1:
        notes = (notes + "的" if notes else "公布值的") + f" {bm.multiple:g} 倍"
    if value is None and bm.rule != "constant":
        text = "基准值（未提供）"
    return f"{text}（{notes}）" if notes else text


def _item(
    item: Item,
    row: Mapping[str, Any],
    facts_row: Mapping[str, Any] | None,
    bench: float | None,
    method: Method,
) -> ItemExplanation:
    name = item.indicator
    label, unit = INDICATOR_LABELS[name]
    value = row.get(name)
    score = row.get(f"score_{name}")
    imputed = name in (row.get("imputed") or "").split(",")
    num_col, den_col = INDICATORS[name]
    numerator, denominator = _operand(facts_row, num_col), _operand(facts_row, den_col)
    if den_col == "land" and facts_row is not None and row.get("pool") == "tenant":
        den_words = ("租用地", "亩")
    else:
        den_words = OPERAND_LABELS[den_col]
    weight = f"权重 {item.weight:g}"
    if imputed:
        why = ""
        if facts_row is not None:
            gaps = [
                f"{OPERAND_LABELS[c][0]}{'为空' if v is None else '为 0'}"
                for c, v in ((num_col, numerator), (den_col, denominator))
                if v is None or (c == den_col and v <= 0)
            ]
            why = f"（{'、'.join(gaps)}）" if gaps else ""
        given = f"按同池平均分 {points(score)} 计" if method.imputation == "pool_mean" else "按 0 分计"
        text = f"{label}：缺少数据{why}，{given}（{weight}）"
    else:
        shown = f"{number(value)} {unit}".rstrip()
        if name == "rd_intensity" and value is not None:
            shown = f"{value:.2%}"
        parts = [f"{label} {shown}"]
        if numerator is not None and denominator is not None:
            parts[0] += (
                f"（{OPERAND_LABELS[num_col][0]} {figure(numerator)} {OPERAND_LABELS[num_col][1]} ÷ "
                f"{den_words[0]} {figure(denominator)} {den_words[1]}）"
            )
        parts += [_benchmark_words(item, bench), weight, f"得分 {points(score)}"]
        if item.cap is not None and score is not None and abs(score - item.cap) < 1e-9:
            parts[-1] += f"（封顶 {item.cap:g} 分）"
        if bench is not None and bench <= 0:
            parts[-1] += "（基准值不为正，本项计 0 分）"
        text = "，".join(parts)
    return ItemExplanation(
        name, label, unit, value, numerator, denominator, bench, item.benchmark.rule, item.weight,
        item.cap, score, imputed, text,
    )  # fmt: skip


def explain(
    result_row: Mapping[str, Any],
    method: Method,
    pool_results: pl.DataFrame,
    *,
    benchmarks: Mapping[str, float | None] | None = None,
    facts_row: Mapping[str, Any] | None = None,
    run_id: int | None = None,
    year: int | None = None,
) -> Explanation:
    """Explain one result row (a row of `evaluate`'s results) in plain Chinese.

    `pool_results`: the run's results (at least the row's pool), for the pool size.
    `benchmarks`: indicator -> the benchmark the row was scored against (`bm_<indicator>` of
    `analytics.benchmarks`, keys with or without the prefix); constant benchmarks are taken from
    the method when absent. `facts_row`: the enterprise's facts, to show numerators and
    denominators."""
    row = dict(result_row)
    pool = str(row["pool"])
    grade = str(row["grade"])
    bench = {k.removeprefix("bm_"): v for k, v in (benchmarks or {}).items()}
    iset = _set_of(row, method, facts_row)
    items: list[ItemExplanation] = []
    if iset is not None:
        for item in method.sets[iset]:
            value = bench.get(item.indicator)
            if value is None and item.benchmark.rule == "constant":
                value = float(item.benchmark.value or 0) * item.benchmark.multiple
            items.append(_item(item, row, facts_row, value, method))
    evaluated = pool != "not_evaluated"
    n = pool_results.filter(pl.col("pool") == pool).height if evaluated else None
    rank = row.get("rank")
    top_share = rank / n if evaluated and rank and n else None
    score_grade = grade_for_share((rank - 1) / n, method, pool) if evaluated and rank and n else None
    vetoes = [v for v in (row.get("vetoes") or "").split(",") if v]
    exp = Explanation(
        credit_code=str(row["credit_code"]),
        name=row.get("name"),
        pool=pool,
        pool_label=pool_label(pool, method),
        indicator_set=iset,
        grade=grade,
        grade_label=GRADE_LABELS.get(grade, grade),
        score=row.get("score"),
        rank=rank,
        pool_size=n,
        top_share=top_share,
        score_grade=score_grade,
        boundaries=boundaries(method, pool, n) if evaluated else [],
        vetoes=[{"veto": v, "text": veto_text(v, method)} for v in vetoes],
        reason=row.get("reason"),
        items=items,
        run_id=run_id,
        year=year,
        method_id=method.id,
        method_title=method.title,
    )
    exp.lines = render(exp, method)
    return exp


def render(exp: Explanation, method: Method) -> list[str]:
    """The explanation as lines of plain Chinese."""
    who = f"{exp.name}（{exp.credit_code}）" if exp.name else exp.credit_code
    lines = [f"企业：{who}"]
    if exp.run_id is not None or exp.year is not None:
        batch = f"评价批次 {exp.run_id}，" if exp.run_id is not None else ""
        lines.append(f"{batch}{exp.year} 年度，评价方法《{method.title}》")
    if exp.pool == "not_evaluated":
        lines.append(f"结果：{exp.grade_label}，{reason_text(exp.reason, method)}。")
        return lines
    set_words = f"，按{SET_LABELS.get(exp.indicator_set or '', '')}评价" if exp.indicator_set else ""
    lines.append(f"评价池：{exp.pool_label}{set_words}。各项得分 = 指标值 ÷ 基准值 × 权重：")
    lines += [f"  {i}. {item.text}" for i, item in enumerate(exp.items, start=1)]
    standing = f"总分 {points(exp.score)}"
    if exp.rank and exp.pool_size:
        standing += (
            f"，在{exp.pool_label}评价池 {exp.pool_size} 户中排名第 {exp.rank} 位"
            f"（前 {exp.top_share or 0:.1%}）"
        )
    lines.append(standing + "。")
    if exp.boundaries:
        lines.append("本池分档：" + "；".join(b.text for b in exp.boundaries) + "。")
    if exp.vetoes:
        lines += [f"一票否决：{v['text']}。" for v in exp.vetoes]
        by_score = (
            f"（按排名本应为{exp.score_grade}类）" if exp.score_grade and exp.score_grade != "D" else ""
        )
        lines.append(f"结果：{exp.grade_label}{by_score}。")
    else:
        lines.append(f"结果：{exp.grade_label}。")
    return lines


# --- the service: a stored run --------------------------------------------------------------


def row_benchmarks(facts: pl.DataFrame, method: Method, *, year: int) -> pl.DataFrame:
    """Per-row benchmarks (credit_code, pool, iset, division, bm_<indicator>) on DuckDB."""
    from industry_brain.evaluation.analytics import benchmarks
    from industry_brain.evaluation.engines import connect
    from industry_brain.evaluation.inputs import to_backend

    con = connect("duckdb")
    try:
        table = to_backend(facts, con)
        return pl.from_arrow(benchmarks(table, method, year=year).to_pyarrow())  # type: ignore[return-value]
    finally:
        con.disconnect()


def explain_enterprise(session: Session, *, run_id: int, credit_code: str) -> Explanation:
    """The explanation of one enterprise's result in a stored run."""
    from industry_brain.evaluation.models import EvaluationResult
    from industry_brain.evaluation.service import get_run, method_of, run_inputs, run_results

    run = get_run(session, run_id)
    code = normalise_code(credit_code)
    found = session.scalar(
        select(EvaluationResult.pool).where(
            EvaluationResult.run_id == run.id, EvaluationResult.credit_code == code
        )
    )
    if found is None:
        raise IndustryBrainError(f"企业 {code} 不在评价批次 {run.id} 中")
    method = method_of(run)
    results = run_results(session, run, method)
    facts = run_inputs(session, run)
    facts_row = facts.filter(pl.col("credit_code") == code).row(0, named=True)
    row = results.filter(pl.col("credit_code") == code).row(0, named=True)
    bench: dict[str, float | None] = {}
    if row["pool"] != "not_evaluated":
        # benchmarks depend on the pool only: evaluate the benchmark expressions on its facts
        members = results.filter(pl.col("pool") == row["pool"]).select("credit_code")
        pool_facts = facts.join(members, on="credit_code", how="semi")
        bm = row_benchmarks(pool_facts, method, year=run.year).filter(pl.col("credit_code") == code)
        bench = {k: v for k, v in bm.row(0, named=True).items() if k.startswith("bm_")}
    return explain(row, method, results, benchmarks=bench, facts_row=facts_row, run_id=run.id, year=run.year)
