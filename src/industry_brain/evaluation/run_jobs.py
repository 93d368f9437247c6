"""An evaluation run started from the pages, as a background job (core.jobs): the year's facts
read from the record and evaluated by the chosen shipped method, stored as a draft run exactly
as `industry-brain evaluate --year Y` stores it. Registered as the kind `evaluation.run` by
industry_brain.job_kinds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from industry_brain.core.auth import Forbidden
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.jobs import JobContext, JobOutcome
from industry_brain.core.scope import Scope

KIND = "evaluation.run"
RUN_ROLES = frozenset({"admin", "analyst", "system"})


def run_request(*, scope: Scope, year: int, method: str) -> tuple[str, dict[str, Any]]:
    """(the job's title, its parameters); Forbidden for a role that may not evaluate,
    ConfigurationError for a year or method that cannot be used."""
    from industry_brain.evaluation.method import load_method, shipped_methods

    if scope.role not in RUN_ROLES:
        raise Forbidden("无权发起评价 (only analysts start evaluation runs)")
    if not 1990 <= int(year) <= dt.date.today().year:
        raise ConfigurationError(f"评价年度 {year} 不在 1990–{dt.date.today().year} 之间")
    if method not in shipped_methods():
        raise ConfigurationError(f"评价方法“{method}”未知：可用 {'、'.join(shipped_methods())}")
    chosen = load_method(method)
    return f"{year} 年度亩均评价 · {chosen.title}", {"year": int(year), "method": method}


def run_evaluation_job(ctx: JobContext) -> JobOutcome:
    from industry_brain.core.audit import audit
    from industry_brain.evaluation.method import load_method
    from industry_brain.evaluation.service import facts_for, facts_of_year, run_evaluation

    year, method = int(ctx.params["year"]), load_method(str(ctx.params["method"]))
    ctx.progress(0, 2, f"正在读取 {year} 年度企业数据")
    with ctx.session() as session:
        # a year without data raises here, with the message the owner reads
        facts = facts_of_year(facts_for(session, year=year, settings=ctx.settings), year)
        ctx.progress(1, 2, f"正在评价 {facts.height} 户企业")
        run, _ = run_evaluation(
            session, year=year, method=method, settings=ctx.settings, facts=facts, user=ctx.scope.username
        )
        audit(
            session,
            scope=ctx.scope,
            action="evaluation.run",
            target=str(run.run_id),
            detail={"year": year, "method": method.id, "job": ctx.job_id},
        )
    return JobOutcome(
        message=f"已生成评价批次 {run.run_id}（草稿，{run.enterprises} 户企业）",
        result={"run_id": run.run_id, "year": year, "enterprises": run.enterprises},
    )
