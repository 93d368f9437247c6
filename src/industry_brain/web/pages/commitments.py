"""标准地承诺: each parcel's committed indicators beside the enterprise's actual ones at the
newest 达产复核, the breaches first with their shortfall in words (indicators.shortfall, read
back from the stored trace), the 整改 state, and the Excel download of the same table. Fed by
commitments.service with the signed-in scope and commitments.sheet, as the API's
/api/v1/commitments/reviews(.xlsx) and `industry-brain commitments list|review` are."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from nicegui import ui

from industry_brain.core.scope import Scope
from industry_brain.web.pages.domain_common import enter_domain, tr
from industry_brain.web.pages.layout import STATUS_COLOURS, empty, grid, header, off_loop, title

PATH = "/commitments"
RESULT_COLOURS = {
    "met": STATUS_COLOURS["green"],
    "breached": STATUS_COLOURS["red"],
    "unknown": STATUS_COLOURS["amber"],
    "not_due": STATUS_COLOURS["grey"],
}
BREACH_ROW = "#fdecea"
WIDE = {
    "parcel_id": 170,
    "name": 220,
    "shortfall": 400,
    "missing": 220,
    "consequences": 260,
}  # px: text columns


def _read(request: Request, scope: Scope) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The newest review of each parcel in scope (its read audited: it carries enterprise
    figures) and, when none has been reviewed yet, the commitments themselves."""
    from industry_brain.commitments.service import list_commitments, reviews
    from industry_brain.core.audit import audit
    from industry_brain.web.security import client_address, page_session

    with page_session() as session:
        got = reviews(session, scope=scope)
        if got:
            audit(
                session,
                scope=scope,
                action="commitments.read",
                detail={"page": PATH, "rows": len(got)},
                address=client_address(request),
            )
            return got, []
        return [], list_commitments(session, scope=scope)


def _decimals(key: str) -> int:
    from industry_brain.commitments.indicators import INDICATORS

    for k, ind in INDICATORS.items():
        if key.endswith(k):
            return ind.decimals
    return 1


