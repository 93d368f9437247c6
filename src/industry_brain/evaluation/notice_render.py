"""评价结果告知书 as Word and PDF: one notice per enterprise, a page break between them.

`blocks` turns a Notice into a list of blocks (title, headings, paragraphs, tables, lists) that
both writers lay out the same way, so the Word and the PDF say the same thing. Word follows
plans/report.py's styling (宋体 body, 黑体 headings, shaded table heads); the PDF goes through
core.pdf (WeasyPrint, the configured Chinese font embedded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from industry_brain.core.errors import ConfigurationError
from industry_brain.core.settings import Settings
from industry_brain.core.word import east_asian, shade
from industry_brain.evaluation.explain import (
    SET_LABELS,
    ItemExplanation,
    benchmark_number,
    number,
    points,
)
from industry_brain.evaluation.notice import Notice

FORMATS = ("docx", "pdf")
ITEM_COLUMNS = ("序号", "指标", "指标值", "基准值", "权重", "得分", "说明")
NUMERALS = "一二三四五六七八九十"
FONT = "宋体"
HEADING_FONT = "黑体"


@dataclass
class Block:
    kind: str  # title | subtitle | h | p | small | list | kv | table
    text: str = ""
    items: list[str] = field(default_factory=list)
    head: tuple[str, ...] = ()
    rows: list[list[str]] = field(default_factory=list)


def _value(item: ItemExplanation) -> str:
    if item.imputed:
        return "缺项"
    if item.indicator == "rd_intensity" and item.value is not None:
        return f"{item.value:.2%}"
    return f"{number(item.value)} {item.unit}".rstrip()


def _benchmark(item: ItemExplanation) -> str:
    if item.indicator == "rd_intensity" and item.benchmark is not None:
        return f"{item.benchmark * 100:.6g}%"
    return f"{benchmark_number(item.benchmark)} {item.unit}".rstrip()


def _remark(item: ItemExplanation) -> str:
    if item.imputed:
        return "缺少数据，按规则赋分"
    if item.cap is not None and item.score is not None and abs(item.score - item.cap) < 1e-9:
        return f"封顶 {item.cap:g} 分"
    if item.benchmark is not None and item.benchmark <= 0:
        return "基准值不为正，计 0 分"
    return ""


def item_rows(notice: Notice) -> list[list[str]]:
    return [
        [
            str(i),
            item.label,
            _value(item),
            _benchmark(item),
            f"{item.weight:g}",
            points(item.score),
            _remark(item),
        ]
        for i, item in enumerate(notice.explanation.items, start=1)
    ]


def blocks(notice: Notice) -> list[Block]:
    """The notice, top to bottom."""
    exp = notice.explanation
    who = notice.name or notice.credit_code
    out = [
        Block("title", f"{notice.year}年度亩均效益综合评价结果告知书"),
        Block("subtitle", f"评价批次 {notice.run_id}（第 {notice.run_version} 版，{notice.status_label}）"),
        Block("p", f"{who}（统一社会信用代码 {notice.credit_code}）："),
        Block(
            "p",
            f"根据《{notice.method_title}》（第 {notice.method_version} 版），"
            f"现将贵单位 {notice.year} 年度亩均效益综合评价结果告知如下。",
        ),
    ]
    sections: list[tuple[str, list[Block]]] = [
        ("企业基本信息", [_basics(notice)]),
        ("评价结果", _result(notice)),
    ]
    if exp.pool != "not_evaluated":
        sections += [
            ("各项指标", _items(notice)),
            ("缺项与一票否决", _gaps(notice)),
            ("本池分档标准", [Block("list", items=[b.text for b in exp.boundaries])]),
        ]
    if notice.policy:
        # the rates' provenance (and its caveats) is for the bureau, in docs/evaluation-policies.md:
        # a document sent to an enterprise states the policy, not where a developer found it
        sections.append(("差别化政策", [Block("list", items=notice.policy)]))
    sections.append(("公示与申诉", [Block("p", notice.status_note), Block("list", items=notice.appeal)]))
    for i, (heading, body) in enumerate(sections):
        out.append(Block("h", f"{NUMERALS[i]}、{heading}"))
        out += [b for b in body if b.text or b.items or b.rows]
    issued = f"，生成于 {notice.issued_on.isoformat()}" if notice.issued_on else ""
    out.append(Block("small", f"产业大脑 · 亩均评价 · 评价批次 {notice.run_id}{issued}"))
    return out


def _basics(notice: Notice) -> Block:
    return Block(
        "kv",
        rows=[
            ["企业名称", notice.name or "—"],
            ["统一社会信用代码", notice.credit_code],
            ["所属镇街", notice.township or "—"],
            ["评价年度", f"{notice.year} 年"],
            ["评价方法", f"{notice.method_title}（第 {notice.method_version} 版）"],
            ["评价批次", f"{notice.run_id}（第 {notice.run_version} 版，{notice.status_label}）"],
        ],
    )


def _result(notice: Notice) -> list[Block]:
    exp = notice.explanation
    if exp.pool == "not_evaluated":
        return [Block("kv", rows=[["评价等级", exp.grade_label], ["原因", notice.reason_text or "—"]])]
    rank = "—"
    if exp.rank and exp.pool_size:
        rank = f"第 {exp.rank} 位 / 共 {exp.pool_size} 户（前 {exp.top_share or 0:.1%}）"
    rows = [
        ["评价池", exp.pool_label],
        ["指标体系", SET_LABELS.get(exp.indicator_set or "", "—")],
        ["综合得分", points(exp.score)],
        ["池内排名", rank],
        ["评价等级", exp.grade_label],
    ]
    return [Block("kv", rows=rows)]


def _items(notice: Notice) -> list[Block]:
    exp = notice.explanation
    return [
        Block("p", "各项得分 = 指标值 ÷ 基准值 × 权重，综合得分为各项得分之和。"),
        Block("table", head=ITEM_COLUMNS, rows=item_rows(notice)),
        Block("small", "计算明细："),
        Block("list", items=[item.text for item in exp.items]),
    ]


def _gaps(notice: Notice) -> list[Block]:
    exp = notice.explanation
    imputed = [item.text for item in exp.items if item.imputed]
    vetoes = [v["text"] for v in exp.vetoes]
    lines = imputed or ["各项指标数据齐全，无缺项。"]
    lines += vetoes or ["无一票否决情形。"]
    if vetoes and exp.score_grade and exp.score_grade != "D":
        lines.append(f"按综合得分排名本应为{exp.score_grade}类，因一票否决评为{exp.grade_label}。")
    return [Block("list", items=lines)]


# ---- writers -----------------------------------------------------------------------------------


def write_notices(notices: Sequence[Notice], path: Path, *, fmt: str, settings: Settings) -> Path:
    """Write `notices` (one or many) to `path` as docx or pdf; through a temporary name, so a
    failure leaves no half-written file."""
    if fmt not in FORMATS:
        raise ConfigurationError(f"未知的告知书格式“{fmt}”；可用：{', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if fmt == "docx":
            write_docx(notices, partial)
        else:
            write_pdf(notices, partial, settings=settings)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def write_docx(notices: Sequence[Notice], path: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    normal = document.styles["Normal"]
    east_asian(normal, FONT)
    normal.font.size = Pt(10.5)
    for style in ("Title", "Heading 1", "Heading 2"):
        east_asian(document.styles[style], HEADING_FONT)
    for n, notice in enumerate(notices):
        if n:
            document.add_page_break()
        for block in blocks(notice):
            if block.kind == "title":
                document.add_heading(block.text, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif block.kind == "subtitle":
                document.add_paragraph(block.text).alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif block.kind == "h":
                document.add_heading(block.text, level=1)
            elif block.kind in ("p", "small"):
                para = document.add_paragraph(block.text)
                if block.kind == "small":
                    para.runs[0].font.size = Pt(9)
            elif block.kind == "list":
                for text in block.items:
                    document.add_paragraph(text, style="List Bullet")
            else:
                _docx_table(document, block)
    document.save(str(path))


def _docx_table(document: Any, block: Block) -> None:
    head = block.head
    table = document.add_table(rows=0 if not head else 1, cols=len(head or block.rows[0]))
    table.style = "Table Grid"
    if head:
        for cell, text in zip(table.rows[0].cells, head, strict=True):
            cell.text = text
            shade(cell, "BDD7EE")
    for values in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
        if block.kind == "kv":
            shade(cells[0], "DDEBF7")


def notice_html(notices: Sequence[Notice]) -> str:
    from industry_brain.core.pdf import document, esc

    parts = []
    for n, notice in enumerate(notices):
        body = ['<section class="break">' if n else "<section>"]
        for block in blocks(notice):
            if block.kind == "title":
                body.append(f"<h1>{esc(block.text)}</h1>")
            elif block.kind == "subtitle":
                body.append(f'<p style="text-align:center">{esc(block.text)}</p>')
            elif block.kind == "h":
                body.append(f"<h2>{esc(block.text)}</h2>")
            elif block.kind in ("p", "small"):
                body.append(f'<p class="{block.kind}">{esc(block.text)}</p>')
            elif block.kind == "list":
                body.append("<ul>" + "".join(f"<li>{esc(t)}</li>" for t in block.items) + "</ul>")
            else:
                body.append(html_table(block.head, block.rows, key_column=block.kind == "kv"))
        body.append("</section>")
        parts.append("".join(body))
    title = "亩均效益综合评价结果告知书"
    return document(title, "".join(parts))


def html_table(head: Sequence[str], rows: Sequence[Sequence[str]], *, key_column: bool = False) -> str:
    from industry_brain.core.pdf import esc

    out = ["<table>"]
    if head:
        out.append("<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        cells = [
            f'<th style="width:28%">{esc(v)}</th>' if key_column and j == 0 else f"<td>{esc(v)}</td>"
            for j, v in enumerate(row)
        ]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def write_pdf(notices: Sequence[Notice], path: Path, *, settings: Settings) -> None:
    from industry_brain.core.pdf import write_pdf as render

    render(notice_html(notices), path, settings=settings)
