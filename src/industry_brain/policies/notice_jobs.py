"""Every 政策兑现告知书 of a match run the caller sees, as a background job (core.jobs): a zip of
Word files or of PDFs, one per enterprise, named in Chinese. The web request only checks and
queues; a job worker lays the notices out, reporting progress notice by notice.

`notice_request` checks a request (the run visible to the caller, at least one notice in its
scope) and names the job; `run_notice_job` is the work, registered as the kind
`policies.notices` by industry_brain.job_kinds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from industry_brain.core.auth import NotFound
from industry_brain.core.document import file_part, zip_documents
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.jobs import JobContext, JobOutcome
from industry_brain.core.scope import Scope

KIND = "policies.notices"
FORMATS = {"docx-zip": "Word 压缩包", "pdf-zip": "PDF 压缩包"}


def _ids(session: Session, scope: Scope, run_id: int) -> list[int]:
    """The department-confirmed matches of the run the caller sees, in credit-code order."""
    from industry_brain.policies.workflow import COMMITTED, matches

    rows = matches(session, scope=scope, run_id=run_id, with_trace=False)
    return [int(r["id"]) for r in rows if r["status"] in COMMITTED]


def notice_request(session: Session, *, scope: Scope, run_id: int, fmt: str) -> tuple[str, dict[str, Any]]:
    """(the job's title, its parameters); NotFound when the caller sees no notice of the run."""
    from industry_brain.policies.format import parse_policy
    from industry_brain.policies.models import PolicyRun

    if fmt not in FORMATS:
        raise ConfigurationError(f"告知书格式“{fmt}”未知：可用 {'、'.join(FORMATS)}")
    run, ids = session.get(PolicyRun, run_id), _ids(session, scope, run_id)
    if run is None or not ids:
        raise NotFound(f"比对批次 {run_id} 没有可下载的兑现告知书")
    name = parse_policy(run.policy_yaml, f"{run.policy_id}.yaml").name
    title = f"政策兑现告知书 · {name} · 批次 {run_id} · {len(ids)} 户 · {FORMATS[fmt]}"
    return title, {"run_id": run_id, "format": fmt}


def run_notice_job(ctx: JobContext) -> JobOutcome:
    from industry_brain.policies.notice import NOTICE_TITLE, notice_blocks, notice_row

    run_id, fmt = int(ctx.params["run_id"]), str(ctx.params["format"])
    ext = "docx" if fmt == "docx-zip" else "pdf"
    ctx.progress(0, None, "正在汇总兑现记录")
    today = dt.date.today()
    with ctx.session() as session:
        rows = [notice_row(session, scope=ctx.scope, match_id=i) for i in _ids(session, ctx.scope, run_id)]
    if not rows:
        raise NotFound(f"比对批次 {run_id} 没有可下载的兑现告知书")
    members = [
        (
            f"{i:04d}_{file_part(r['name'] or '未命名企业')}_{r['credit_code']}.{ext}",
            notice_blocks(r, today=today),
        )
        for i, r in enumerate(rows, start=1)
    ]
    path = zip_documents(
        members,
        ctx.folder / "notices.zip",
        ext=ext,
        settings=ctx.settings,
        title=NOTICE_TITLE,
        progress=lambda i, n: ctx.progress(i, n, f"已生成 {i} / {n} 户"),
    )
    stem = f"{NOTICE_TITLE}_{file_part(rows[0]['policy_name'])}_批次{run_id}"
    return JobOutcome(
        message=f"已生成 {len(rows)} 户企业的兑现告知书",
        file=path,
        download_name=f"{stem}_{'Word' if ext == 'docx' else 'PDF'}.zip",
        result={"notices": len(rows), "run_id": run_id},
    )
