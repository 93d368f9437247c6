"""企业梯队 and 培育库: enterprises per tier (a chart and a table), each enterprise's tiers, who
moved between tiers; the pools with their candidates and members, an analyst's admission and
exit, and the 一企一档 of one enterprise as a page and a Word file. Fed by cultivation.service,
.pools and .dossier with the signed-in scope, as the API and `industry-brain tiers|pools` are."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from nicegui import ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.web.pages.domain_common import EDITORS, enter_domain, table, tr
from industry_brain.web.pages.layout import empty, header, number, title

TIERS, POOLS = "/tiers", "/pools"


def _year(session: Any, year: str) -> int:
    from industry_brain.clusters.chain_service import latest_year

    return int(year) if year.isdigit() else latest_year(session)


def _audit(session: Any, scope: Scope, action: str, target: str, **detail: Any) -> None:
    from industry_brain.core.auth import audit
    from industry_brain.web.security import client_address

    request = ui.context.client.request
    audit(session, scope=scope, action=action, target=target, detail=detail, address=client_address(request))


def tier_chart(counts: list[dict[str, Any]]) -> dict[str, Any]:
    """ECharts options: one bar per tier (titles at any level), in the rules' order."""
    rows = [c for c in counts if c["level"] is None]
    return {
        "tooltip": {},
        "grid": {"bottom": 80},
        "xAxis": {"type": "category", "data": [c["name"] for c in rows], "axisLabel": {"rotate": 30}},
        "yAxis": {"type": "value", "name": "家"},
        "series": [
            {"type": "bar", "data": [c["count"] for c in rows], "label": {"show": True, "position": "top"}}
        ],
    }


def _tiers_page(scope: Scope, lang: str, year: str) -> None:
    from industry_brain.cultivation.service import tier_counts, tier_movement, tiers_of_year
    from industry_brain.web.security import page_session

    with page_session() as session:
        y = _year(session, year)
        counts = tier_counts(session, year=y, scope=scope)
        members = tiers_of_year(session, year=y, scope=scope).to_dicts()
        moved = tier_movement(session, year_from=y - 1, year_to=y, scope=scope)
        _audit(session, scope, "tiers.read", f"year:{y}", returned=len(members), via="page")
    ui.label(f"{y} 年").classes("text-grey-7")
    ui.label(tr("各梯队企业数", lang)).classes("text-subtitle1 text-weight-medium")
    ui.echart(tier_chart(counts)).classes("w-full h-72")
    rows = [{**c, "level": c["level"] or "（全部）"} for c in counts]
    cols = [("name", "梯队"), ("kind", "类型"), ("level", "级别"), ("count", "企业数")]
    table(rows, cols, file_name=f"梯队企业数_{y}.xlsx", title=f"{y} 年各梯队企业数", lang=lang)
    ui.label(f"各企业所在梯队（{len(members)}）").classes("text-subtitle1 text-weight-medium q-mt-md")
    cols = [
        ("name", "企业名称"),
        ("credit_code", "统一社会信用代码"),
        ("tier_name", "梯队"),
        ("level", "级别"),
        ("since", "起始年度"),
    ]
    table(members, cols, file_name=f"企业梯队_{y}.xlsx", title=f"{y} 年企业梯队", lang=lang)
    ui.label(f"{tr('梯队变动', lang)}（{y - 1} → {y}，{len(moved)}）").classes(
        "text-subtitle1 text-weight-medium q-mt-md"
    )
    cols = [
        ("name", "企业名称"),
        ("credit_code", "统一社会信用代码"),
        ("direction", "方向"),
        ("from_name", "原梯队"),
        ("to_name", "新梯队"),
    ]
    table(moved, cols, file_name=f"梯队变动_{y - 1}_{y}.xlsx", title=f"{y - 1}—{y} 年梯队变动", lang=lang)


