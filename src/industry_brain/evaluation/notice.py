"""评价结果告知书: what an enterprise is told about its result in a run.

A notice gathers the run (year, method, version, status), the enterprise (name, 统一社会信用代码,
township), and its explanation as `evaluation.explain` gives it (pool, score, rank, every item
with value, benchmark, weight and score, imputed items, vetoes, the pool's grade boundaries) —
nothing is recomputed here: the benchmarks come from `explain.row_benchmarks`, as
`explain_enterprise` takes them, once per pool. Then the differentiated-policy consequences of
its grade (`policies.policy_amounts`, when the method has rates) and, while the run is under
公示, the appeal deadline and how to appeal.

`enterprise_notice` is one enterprise's; `scope_notices` every enterprise the caller sees in the
run (a town its township's, an enterprise itself), for one document with a page per notice.
Scope: a role that is not district-wide sees only published and final runs, and only the
enterprises its scope covers; anything else is `NotFound`, the same as an absent one.
`notice_render` writes them as Word and PDF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from industry_brain.core.auth import NotFound
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.core.text import normalise_code
from industry_brain.evaluation.evidence import DRAFT_READERS
from industry_brain.evaluation.explain import Explanation, explain, figure, reason_text, row_benchmarks
from industry_brain.evaluation.method import Method, Policy
from industry_brain.evaluation.models import EvaluationResult, EvaluationRun
from industry_brain.evaluation.workflow_common import status_name

PUBLIC = ("published", "final")


@dataclass
class Notice:
    run_id: int
    year: int
    method_id: str
    method_title: str
    method_version: int
    run_version: int
    status: str
    status_label: str
    deadline: dt.date | None
    credit_code: str
    name: str | None
    township_code: str | None
    township: str | None
    explanation: Explanation
    policy: list[str] = field(default_factory=list)
    appeal: list[str] = field(default_factory=list)
    status_note: str = ""
    reason_text: str | None = None  # why it was not evaluated (grade T)
    issued_on: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["explanation"] = self.explanation.to_json()
        return data


def enterprise_notice(
    session: Session, *, run_id: int, credit_code: str, scope: Scope, today: dt.date
) -> Notice:
    """The notice of one enterprise in a run; NotFound outside the caller's scope."""
    run = _visible_run(session, run_id, scope)
    code = normalise_code(credit_code)
    members = _members(session, run, scope, codes=[code])
    if not members:
        # a district-wide role sees everything: saying why leaks nothing
        raise NotFound(f"企业 {code} 不在评价批次 {run.id} 中") if scope.district_wide else NotFound()
    return _notices(session, run, members, today)[0]


def scope_notices(
    session: Session,
    *,
    run_id: int,
    scope: Scope,
    today: dt.date,
    township_code: str | None = None,
    limit: int | None = None,
) -> list[Notice]:
    """A notice for every enterprise of the run the caller sees (optionally one township's), by
    township, pool and rank; NotFound when there are none. More than `limit` is refused before
    any is assembled (a web request must not lay out thousands of pages)."""
    run = _visible_run(session, run_id, scope)
    members = _members(session, run, scope, township_code=township_code)
    if not members:
        raise NotFound()
    if limit is not None and len(members) > limit:
        raise IndustryBrainError(
            f"评价批次 {run.id} 范围内共 {len(members)} 户企业，超过直接下载上限 {limit} 户：请在"
            "“亩均评价”页面点“全部告知书”在后台生成（可在“我的任务”中查看进度并下载），"
            "或经接口 POST /api/v1/jobs/evaluation-notices 发起"
        )
    return _notices(session, run, members, today)


def notice_count(
    session: Session, *, run_id: int, scope: Scope, township_code: str | None = None
) -> tuple[EvaluationRun, int]:
    """(the run, how many notices the caller would get): what a bulk request is checked
    against before it is queued; NotFound when there are none."""
    run = _visible_run(session, run_id, scope)
    members = _members(session, run, scope, township_code=township_code)
    if not members:
        raise NotFound()
    return run, len(members)


def _visible_run(session: Session, run_id: int, scope: Scope) -> EvaluationRun:
    run = session.get(EvaluationRun, run_id)
    if run is None:
        raise NotFound(f"评价批次 {run_id} 不存在") if scope.district_wide else NotFound()
    # drafts only for those who may read drafts anywhere (the pages' and views' DRAFT_READERS)
    if (run.status not in PUBLIC and scope.role not in DRAFT_READERS) or scope.role == "department":
        raise NotFound()
    return run


