"""The cockpit's 经济运行 parts: the newest month's 累计 with 同比 as the headline figures on top,
and the tile with 当月 and 累计 of output, electricity and tax and the open enterprise alerts,
linking to the monitoring page and the alerts inbox. The figures are monitoring.overview's
(economy_figures, kept with the cockpit's derived figures; open_alert_count, read per view)."""

from __future__ import annotations

from html import escape as esc
from typing import Any

from nicegui import ui

from industry_brain.monitoring.overview import TILE
from industry_brain.web.i18n import t

UP, DOWN = "#2e7d32", "#c62828"


def amount(value: float | None, unit: str) -> str:
    """A sum as officials read it: 亿元 and 亿千瓦时 with two decimals, 万千瓦时 with one."""
    if value is None:
        return "—"
    return f"{value:,.2f}" if unit.startswith("亿") else f"{value:,.1f}"


def growth(value: float | None, lang: str) -> str:
    """同比 +5.2% / −3.1%, as an HTML span coloured by its sign; 同比 — without a comparable figure."""
    if value is None:
        return f'<span class="text-grey-7">{esc(t("同比", lang))} —</span>'
    colour = UP if value >= 0 else DOWN
    return f'<span style="color: {colour}">{esc(t("同比", lang))} {value:+.1f}%</span>'


def title_of(economy: dict[str, Any]) -> str:
    """e.g. 全区 2024年1-10月."""
    month = economy["month"]
    return f"{economy['area']} {month[:4]}年{economy['period']}"


def headline_cards(economy: dict[str, Any], lang: str) -> str:
    """The 累计 cards of the headline row (HTML), with the period they cover; '' without data."""
    if not economy.get("available"):
        return ""
    cards = [
        '<div class="q-pa-sm self-center text-caption text-grey-8" style="min-width: 120px">'
        f"{esc(title_of(economy))}<br>{esc(t('累计', lang))}</div>"
    ]
    for f in economy["figures"]:
        cards.append(
            '<div class="q-card q-pa-sm cockpit-economy-headline" style="min-width: 180px">'
            f'<div class="text-caption text-grey-8">{esc(t(f["name"], lang))}</div>'
            f'<div class="text-h6">{esc(amount(f["ytd_value"], f["unit"]))} {esc(t(f["unit"], lang))}</div>'
            f'<div class="text-caption">{growth(f["ytd_yoy_pct"], lang)}</div></div>'
        )
    return f'<div class="row q-gutter-sm">{"".join(cards)}</div>'


def tile_rows(economy: dict[str, Any], lang: str) -> str:
    """The tile's table (HTML): each of TILE's indicators with 当月 and 累计, each with 同比."""
    head = "".join(
        f'<th class="text-left q-pr-lg">{esc(t(h, lang))}</th>'
        for h in ("指标", "当月", "当月同比", "累计", "累计同比")
    )
    rows = []
    for f in (f for f in economy["figures"] if f["indicator"] in TILE):
        unit = esc(t(f["unit"], lang))
        rows.append(
            f'<tr><td class="q-pr-lg">{esc(t(f["name"], lang))}（{unit}）</td>'
            f'<td class="q-pr-lg">{esc(amount(f["month_value"], f["unit"]))}</td>'
            f'<td class="q-pr-lg">{growth(f["yoy_pct"], lang)}</td>'
            f'<td class="q-pr-lg">{esc(amount(f["ytd_value"], f["unit"]))}</td>'
            f'<td class="q-pr-lg">{growth(f["ytd_yoy_pct"], lang)}</td></tr>'
        )
    return f'<table class="cockpit-economy"><tr>{head}</tr>{"".join(rows)}</table>'


def tile_html(economy: dict[str, Any], alerts: dict[str, Any], lang: str) -> str:
    """The 经济运行 tile, heading to alerts line, as one HTML element (each NiceGUI element costs
    the server CPU on every view: web/nicegui_speed.py)."""
    heading = (
        '<div class="row items-center" style="width: 100%">'
        f'<div class="text-subtitle1 text-weight-medium">{esc(t("经济运行", lang))}</div>'
        '<div style="flex-grow: 1"></div>'
        f'<a class="nicegui-link" href="/monitoring">{esc(t("查看详情", lang))}</a></div>'
    )
    if not economy.get("available"):
        body = f'<div class="text-grey-7 q-my-sm">{esc(economy.get("message") or t("暂无", lang))}</div>'
    else:
        month = economy["month"]
        when = f"{month[:4]}年{int(month[5:])}月（当月）与{economy['period']}（累计）"
        shown = f"{economy['area']} {when}，规上工业"
        body = f'<div class="text-grey-8 q-my-sm">{esc(shown)}</div>{tile_rows(economy, lang)}'
    n = alerts["open"]
    if alerts["month"] is None:
        text = t("尚未计算企业预警", lang)
    else:
        text = f"{alerts['month'][:4]}年{int(alerts['month'][5:])}月未解除的企业预警 {n} 条"
    line = (
        f'<div class="q-mt-sm"><span style="color: {DOWN if n else UP}">●</span> '
        f'<a class="nicegui-link cockpit-economy-alerts" href="{esc(alerts["link"])}">{esc(text)}</a></div>'
    )
    return heading + body + line


def economy_tile(economy: dict[str, Any], alerts: dict[str, Any], lang: str) -> None:
    """The 经济运行 tile: one card, one HTML element."""
    with ui.card().classes("w-full"):
        ui.html(tile_html(economy, alerts, lang)).classes("w-full")
