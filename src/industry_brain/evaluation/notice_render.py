"""评价结果告知书 as Word and PDF: one notice per enterprise, a page break between them.

`blocks` turns a Notice into a list of blocks (title, headings, paragraphs, tables, lists) that
core.document lays out the same way in Word and in PDF, so both say the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from industry_brain.core import document
from industry_brain.core.document import FORMATS, Block, html_pages, write_pages
from industry_brain.core.settings import Settings
from industry_brain.evaluation.explain import (
    SET_LABELS,
    ItemExplanation,
    benchmark_number,
    number,
    points,
)
from industry_brain.evaluation.notice import Notice

__all__ = ["FORMATS", "blocks", "notice_html", "write_docx", "write_notices"]
TITLE = "亩均效益综合评价结果告知书"
ITEM_COLUMNS = ("序号", "指标", "指标值", "基准值", "权重", "得分", "说明")
NUMERALS = "一二三四五六七八九十"


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


# ---- writers (core.document lays the blocks out) ---------------------------------------------


def write_notices(notices: Sequence[Notice], path: Path, *, fmt: str, settings: Settings) -> Path:
    """Write `notices` (one or many) to `path` as docx or pdf, a page per notice."""
    return write_pages([blocks(n) for n in notices], path, fmt=fmt, settings=settings, title=TITLE)


def write_docx(notices: Sequence[Notice], path: Path) -> None:
    document.write_docx([blocks(n) for n in notices], path)


def notice_html(notices: Sequence[Notice]) -> str:
    return html_pages([blocks(n) for n in notices], TITLE)
