"""涉企问题 pages: 提问题 (an enterprise for itself; a town or 服务专员 for an enterprise), the inbox
of each unit and town with its reminders and 督办, the case page with its deadlines, history and
the steps the role may take (and the 共性问题 it is in), the analyst's 共性问题, and the 晾晒
with its Excel downloads and its Word / PDF report. Fed by requests.service, requests.views,
requests.stats, requests.report and requests.common with the signed-in scope, as the API and
the CLI are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import Request
from nicegui import run, ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.web.pages.domain_common import enter_domain, pct, table
from industry_brain.web.pages.layout import empty, header, title
from industry_brain.web.pages.requests_common import common_line, common_section
from industry_brain.web.pages.requests_links import context_block

PATH = "/requests"
CASE_PATH = "/requests/case"
STATS_PATH = "/requests/stats"
RAISERS = frozenset({"enterprise", "town", "analyst", "admin"})
FIELDS = {
    "text": "内容",
    "reason": "理由",
    "unit": "单位",
    "days": "延期工作日数",
    "rating": "评价",
    "of": "重复的案件编号",
}


def _settings() -> Any:
    from industry_brain.web.security import context

    return context().settings


def _raise_form(scope: Scope) -> None:
    from industry_brain.requests.service import rules_for

    rules = rules_for(_settings())
    ui.label("提出问题").classes("text-subtitle1 text-weight-medium q-mt-md")
    with ui.card().classes("w-full"), ui.row().classes("items-end w-full"):
        own = scope.role == "enterprise"
        code = ui.input("统一社会信用代码", value=scope.credit_code or "").classes("w-56")
        if own:
            code.disable()
        options = {c.code: f"{c.group}·{c.name}" for c in rules.classification.categories.values()}
        category = ui.select(options, label="问题分类", value=next(iter(options))).classes("w-56")
        priority = ui.select(list(rules.classification.priorities), label="优先级", value="普通").classes(
            "w-28"
        )
        text = ui.textarea("问题描述").classes("w-96")

        def submit() -> None:
            from industry_brain.core.auth import audit
            from industry_brain.requests.service import open_request
            from industry_brain.web.security import page_session

            try:
                with page_session() as session:
                    case = open_request(
                        session,
                        scope=scope,
                        settings=_settings(),
                        credit_code=(code.value or "").strip(),
                        category=category.value,
                        priority=priority.value,
                        text=(text.value or "").replace("\x00", ""),
                    )
                    audit(session, scope=scope, action="requests.open", target=str(case.id))
                    number, lead, due = case.id, case.lead_unit, case.due
            except IndustryBrainError as exc:
                ui.notify(str(exc), type="negative", multi_line=True)
                return
            ui.notify(f"已登记第 {number} 号，主办 {lead}，办结时限 {due}", type="positive")
            ui.navigate.to(f"{CASE_PATH}?id={number}")

        ui.button("提交", icon="send", on_click=submit)


def _inbox(scope: Scope, state: str, overdue: bool) -> None:
    from industry_brain.requests.views import list_requests, reminders
    from industry_brain.web.security import page_session

    with page_session() as session:
        rows = list_requests(session, scope=scope, settings=_settings(), state=state or None, overdue=overdue)
        alerts = reminders(session, scope=scope, settings=_settings())
    late = sum(r["overdue"] for r in rows)
    ui.label(f"共 {len(rows)} 件，逾期 {late} 件").classes("text-subtitle1 text-weight-medium q-mt-md")
    if alerts:
        with ui.row():
            for level in ("挂牌督办", "督办", "提醒"):
                n = sum(a["level"] == level for a in alerts)
                if n:
                    colour = {"挂牌督办": "red-9", "督办": "orange-9", "提醒": "blue-7"}[level]
                    ui.badge(f"{level} {n}", color=colour).classes("text-body1 q-pa-sm")
    if not rows:
        empty("暂无问题")
        return
    for r in rows:
        r["overdue_name"] = "逾期" if r["overdue"] else ""
        r["opened"] = r["opened_at"].replace("T", " ")
    cols = [
        ("request_id", "编号"),
        ("category_name", "分类"),
        ("state", "状态"),
        ("lead_unit", "主办单位"),
        ("opened", "受理时间"),
        ("due", "办结时限"),
        ("overdue_name", "逾期"),
    ]
    table(rows, cols, file_name="涉企问题清单.xlsx", title="涉企问题清单", lang="zh", height=320)
    with ui.row().classes("q-mt-sm"):
        for r in rows[:30]:
            ui.link(f"第 {r['request_id']} 号", f"{CASE_PATH}?id={r['request_id']}").classes("q-mr-sm")


def _case(scope: Scope, case: dict[str, Any]) -> Callable[[dict[str, Any] | None], None]:
    """The case; returns what fills its context's policy matches in."""
    title(f"第 {case['request_id']} 号 · {case['category_name']}（{case['priority']}）")
    with ui.card().classes("w-full"):
        ui.label(case["text"]).classes("text-body1")
        who = case["enterprise_name"] or case["credit_code"]
        co = "、".join(case["co_units"]) or "无"
        ui.label(f"企业：{who}　状态：{case['state']}　主办：{case['lead_unit']}　协办：{co}").classes(
            "text-grey-8"
        )
        if case["close_reason"]:
            ui.label(f"结案理由：{case['close_reason']}").classes("text-grey-8")
        common_line(case)
    fill = context_block(scope, case["context"])
    ui.label("时限").classes("text-subtitle1 text-weight-medium q-mt-md")
    with ui.row():
        for d in case["deadlines"]:
            colour = "red-9" if d["late"] else "grey-8"
            with ui.card().classes("w-48"):
                ui.label(d["label"]).classes("text-grey-7")
                ui.label(d["due"]).classes(f"text-h6 text-{colour}")
                if d["late"]:
                    ui.label("已逾期").classes("text-red-9")
    notes = []
    if case["paused"]:
        notes.append(f"等待企业补充中，时限已暂停 {case['paused_days']} 个工作日")
    if case["extension_days"]:
        notes.append(f"已批准延期 {case['extension_days']} 个工作日")
    if case["extension_pending"]:
        notes.append(f"延期 {case['extension_pending']} 个工作日待批")
    for a in case["alerts"]:
        notes.append(f"{a['level']}：{a['clock_name']} {a['due']}，报{a['to']}")
    for n in notes:
        ui.label(n).classes("text-orange-9")
    ui.label("办理记录").classes("text-subtitle1 text-weight-medium q-mt-md")
    for e in case["history"]:
        e["who"] = f"{e['actor']}（{e['role_name']}{'·' + e['unit'] if e['unit'] else ''}）"
        e["what"] = e["text"] or e["detail"].get("reason") or ""
        e["when"] = e["at"].replace("T", " ")
        e["files"] = "、".join(f["file_name"] for f in e["attachments"])
    cols = [
        ("seq", "序号"),
        ("when", "时间"),
        ("who", "办理人"),
        ("action_name", "操作"),
        ("to_state", "状态"),
        ("what", "内容"),
        ("files", "附件"),
    ]
    table(
        case["history"],
        cols,
        file_name=f"涉企问题{case['request_id']}办理记录.xlsx",
        title=f"第 {case['request_id']} 号办理记录",
        lang="zh",
        height=300,
    )
    if case["actions"]:
        _step_form(scope, case)
    return fill


