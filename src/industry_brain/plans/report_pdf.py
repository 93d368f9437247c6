"""The 对表对标 review as PDF: the Word document's sections and tables (plans/report.py's cell
texts and status colours), laid out in landscape by core.pdf with the configured Chinese font."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from industry_brain.core.pdf import document, esc, write_pdf
from industry_brain.core.settings import Settings
from industry_brain.plans.report import (
    _DOC_COLUMNS,
    CLUSTER_COLUMNS,
    STATUS_FILLS,
    Review,
    _doc_cells,
    _doc_value,
    cluster_caption,
    cluster_rows,
    summary_lines,
)

CSS = "td.status { white-space: nowrap; } table { font-size: 9pt; }"


def _table(
    head: tuple[str, ...], rows: Sequence[tuple[list[str], str | None]], status_col: int | None
) -> str:
    out = ["<table><thead><tr>", *(f"<th>{esc(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for cells, status in rows:
        out.append("<tr>")
        for j, text in enumerate(cells):
            if j == status_col and status in STATUS_FILLS:
                out.append(f'<td class="status" style="background:#{STATUS_FILLS[status]}">{esc(text)}</td>')
            else:
                out.append(f"<td>{esc(text)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def review_html(review: Review) -> str:
    body = [
        f"<h1>{esc(review.title)}<br>对表对标评估（截至 {esc(review.as_of)}）</h1>",
        "<h2>一、总体情况</h2>",
    ]
    body += [f"<p>{esc(line)}</p>" for line in summary_lines(review)]
    body.append("<h2>二、指标对表</h2>")
    for category, indicators in review.categories():
        body.append(f"<h3>{esc(category)}</h3>")
        body.append(
            _table(_DOC_COLUMNS, [(_doc_cells(r), r.get("status")) for r in indicators], status_col=7)
        )
    body.append("<h2>三、滞后及未报送单位</h2>")
    if not review.units:
        body.append("<p>无滞后或缺少实绩的指标。</p>")
    items = []
    for u in review.units:
        parts = [
            f"严重滞后：{'、'.join(u.off_track)}" if u.off_track else "",
            f"滞后：{'、'.join(u.behind)}" if u.behind else "",
            f"缺少实绩：{'、'.join(u.no_data)}" if u.no_data else "",
        ]
        items.append(f"<li>{esc(u.unit)}：{esc('；'.join(p for p in parts if p))}。</li>")
    if items:
        body.append("<ul>" + "".join(items) + "</ul>")
    body.append(f"<h2>四、{esc(cluster_caption(review))}</h2>")
    if review.clusters:
        figures = [([_doc_value(v, j) for j, v in enumerate(cells)], None) for cells in cluster_rows(review)]
        body.append(_table(CLUSTER_COLUMNS, figures, status_col=None))
    if review.cluster_note:
        body.append(f"<p>{esc(review.cluster_note)}</p>")
    return document(f"{review.title} 对表对标评估", "".join(body), landscape=True)


def write_review_pdf(review: Review, path: Path, *, settings: Settings) -> None:
    write_pdf(review_html(review), path, settings=settings, css=CSS)