def _members(
    session: Session,
    run: EvaluationRun,
    scope: Scope,
    *,
    codes: list[str] | None = None,
    township_code: str | None = None,
) -> dict[str, str | None]:
    """credit_code → township_code of the run's enterprises in scope, in notice order."""
    from industry_brain.enterprises.models import Enterprise

    where = [
        EvaluationResult.run_id == run.id,
        scope.enterprise_clause(EvaluationResult.credit_code, Enterprise.township_code),
    ]
    if codes is not None:
        where.append(EvaluationResult.credit_code.in_(codes))
    if township_code:
        where.append(Enterprise.township_code == township_code)
    joined = EvaluationResult.__table__.outerjoin(
        Enterprise.__table__, Enterprise.credit_code == EvaluationResult.credit_code
    )
    rows = session.execute(
        select(EvaluationResult.credit_code, Enterprise.township_code)
        .select_from(joined)
        .where(and_(*where))
        .order_by(
            Enterprise.township_code,
            EvaluationResult.pool,
            EvaluationResult.rank,
            EvaluationResult.credit_code,
        )
    ).all()
    return {code: town for code, town in rows}


def _notices(
    session: Session, run: EvaluationRun, members: dict[str, str | None], today: dt.date
) -> list[Notice]:
    from industry_brain.evaluation.service import method_of, run_inputs, run_results
    from industry_brain.reference.divisions import known_township_name as township_name

    method = method_of(run)
    results = run_results(session, run, method)
    facts = run_inputs(session, run)
    wanted = results.filter(pl.col("credit_code").is_in(list(members)))
    bench = _benchmarks(wanted, results, facts, method, run.year)
    policy = _policy_rows(session, run, wanted, facts, method)
    facts_rows = {r["credit_code"]: r for r in facts.iter_rows(named=True)}
    rows = {r["credit_code"]: r for r in wanted.iter_rows(named=True)}
    # what every notice of the run says alike, computed once
    common: dict[str, Any] = dict(
        run_id=run.id,
        year=run.year,
        method_id=method.id,
        method_title=method.title,
        method_version=run.method_version,
        run_version=run.version,
        status=run.status,
        status_label=status_name(run.status),
        deadline=run.deadline,
        appeal=appeal_lines(run, today),
        status_note=status_note(session, run, today),
        issued_on=today,
    )
    notices = []
    for code, town in members.items():
        row = rows[code]
        exp = explain(
            row,
            method,
            results,
            benchmarks=bench.get(code, {}),
            facts_row=facts_rows.get(code),
            run_id=run.id,
            year=run.year,
        )
        evaluated = row["pool"] != "not_evaluated"
        notices.append(
            Notice(
                **common,
                credit_code=code,
                name=row.get("name"),
                township_code=town,
                township=township_name(town),
                explanation=exp,
                policy=policy_lines(policy.get(code), method.policy),
                reason_text=None if evaluated else reason_text(row.get("reason"), method),
            )
        )
    return notices


def _benchmarks(
    wanted: pl.DataFrame, results: pl.DataFrame, facts: pl.DataFrame, method: Method, year: int
) -> dict[str, dict[str, float | None]]:
    """credit_code → the bm_<indicator> it was scored against, computed once per pool on the
    pool's facts (benchmarks depend on the pool only), as explain_enterprise does."""
    out: dict[str, dict[str, float | None]] = {}
    for pool in wanted["pool"].unique().to_list():
        if pool == "not_evaluated":
            continue
        members = results.filter(pl.col("pool") == pool).select("credit_code")
        pool_facts = facts.join(members, on="credit_code", how="semi")
        bm = row_benchmarks(pool_facts, method, year=year)
        for r in bm.iter_rows(named=True):
            out[r["credit_code"]] = {k: v for k, v in r.items() if k.startswith("bm_")}
    return out


def has_policy(policy: Policy) -> bool:
    return bool(
        policy.electricity_surcharge_yuan_per_kwh
        or policy.electricity_surcharge_d_three_years is not None
        or policy.water_surcharge_yuan_per_t
        or policy.land_tax_adjustment_pct
        or policy.energy_quota_change_pct
    )


