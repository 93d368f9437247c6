"""What the chain, tier/pool, project and cluster pages share: who may open each, their English
words (until web.i18n carries them), and a table with its Excel download."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl
from fastapi import Request
from nicegui import ui

from industry_brain.core.scope import Scope
from industry_brain.web.i18n import t
from industry_brain.web.pages.layout import download_table, grid, language

# page path -> (menu label, roles that may open it): the entries for layout.PAGES
DOMAIN_PAGES: dict[str, tuple[str, frozenset[str]]] = {
    "/chains": ("产业链", frozenset({"admin", "analyst", "leader", "town", "enterprise"})),
    "/clusters": ("产业集群", frozenset({"admin", "analyst", "leader", "town"})),
    "/tiers": ("企业梯队", frozenset({"admin", "analyst", "leader", "town", "enterprise"})),
    "/pools": ("培育库", frozenset({"admin", "analyst", "leader", "town", "enterprise"})),
    "/projects": ("项目库", frozenset({"admin", "analyst", "leader", "department", "town"})),
    "/requests": (
        "涉企问题",
        frozenset({"admin", "analyst", "leader", "department", "town", "enterprise", "chain_chief"}),
    ),
    "/requests/stats": (
        "涉企问题晾晒",
        frozenset({"admin", "analyst", "leader", "department", "town", "chain_chief"}),
    ),
    "/policies": ("惠企政策", frozenset({"admin", "analyst", "leader", "department", "town", "enterprise"})),
    "/monitoring/alerts": (
        "企业预警",
        frozenset({"admin", "analyst", "leader", "department", "town", "chain_chief"}),
    ),
    # a department other than the land department (自然资源) sees the page with no parcel
    "/commitments": (
        "标准地承诺",
        frozenset({"admin", "analyst", "leader", "department", "town", "enterprise"}),
    ),
}
EDITORS = frozenset({"admin", "analyst"})
EN: dict[str, str] = {
    "产业链": "Chains",
    "产业集群": "Clusters",
    "企业梯队": "Enterprise tiers",
    "培育库": "Cultivation pools",
    "项目库": "Projects",
    "涉企问题": "Enterprise requests",
    "惠企政策": "Policies",
    "匹配结果": "Matches",
    "兑现台账": "Ledger",
    "可享受的政策": "Policies you qualify for",
    "差一点符合的政策": "Policies you nearly qualify for",
    "数据不全、尚无法判定的政策": "Policies awaiting figures",
    "办理与拨付": "Decisions and payments",
    "节点": "Node",
    "环节": "Stage",
    "企业数": "Enterprises",
    "产值（万元）": "Output (10k yuan)",
    "增速": "Growth",
    "占全链": "Share of chain",
    "状况": "Status",
    "链主": "Chain leaders",
    "节点企业": "Enterprises on nodes",
    "缺链补链": "Gaps",
    "招商清单": "Whom to attract",
    "生成招商清单": "Rank whom to attract",
    "确认或纠正节点企业": "Confirm or correct a member",
    "确认加入": "Confirm",
    "从节点移除": "Remove from node",
    "各梯队企业数": "Enterprises per tier",
    "梯队变动": "Movement between tiers",
    "候选企业": "Candidates",
    "在库企业": "Members",
    "入库": "Admit",
    "出库": "Exit",
    "一企一档": "Enterprise file",
    "红黄绿灯": "Flags",
    "三已三未": "Three lists",
    "按阶段": "By stage",
    "投资目标": "Investment targets",
    "下载 Excel": "Download Excel",
    "下载 Word": "Download Word",
    "暂无数据": "No data",
    "年度": "Year",
    "标准地承诺": "Land commitments",
    "未达承诺的地块": "Parcels short of their commitments",
    "各地块承诺与实际": "Committed and actual, by parcel",
    "尚未进行达产复核；以下为已导入的承诺": "Not reviewed yet; the imported commitments",
    "暂无标准地承诺": "No land commitments",
}


def tr(text: str, lang: str) -> str:
    """`text` in `lang`: this part's words first, then the shared catalogue (web.i18n)."""
    return EN.get(text, t(text, lang)) if lang == "en" else text


def enter_domain(request: Request, path: str) -> tuple[Scope, str]:
    """The signed-in scope allowed on `path` (else a redirect to sign in, or 403), and the language."""
    from industry_brain.web.security import require_login

    scope = require_login(request, roles=sorted(DOMAIN_PAGES[path][1]))
    return scope, language(request)


# The most rows a page's grid shows; the Excel download of the same table has every row.
SHOWN_ROWS = 1000


def table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str]],
    *,
    file_name: str,
    title: str,
    lang: str,
    shown: Mapping[str, Callable[..., str]] | None = None,
    height: int | None = None,
    total: int | None = None,
    everything: Callable[[], Sequence[dict[str, Any]]] | None = None,
    carry: Sequence[str] = (),
) -> ui.aggrid:
    """An AG Grid of `rows` (columns formatted by `shown` where given) and a button that
    downloads the same rows and columns, unformatted, as Excel. A caller that built only the
    first rows gives the `total` and `everything`, which builds all of them when the download
    is asked for (not for each view of the page). `carry` names fields each grid row keeps
    without a column (what a click on the row needs to find it again)."""
    shown = shown or {}
    total = len(rows) if total is None else total
    keys = [k for k, _ in columns]
    from industry_brain.reports.tables import readable_value

    # A district's full list (5,000 enterprises) shipped to the grid was 1.4 MB and a second of
    # the server's CPU per view; the page shows the first rows and the Excel holds them all.
    first = rows[:SHOWN_ROWS]
    display = [
        {k: shown[k](r.get(k)) if k in shown else _cell(readable_value(k, r.get(k))) for k in keys}
        | {k: r.get(k) for k in carry}
        for r in first
    ]
    made = grid(
        display, [(k, tr(h, lang)) for k, h in columns], height=height or min(110 + 42 * len(first), 460)
    )
    if total > len(first):
        note = (
            f"{total:,} rows; the first {len(first):,} are shown here, the Excel download has them all"
            if lang == "en"
            else f"共 {total:,} 行，此处显示前 {len(first):,} 行；完整的表请下载 Excel"
        )
        ui.label(note).classes("text-grey-7 text-caption rows-cut")

    def download() -> None:
        raw = [{k: _cell(r.get(k)) for k in keys} for r in (everything() if everything else rows)]
        frame = pl.DataFrame(raw, schema=keys, infer_schema_length=None) if raw else pl.DataFrame(schema=keys)
        download_table(frame, file_name, title=title, headers=dict(columns))

    ui.button(tr("下载 Excel", lang), icon="download", on_click=download).props("flat dense no-caps")
    return made


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "；".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    return value


def pct(value: Any) -> str:
    return "—" if value is None else f"{value:.1%}"
