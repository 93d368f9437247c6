"""我的任务 (/jobs), and the progress card a page shows for a job it started.

A page starts a job with `start_job` (queued in one short transaction, audited like the API's
POST) and shows `job_card`: the job's state, a progress bar and its message, refreshed once a
second by a ui.timer that reads the job's row off the event loop, and once it is done a button
that downloads its file through `/jobs/{id}/download` (scoped, audited). The work itself runs in
a job worker (core.jobs), so the page and the server stay free.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from nicegui import run, ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.web.i18n import t
from industry_brain.web.pages.layout import empty, enter, header, title

PATH = "/jobs"
STATE_COLOURS = {
    "queued": "grey-7",
    "running": "primary",
    "done": "positive",
    "failed": "negative",
    "cancelled": "grey-6",
}


def start_job(
    scope: Scope, kind: str, make: Callable[[Any], tuple[str, dict[str, Any]]]
) -> dict[str, Any] | None:
    """Queue the job `make(session)` names (its title and parameters), or find the same one
    already queued; None (with the reason shown) when it cannot be started."""
    from industry_brain.web.api_jobs import start
    from industry_brain.web.security import page_session

    try:
        with page_session() as session:
            title_, params = make(session)
            job = start(session, scope=scope, kind=kind, title=title_, params=params)
    except IndustryBrainError as exc:
        ui.notify(str(exc), type="negative", multi_line=True)
        return None
    if not job["created"]:
        ui.notify(f"同样的任务已在{job['state_label']}，显示其进度", type="info")
    return job


def _read(scope: Scope, job_id: int) -> dict[str, Any] | None:
    from industry_brain.core.jobs import job_json, visible_job
    from industry_brain.job_kinds import register_all
    from industry_brain.web.security import page_session

    register_all()
    try:
        with page_session() as session:
            return job_json(visible_job(session, scope=scope, job_id=job_id))
    except IndustryBrainError:
        return None


def download(job: dict[str, Any]) -> None:
    ui.download.from_url(f"/jobs/{job['id']}/download", filename=job["download_name"])


def job_card(
    scope: Scope, job: dict[str, Any], lang: str, on_done: Callable[[dict[str, Any]], None] | None = None
) -> None:
    """The job's progress, kept current until it ends; then its download (or `on_done`)."""
    with ui.card().classes("w-full q-mt-sm").props("flat bordered") as card:
        heading = ui.label(job["title"]).classes("text-weight-medium")
        with ui.row().classes("items-center w-full no-wrap"):
            state = ui.badge(job["state_label"]).props(f"color={STATE_COLOURS[job['state']]}")
            bar = (
                ui.linear_progress(value=job["percent"] / 100, show_value=False)
                .classes("col")
                .props("size=14px rounded instant-feedback")
            )
            figure = ui.label(_figure(job)).classes("text-caption")
        message = ui.label(job["message"] or "").classes("text-caption text-grey-8")
        actions = ui.row()
    card.props(f"data-job={job['id']}")
    heading.props(f"data-job-title={job['id']}")

    def show(current: dict[str, Any]) -> None:
        state.set_text(current["state_label"])
        state.props(f"color={STATE_COLOURS[current['state']]}")
        bar.set_value(current["percent"] / 100)
        figure.set_text(_figure(current))
        message.set_text(current["message"] or "")

    def finished(current: dict[str, Any]) -> None:
        actions.clear()
        with actions:
            if current["has_file"]:
                ui.button(
                    f"{t('下载', lang)} {current['download_name']}",
                    icon="download",
                    on_click=lambda: download(current),
                ).props("no-caps color=positive")
        if on_done is not None and current["state"] == "done":
            on_done(current)

    async def poll() -> None:
        current = await run.io_bound(_read, scope, job["id"])
        if current is None:
            timer.deactivate()
            return
        show(current)
        if current["state"] not in ("queued", "running"):
            timer.deactivate()
            finished(current)

    timer = ui.timer(1.0, poll, active=job["state"] in ("queued", "running"))
    if job["state"] not in ("queued", "running"):
        finished(job)


def _figure(job: dict[str, Any]) -> str:
    if job["total"]:
        return f"{job['done']} / {job['total']}（{job['percent']}%）"
    return f"{job['percent']}%"


def register() -> None:
    @ui.page(PATH, title="我的任务 · 产业大脑")
    def jobs_page(request: Request) -> None:
        from industry_brain.core.jobs import job_json, visible_jobs
        from industry_brain.job_kinds import register_all
        from industry_brain.web.security import page_session

        scope, lang = enter(request, PATH)
        register_all()
        with page_session() as session:
            jobs = [job_json(j) for j in visible_jobs(session, scope=scope, limit=30)]
        header(scope, lang, PATH)
        title(t("我的任务", lang))
        ui.label(t("耗时工作在后台运行，可离开本页，稍后回来下载。", lang)).classes("text-grey-8")
        if not jobs:
            empty(t("暂无任务", lang))
        for job in jobs:
            job_card(scope, job, lang)
