"""A plan's 对表对标 review (Excel, Word or PDF) as a background job (core.jobs): the same file
as `industry-brain plans report`, made by a job worker under the caller's scope (a department
gets the indicators it answers for). Registered as the kind `plans.review` by
industry_brain.job_kinds.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from industry_brain.core.auth import Forbidden, NotFound
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.jobs import JobContext, JobOutcome
from industry_brain.core.scope import DISTRICT_WIDE, Scope

KIND = "plans.review"
FORMATS = {"xlsx": "Excel", "docx": "Word", "pdf": "PDF"}
REVIEW_ROLES = frozenset({*DISTRICT_WIDE, "department"})
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def review_request(
    *, scope: Scope, plan_id: str, as_of: str, fmt: str, session: Session | None = None
) -> tuple[str, dict[str, Any]]:
    """(the job's title, its parameters); Forbidden for a role that follows no plan, NotFound
    for an unknown plan, ConfigurationError for a bad period or format."""
    from industry_brain.plans.service import list_plans

    if scope.role not in REVIEW_ROLES:
        raise Forbidden("无权生成规划评估报告 (forbidden for this role)")
    plan = next((p for p in list_plans(session) if p["id"] == plan_id), None)
    if plan is None:
        raise NotFound()
    if not re.fullmatch(r"\d{4}(-\d{2})?", as_of or ""):
        raise ConfigurationError(f"截至期间“{as_of}”须为 YYYY 或 YYYY-MM")
    if fmt not in FORMATS:
        raise ConfigurationError(f"报告格式“{fmt}”未知：可用 {'、'.join(FORMATS)}")
    title = f"{plan['title']} · 对表对标评估报告 · 截至 {as_of} · {FORMATS[fmt]}"
    return title, {"plan_id": plan_id, "as_of": as_of, "format": fmt}


def run_review_job(ctx: JobContext) -> JobOutcome:
    from industry_brain.core.audit import audit
    from industry_brain.plans.report import write_review
    from industry_brain.plans.service import list_plans

    plan_id, as_of, fmt = str(ctx.params["plan_id"]), str(ctx.params["as_of"]), str(ctx.params["format"])
    ctx.progress(0, 1, "正在计算规划指标进度与集群效益")
    path = ctx.folder / f"review.{fmt}"
    with ctx.session() as session:
        review = write_review(
            session, plan_id=plan_id, as_of=as_of, path=path, fmt=fmt, settings=ctx.settings, scope=ctx.scope
        )
        audit(session, scope=ctx.scope, action="plans.report", target=plan_id, detail={"job": ctx.job_id})
        plan = next(p for p in list_plans(session) if p["id"] == plan_id)
    behind = sum(review.counts.get(s, 0) for s in ("behind", "off_track"))
    return JobOutcome(
        message=f"已生成报告：{len(review.indicators)} 项指标，滞后 {behind} 项",
        file=path,
        download_name=f"{UNSAFE.sub('_', plan['title'])[:80]}_对表对标评估报告_截至{as_of}.{fmt}",
        result={"indicators": len(review.indicators), "behind": behind},
    )
