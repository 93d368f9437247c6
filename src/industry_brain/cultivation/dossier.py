"""一企一档: one page per pool member (Word .docx, or the same tables as .xlsx sheets).

The page holds the master record, figures by year, tiers by year, titles, and the enterprise's
pool history. Years are those with imported yearly batches, newest `years` of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import ConfigurationError, IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.cultivation.pools import history
from industry_brain.cultivation.service import facts_of, tiers_of_year, titles_of, visible_codes
from industry_brain.enterprises.models import Enterprise
from industry_brain.ingest.models import ImportBatch

FIGURES = (
    ("output_wan", "工业总产值(万元)"),
    ("revenue_wan", "营业收入(万元)"),
    ("value_added_wan", "工业增加值(万元)"),
    ("tax_wan", "实缴税金(万元)"),
    ("rd_spend_wan", "研发经费(万元)"),
    ("employees", "从业人员(人)"),
    ("land_mu", "用地面积(亩)"),
)


def data_years(session: Session, *, last: int) -> list[int]:
    periods = session.scalars(select(ImportBatch.period).where(ImportBatch.status == "active").distinct())
    years = sorted({int(p[:4]) for p in periods if p[:4].isdigit()})
    return years[-last:]


def dossier(session: Session, *, credit_code: str, scope: Scope, years: int = 5) -> dict[str, Any]:
    """Everything the one-page file shows, as data."""
    codes = visible_codes(session, scope=scope)
    ent = session.get(Enterprise, credit_code)
    if ent is None or (codes is not None and credit_code not in codes):
        raise IndustryBrainError(f"企业 {credit_code} 不在企业库中或无权查看")
    span = data_years(session, last=years)
    only = Scope(role="enterprise", credit_code=credit_code)
    figures = facts_of(session, years=span, scope=only) if span else pl.DataFrame()
    tiers = {y: tiers_of_year(session, year=y, scope=only) for y in span}
    titles = titles_of(session, scope=only).sort("title_year", "title")
    return {
        "master": {
            "企业名称": ent.name,
            "统一社会信用代码": ent.credit_code,
            "行业代码": ent.industry_code,
            "所属镇街": ent.township_code,
            "所属园区": ent.zone,
            "成立日期": ent.established.isoformat() if ent.established else None,
        },
        "figures": [
            {"year": r["year"], **{k: r[k] for k, _ in FIGURES}}
            for r in (figures.sort("year").to_dicts() if figures.height else [])
        ],
        "tiers": {
            y: [f"{r['tier_name']}{'（' + r['level'] + '）' if r['level'] else ''}" for r in t.to_dicts()]
            for y, t in tiers.items()
        },
        "titles": titles.to_dicts(),
        "pools": history(session, credit_code=credit_code, scope=scope),
    }


def write_dossier(data: dict[str, Any], path: Path) -> Path:
    suffix = path.suffix.lower()
    if suffix not in (".docx", ".xlsx"):
        raise ConfigurationError(f"{path.name}: 一企一档输出须为 .docx 或 .xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    (_docx if suffix == ".docx" else _xlsx)(data, tmp)
    tmp.replace(path)
    return path


def _tables(data: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    years = [f["year"] for f in data["figures"]]
    figures = [[label, *[f[k] for f in data["figures"]]] for k, label in FIGURES]
    return [
        ("基本信息", ["项目", "内容"], [[k, v] for k, v in data["master"].items()]),
        ("分年度指标", ["指标", *[str(y) for y in years]], figures),
        ("梯队", ["年度", "所在梯队"], [[y, "、".join(t) or "—"] for y, t in data["tiers"].items()]),
        (
            "荣誉称号",
            ["称号", "级别", "认定年份"],
            [[t["title"], t["title_level"], t["title_year"]] for t in data["titles"]],
        ),
        (
            "培育库记录",
            ["培育库", "入库时间", "经办人", "入库理由", "出库时间", "出库理由"],
            [
                [
                    p["pool_name"],
                    p["admitted_at"],
                    p["admitted_by"],
                    p["admit_reason"],
                    p["exited_at"],
                    p["exit_reason"],
                ]
                for p in data["pools"]
            ],
        ),
    ]


def _text(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.2f}"
    return str(v)


def _docx(data: dict[str, Any], path: Path) -> None:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.size = Pt(9)
    doc.add_heading(f"一企一档：{data['master']['企业名称'] or data['master']['统一社会信用代码']}", level=1)
    for title, header, rows in _tables(data):
        doc.add_heading(title, level=2)
        table = doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = _text(value)
    doc.save(str(path))


def _xlsx(data: dict[str, Any], path: Path) -> None:
    from industry_brain.core.cells import XlsxCells, xlsx_workbook

    with xlsx_workbook(path) as book:
        cells = XlsxCells(book)
        bold = book.add_format({"bold": True})
        ws = book.add_worksheet("一企一档")
        row = 0
        cells.write(ws, row, 0, f"一企一档：{data['master']['企业名称']}", bold)
        for title, header, rows in _tables(data):
            row += 2
            cells.write(ws, row, 0, title, bold)
            row += 1
            cells.write_row(ws, row, 0, header, bold)
            for r in rows:
                row += 1
                cells.write_row(ws, row, 0, [_text(v) for v in r])
