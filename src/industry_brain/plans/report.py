"""The 对表对标 review of a plan as an office circulates it: a summary, the indicators by category
with their status as a colour, the units behind, and the clusters' 效益报表.

One Review (built from plans.service.progress and clusters.service.plan_cluster_figures) is
written as an Excel workbook (XlsxWriter), a Word document (python-docx) or a PDF (the Word
document's sections, by plans.report_pdf); all show the same figures. docs/cli-plans-extra.md
describes the sheets and sections.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from industry_brain.core.errors import ConfigurationError
from industry_brain.core.labels import rounded
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.core.word import east_asian, shade

FORMATS = ("xlsx", "docx", "pdf")
STATUS_NAMES = {
    "achieved": "已完成",
    "on_track": "符合序时进度",
    "behind": "滞后",
    "off_track": "严重滞后",
    "no_data": "缺少实绩",
    "no_baseline": "缺少基期值",
    "check_data": "口径待核实",
}
# Cell fills (RGB hex): Excel's own good / neutral / bad conditional-format colours, so the
# sheet reads like the ones offices already make.
STATUS_FILLS = {
    "achieved": "C6EFCE",
    "on_track": "E2EFDA",
    "behind": "FFEB9C",
    "off_track": "FFC7CE",
    "no_data": "D9D9D9",
    "no_baseline": "EDEDED",
    "check_data": "FFEB9C",
}
BEHIND = ("behind", "off_track")
NO_UNIT = "（未明确责任单位）"
COLUMNS = (
    "类别",
    "指标",
    "单位",
    "基期年",
    "基期值",
    "目标年",
    "目标值",
    "目标水平",
    "最新实绩",
    "实绩期间",
    "实绩来源",
    "完成率",
    "进度",
    "序时进度",
    "状态",
    "说明",
    "责任单位",
)


@dataclass
class UnitBehind:
    """A responsible unit and what it owes: indicators behind, off track, without data."""

    unit: str
    behind: list[str] = field(default_factory=list)
    off_track: list[str] = field(default_factory=list)
    no_data: list[str] = field(default_factory=list)


@dataclass
class Review:
    plan_id: str
    title: str
    as_of: str
    period: dict[str, int]
    counts: dict[str, int]
    indicators: list[dict[str, Any]]
    units: list[UnitBehind]
    clusters: list[Any]  # clusters.schemas.ClusterFigures
    cluster_note: str | None = None

    def categories(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """Indicators grouped by category, in the order the plan first names each."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in self.indicators:
            groups.setdefault(row.get("category") or "其他", []).append(row)
        return list(groups.items())

    def half_year(self) -> bool:
        return len(self.as_of) == 7 and int(self.as_of[5:]) < 12


def _as_dict(row: Any) -> dict[str, Any]:
    if isinstance(row, dict):
        return row
    if dataclasses.is_dataclass(row) and not isinstance(row, type):
        return dataclasses.asdict(row)
    return dict(vars(row))


def units_behind(indicators: list[dict[str, Any]]) -> list[UnitBehind]:
    """Each responsible unit with an indicator behind, off track or without data, the units
    with most off-track then behind indicators first (an indicator with two units counts for
    both)."""
    units: dict[str, UnitBehind] = {}
    for row in indicators:
        status = row.get("status")
        if status not in (*BEHIND, "no_data"):
            continue
        for unit in row.get("responsible") or [NO_UNIT]:
            entry = units.setdefault(unit, UnitBehind(unit))
            {"behind": entry.behind, "off_track": entry.off_track, "no_data": entry.no_data}[status].append(
                row["name"]
            )
    return sorted(units.values(), key=lambda u: (-len(u.off_track), -len(u.behind), -len(u.no_data), u.unit))


def build_review(progress: Any, clusters: list[Any], *, cluster_note: str | None = None) -> Review:
    """A Review from a plans.service.PlanProgress (or its JSON form) and cluster figures."""
    data = _as_dict(progress)
    indicators = [_as_dict(r) for r in data["indicators"]]
    return Review(
        plan_id=data["plan_id"],
        title=data["title"],
        as_of=data["as_of"],
        period=dict(data["period"]),
        counts=dict(data["counts"]),
        indicators=indicators,
        units=units_behind(indicators),
        clusters=clusters,
        cluster_note=cluster_note,
    )


