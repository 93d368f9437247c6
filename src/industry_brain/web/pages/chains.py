"""产业链: a chain's graph with each node coloured by its gap status, the figures per node, 链主,
the enterprises on each node and the gaps with their reasons; for the bureau, whom to attract
and the confirmation or correction of an enterprise on a node. Fed by clusters.chain_service
with the signed-in scope, as `GET /api/v1/chains/...` and `industry-brain chains ...` are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from nicegui import ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.labels import money
from industry_brain.core.scope import Scope
from industry_brain.web.pages.domain_common import EDITORS, enter_domain, pct, table, tr
from industry_brain.web.pages.layout import STATUS_COLOURS, empty, header, number, title

PATH = "/chains"
STATUS = {"present": ("有", "green"), "weak": ("薄弱", "amber"), "missing": ("缺失", "red")}
STAGE_X = {"upstream": 0, "midstream": 1, "downstream": 2}
NODE_COLUMNS = [
    ("name", "节点"),
    ("stage_name", "环节"),
    ("enterprises", "企业数"),
    ("output_yi", "产值（亿元）"),
    ("growth", "增速"),
    ("hhi", "集中度指数"),
    ("top_n_share", "前3占比"),
    ("chain_share", "占全链"),
    ("status_name", "状况"),
]


def graph(view: dict[str, Any]) -> dict[str, Any]:
    """ECharts options: nodes laid out by stage (上游 → 中游 → 下游), coloured by gap status."""
    column: dict[int, int] = {}
    data = []
    for n in view["nodes"]:
        x = STAGE_X.get(n["stage"], 1)
        y = column.get(x, 0)
        column[x] = y + 1
        colour = STATUS_COLOURS[STATUS[n["status"]][1]]
        data.append(
            {
                "id": n["node_id"],
                "name": n["name"].split("（")[0],
                "x": x * 300,
                "y": y * 90,
                "itemStyle": {"color": colour},
                "value": f"{STATUS[n['status']][0]}；企业 {n['enterprises']} 家；"
                f"产值 {money(n['output_wan'])}",
            }
        )
    links = [{"source": a, "target": b} for a, b in view["chain"]["edges"]]
    return {
        "tooltip": {"formatter": "{b}：{c}"},
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "symbol": "roundRect",
                "symbolSize": [170, 44],
                "label": {"show": True, "color": "#212121"},
                "edgeSymbol": ["none", "arrow"],
                "lineStyle": {"width": 2, "color": "#90a4ae"},
                "data": data,
                "links": links,
            }
        ],
    }


def _legend() -> None:
    with ui.row().classes("items-center"):
        for label, colour in STATUS.values():
            ui.badge(label).style(f"background: {STATUS_COLOURS[colour]} !important")


def _show(session: Any, scope: Scope, chain_id: str, year: int | None) -> dict[str, Any]:
    from industry_brain.clusters.chain_service import latest_year, show_chain
    from industry_brain.core.auth import audit
    from industry_brain.web.security import client_address, context

    view = show_chain(
        session,
        chain_id=chain_id,
        year=year or latest_year(session),
        scope=scope,
        settings=context().settings,
    )
    audit(
        session,
        scope=scope,
        action="chains.read",
        target=chain_id,
        detail={"year": view["year"], "members": len(view["members"]), "via": "page"},
        address=client_address(ui.context.client.request),
    )
    return view


def yi(wan: float | None) -> float | None:
    """万元 -> 亿元: a chain's nodes produce 亿 of output, as officials count it."""
    return None if wan is None else wan / 10_000


