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
}
EDITORS = frozenset({"admin", "analyst"})
EN: dict[str, str] = {
    "产业链": "Chains",
    "产业集群": "Clusters",
    "企业梯队": "Enterprise tiers",
    "培育库": "Cultivation pools",
    "项目库": "Projects",
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
}


def tr(text: str, lang: str) -> str:
    """`text` in `lang`: this part's words first, then the shared catalogue (web.i18n)."""
    return EN.get(text, t(text, lang)) if lang == "en" else text


def enter_domain(request: Request, path: str) -> tuple[Scope, str]:
    """The signed-in scope allowed on `path` (else a redirect to sign in, or 403), and the language."""
    from industry_brain.web.security import require_login

    scope = require_login(request, roles=sorted(DOMAIN_PAGES[path][1]))
    return scope, language(request)


def table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str]],
    *,
    file_name: str,
    title: str,
    lang: str,
    shown: Mapping[str, Callable[..., str]] | None = None,
    height: int | None = None,
) -> None:
    """An AG Grid of `rows` (columns formatted by `shown` where given) and a button that
    downloads the same rows and columns, unformatted, as Excel."""
    shown = shown or {}
    keys = [k for k, _ in columns]
    display = [{k: shown[k](r.get(k)) if k in shown else _cell(r.get(k)) for k in keys} for r in rows]
    grid(display, [(k, tr(h, lang)) for k, h in columns], height=height or min(110 + 42 * len(rows), 460))
    raw = [{k: _cell(r.get(k)) for k in keys} for r in rows]
    frame = pl.DataFrame(raw, schema=keys, infer_schema_length=None) if raw else pl.DataFrame(schema=keys)
    ui.button(
        tr("下载 Excel", lang),
        icon="download",
        on_click=lambda: download_table(frame, file_name, title=title, headers=dict(columns)),
    ).props("flat dense")


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "；".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    return value


def pct(value: Any) -> str:
    return "—" if value is None else f"{value:.1%}"
