"""The kinds of background job (core.jobs), registered by name: the domains' long work.

Orchestration above the domains (core.jobs imports none of them); the job workers and the web
server call `register_all()` before they run or accept a job.
"""

from __future__ import annotations


def register_all() -> None:
    from industry_brain.core.jobs import register
    from industry_brain.evaluation import notice_jobs, run_jobs
    from industry_brain.plans import review_jobs
    from industry_brain.policies import notice_jobs as policy_notices
    from industry_brain.policies import run_jobs as policy_runs

    register(notice_jobs.KIND, label="评价结果告知书", run=notice_jobs.run_notice_job)
    register(run_jobs.KIND, label="亩均评价", run=run_jobs.run_evaluation_job)
    register(review_jobs.KIND, label="规划评估报告", run=review_jobs.run_review_job)
    register(policy_runs.KIND, label="政策数据比对", run=policy_runs.run_policy_job)
    register(policy_notices.KIND, label="政策兑现告知书", run=policy_notices.run_notice_job)
