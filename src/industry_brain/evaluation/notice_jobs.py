"""Every 评价结果告知书 a caller sees in a run, as a background job (core.jobs): a zip of Word
files, a zip of PDFs (one file per enterprise, named in Chinese), or one merged PDF with a page
break between notices. No limit on the number: the work runs in a job worker, reporting progress
notice by notice, so neither the web server nor the caller waits on it.

`notice_request` checks a request (the run visible to the caller, at least one notice in its
scope) and names the job before it is queued; `run_notice_job` is the work, registered as the
kind `evaluation.notices` by industry_brain.job_kinds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from industry_brain.core.document import file_part as safe_name
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.jobs import JobContext, JobOutcome
from industry_brain.core.scope import Scope

KIND = "evaluation.notices"
FORMATS = {"docx-zip": "Word 压缩包", "pdf-zip": "PDF 压缩包", "pdf": "合并 PDF"}
PDF_PART = 1  # notices per laid-out part: progress after each, and each numbers its own pages


def notice_request(
    session: Session, *, scope: Scope, run_id: int, fmt: str, township_code: str | None = None
) -> tuple[str, dict[str, Any]]:
    """(the job's title, its parameters) for the caller's notices of the run; NotFound when the
    caller sees none, ConfigurationError for an unknown format."""
    from industry_brain.evaluation.notice import notice_count
    from industry_brain.reference.divisions import known_township_name as township_name

    if fmt not in FORMATS:
        raise ConfigurationError(f"告知书格式“{fmt}”未知：可用 {'、'.join(FORMATS)}")
    town = township_code or (scope.township_code if scope.role == "town" else None)
    run, count = notice_count(session, run_id=run_id, scope=scope, township_code=township_code)
    where = township_name(town) or town or ("本企业" if scope.role == "enterprise" else "全区")
    title = f"{run.year}年度评价结果告知书 · 批次 {run.id} · {where} · {count} 户 · {FORMATS[fmt]}"
    params = {"run_id": run.id, "format": fmt, "township_code": township_code}
    return title, params


def run_notice_job(ctx: JobContext) -> JobOutcome:
    from industry_brain.evaluation.notice import scope_notices
    from industry_brain.reference.divisions import known_township_name as township_name

    run_id, fmt = int(ctx.params["run_id"]), str(ctx.params["format"])
    township = ctx.params.get("township_code")
    ctx.progress(0, None, "正在汇总评价结果")
    with ctx.session() as session:
        notices = scope_notices(
            session, run_id=run_id, scope=ctx.scope, today=dt.date.today(), township_code=township
        )
    total = len(notices) + (1 if fmt == "pdf" else 0)
    ctx.progress(0, total, f"共 {len(notices)} 户企业，正在生成")
    town = township or (ctx.scope.township_code if ctx.scope.role == "town" else None)
    where = township_name(town) or town or "全区"
    stem = f"评价结果告知书_{notices[0].year}年度_批次{run_id}_{safe_name(where)}"
    if fmt == "pdf":
        path = _merged_pdf(ctx, notices, ctx.folder / "notices.pdf")
        name = f"{stem}_合并.pdf"
    else:
        path = _zip(ctx, notices, ctx.folder / "notices.zip", ext="docx" if fmt == "docx-zip" else "pdf")
        name = f"{stem}_{'Word' if fmt == 'docx-zip' else 'PDF'}.zip"
    return JobOutcome(
        message=f"已生成 {len(notices)} 户企业的告知书",
        file=path,
        download_name=name,
        result={"notices": len(notices), "run_id": run_id},
    )


def member_name(index: int, notice: Any, ext: str) -> str:
    """The file name of one notice inside the zip: 序号_企业名称_统一社会信用代码."""
    return f"{index:04d}_{safe_name(notice.name or '未命名企业')}_{notice.credit_code}.{ext}"


def _zip(ctx: JobContext, notices: list[Any], path: Path, *, ext: str) -> Path:
    from industry_brain.core.document import zip_documents
    from industry_brain.evaluation.notice_render import TITLE, blocks

    members = [(member_name(i, n, ext), blocks(n)) for i, n in enumerate(notices, start=1)]
    total = len(notices)
    return zip_documents(
        members,
        path,
        ext=ext,
        settings=ctx.settings,
        title=TITLE,
        progress=lambda i, n: ctx.progress(i, total, f"已生成 {i} / {n} 户"),
    )


def _merged_pdf(ctx: JobContext, notices: list[Any], path: Path) -> Path:
    from industry_brain.core.pdf import PdfBuilder
    from industry_brain.evaluation.notice_render import notice_html

    builder = PdfBuilder(ctx.settings)
    total = len(notices) + 1
    for start in range(0, len(notices), PDF_PART):
        builder.add(notice_html(notices[start : start + PDF_PART]))
        done = min(start + PDF_PART, len(notices))
        ctx.progress(done, total, f"已排版 {done} / {len(notices)} 户")
    ctx.progress(len(notices), total, "正在合并为一个 PDF")
    partial = path.with_name(f".{path.name}.partial")
    builder.write(partial)
    partial.replace(path)
    return path
