"""惠企政策: the policies; the matches as of a date with each result's reasons (the trace read
back); for an enterprise its own section (qualifies / nearly qualifies with what is missing /
its payments); the 兑现台账. Fed by policies.service and policies.workflow with the signed-in
scope, as the API and `industry-brain policies ...` are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request
from nicegui import ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.web.pages.domain_common import SHOWN_ROWS, enter_domain, table, tr
from industry_brain.web.pages.layout import empty, header, number, title

if TYPE_CHECKING:
    from industry_brain.policies.format import Policy

PATH = "/policies"
MARK = {True: "✓", False: "✗", None: "？"}


@dataclass
class View:
    """What the page shows: the summary counted over the match frame, the entries (with their
    traces) of the first rows of the list only, the stored matches and the ledger."""

    policies: list[Policy]
    narrow: Scope  # the scope the matches were narrowed with (a department: every enterprise)
    counted: list[dict[str, Any]] = field(default_factory=list)
    listed: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    stored: list[dict[str, Any]] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)  # the 免申即享 runs in view
    run: dict[str, Any] | None = None  # the one opened, and its matches
    run_rows: list[dict[str, Any]] = field(default_factory=list)


def _policies_for(scope: Scope) -> tuple[list[Policy], Scope]:
    """The policies `scope` matches on the page, and the scope enterprises are narrowed with."""
    from industry_brain.policies.format import catalogue

    use = list(catalogue().values())
    if scope.role == "department":  # a department sees the policies it runs, for every enterprise
        return [p for p in use if p.department == scope.unit], Scope.system()
    return use, scope


def _read(scope: Scope, as_of: dt.date, code: str | None, run_id: int | None = None) -> View:
    from industry_brain.policies.frames import listed
    from industry_brain.policies.service import entries, scoped_frame, summary
    from industry_brain.policies.workflow import ledger, matches, runs
    from industry_brain.web.security import page_session

    use, narrow = _policies_for(scope)
    view = View(policies=use, narrow=narrow)
    with page_session() as session:
        if any(p.in_force(as_of) for p in use):
            got = scoped_frame(session, as_of=as_of, scope=narrow, policies=use, code=code)
            view.counted = summary(got, use)
            rows = got if code is not None else listed(got)
            view.total = rows.height
            first = rows.head(SHOWN_ROWS)  # only the rows shown get their trace
            view.listed = entries(session, first, policies=use, as_of=as_of, with_sources=False)
        if code is not None:
            view.stored = matches(session, scope=scope, credit_code=code, with_trace=False)
        else:
            view.ledger = ledger(session, scope=scope, by="policy")
            view.runs = runs(session, scope=scope)
            view.run = next((r for r in view.runs if r["run_id"] == run_id), None)
            if view.run is not None:
                view.run_rows = matches(session, scope=scope, run_id=run_id, with_trace=False)
    return view


def _everything(view: View, as_of: dt.date) -> list[dict[str, Any]]:
    """Every row of the district's list with its reasons, for the Excel download."""
    from industry_brain.policies.frames import listed
    from industry_brain.policies.service import entries, scoped_frame
    from industry_brain.web.security import page_session

    with page_session() as session:
        got = scoped_frame(session, as_of=as_of, scope=view.narrow, policies=view.policies)
        found = entries(session, listed(got), policies=view.policies, as_of=as_of, with_sources=False)
    return _with_reasons(found)


def _with_reasons(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**e, "reasons": "；".join(c["message"] for c in e["conditions"] if c["passed"] is not True)
         + "".join(f"；缺少{m['name']}（{m['department']}）" for m in e["missing"])}
        for e in found
    ]  # fmt: skip


def _conditions(e: dict[str, Any]) -> None:
    for c in e["conditions"]:
        ui.label(f"{MARK[c['passed']]} {c['message']}（{c['article']}）").classes(
            "text-body2 " + ("text-negative" if c["passed"] is False else "text-grey-9")
        )
    for m in e["missing"]:
        ui.label(f"缺少：{m['name']}（由{m['department']}提供）").classes("text-body2 text-warning")


def _card(e: dict[str, Any]) -> None:
    with ui.card().classes("w-full"):
        amount = f"，{number(e['amount_wan'])} 万元" if e["amount_wan"] else ""
        ui.label(f"{e['policy_name']}：{e['result_name']}{amount}").classes(
            "text-subtitle1 text-weight-medium"
        )
        _conditions(e)