def _step_form(scope: Scope, case: dict[str, Any]) -> None:
    ui.label("办理").classes("text-subtitle1 text-weight-medium q-mt-md")
    actions = {a["action"]: a["name"] for a in case["actions"]}
    with ui.card().classes("w-full"), ui.row().classes("items-end w-full"):
        action = ui.select(actions, label="操作", value=next(iter(actions))).classes("w-40")
        text = ui.textarea("内容").classes("w-80")
        reason = ui.input("理由").classes("w-56")
        unit = ui.input("单位（交办、改派）").classes("w-56")
        days = ui.number("延期工作日数", min=1, max=60, format="%d").classes("w-32")
        rating = ui.select(["满意", "基本满意", "不满意"], label="评价").classes("w-32")
        of = ui.number("重复的案件编号", min=1, format="%d").classes("w-36")

        def submit() -> None:
            from industry_brain.core.auth import audit
            from industry_brain.requests.schemas import Step
            from industry_brain.requests.service import act, with_retry
            from industry_brain.web.security import context

            def clean(value: Any) -> str | None:
                return (value or "").replace("\x00", "").strip() or None

            step = Step(
                action.value,
                text=clean(text.value),
                reason=clean(reason.value),
                unit=clean(unit.value),
                days=int(days.value) if days.value else None,
                rating=rating.value or None,
                of=int(of.value) if of.value else None,
            )

            def work(session: Any) -> None:
                act(session, scope=scope, settings=_settings(), request_id=case["request_id"], step=step)
                audit(session, scope=scope, action=f"requests.{step.action}", target=str(case["request_id"]))

            try:
                with_retry(context().engine, work)
            except IndustryBrainError as exc:
                ui.notify(str(exc), type="negative", multi_line=True)
                return
            ui.notify("已办理", type="positive")
            ui.timer(0.8, ui.navigate.reload, once=True)

        ui.button("提交", icon="check", on_click=submit)


