"""Commands: `industry-brain jobs work | list | show | cancel`: the background job workers and
the jobs' state (core.jobs)."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.table import Table

from industry_brain.cli.support import (
    DbOption,
    JsonOption,
    boundary,
    engine_for,
    err,
    friendly_errors,
    out,
    print_json,
    settings_for,
)

jobs_app = typer.Typer(help="后台任务：批量告知书、页面发起的评价等 (background jobs)", no_args_is_help=True)


@jobs_app.command("work")
@friendly_errors
def work_command(
    db: DbOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="做完队列中的任务即退出 (exit when the queue is empty)")
    ] = False,
    parent_pid: Annotated[
        int | None,
        typer.Option("--parent-pid", help="该进程退出时停止（serve 启动工作进程时使用）", show_default=False),
    ] = None,
) -> None:
    """运行任务处理进程：领取排队的任务并执行 (run a job worker)."""
    from industry_brain.core.jobs import work
    from industry_brain.job_kinds import register_all

    register_all()
    settings = settings_for(db)
    engine = engine_for(settings)
    # each job's end on stderr (the platform's own messages, not the libraries')
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("industry_brain").addHandler(handler)
    logging.getLogger("industry_brain").setLevel(logging.INFO)
    if parent_pid is None and not once:
        err.print("任务处理进程已启动，按 Ctrl+C 停止 (job worker started)", highlight=False)
    try:
        ran = work(engine, settings, once=once, parent_pid=parent_pid)
    except KeyboardInterrupt:
        ran = -1
    finally:
        engine.dispose()
    if once:
        out.print(f"已处理 {ran} 个任务", highlight=False)


@jobs_app.command("list")
@friendly_errors
def list_command(
    db: DbOption = None,
    state: Annotated[
        str | None,
        typer.Option(
            "--state", help="只列出该状态：queued/running/done/failed/cancelled", show_default=False
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多列出多少个", min=1, max=10_000)] = 50,
    as_json: JsonOption = False,
) -> None:
    """列出后台任务，新的在前 (list the jobs, newest first)."""
    from industry_brain.core.errors import ConfigurationError
    from industry_brain.core.jobs import STATES, job_json, visible_jobs
    from industry_brain.core.scope import Scope
    from industry_brain.job_kinds import register_all

    if state is not None and state not in STATES:
        raise ConfigurationError(f"--state {state}：可用 {', '.join(STATES)}")
    register_all()
    with boundary(settings_for(db)) as session:
        jobs = [
            job_json(j) | {"owner": j.owner}
            for j in visible_jobs(session, scope=Scope.system(), limit=limit, state=state)
        ]
    if as_json:
        print_json(jobs)
        return
    table = Table("任务", "发起人", "内容", "状态", "进度", "说明", "创建时间")
    for j in jobs:
        progress = f"{j['done']}/{j['total']}" if j["total"] else "—"
        table.add_row(
            str(j["id"]),
            j["owner"],
            j["title"],
            j["state_label"],
            progress,
            j["message"] or "",
            j["created_at"],
        )
    out.print(table)


@jobs_app.command("show")
@friendly_errors
def show_command(
    job_id: Annotated[int, typer.Argument(help="任务号")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """显示一个任务，含失败时的错误记录 (one job, with its error text when it failed)."""
    from industry_brain.core.jobs import job_json, jobs_root, visible_job
    from industry_brain.core.scope import Scope
    from industry_brain.job_kinds import register_all

    register_all()
    settings = settings_for(db)
    with boundary(settings) as session:
        job = visible_job(session, scope=Scope.system(), job_id=job_id)
        data = job_json(job) | {"owner": job.owner, "worker": job.worker, "attempts": job.attempts}
        data |= {
            "error": job.error,
            "file": str(jobs_root(settings) / job.result_path) if job.result_path else None,
        }
    if as_json:
        print_json(data)
        return
    labels = {
        "id": "任务",
        "kind_label": "类型",
        "title": "内容",
        "owner": "发起人",
        "state_label": "状态",
        "message": "说明",
        "download_name": "下载文件名",
        "file": "文件",
        "created_at": "创建时间",
        "started_at": "开始时间",
        "finished_at": "结束时间",
        "worker": "处理进程",
        "attempts": "执行次数",
    }
    for key, label in labels.items():
        out.print(f"{label}：{data.get(key) if data.get(key) is not None else '—'}", highlight=False)
    if data["total"]:
        out.print(f"进度：{data['done']} / {data['total']}", highlight=False)
    if data["error"]:
        out.print("错误记录：", highlight=False)
        out.print(data["error"], highlight=False, markup=False)


@jobs_app.command("cancel")
@friendly_errors
def cancel_command(job_id: Annotated[int, typer.Argument(help="任务号")], db: DbOption = None) -> None:
    """取消排队中或运行中的任务 (cancel a queued or running job)."""
    from industry_brain.core.jobs import cancel
    from industry_brain.core.scope import Scope

    with boundary(settings_for(db)) as session:
        cancel(session, scope=Scope.system(), job_id=job_id)
    out.print(f"任务 {job_id} 已取消", highlight=False)
