"""Importing the land department's 标准地 commitments Excel: a real .xlsx written with openpyxl,
good rows read with their numbers and dates, bad input refused naming file, row, column, reason."""

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from industry_brain.commitments.importer import parse_file
from industry_brain.core.errors import FileRejected
from industry_brain.core.settings import get_settings

HEAD = [
    "地块编号",
    "统一社会信用代码",
    "项目编号",
    "面积（亩）",
    "亩均税收（万元/亩）",
    "达产复核日期",
    "违约责任",
]


def _write(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_good_rows(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "标准地.xlsx",
        [["BZD-2024-01", "91330212MA2H000001", 3, 40, 25, "2026-06-30", "按差额退还奖励"]],
    )
    rows = parse_file(f, get_settings())
    assert len(rows) == 1 and rows[0].row == 2
    v = rows[0].values
    assert v["parcel_id"] == "BZD-2024-01" and v["project_id"] == 3
    assert v["area_mu"] == 40.0 and v["committed_tax_per_mu"] == 25.0
    assert v["review_date"] == dt.date(2026, 6, 30)
    assert v["consequences"] == "按差额退还奖励"


def test_bad_cells_name_row_and_column(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "标准地.xlsx",
        [
            ["BZD-1", "91330212MA2H000001", None, 40, 25, "2026-06-30", None],
            ["BZD-2", "91330212MA2H000002", None, "四十", 25, "2026-06-30", None],
            ["BZD-3", "91330212MA2H000003", None, 30, 20, None, None],
        ],
    )
    with pytest.raises(FileRejected) as exc:
        parse_file(f, get_settings())
    assert exc.value.file == "标准地.xlsx"
    assert "第 3 行“面积（亩）”列：“四十”不是数字" in exc.value.reason
    assert "第 4 行“达产复核日期”列：不能为空" in exc.value.reason
    assert "第 2 行" not in exc.value.reason


def test_missing_required_column(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["地块编号", "统一社会信用代码", "面积（亩）"])
    ws.append(["BZD-1", "91330212MA2H000001", 40])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(FileRejected, match="缺少必需的列：达产复核日期"):
        parse_file(tmp_path / "x.xlsx", get_settings())