def _policy_rows(
    session: Session, run: EvaluationRun, wanted: pl.DataFrame, facts: pl.DataFrame, method: Method
) -> dict[str, dict[str, Any]]:
    from industry_brain.evaluation.policies import policy_amounts, previous_grades

    if not has_policy(method.policy):
        return {}
    grades, _ = previous_grades(session, run)
    amounts = policy_amounts(wanted, facts, method, previous_grades=grades)
    return {r["credit_code"]: r for r in amounts.iter_rows(named=True)}


def policy_lines(row: dict[str, Any] | None, policy: Policy) -> list[str]:
    """The enterprise's differentiated-policy consequences in plain Chinese ([] without rates)."""
    if row is None:
        return []
    grade = row["grade"]
    if grade == "T":
        return ["未参评，不适用差别化政策。"]
    lines = []
    if policy.electricity_surcharge_yuan_per_kwh or policy.electricity_surcharge_d_three_years is not None:
        lines.append(_electricity(row, grade))
    if policy.water_surcharge_yuan_per_t:
        rate = row["water_rate_yuan_per_t"] or 0.0
        lines.append(
            f"差别化水价：{grade}类加价 {rate:g} 元/吨。" if rate else f"差别化水价：{grade}类不加价。"
        )
    if policy.land_tax_adjustment_pct:
        pct = row["land_tax_adjustment_pct"] or 0.0
        lines.append(
            f"城镇土地使用税：{grade}类按 {pct:+g}% 调整。" if pct else f"城镇土地使用税：{grade}类不调整。"
        )
    if policy.energy_quota_change_pct:
        pct, tce = row["energy_quota_change_pct"] or 0.0, row["energy_quota_change_tce"]
        amount = f"，按综合能耗 {figure(row['energy_tce'])} 吨标准煤计 {tce:+,.2f} 吨标准煤" if tce else ""
        lines.append(
            f"用能指标：{grade}类调整 {pct:+g}%{amount}。" if pct else f"用能指标：{grade}类不调整。"
        )
    return lines


def _electricity(row: dict[str, Any], grade: str) -> str:
    rate = row["electricity_rate_yuan_per_kwh"] or 0.0
    if not rate:
        return f"差别化电价：{grade}类不加价。"
    which = "连续三年D类" if row["d_three_years"] else f"{grade}类"
    text = f"差别化电价：{which}，用电每千瓦时加价 {rate:g} 元"
    if row["electricity_surcharge_yuan"] is not None:
        text += (
            f"；按本年度用电量 {figure(row['electricity_wan_kwh'])} 万千瓦时测算，"
            f"加价约 {row['electricity_surcharge_yuan']:,.2f} 元"
        )
    else:
        text += "；缺少用电量数据，加价金额按实际用电量计"
    return text + "。"


def appeal_lines(run: EvaluationRun, today: dt.date) -> list[str]:
    """How to appeal, while the run is under 公示 and its deadline has not passed."""
    if run.status != "published" or run.deadline is None or today > run.deadline:
        return []
    day = f"{run.deadline.year}年{run.deadline.month}月{run.deadline.day}日"
    return [
        f"本结果正在公示，公示截止日为 {day}（含当日）。",
        f"如对本告知书所列数据有异议，请在 {day}（含当日）前提出申诉：登录产业大脑平台“亩均评价”页面，"
        "选择“提出申诉”，或经所在镇街提出。",
        "每项申诉针对一项数据（如实缴税金、用地面积、综合能耗），须写明申诉值、理由和依据，并附证明材料；"
        "同一数据在复核期间不能重复申诉。",
        "复核采纳的，将按更正后的数据重新评价并公示新版本；逾期未申诉的，公示期满后评价结果终审生效。",
    ]


def status_note(session: Session, run: EvaluationRun, today: dt.date) -> str:
    """One sentence on what the run's status means for the reader."""
    if run.status == "draft":
        return "本结果为草稿，尚未公示，仅供核对，不作为执行差别化政策的依据。"
    if run.status == "final":
        return "本结果已终审，作为本年度执行差别化政策的依据。"
    if run.status == "superseded":
        child = session.scalar(select(EvaluationRun.id).where(EvaluationRun.parent_id == run.id))
        newer = f"（评价批次 {child}）" if child else ""
        return f"本批次已因申诉采纳被新版本{newer}取代，以新版本结果为准。"
    if run.deadline is not None and today > run.deadline:
        return "公示期已截止，待申诉复核完毕后终审。"
    return ""  # under 公示: the appeal lines say it, with the deadline