def _stats(scope: Scope, period: str) -> None:
    from industry_brain.requests.stats import COLUMNS, request_stats
    from industry_brain.web.security import page_session

    with page_session() as session:
        stats = request_stats(session, scope=scope, settings=_settings(), period=period)
    ui.label(f"{stats['from']} 至 {stats['to']} 受理的问题，统计至 {stats['as_of']}").classes("text-grey-7")
    _report_buttons(scope, stats["period"])
    shown: dict[str, Any] = {k: pct for k in COLUMNS if k.endswith("_rate") or k == "satisfaction"}
    shown["median_days"] = lambda v: "—" if v is None else f"{v:g}"
    for part, name_key, name in (("units", "unit", "承办单位"), ("townships", "township", "镇街")):
        ui.label(f"按{name}").classes("text-subtitle1 text-weight-medium q-mt-md")
        rows = [*stats[part], {name_key: "合计", **stats["total"]}]
        cols = [(name_key, name), *COLUMNS.items()]
        table(
            rows,
            cols,
            file_name=f"涉企问题晾晒_{stats['period']}_按{name}.xlsx",
            title=f"涉企问题办理晾晒（{stats['period']}，按{name}）",
            lang="zh",
            shown=shown,
            height=300,
        )


def _report_file(scope: Scope, period: str, fmt: str) -> bytes:
    """The 晾晒 report of the caller's scope (requests.report.write_report, as the CLI's --output)."""
    import tempfile
    from pathlib import Path

    from industry_brain.requests.report import write_report
    from industry_brain.web.security import page_session

    with tempfile.TemporaryDirectory() as folder, page_session() as session:
        path = Path(folder) / f"report.{fmt}"
        write_report(session, scope=scope, settings=_settings(), period=period, path=path, fmt=fmt)
        return path.read_bytes()


def _report_buttons(scope: Scope, period: str) -> None:
    """晾晒报告 as Word and PDF, with its 回访 sample; written in a worker thread (a PDF takes a
    second or two), so the page and everyone else's requests go on meanwhile."""
    from nicegui import run

    from industry_brain.requests.report import report_file_name

    async def send(fmt: str) -> None:
        try:
            content = await run.io_bound(_report_file, scope, period, fmt)
        except IndustryBrainError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        assert content is not None  # io_bound answers None only once the app is stopping
        ui.download.content(content, report_file_name(period, fmt))

    with ui.row().classes("q-mt-sm"):
        ui.button("下载晾晒报告（Word）", icon="description", on_click=lambda: send("docx")).props(
            "outline no-caps"
        )
        ui.button("下载晾晒报告（PDF）", icon="picture_as_pdf", on_click=lambda: send("pdf")).props(
            "outline no-caps"
        )


