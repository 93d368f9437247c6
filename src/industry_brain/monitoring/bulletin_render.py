"""The monthly bulletin's contents (monitoring.bulletin.bulletin_data) laid out as Word and as
PDF: the same sections, tables and chart in both."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

from industry_brain.monitoring.bulletin import overview, rate, subject, unit_shown, yi
from industry_brain.monitoring.chart import line_chart
from industry_brain.monitoring.indicators import INDICATOR_NAMES, UNITS

NOTES = (
    "增速按统计部门同口径计算：本期与上年同期均有报送的企业，本期合计与其上年同期合计相比；"
    "与简单口径（本期总量比上年同期公布总量）不同时，另列简单口径增速。",
    "拉动（百分点）＝某部分本期比上年同期的增量 ÷ 全区上年同期总量 × 100，各部分拉动之和等于全区增速。",
    "1月、2月合并为“1-2月”发布，与国家统计局惯例一致。",
    "数值单位：产值、销售、出口、税金为亿元，用电量为万千瓦时；增速保留一位小数。",
)


def _indicator_table(data: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    head = ["指标", "当月", "当月同比(%)", data["period"] + "累计", "累计同比(%)", "简单口径累计同比(%)"]
    rows = []
    naive = {r["indicator"]: r for r in data["district"] if not r["comparable"]}
    for r in data["district"]:
        if not r["comparable"]:
            continue
        n = naive.get(r["indicator"])
        rows.append(
            [
                f"{r['indicator_name']}（{unit_shown(r['unit'])}）",
                yi(r["month_value"], r["unit"]),
                rate(r["yoy_pct"]),
                yi(r["ytd_value"], r["unit"]),
                rate(r["ytd_yoy_pct"]),
                rate(n["ytd_yoy_pct"]) if n else "同左",
            ]
        )
    return head, rows


def _area_table(rows: list[dict[str, Any]], label: str, ranked: bool) -> tuple[list[str], list[list[str]]]:
    unit = unit_shown(rows[0]["unit"]) if rows else "亿元"
    head = (["排名"] if ranked else []) + [
        label,
        f"累计（{unit}）",
        "累计同比(%)",
        "拉动(百分点)",
        "当月同比(%)",
    ]
    body = []
    for r in rows:
        rank = [str(r.get("rank") or "—")] if ranked else []
        body.append(
            [
                *rank,
                r["area"],
                yi(r["ytd_value"], r["unit"]),
                rate(r["ytd_yoy_pct"]),
                rate(r["ytd_contribution_pp"]),
                rate(r["yoy_pct"]),
            ]
        )
    return head, body


def _movers_table(data: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    unit = UNITS.get(data["headline"], "万元")
    head = [
        "企业",
        "变动",
        f"本年累计（{unit_shown(unit)}）",
        f"上年同期（{unit_shown(unit)}）",
        f"增减（{unit_shown(unit)}）",
    ]
    body = [
        [
            m["name"],
            "增长" if m["direction"] == "up" else "下降",
            yi(m["ytd_value"], unit),
            yi(m["prev_ytd_value"], unit),
            yi(m["delta"], unit),
        ]
        for m in data["movers"]
    ]
    return head, body


def _numeric(text: str) -> bool:
    return text == "—" or text.replace(",", "").replace(".", "").lstrip("-").isdigit()


def chart_png(data: dict[str, Any], settings: Any) -> bytes:
    t = data["trend"]
    unit = UNITS.get(t["indicator"], "万元")
    scale = 10000.0 if unit == "万元" else 1.0

    def conv(vs: list[float | None]) -> list[float | None]:
        return [None if v is None else v / scale for v in vs]

    return line_chart(
        settings,
        title=f"全区{subject(INDICATOR_NAMES[t['indicator']])}月度走势",
        unit=unit_shown(unit),
        x_labels=t["labels"],
        series=[("本年（近12个月）", conv(t["current"])), ("上年同期", conv(t["previous"]))],
    )


def sections(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """(heading, content) in order; content is a list of sentences, a (head, rows) table,
    or the string 'chart'."""
    name = INDICATOR_NAMES[data["headline"]]
    alerts = data["alerts"]
    return [
        ("一、总体情况", overview(data) or ["本月暂无可比数据。"]),
        ("二、主要指标", _indicator_table(data)),
        (f"三、镇街晾晒（按{name}累计增速排名）", _area_table(data["towns"], "镇街", True)),
        (f"四、产业集群与产业链（{name}）", _area_table(data["clusters"], "集群或产业链", False)),
        ("五、运行走势", "chart"),
        (f"六、重点企业变动（{name}累计增减额居前）", _movers_table(data)),
        (
            "七、预警情况",
            alerts
            if alerts
            else ["本月无预警汇总（预警功能启用后，此处列出本月新增、持续与解除的企业预警）。"],
        ),
        ("说明", list(NOTES)),
    ]


def write_docx(data: dict[str, Any], path: Path, *, settings: Any) -> Path:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    from industry_brain.core.word import east_asian, shade

    doc = Document()
    for style in ("Normal", "Title", "Heading 1", "Heading 2"):
        east_asian(doc.styles[style], "宋体" if style == "Normal" else "黑体")
    doc.styles["Normal"].font.size = Pt(10.5)
    title = doc.add_heading(data["title"], level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph(f"{data['year']}年{data['month_no']}月")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for heading, content in sections(data):
        doc.add_heading(heading, level=1)
        if content == "chart":
            doc.add_picture(io.BytesIO(chart_png(data, settings)), width=Cm(16))
        elif isinstance(content, tuple):
            head, rows = content
            if not rows:
                doc.add_paragraph("暂无数据。")
                continue
            table = doc.add_table(rows=1, cols=len(head))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, head, strict=True):
                cell.text = text
                shade(cell, "BDD7EE")
            for row in rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
        else:
            for line in content:
                doc.add_paragraph(line)
    doc.save(str(path))
    return path


def write_pdf(data: dict[str, Any], path: Path, *, settings: Any) -> Path:
    from industry_brain.core.pdf import document, esc
    from industry_brain.core.pdf import write_pdf as render

    parts = [
        f"<h1>{esc(data['title'])}</h1><p style='text-align:center'>{data['year']}年{data['month_no']}月</p>"
    ]
    for heading, content in sections(data):
        parts.append(f"<h2>{esc(heading)}</h2>")
        if content == "chart":
            png = base64.b64encode(chart_png(data, settings)).decode()
            parts.append(f"<img style='width:100%' src='data:image/png;base64,{png}'>")
        elif isinstance(content, tuple):
            head, rows = content
            if not rows:
                parts.append("<p>暂无数据。</p>")
                continue
            th = "".join(f"<th>{esc(h)}</th>" for h in head)
            trs = "".join(
                "<tr>"
                + "".join(f"<td{' class=num' if _numeric(c) else ''}>{esc(c)}</td>" for c in r)
                + "</tr>"
                for r in rows
            )
            parts.append(f"<table><tr>{th}</tr>{trs}</table>")
        else:
            parts.extend(f"<p>{esc(line)}</p>" for line in content)
    css = "td:nth-child(2), th:nth-child(2) { white-space: nowrap; }"
    return render(document(data["title"], "".join(parts)), path, settings=settings, css=css)