def _decide_dialog(scope: Scope, pool_id: str, year: int, lang: str) -> Any:
    """One dialog for admitting or exiting one or several enterprises with a recorded reason;
    returns `ask(entering, rows)` that opens it."""
    from industry_brain.cultivation.pools import admit_many, exit_many

    state: dict[str, Any] = {"entering": True, "codes": []}
    with ui.dialog() as dialog, ui.card().classes("w-[36rem] pool-decision"):
        heading = ui.label("").classes("text-h6")
        listed = ui.label("").classes("text-grey-8").style("white-space: pre-wrap")
        reason = ui.input(tr("理由", lang)).classes("w-full")

        def go() -> None:
            from industry_brain.web.security import page_session

            why = (reason.value or "").replace("\x00", "")
            entering, codes = state["entering"], state["codes"]
            try:
                with page_session() as session:
                    if entering:
                        admit_many(
                            session, pool=pool_id, credit_codes=codes, reason=why, year=year, scope=scope
                        )
                    else:
                        exit_many(session, pool=pool_id, credit_codes=codes, reason=why, scope=scope)
                    action = "pools.admit" if entering else "pools.exit"
                    for credit in codes:
                        _audit(session, scope, action, f"{pool_id}/{credit}", reason=why, via="page")
            except IndustryBrainError as exc:
                ui.notify(str(exc), type="negative", multi_line=True)
                return
            dialog.close()
            ui.notify(f"{'已入库' if entering else '已出库'} {len(codes)} 家", type="positive")
            ui.timer(1.0, ui.navigate.reload, once=True)

        with ui.row().classes("w-full justify-end"):
            ui.button("取消", on_click=dialog.close).props("flat")
            ui.button("确定", on_click=go).props("color=primary")

    def ask(entering: bool, rows: list[dict[str, Any]]) -> None:
        if not rows:
            ui.notify("请先勾选企业", type="warning")
            return
        state.update(entering=entering, codes=[r["credit_code"] for r in rows])
        heading.set_text(f"{'入库' if entering else '出库'}（{len(rows)} 家）：请写明理由")
        names = "、".join(r.get("name") or r["credit_code"] for r in rows[:20])
        listed.set_text(names + (f" 等 {len(rows)} 家" if len(rows) > 20 else ""))
        reason.value = ""
        dialog.open()

    return ask


def _choice_grid(
    rows: list[dict[str, Any]], cols: list[tuple[str, str]], action: str, ask: Any, entering: bool
) -> ui.aggrid:
    """A grid whose rows can be ticked (for the bulk buttons) and whose 操作 cell acts on its row."""
    from industry_brain.web.pages.layout import grid

    shown = [{**r, "action": action} for r in rows]
    table_ = grid(shown, [*cols, ("action", "操作")], height=min(110 + 42 * len(shown), 460))
    table_.options["rowSelection"] = {"mode": "multiRow", "checkboxes": True, "headerCheckbox": True}
    table_.options["columnDefs"][-1] |= {
        "cellClass": "text-primary cursor-pointer pool-action",
        "sortable": False,
    }
    table_.on(
        "cellClicked",
        lambda e: ask(entering, [e.args["data"]]) if e.args.get("colId") == "action" else None,
    )
    return table_


def _excel(
    rows: list[dict[str, Any]], cols: list[tuple[str, str]], name: str, heading: str, lang: str
) -> None:
    import polars as pl

    from industry_brain.web.pages.layout import download_table

    keys = [k for k, _ in cols]
    raw = [{k: r.get(k) for k in keys} for r in rows]
    frame = pl.DataFrame(raw, schema=keys, infer_schema_length=None) if raw else pl.DataFrame(schema=keys)
    ui.button(
        tr("下载 Excel", lang),
        icon="download",
        on_click=lambda: download_table(frame, name, title=heading, headers=dict(cols)),
    ).props("flat dense no-caps")


def _bulk_button(label: str, table_: ui.aggrid, ask: Any, entering: bool) -> None:
    async def selected() -> None:
        ask(entering, await table_.get_selected_rows())

    ui.button(label, icon="playlist_add_check" if entering else "playlist_remove", on_click=selected).props(
        "outline no-caps"
    )