def write_review(
    session: Session, *, plan_id: str, as_of: str, path: Path, fmt: str, settings: Settings, scope: Scope
) -> Review:
    """Compute the plan's progress and its clusters' figures as of `as_of` and write the
    review to `path` as `fmt` (xlsx, docx or pdf). Written to a temporary name first, so a failure
    leaves no half-written file."""
    from industry_brain.clusters.service import plan_cluster_figures
    from industry_brain.plans.service import progress

    if fmt not in FORMATS:
        raise ConfigurationError(f"未知的报告格式“{fmt}”；可用：{', '.join(FORMATS)}")
    result = progress(session, plan_id=plan_id, as_of=as_of, scope=scope, settings=settings)
    year = int(as_of[:4])
    clusters = plan_cluster_figures(session, plan_id=plan_id, year=year, scope=scope, settings=settings)
    note = None if clusters else f"{year} 年没有可见的企业数据，或本规划未定义产业集群"
    review = build_review(result, clusters, cluster_note=note)
    write_file(review, path, fmt, settings=settings)
    return review


def write_file(review: Review, path: Path, fmt: str, *, settings: Settings | None = None) -> None:
    """`settings` names the PDF's font (the environment's settings when not given)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if fmt == "pdf":
            from industry_brain.core.settings import get_settings
            from industry_brain.plans.report_pdf import write_review_pdf

            write_review_pdf(review, partial, settings=settings or get_settings())
        else:
            (write_xlsx if fmt == "xlsx" else write_docx)(review, partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


# ---- cell texts shared by both formats -------------------------------------------------------


def figure(row: dict[str, Any], key: str) -> dict[str, Any]:
    value = row.get(key)
    return value if isinstance(value, dict) else {}


def responsible(row: dict[str, Any]) -> str:
    return "、".join(row.get("responsible") or []) or NO_UNIT


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def num(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def summary_lines(review: Review) -> list[str]:
    """The summary as sentences (sheet 概况 and the document's first section)."""
    total, c, p = len(review.indicators), review.counts, review.period
    lines = [
        f"规划期 {p['start']}—{p['end']} 年，评估截至 {review.as_of}，共 {total} 项指标。",
        "；".join(f"{STATUS_NAMES[s]} {c.get(s, 0)} 项" for s in STATUS_NAMES) + "。",
    ]
    behind = [u for u in review.units if u.behind or u.off_track]
    if behind:
        names = "、".join(f"{u.unit}（{len(u.off_track) + len(u.behind)} 项）" for u in behind[:8])
        lines.append(f"滞后指标涉及 {len(behind)} 个责任单位：{names}。")
    owing = [u for u in review.units if u.no_data]
    if owing:
        lines.append(f"尚缺实绩的指标涉及 {len(owing)} 个责任单位，请按期报送。")
    return lines


def cluster_rows(review: Review) -> list[list[Any]]:
    """Rows of the 效益报表: name, set, output, value added, enterprises, above-scale, growth, share."""
    rows = []
    for f in review.clusters:
        growth = None if review.half_year() else f.growth
        rows.append(
            [
                f.cluster.name,
                f"{f.cluster.group} {f.cluster.level or ''}".strip(),
                f.output,
                f.value_added,
                f.enterprises,
                f.enterprises_above_scale,
                growth,
                f.share,
            ]
        )
    return rows


CLUSTER_COLUMNS = (
    "集群",
    "所属",
    "规上工业总产值（亿元）",
    "规上工业增加值（亿元）",
    "企业数",
    "规上企业数",
    "产值增速",
    "占全区规上产值比重",
)


def cluster_caption(review: Review) -> str:
    base = f"产业集群效益报表（{review.as_of}）"
    if review.half_year():
        return base + "：本年累计，增速待全年数据（与上年全年不可比）"
    return base


def indicator_cells(row: dict[str, Any]) -> list[Any]:
    """One indicator as the COLUMNS of the table (numbers as numbers, ratios as fractions)."""
    base, target, actual = figure(row, "baseline"), figure(row, "target"), figure(row, "actual")
    return [
        row.get("category"),
        row.get("name"),
        row.get("unit"),
        base.get("year"),
        base.get("value"),
        target.get("year"),
        target.get("value"),
        target.get("level"),
        actual.get("value"),
        actual.get("period"),
        actual.get("source"),
        row.get("attainment"),
        row.get("progress"),
        row.get("expected"),
        STATUS_NAMES.get(row.get("status", ""), row.get("status")),
        row.get("status_reason"),
        responsible(row),
    ]


# ---- Excel ---------------------------------------------------------------------------------

_PCT_COLUMNS = {"完成率", "进度", "序时进度"}


def write_xlsx(review: Review, path: Path) -> None:
    from industry_brain.core.cells import XlsxCells, xlsx_workbook

    with xlsx_workbook(path) as book:
        f = _xlsx_formats(book)
        w = _Sheet.make(XlsxCells(book))
        _xlsx_summary(w(book.add_worksheet("概况")), review, f)
        _xlsx_indicators(w(book.add_worksheet("指标对表")), review, f)
        _xlsx_units(w(book.add_worksheet("滞后单位")), review, f)
        _xlsx_clusters(w(book.add_worksheet("集群效益")), review, f)


class _Sheet:
    """A worksheet whose write/write_row keep text as text (core/cells.py); the rest is the
    worksheet's own."""

    def __init__(self, cells: Any, ws: Any) -> None:
        self._cells, self._ws = cells, ws

    @staticmethod
    def make(cells: Any) -> Any:
        return lambda ws: _Sheet(cells, ws)

    def write(self, row: int, col: int, value: Any, fmt: Any = None) -> None:
        self._cells.write(self._ws, row, col, value, fmt)

    def write_row(self, row: int, col: int, values: Any, fmt: Any = None) -> None:
        self._cells.write_row(self._ws, row, col, values, fmt)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)


