"""A 免申即享 match run started from the policies page, as a background job (core.jobs): the
same `policies.workflow.start_run` as `industry-brain policies run` and `POST /api/v1/policies/runs`,
done by a job worker since matching a district and storing every trace takes seconds.
Registered as the kind `policies.run` by industry_brain.job_kinds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from industry_brain.core.jobs import JobContext, JobOutcome
from industry_brain.core.scope import Scope

KIND = "policies.run"


def run_request(
    session: Session, *, scope: Scope, policy_id: str, as_of: dt.date
) -> tuple[str, dict[str, Any]]:
    """(the job's title, its parameters), after the checks start_run makes (who may start it,
    the policy in force, one run a year), so that a refusal is shown before anything is queued."""
    from industry_brain.policies import workflow as wf

    p = wf.may_start(session, scope=scope, policy_id=policy_id, as_of=as_of)
    year = p.figures_year_for(as_of)
    title = f"{p.name} · {year} 年度数据比对 · 判定日期 {as_of.isoformat()}"
    return title, {"policy": p.id, "as_of": as_of.isoformat()}


def run_policy_job(ctx: JobContext) -> JobOutcome:
    from sqlalchemy import func, select

    from industry_brain.policies.models import PolicyMatch
    from industry_brain.policies.workflow import start_run

    policy_id, as_of = str(ctx.params["policy"]), dt.date.fromisoformat(str(ctx.params["as_of"]))
    ctx.progress(0, 1, "正在比对全区企业数据")
    with ctx.session() as session:
        run = start_run(session, policy_id=policy_id, as_of=as_of, scope=ctx.scope)
        stored = int(session.scalar(select(func.count()).where(PolicyMatch.run_id == run.id)) or 0)
        run_id = run.id
    return JobOutcome(
        message=f"已发起比对批次 {run_id}：{stored} 家企业待部门确认",
        result={"run_id": run_id, "stored": stored},
    )