def _shown(key: str, value: Any) -> Any:
    """A cell as the page writes it: figures with the indicator's decimals, none as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:,.{_decimals(key)}f}"
    return value


def _badges(entries: list[dict[str, Any]]) -> None:
    from industry_brain.commitments.review import RESULT_NAMES

    with ui.row().classes("items-center"):
        for key, name in RESULT_NAMES.items():
            n = sum(e["result"] == key for e in entries)
            ui.badge(f"{name} {n}").classes("text-body1 q-pa-sm").style(
                f"background: {RESULT_COLOURS[key]} !important"
            )


def _rectify_form(scope: Scope, review_id: int) -> None:
    """Record a 整改 step on the breach (the land department, admins, analysts)."""
    import datetime as dt

    from industry_brain.commitments.service import STATES, rectify
    from industry_brain.web.pages.layout import page_step

    with ui.row().classes("items-end rectify-form"):
        state = ui.select(
            {v: v for v in STATES.values()}, value=STATES["in_progress"], label="整改状态"
        ).classes("w-32")
        deadline = ui.input("整改期限（如 2027-03-31）").classes("w-56")
        note = ui.input("说明").classes("w-64")

        def record() -> None:
            try:
                day = dt.date.fromisoformat(deadline.value) if deadline.value else None
            except ValueError:
                ui.notify(f"日期“{deadline.value}”应写作“2027-03-31”这样的日期", type="warning")
                return
            code = next(k for k, v in STATES.items() if v == state.value)

            def work(session: Any) -> str:
                step = rectify(
                    session,
                    review_id=review_id,
                    state=code,
                    scope=scope,
                    deadline=day,
                    note=note.value or None,
                    by=scope.username,
                )
                return f"已登记：{step['state_name']}"

            page_step(work)

        ui.button("登记整改", on_click=record).props("no-caps")


def _breaches(scope: Scope, rows: list[dict[str, Any]], lang: str) -> None:
    """One card per breached parcel: the shortfalls in words, the consequences, the 整改 state."""
    from industry_brain.commitments.service import may_act

    breached = [r for r in rows if r["result"] == "breached"]
    ui.label(tr("未达承诺的地块", lang)).classes("text-h6 q-mt-md")
    if not breached:
        ui.label(tr("暂无", lang)).classes("text-grey-7")
    for r in breached:
        with (
            ui.card()
            .classes("w-full commitment-breach")
            .style(f"border-left: 4px solid {RESULT_COLOURS['breached']}")
        ):
            ui.label(
                f"{r['parcel_id']} {r['name']}（{r['township']}，{_shown('area_mu', r['area_mu'])} 亩）"
            ).classes("text-subtitle1 text-weight-medium")
            for said in r["shortfall"].split("；"):
                ui.label(f"✗ {said}").classes("text-body2 text-negative")
            deadline = f"，期限 {r['deadline']}" if r["deadline"] else ""
            ui.label(f"整改：{r['rectification']}{deadline}").classes("text-body2")
            if r["consequences"]:
                ui.label(f"违约责任：{r['consequences']}").classes("text-body2 text-grey-8")
            if may_act(scope):
                _rectify_form(scope, r["review_id"])


def _table(entries: list[dict[str, Any]], rows: list[dict[str, Any]], lang: str) -> None:
    from industry_brain.commitments.review import RESULT_NAMES
    from industry_brain.commitments.sheet import columns, committed

    cols = columns(committed(entries))
    shown = [{k: _shown(k, r.get(k)) for k, _ in cols} for r in rows]
    made = grid(shown, [(k, tr(h, lang)) for k, h in cols], height=min(110 + 42 * len(shown), 460))
    for d in made.options["columnDefs"]:  # wide enough to read the header; the grid scrolls
        d["minWidth"] = max(40 + 15 * len(d["headerName"]), WIDE.get(d["field"], 0))
    # the breached rows tinted red; the test is on the Chinese result the row shows (no code
    # is shipped to the browser)
    breached = RESULT_NAMES["breached"]
    made.options[":getRowStyle"] = (
        f"params => params.data.result_name === '{breached}' ? {{background: '{BREACH_ROW}'}} : undefined"
    )
    made.classes("commitment-reviews")
    made.update()


def _download(scope: Scope) -> Any:
    async def download() -> None:
        content, name = await off_loop(lambda: _workbook(scope))
        ui.download.content(content, name)

    return download


def _workbook(scope: Scope) -> tuple[bytes, str]:
    """The Excel file of the page's table: the same reviews, written by commitments.sheet."""
    from industry_brain.commitments.service import reviews
    from industry_brain.commitments.sheet import workbook
    from industry_brain.web.security import page_session

    with page_session() as session:
        got = reviews(session, scope=scope)
    content, name, _ = workbook(got)
    return content, name


def _unreviewed(listed: list[dict[str, Any]], lang: str) -> None:
    from industry_brain.commitments.sheet import columns
    from industry_brain.reference.divisions import township_name

    ui.label(tr("尚未进行达产复核；以下为已导入的承诺", lang)).classes("text-grey-7")
    keep = [c for c in columns() if c[0] in {"parcel_id", "name", "township", "area_mu", "review_date"}
            or c[0].startswith("committed_")]  # fmt: skip
    rows = [
        {k: _shown(k, (r | {"township": township_name(r["township_code"])}).get(k)) for k, _ in keep}
        for r in listed
    ]
    grid(rows, [(k, tr(h, lang)) for k, h in keep], height=min(110 + 42 * len(rows), 460))


def register() -> None:
    @ui.page(PATH, title="标准地承诺 · 产业大脑")
    async def commitments_page(request: Request) -> None:
        from industry_brain.commitments.sheet import review_rows

        scope, lang = enter_domain(request, PATH)
        entries, listed = await off_loop(lambda: _read(request, scope))
        header(scope, lang, PATH)
        title(tr("标准地承诺", lang))
        if not entries:
            if listed:
                _unreviewed(listed, lang)
            else:
                empty(tr("暂无标准地承诺", lang))
            return
        newest = max(entries, key=lambda e: e["as_of"])
        ui.label(f"复核日 {newest['as_of']}，比对 {newest['figures_year']} 年数据").classes("text-grey-7")
        _badges(entries)
        rows = review_rows(entries)
        _breaches(scope, rows, lang)
        ui.label(tr("各地块承诺与实际", lang)).classes("text-h6 q-mt-md")
        _table(entries, rows, lang)
        ui.button(tr("下载 Excel", lang), icon="download", on_click=_download(scope)).props(
            "flat dense no-caps"
        )