def _own(scope: Scope, view: View, lang: str) -> None:
    """An enterprise's own section: what it qualifies for, nearly qualifies for, and its payments."""
    live = view.listed
    groups = [
        ("可享受的政策", [e for e in live if e["result"] == "eligible"]),
        ("差一点符合的政策", [e for e in live if e["near_miss"]]),
        ("数据不全、尚无法判定的政策", [e for e in live if e["result"] == "unknown"]),
    ]
    for heading, rows in groups:
        ui.label(tr(heading, lang)).classes("text-h6 q-mt-md")
        if not rows:
            ui.label("暂无").classes("text-grey-7")
        for e in rows:
            _card(e)
    ui.label(tr("办理与拨付", lang)).classes("text-h6 q-mt-md")
    cols = [
        ("policy_name", "政策"),
        ("as_of", "判定日期"),
        ("amount_wan", "核定金额（万元）"),
        ("status_name", "状态"),
        ("paid_wan", "已拨付（万元）"),
        ("action", "操作"),
    ]
    mine = scope.role == "enterprise"
    rows = [
        r | {"action": "确认享受或放弃" if mine and r["status"] == "confirmed" else ""} for r in view.stored
    ]
    grid = table(
        rows,
        cols,
        file_name="政策兑现.xlsx",
        title="政策兑现",
        lang=lang,
        shown={"amount_wan": number, "paid_wan": number},
        height=220,
        carry=("id", "status", "policy_name"),
    )
    grid.options["columnDefs"][-1] |= {"cellClass": "text-primary cursor-pointer policy-action"}
    grid.classes("own-matches")

    def clicked(e: Any) -> None:
        from industry_brain.web.pages.policies_flow import enterprise_dialog, stored_trace

        data = e.args["data"]
        if e.args.get("colId") == "action" and mine and data["status"] == "confirmed":
            enterprise_dialog(scope, data)
        else:
            stored_trace(scope, int(data["id"]))

    grid.on("cellClicked", clicked)
    if any(r["action"] for r in rows):
        ui.label(tr("部门已确认的政策，请在“操作”一栏确认享受或放弃", lang)).classes(
            "text-caption text-grey-7"
        )


def _district(scope: Scope, view: View, when: dt.date, lang: str) -> None:
    from industry_brain.web.pages.policies_flow import run_matches, runs_section
    from industry_brain.web.pages.policies_trace import show_trace

    ui.label(tr("匹配结果", lang)).classes("text-h6 q-mt-md")
    cols = [
        ("policy_name", "政策"),
        ("eligible", "符合"),
        ("eligible_zero", "符合但为零"),
        ("not_eligible", "不符合"),
        ("near_miss", "其中差一点符合"),
        ("unknown", "无法判定"),
        ("amount_wan", "金额（万元）"),
    ]
    table(
        view.counted,
        cols,
        file_name=f"政策匹配汇总_{when}.xlsx",
        title="政策匹配汇总",
        lang=lang,
        shown={"amount_wan": number},
    )
    ui.label(tr("符合、差一点符合与数据不全的企业（理由来自逐条判定）", lang)).classes(
        "text-subtitle1 q-mt-md"
    )
    cols = [
        ("policy_name", "政策"),
        ("name", "企业名称"),
        ("credit_code", "统一社会信用代码"),
        ("result_name", "结果"),
        ("amount_wan", "金额（万元）"),
        ("reasons", "未满足的条件或缺少的数据"),
    ]
    grid = table(
        _with_reasons(view.listed),
        cols,
        file_name=f"政策匹配明细_{when}.xlsx",
        title="政策匹配明细",
        lang=lang,
        shown={"amount_wan": number},
        total=view.total,
        everything=lambda: _everything(view, when),
        carry=("policy",),
    )

    def opened(e: Any) -> None:
        show_trace(scope, view.narrow, e.args["data"]["policy"], e.args["data"]["credit_code"], when)

    grid.on("cellClicked", opened)
    ui.label(tr("点击一行查看该企业逐条判定的依据与数据来源", lang)).classes("text-caption text-grey-7")
    runs_section(scope, view.runs, when, lang)
    if view.run is not None:
        run_matches(scope, view.run, view.run_rows, lang)
    ui.label(tr("兑现台账", lang)).classes("text-h6 q-mt-md")
    cols = [
        ("policy_name", "政策"),
        ("enterprises", "企业数"),
        ("committed_wan", "已核定（万元）"),
        ("paid_wan", "已拨付（万元）"),
        ("budget_wan", "预算（万元）"),
        ("remaining_wan", "预算余额（万元）"),
    ]
    table(
        view.ledger,
        cols,
        file_name="兑现台账.xlsx",
        title="兑现台账",
        lang=lang,
        shown={k: number for k in ("committed_wan", "paid_wan", "budget_wan", "remaining_wan")},
        height=220,
    )


def _policies(lang: str) -> None:
    from industry_brain.policies.format import catalogue

    rows = [
        {"name": p.name, "document_no": p.document_no, "department": p.department, "mode": p.payment_mode,
         "period": f"{p.effective_from} 至 {p.effective_to or '长期'}", "beneficiaries": p.beneficiaries}
        for p in catalogue().values()
    ]  # fmt: skip
    cols = [
        ("name", "政策"),
        ("document_no", "文号"),
        ("department", "负责部门"),
        ("mode", "兑现方式"),
        ("period", "有效期"),
        ("beneficiaries", "受益对象"),
    ]
    table(rows, cols, file_name="惠企政策.xlsx", title="惠企政策", lang=lang, height=240)


def register() -> None:
    @ui.page(PATH, title="惠企政策 · 产业大脑")
    def policies_page(request: Request, as_of: str = "", code: str = "", run: str = "") -> None:
        from industry_brain.web.errors import iso_date

        scope, lang = enter_domain(request, PATH)
        when = iso_date(as_of, "判定日期") or dt.date.today()
        header(scope, lang, PATH)
        title(tr("惠企政策", lang))
        ui.label(f"判定日期 {when.isoformat()}（按当日有效的政策与参数）").classes("text-grey-7")
        _policies(lang)
        own = scope.credit_code if scope.role == "enterprise" else (code.strip() or None)
        try:
            view = _read(scope, when, own, int(run) if run.isdigit() and len(run) < 10 else None)
        except IndustryBrainError as exc:
            empty(f"{tr('暂无数据', lang)}（{exc}）")
            return
        if own is not None:
            _own(scope, view, lang)
        else:
            _district(scope, view, when, lang)