def yi_text(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _figures(view: dict[str, Any], lang: str) -> None:
    from industry_brain.clusters.chain_analytics import ChainParams
    from industry_brain.clusters.chain_service import gap_reason

    chain, year = view["chain"], view["year"]
    names = {n["node_id"]: n["name"] for n in view["nodes"]}
    nodes = [
        {**n, "status_name": STATUS[n["status"]][0], "output_yi": yi(n["output_wan"])} for n in view["nodes"]
    ]
    ui.label(tr("节点", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
    shown: dict[str, Callable[..., str]] = {"output_yi": yi_text, "growth": pct, "top_n_share": pct}
    shown |= {"chain_share": pct, "hhi": lambda v: "—" if v is None else f"{v:.3f}"}
    base = f"{chain['id']}_{year}"
    table(
        nodes,
        NODE_COLUMNS,
        file_name=f"产业链节点_{base}.xlsx",
        title=f"{chain['name']} {year} 年节点",
        lang=lang,
        shown=shown,
    )
    params = ChainParams(**view["params"])
    gaps = [
        {**n, "reason": gap_reason(n, params), "classes": n["classes"]}
        for n in nodes
        if n["status"] != "present"
    ]
    ui.label(f"{tr('缺链补链', lang)}（{len(gaps)}）").classes("text-subtitle1 text-weight-medium q-mt-md")
    if gaps:
        cols = [
            ("name", "节点"),
            ("stage_name", "环节"),
            ("status_name", "状况"),
            ("enterprises", "企业数"),
            ("reason", "原因"),
            ("classes", "行业小类"),
        ]
        table(
            gaps, cols, file_name=f"缺链补链_{base}.xlsx", title=f"{chain['name']} {year} 年缺链", lang=lang
        )
    ui.label(tr("链主", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
    cols = [
        ("rank", "名次"),
        ("name", "企业名称"),
        ("credit_code", "统一社会信用代码"),
        ("output_wan", "产值（万元）"),
        ("chain_share", "占全链"),
    ]
    table(
        view["leaders"],
        cols,
        file_name=f"链主_{base}.xlsx",
        title=f"{chain['name']} {year} 年链主",
        lang=lang,
        shown={"output_wan": number, "chain_share": pct},
    )
    members = [{**m, "node": names.get(m["node_id"], m["node_id"])} for m in view["members"]]
    ui.label(f"{tr('节点企业', lang)}（{len(members)}）").classes("text-subtitle1 text-weight-medium q-mt-md")
    cols = [
        ("node", "节点"),
        ("node_rank", "节点内名次"),
        ("name", "企业名称"),
        ("credit_code", "统一社会信用代码"),
        ("township_code", "镇街"),
        ("basis", "归属依据"),
        ("output", "产值（万元）"),
        ("output_prev", "上年产值（万元）"),
        ("node_share", "占节点"),
    ]
    table(
        members,
        cols,
        file_name=f"节点企业_{base}.xlsx",
        title=f"{chain['name']} {year} 年节点企业",
        lang=lang,
        shown={"output": number, "output_prev": number, "node_share": pct},
    )


def _attract(scope: Scope, chain_id: str, year: int, lang: str) -> None:
    from industry_brain.clusters.chain_service import attract

    def rank(session: Any) -> tuple[Any, dict[str, Any]]:
        from industry_brain.web.security import context

        return attract(session, chain_id=chain_id, year=year, scope=scope, settings=context().settings)

    attraction_panel(scope, subject=chain_id, year=year, lang=lang, rank=rank, action="chains.attract")


def attraction_panel(
    scope: Scope,
    *,
    subject: str,
    year: int,
    lang: str,
    rank: Callable[[Any], tuple[Any, dict[str, Any]]],
    action: str,
    node_label: str = "节点",
) -> None:
    """A button that ranks whom to attract (`rank(session)`: a chain's or a cluster's list,
    clusters.attract), then the list with each row's explanation and its Excel download."""
    ui.label(tr("招商清单", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
    button = ui.button(tr("生成招商清单", lang))
    box = ui.column().classes("w-full")  # the list goes under the button

    def run() -> None:
        from industry_brain.core.auth import audit
        from industry_brain.web.security import page_session

        box.clear()
        try:
            with page_session() as session:
                frame, inputs = rank(session)
                audit(session, scope=scope, action=action, target=subject, detail={"year": year})
        except IndustryBrainError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        with box:
            ui.label(
                f"{inputs['areas']} 个地区 × {inputs['industries']} 个行业，"
                f"区位熵阈值 {inputs['rca_threshold']}，"
                f"矩阵校验值 {inputs['matrix_sha256'][:12]}"
            ).classes("text-grey-7")
            cols = [
                ("area", "地区"),
                ("rank", "名次"),
                ("industry", "行业代码"),
                ("industry_name", "行业"),
                ("node_name", node_label),
                ("rca", "区位熵"),
                ("density", "关联密度"),
                ("eci", "地区经济复杂度"),
                ("pci", "行业复杂度"),
                ("cog", "机会增益"),
                ("related_industries", "相关优势行业"),
                ("explain", "说明"),
            ]
            fmt = {
                k: (lambda v: "—" if v is None else f"{v:.3f}")
                for k in ("rca", "density", "eci", "pci", "cog")
            }
            safe = subject.replace("/", "_")
            table(
                frame.to_dicts(),
                cols,
                file_name=f"招商清单_{safe}_{year}.xlsx",
                title=f"{subject} 招商清单（{year} 年）",
                lang=lang,
                shown=fmt,
            )

    button.on_click(run)


def _confirm_form(scope: Scope, view: dict[str, Any], lang: str) -> None:
    from industry_brain.clusters.chain_service import confirm

    chain_id = view["chain"]["id"]
    with ui.card().classes("w-full q-mt-md"):
        ui.label(tr("确认或纠正节点企业", lang)).classes("text-subtitle1 text-weight-medium")
        with ui.row().classes("items-end"):
            options = {n["node_id"]: n["name"] for n in view["nodes"]}
            node = ui.select(options, value=next(iter(options)), label=tr("节点", lang)).classes("w-48")
            code = ui.input("统一社会信用代码").classes("w-64")
            remove = ui.checkbox(tr("从节点移除", lang))
            note = ui.input("说明").classes("w-64")

            def go() -> None:
                from industry_brain.core.auth import audit
                from industry_brain.web.security import page_session

                try:
                    with page_session() as session:
                        row = confirm(
                            session,
                            chain_id=chain_id,
                            node_id=node.value,
                            credit_code=(code.value or "").replace("\x00", "").strip(),
                            remove=remove.value,
                            scope=scope,
                            note=note.value or None,
                        )
                        audit(
                            session,
                            scope=scope,
                            action="chains.confirm",
                            target=f"{chain_id}/{node.value}/{row.credit_code}",
                            detail={"action": row.action},
                        )
                except IndustryBrainError as exc:
                    ui.notify(str(exc), type="negative", multi_line=True)
                    return
                ui.notify("已记录", type="positive")
                ui.timer(1.0, ui.navigate.reload, once=True)

            ui.button(tr("确认加入", lang), on_click=go)


def register() -> None:
    @ui.page(PATH, title="产业链 · 产业大脑")
    def chains_page(request: Request, chain: str = "", year: str = "") -> None:
        from industry_brain.clusters.chain_service import list_chains
        from industry_brain.core.auth import NotFound
        from industry_brain.web.errors import year as year_param
        from industry_brain.web.security import page_session

        scope, lang = enter_domain(request, PATH)
        chains = list_chains()
        if chain and chain not in {c["id"] for c in chains}:
            raise NotFound()
        chain = chain or chains[0]["id"]
        shown_year = year_param(year)
        header(scope, lang, PATH)
        title(tr("产业链", lang))
        with ui.row().classes("items-end"):
            ui.select(
                {c["id"]: f"{c['name']}（{c['scope']}）" for c in chains},
                value=chain,
                label=tr("产业链", lang),
                on_change=lambda e: ui.navigate.to(f"{PATH}?{urlencode({'chain': e.value})}"),
            ).classes("w-96")
        try:
            with page_session() as session:
                view = _show(session, scope, chain, shown_year)
        except IndustryBrainError as exc:
            empty(f"{tr('暂无数据', lang)}（{exc}）")
            return
        source = view["chain"]["source"]
        ui.label(
            f"{view['year']} 年 · 来源：{source.get('document', '')}：“{source.get('quote', '')}”"
        ).classes("text-grey-7")
        _legend()
        ui.echart(graph(view)).classes("w-full h-96")
        _figures(view, lang)
        if scope.district_wide:
            _attract(scope, chain, view["year"], lang)
        if scope.role in EDITORS:
            _confirm_form(scope, view, lang)
