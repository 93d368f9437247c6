"""Files that cannot be imported get one clear reason, within the limits, and write nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from helpers import code, counts, run_import, write_csv, write_xlsx
from industry_brain.core.errors import FileRejected

EMPTY = {"import_batch": 0, "record": 0, "reject": 0, "batch_warning": 0}
TAX = ["统一社会信用代码", "企业名称", "实缴税金（万元）"]


def rejected(engine, settings, path, source="tax", period="2024"):
    with pytest.raises(FileRejected) as info:
        run_import(engine, settings, path, source, period)
    assert counts(engine) == EMPTY
    assert info.value.file == path.name
    return info.value.reason


def test_text_renamed_to_xlsx(engine, settings, tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_text("企业名称,税金\n甲,1\n", encoding="utf-8")
    assert "不是有效的Excel文件" in rejected(engine, settings, path)


def test_web_page_saved_as_xls(engine, settings, tmp_path):
    path = tmp_path / "导出.xls"
    path.write_text("<html><table><tr><td>统一社会信用代码</td></tr></table></html>", encoding="utf-8")
    assert "HTML 网页" in rejected(engine, settings, path)


def test_corrupt_zip(engine, settings, tmp_path):
    good = write_xlsx(tmp_path / "g.xlsx", [TAX, [code(1), "甲", 1]])
    path = tmp_path / "c.xlsx"
    path.write_bytes(good.read_bytes()[:400])
    assert "损坏" in rejected(engine, settings, path)


def test_xlsx_inflating_to_gigabytes_is_refused_before_reading(engine, settings, tmp_path):
    path = write_xlsx(tmp_path / "bomb.xlsx", [TAX, [code(1), "甲", 1]])
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open("xl/media/padding.bin", "w", force_zip64=True) as member,
    ):
        block = bytes(64 * 1024 * 1024)
        for _ in range(40):  # 2.5 GiB of zeros, a few MB on disk
            member.write(block)
    assert path.stat().st_size < 20 * 1024 * 1024
    reason = rejected(engine, settings, path)
    assert "解压后达 2684" in reason and "max_uncompressed_bytes" in reason


def test_a_million_empty_columns_in_csv(engine, settings, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(TAX) + "," * 1_000_000 + "\n" + code(1) + ",甲,1\n", encoding="utf-8")
    reason = rejected(engine, settings, path)
    assert "第 1 行有 1000003 列" in reason and "max_columns" in reason


def test_sheet_declaring_every_column_is_refused_before_loading(engine, settings, tmp_path):
    import xlsxwriter

    path = tmp_path / "wide.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        ws = book.add_worksheet()
        ws.write_row(0, 0, TAX)
        ws.write_row(1, 0, [code(1), "甲", 1])
        ws.write(1_048_575, 16_383, " ")  # XFD1048576: a sheet "used" to its last cell
    reason = rejected(engine, settings, path)
    assert "声明了 16384 列" in reason


def test_csv_row_wider_than_its_header(engine, settings, tmp_path):
    path = write_csv(tmp_path / "r.csv", [TAX, [code(1), "甲", 1], [code(2), "乙", 2, "x", "y"]])
    assert rejected(engine, settings, path) == "第 3 行有 5 列，多于表头的 3 列"


def test_formulas_without_saved_results(engine, settings, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(TAX)
    ws.append([code(1), "甲", 5])
    ws.append([code(2), "乙", "=C2*2"])  # openpyxl saves no computed value
    book.save(tmp_path / "f.xlsx")
    assert "没有保存计算结果的公式" in rejected(engine, settings, tmp_path / "f.xlsx")


def test_formulas_with_saved_results_are_read_as_values(engine, settings, tmp_path):
    import xlsxwriter

    path = tmp_path / "f.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        ws = book.add_worksheet()
        ws.write_row(0, 0, TAX)
        ws.write_row(1, 0, [code(1), "甲", 5])
        ws.write_row(2, 0, [code(2), "乙"])
        ws.write_formula(2, 2, "=C2*2", None, 10)  # as Excel saves it: formula and its result
    result = run_import(engine, settings, path, "tax", "2024")
    assert result.rows_accepted == 2 and result.warnings >= 1


def test_merged_header_cells(engine, settings, tmp_path):
    import xlsxwriter

    path = tmp_path / "m.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        ws = book.add_worksheet()
        ws.write_row(0, 0, ["统一社会信用代码", "企业名称"])
        ws.merge_range(0, 2, 0, 3, "实缴税金（万元）")
        ws.write_row(1, 0, [None, None, "本年", "上年"])
        ws.write_row(2, 0, [code(1), "甲", 1, 2])
    assert "表头含合并单元格 C1:D1" in rejected(engine, settings, path)


def test_missing_required_column_names_it(engine, settings, tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx", [["统一社会信用代码", "企业名称", "营业收入（万元）"], [code(1), "甲", 1]]
    )
    assert rejected(engine, settings, path).startswith("缺少必需的列：实缴税金（万元）")


def test_two_columns_for_one_field(engine, settings, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [[*TAX, "税收（万元）"], [code(1), "甲", 1, 1]])
    assert "指同一项（实缴税金）" in rejected(engine, settings, path)


def test_unknown_unit(engine, settings, tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx", [["统一社会信用代码", "企业名称", "实缴税金（美元）"], [code(1), "甲", 1]]
    )
    assert "单位“美元”无法识别" in rejected(engine, settings, path)


def test_no_header_at_all(engine, settings, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [["a", "b"], [1, 2]])
    assert "找不到表头" in rejected(engine, settings, path)


def test_several_periods_without_period_argument(engine, settings, tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [
            ["统一社会信用代码", "企业名称", "年份", "实缴税金（万元）"],
            [code(1), "甲", 2023, 1],
            [code(2), "乙", 2024, 1],
        ],
    )
    with pytest.raises(FileRejected, match="文件包含多个期间"):
        run_import(engine, settings, path, "tax", None)
    assert counts(engine) == EMPTY


def test_limits_are_settings(engine, settings, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [TAX, [code(1), "甲", 1]])
    small = settings.replace(max_file_bytes=100)
    with pytest.raises(FileRejected, match="max_file_bytes"):
        run_import(engine, small, path, "tax", "2024")


def test_killed_midway_leaves_the_database_as_it_was(engine, settings, tmp_path, db_url):
    """SIGKILL the importing process after its rows are written but before it commits."""
    path = write_xlsx(tmp_path / "t.xlsx", [TAX] + [[code(i), f"企业{i}", i] for i in range(1, 200)])
    script = f"""
import os, signal
from pathlib import Path
from industry_brain.core.db import transaction
from industry_brain.registry import open_database
from industry_brain.core.settings import get_settings
from industry_brain.ingest import service
def die(*a, **k):
    os.kill(os.getpid(), signal.SIGKILL)
service.update_master = die
s = get_settings(environ={{}}, database_url={db_url!r})
with transaction(open_database(s.database_url)) as session:
    service.import_file(session, path=Path({str(path)!r}), source="tax", period="2024", settings=s)
"""
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, timeout=120, env={**os.environ}
    )
    assert proc.returncode == -9, proc.stderr.decode()
    assert counts(engine) == EMPTY
    result = run_import(engine, settings, path, "tax", "2024")  # and the database still works
    assert result.rows_accepted == 199