def _xlsx_formats(book: Any) -> dict[str, Any]:
    font = {"font_name": "宋体", "font_size": 10}
    formats = {
        "title": book.add_format({**font, "bold": True, "font_size": 14}),
        "head": book.add_format(
            {**font, "bold": True, "bg_color": "#BDD7EE", "border": 1, "text_wrap": True}
        ),
        "cell": book.add_format({**font, "border": 1, "text_wrap": True, "valign": "top"}),
        "num": book.add_format({**font, "border": 1, "num_format": "#,##0.##", "valign": "top"}),
        "pct": book.add_format({**font, "border": 1, "num_format": "0.0%", "valign": "top"}),
        "text": book.add_format({**font, "text_wrap": True}),
    }
    for status, colour in STATUS_FILLS.items():
        formats[status] = book.add_format({**font, "border": 1, "bg_color": f"#{colour}", "valign": "top"})
    return formats


def _xlsx_summary(ws: Any, review: Review, f: dict[str, Any]) -> None:
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 90)
    ws.write(0, 0, f"{review.title} 对表对标评估", f["title"])
    for i, line in enumerate(summary_lines(review), start=2):
        ws.write(i, 0, "概况" if i == 2 else "", f["text"])
        ws.write(i, 1, line, f["text"])
    row = 3 + len(summary_lines(review))
    ws.write_row(row, 0, ["状态", "指标数"], f["head"])
    for i, (status, name) in enumerate(STATUS_NAMES.items(), start=row + 1):
        ws.write(i, 0, name, f[status])
        ws.write_number(i, 1, review.counts.get(status, 0), f["num"])


def _xlsx_indicators(ws: Any, review: Review, f: dict[str, Any]) -> None:
    widths = {"类别": 12, "指标": 36, "说明": 40, "责任单位": 18, "实绩来源": 14}
    for j, name in enumerate(COLUMNS):
        ws.set_column(j, j, widths.get(name, 10))
    ws.write_row(0, 0, COLUMNS, f["head"])
    ws.freeze_panes(1, 2)
    i = 1
    for _, rows in review.categories():
        for row in rows:
            for j, (name, value) in enumerate(zip(COLUMNS, indicator_cells(row), strict=True)):
                if name == "状态":
                    ws.write(i, j, value, f.get(row.get("status", ""), f["cell"]))
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    share = name in _PCT_COLUMNS
                    ws.write_number(i, j, rounded(value, share=share), f["pct"] if share else f["num"])
                else:
                    ws.write(i, j, "" if value is None else value, f["cell"])
            i += 1
    ws.autofilter(0, 0, max(i - 1, 1), len(COLUMNS) - 1)


def _xlsx_units(ws: Any, review: Review, f: dict[str, Any]) -> None:
    head = ("责任单位", "严重滞后", "滞后", "缺少实绩", "严重滞后指标", "滞后指标", "缺少实绩指标")
    ws.write_row(0, 0, head, f["head"])
    ws.set_column(0, 0, 22)
    ws.set_column(4, 6, 40)
    for i, u in enumerate(review.units, start=1):
        ws.write(i, 0, u.unit, f["cell"])
        ws.write_number(i, 1, len(u.off_track), f["off_track"] if u.off_track else f["num"])
        ws.write_number(i, 2, len(u.behind), f["behind"] if u.behind else f["num"])
        ws.write_number(i, 3, len(u.no_data), f["num"])
        for j, names in enumerate((u.off_track, u.behind, u.no_data), start=4):
            ws.write(i, j, "、".join(names), f["cell"])