def _this_month() -> str:
    return dt.date.today().strftime("%Y-%m")


def register() -> None:
    @ui.page(PATH, title="涉企问题 · 产业大脑")
    def inbox_page(request: Request, state: str = "", overdue: str = "") -> None:
        from industry_brain.web.errors import one_of

        scope, lang = enter_domain(request, PATH)
        states = [
            "待受理",
            "已受理",
            "已交办",
            "办理中",
            "待企业补充",
            "已答复",
            "企业评价",
            "办结",
            "不予受理",
            "重复",
            "非职责",
        ]
        picked = one_of(state, states, "状态") if state else ""
        header(scope, lang, PATH)
        title("涉企问题" if scope.role != "enterprise" else "我的问题")
        with ui.row().classes("items-center"):
            ui.link("全部", PATH).classes("q-mr-sm")
            ui.link("逾期", f"{PATH}?overdue=1").classes("q-mr-sm")
            for s in states[:8]:
                ui.link(s, f"{PATH}?state={s}").classes("q-mr-sm")
            if scope.role != "enterprise":
                ui.link("晾晒", STATS_PATH).classes("q-ml-md text-weight-medium")
        if scope.role in RAISERS:
            _raise_form(scope)
        _inbox(scope, picked or "", overdue == "1")
        common_section(scope)

    @ui.page(CASE_PATH, title="涉企问题 · 产业大脑")
    async def case_page(request: Request, id: str = "") -> None:
        from industry_brain.views.case_context import case_detail, policy_context
        from industry_brain.web.errors import whole_number
        from industry_brain.web.pages.layout import off_loop
        from industry_brain.web.security import page_session

        scope, lang = enter_domain(request, PATH)
        number = whole_number(id, "编号")

        def read() -> dict[str, Any]:
            with page_session() as session:
                return case_detail(
                    session, scope=scope, settings=_settings(), request_id=number or 0, with_policies=False
                )

        def matches() -> dict[str, Any]:
            with page_session() as session:  # the case was found in this scope just above
                return policy_context(session, scope=scope, credit_code=case["credit_code"])

        case = await off_loop(read)
        header(scope, lang, PATH)
        ui.link("← 返回问题清单", PATH)
        fill = _case(scope, case)
        # Matching the district's policies takes seconds after an import: the page is shown
        # first and the matches filled in once read, so the page never waits past its limit.
        await ui.context.client.connected()
        fill(await run.io_bound(matches))

    @ui.page(STATS_PATH, title="涉企问题晾晒 · 产业大脑")
    def stats_page(request: Request, period: str = "") -> None:
        from industry_brain.requests.stats import period_bounds
        from industry_brain.web.errors import BadParameter

        scope, lang = enter_domain(request, STATS_PATH)
        chosen = period.strip() or _this_month()
        try:
            period_bounds(chosen)
        except IndustryBrainError as exc:
            raise BadParameter(
                str(exc), "period must be YYYY-MM or YYYY-Qn, e.g. 2024-03 or 2024-Q1"
            ) from None
        header(scope, lang, PATH)
        title("涉企问题办理晾晒")
        with ui.row().classes("items-end"):
            box = ui.input("期间（月如 2024-03，季度如 2024-Q1）", value=chosen).classes("w-56")
            ui.button("查看", on_click=lambda: ui.navigate.to(f"{STATS_PATH}?period={box.value}"))
        try:
            _stats(scope, chosen)
        except IndustryBrainError as exc:
            empty(str(exc))