def _pools_page(scope: Scope, lang: str, pool: str, year: str) -> None:
    from industry_brain.cultivation.pools import candidates, list_pools, members
    from industry_brain.web.security import page_session

    with page_session() as session:
        y = _year(session, year)
        pools = list_pools(session, scope=scope)
        if pool and pool not in {p["id"] for p in pools}:
            from industry_brain.core.auth import NotFound

            raise NotFound()
        pool = pool or pools[0]["id"]
        found = candidates(session, pool=pool, year=y, scope=scope)
        inside = members(session, pool=pool, scope=scope)
        _audit(session, scope, "pools.read", pool, year=y, returned=len(found) + len(inside), via="page")
    with ui.row():
        for p in pools:
            with (
                ui.card()
                .classes("w-64 cursor-pointer")
                .on("click", lambda _, pid=p["id"]: ui.navigate.to(f"{POOLS}?{urlencode({'pool': pid})}"))
            ):
                ui.label(p["name"]).classes(
                    "text-weight-medium" + (" text-primary" if p["id"] == pool else "")
                )
                ui.label(f"在库 {p['members']} 家").classes("text-h6")
                ui.label("；".join(p["criteria"])).classes("text-caption text-grey-7")
    current = next(p for p in pools if p["id"] == pool)
    ui.label(f"{current['name']}：{tr('候选企业', lang)}（{y} 年，{len(found)}）").classes(
        "text-subtitle1 text-weight-medium q-mt-md"
    )
    for r in found:
        r["member"] = "是" if r["member"] else "否"
    keys = [
        k for k in ("revenue_wan", "revenue_growth", "output_wan", "rd_intensity") if found and k in found[0]
    ]
    heads = {
        "revenue_wan": "营业收入（万元）",
        "revenue_growth": "营收增速",
        "output_wan": "产值（万元）",
        "rd_intensity": "研发强度",
    }
    cols = [
        ("name", "企业名称"),
        ("credit_code", "统一社会信用代码"),
        *[(k, heads[k]) for k in keys],
        ("member", "已在库"),
    ]
    ask = _decide_dialog(scope, pool, y, lang) if scope.role in EDITORS else None
    if ask is not None and found:
        ui.label("勾选候选企业后点“入库所选”，或点一行的“入库”；每次入库都须写明理由。").classes(
            "text-caption text-grey-7"
        )
        outside = [{**r, **{k: number(r.get(k)) for k in keys}} for r in found if r["member"] == "否"]
        picked = _choice_grid(outside, [c for c in cols if c[0] != "member"], "入库", ask, True)
        with ui.row():
            _bulk_button(tr("入库所选", lang), picked, ask, True)
            _excel(found, cols, f"{current['name']}_候选_{y}.xlsx", f"{current['name']} {y} 年候选企业", lang)
    else:
        table(
            found,
            cols,
            file_name=f"{current['name']}_候选_{y}.xlsx",
            title=f"{current['name']} {y} 年候选企业",
            lang=lang,
            shown={k: number for k in keys},
        )
    ui.label(f"{tr('在库企业', lang)}（{len(inside)}）").classes("text-subtitle1 text-weight-medium q-mt-md")
    for m in inside:
        m["file"] = "一企一档"
    cols = [
        ("name", "企业名称"),
        ("credit_code", "统一社会信用代码"),
        ("admitted_at", "入库时间"),
        ("admitted_by", "经办人"),
        ("admit_reason", "入库理由"),
    ]
    if ask is not None and inside:
        chosen = _choice_grid(inside, cols, "出库", ask, False)
        with ui.row():
            _bulk_button(tr("出库所选", lang), chosen, ask, False)
            _excel(inside, cols, f"{current['name']}_在库.xlsx", f"{current['name']}在库企业", lang)
    else:
        table(
            inside,
            cols,
            file_name=f"{current['name']}_在库.xlsx",
            title=f"{current['name']}在库企业",
            lang=lang,
        )
    with ui.row().classes("items-end q-mt-sm"):
        code = ui.input(tr("一企一档", lang) + "：统一社会信用代码").classes("w-80")
        ui.button(
            tr("一企一档", lang),
            on_click=lambda: ui.navigate.to(f"{POOLS}?{urlencode({'code': code.value})}"),
        )