def _xlsx_clusters(ws: Any, review: Review, f: dict[str, Any]) -> None:
    ws.write(0, 0, cluster_caption(review), f["title"])
    ws.write_row(1, 0, CLUSTER_COLUMNS, f["head"])
    ws.set_column(0, 1, 16)
    ws.set_column(2, len(CLUSTER_COLUMNS) - 1, 14)
    for i, cells in enumerate(cluster_rows(review), start=2):
        for j, value in enumerate(cells):
            if value is None:
                ws.write(i, j, "—", f["cell"])
            elif isinstance(value, str):
                ws.write(i, j, value, f["cell"])
            else:
                ws.write_number(i, j, rounded(value, share=j >= 6), f["pct"] if j >= 6 else f["num"])
    if review.cluster_note:
        ws.write(2 + len(review.clusters), 0, review.cluster_note, f["text"])


# ---- Word ----------------------------------------------------------------------------------

_DOC_COLUMNS = ("指标", "单位", "基期", "目标", "最新实绩", "完成率", "进度 / 序时", "状态", "责任单位")
FONT = "宋体"
HEADING_FONT = "黑体"


def _doc_cells(row: dict[str, Any]) -> list[str]:
    base, target, actual = figure(row, "baseline"), figure(row, "target"), figure(row, "actual")
    base_text = f"{num(base.get('value'))}（{base['year']}）" if base.get("year") else "—"
    target_text = f"{num(target.get('value'))}（{target.get('year', '')}）" if target else "—"
    actual_text = f"{num(actual.get('value'))}（{actual.get('period', '')}）" if actual else "—"
    return [
        row.get("name") or "",
        row.get("unit") or "",
        base_text,
        target_text,
        actual_text,
        pct(row.get("attainment")),
        f"{pct(row.get('progress'))} / {pct(row.get('expected'))}",
        STATUS_NAMES.get(row.get("status", ""), str(row.get("status"))),
        responsible(row),
    ]


def write_docx(review: Review, path: Path) -> None:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    normal = document.styles["Normal"]
    east_asian(normal, FONT)
    normal.font.size = Pt(10.5)
    for level in (0, 1, 2):
        east_asian(document.styles["Title" if level == 0 else f"Heading {level}"], HEADING_FONT)
    document.add_heading(f"{review.title}\n对表对标评估（截至 {review.as_of}）", level=0)
    document.add_heading("一、总体情况", level=1)
    for line in summary_lines(review):
        document.add_paragraph(line)
    document.add_heading("二、指标对表", level=1)
    for category, indicators in review.categories():
        document.add_heading(category, level=2)
        cells = [(_doc_cells(r), r.get("status")) for r in indicators]
        _doc_table(document, _DOC_COLUMNS, cells, status_col=7)
    document.add_heading("三、滞后及未报送单位", level=1)
    if not review.units:
        document.add_paragraph("无滞后或缺少实绩的指标。")
    for u in review.units:
        parts = [
            f"严重滞后：{'、'.join(u.off_track)}" if u.off_track else "",
            f"滞后：{'、'.join(u.behind)}" if u.behind else "",
            f"缺少实绩：{'、'.join(u.no_data)}" if u.no_data else "",
        ]
        document.add_paragraph(f"{u.unit}：" + "；".join(p for p in parts if p) + "。", style="List Bullet")
    document.add_heading(f"四、{cluster_caption(review)}", level=1)
    if review.clusters:
        figures = [([_doc_value(v, j) for j, v in enumerate(cells)], None) for cells in cluster_rows(review)]
        _doc_table(document, CLUSTER_COLUMNS, figures, status_col=None)
    if review.cluster_note:
        document.add_paragraph(review.cluster_note)
    document.save(str(path))


def _doc_value(value: Any, j: int) -> str:
    if isinstance(value, str):
        return value
    return pct(value) if j >= 6 else num(value)


def _doc_table(
    document: Any, head: tuple[str, ...], rows: Sequence[tuple[list[str], str | None]], status_col: int | None
) -> None:
    table = document.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = text
        shade(cell, "BDD7EE")
    for cells, status in rows:
        row = table.add_row().cells
        for cell, text in zip(row, cells, strict=True):
            cell.text = text
        if status_col is not None and status in STATUS_FILLS:
            shade(row[status_col], STATUS_FILLS[status])
