"""The evaluation page's background jobs: every result notice the caller sees in a run (a town
its own township's; the district's roles the whole run or the township filtered on) as a Word
zip, a PDF zip or one merged PDF; and, for analysts, an evaluation run started from the page.
Both queue a job (core.jobs) and show its progress card (web.pages.jobs.job_card)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nicegui import ui

from industry_brain.core.scope import Scope
from industry_brain.web.i18n import t
from industry_brain.web.pages.jobs import job_card, start_job

NOTICE_BUTTONS = (
    ("docx-zip", "全部告知书 Word 压缩包"),
    ("pdf-zip", "全部告知书 PDF 压缩包"),
    ("pdf", "全部告知书 合并 PDF"),
)


def _active(scope: Scope, kind: str, run_id: int | None = None) -> list[dict[str, Any]]:
    """The caller's queued or running jobs of `kind` (of run `run_id`), to show on arrival."""
    from industry_brain.core.jobs import job_json, visible_jobs
    from industry_brain.job_kinds import register_all
    from industry_brain.web.security import page_session

    register_all()
    with page_session() as session:
        jobs = [job_json(j) for j in visible_jobs(session, scope=scope, limit=20) if j.kind == kind]
    return [
        j
        for j in jobs
        if j["state"] in ("queued", "running") and (run_id is None or j["parameters"].get("run_id") == run_id)
    ]


def bulk_notices(scope: Scope, run_id: int, town: str, lang: str) -> None:
    """The three bulk buttons and the progress of the caller's notice jobs of this run."""
    from industry_brain.evaluation.notice_jobs import KIND, notice_request

    township = None if scope.role == "town" else (town or None)
    where = "本镇街全部告知书" if scope.role == "town" or township else "全区全部告知书"
    ui.label(f"{t(where, lang)}：{t('后台生成，完成后在“我的任务”中下载', lang)}").classes(
        "text-caption text-grey-8"
    )
    with ui.row().classes("items-end"):
        for fmt, label in NOTICE_BUTTONS:

            def go(fmt: str = fmt) -> None:
                job = start_job(
                    scope,
                    KIND,
                    lambda s: notice_request(s, scope=scope, run_id=run_id, fmt=fmt, township_code=township),
                )
                if job is not None:
                    with cards:
                        job_card(scope, job, lang)

            ui.button(
                t(label, lang), icon="folder_zip" if fmt != "pdf" else "picture_as_pdf", on_click=go
            ).props("outline no-caps")
    cards = ui.column().classes("w-full")
    with cards:
        for job in _active(scope, KIND, run_id):
            job_card(scope, job, lang)


def start_run(scope: Scope, runs: list[dict[str, Any]], lang: str) -> None:
    """发起评价: a year and a shipped method; the new draft run opens when the job is done."""
    from industry_brain.evaluation.method import load_method, shipped_methods
    from industry_brain.evaluation.run_jobs import KIND, run_request

    methods = {m: load_method(m).title for m in shipped_methods()}  # officials read titles, not ids
    latest = max((r["year"] for r in runs), default=dt.date.today().year - 1)
    ui.label(t("发起评价", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
    with ui.row().classes("items-end"):
        year = ui.number(
            t("评价年度", lang), value=latest, min=1990, max=dt.date.today().year, step=1, format="%d"
        )
        year.classes("w-32")
        # the method of the year when one ships for it (huangyan-2022 for 2022), else the newest
        default = next((m for m in methods if m.endswith(str(latest))), sorted(methods)[-1])
        method = ui.select(methods, value=default, label=t("评价方法", lang)).classes("w-96")

        def opened(job: dict[str, Any]) -> None:
            run_id = job["result"].get("run_id")
            ui.notify(job["message"], type="positive")
            with cards:
                ui.button(
                    f"{t('查看评价批次', lang)} {run_id}",
                    on_click=lambda: ui.navigate.to(f"/evaluation?run={run_id}"),
                ).props("no-caps color=primary")

        def go() -> None:
            job = start_job(
                scope,
                KIND,
                lambda _s: run_request(scope=scope, year=int(year.value or 0), method=method.value),
            )
            if job is not None:
                with cards:
                    job_card(scope, job, lang, on_done=opened)

        ui.button(t("开始评价", lang), icon="play_arrow", on_click=go).props("no-caps")
    cards = ui.column().classes("w-full")
    with cards:
        for job in _active(scope, KIND):
            job_card(scope, job, lang, on_done=opened)