def _dossier_page(scope: Scope, lang: str, credit_code: str) -> None:
    from industry_brain.cultivation.dossier import dossier, write_dossier
    from industry_brain.web.security import page_session

    try:
        with page_session() as session:
            data = dossier(session, credit_code=credit_code, scope=scope)
            _audit(session, scope, "dossier.read", credit_code, via="page")
    except IndustryBrainError:
        from industry_brain.core.auth import NotFound

        raise NotFound() from None  # absent and outside the scope read the same
    master = data["master"]
    ui.label(f"{tr('一企一档', lang)}：{master['企业名称']}").classes("text-h6")
    with ui.card().classes("w-full"):
        for key, value in master.items():
            ui.label(f"{key}：{value or '—'}")
    from industry_brain.cultivation.dossier import FIGURES

    cols = [("year", "年度"), *FIGURES]
    table(
        data["figures"],
        cols,
        file_name=f"一企一档_{credit_code}_分年数据.xlsx",
        title=f"{master['企业名称']} 分年数据",
        lang=lang,
        shown={k: number for k, _ in FIGURES},
    )
    tiers = [{"year": y, "tiers": "、".join(v) or "—"} for y, v in data["tiers"].items()]
    table(
        tiers,
        [("year", "年度"), ("tiers", "梯队")],
        file_name=f"一企一档_{credit_code}_梯队.xlsx",
        title=f"{master['企业名称']} 梯队",
        lang=lang,
    )
    cols = [
        ("pool_name", "培育库"),
        ("admitted_at", "入库时间"),
        ("admit_reason", "入库理由"),
        ("exited_at", "出库时间"),
        ("exit_reason", "出库理由"),
    ]
    table(data["pools"], cols, file_name=f"一企一档_{credit_code}_培育库.xlsx", title="培育库经历", lang=lang)

    def word() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = write_dossier(data, Path(tmp) / f"一企一档_{credit_code}.docx")
            ui.download.content(path.read_bytes(), path.name)

    ui.button(tr("下载 Word", lang), icon="description", on_click=word)


def register() -> None:
    @ui.page(TIERS, title="企业梯队 · 产业大脑")
    def tiers_page(request: Request, year: str = "") -> None:
        from industry_brain.web.errors import year as year_param

        scope, lang = enter_domain(request, TIERS)
        year_param(year)
        header(scope, lang, TIERS)
        title(tr("企业梯队", lang))
        try:
            _tiers_page(scope, lang, year)
        except IndustryBrainError as exc:
            empty(f"{tr('暂无数据', lang)}（{exc}）")

    @ui.page(POOLS, title="培育库 · 产业大脑")
    def pools_page(request: Request, pool: str = "", year: str = "", code: str = "") -> None:
        from industry_brain.core.auth import NotFound
        from industry_brain.web.errors import credit_code, matching
        from industry_brain.web.errors import year as year_param

        scope, lang = enter_domain(request, POOLS)
        year_param(year)
        matching(pool, r"[a-z0-9_-]{1,40}", "培育库", "培育库代码")
        code = credit_code(code.replace("\x00", "").strip()) or ""
        header(scope, lang, POOLS)
        title(tr("培育库", lang))
        try:
            if code:
                _dossier_page(scope, lang, code)
            else:
                _pools_page(scope, lang, pool, year)
        except NotFound:
            raise
        except IndustryBrainError as exc:
            empty(f"{tr('暂无数据', lang)}（{exc}）")
