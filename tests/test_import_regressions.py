"""Real departmental files a second reading found mishandled; each test is one such file."""

from __future__ import annotations

import re
import zipfile

import pytest
from sqlalchemy import select

from helpers import code, counts, run_import, write_csv, write_xlsx
from industry_brain.core.db import transaction
from industry_brain.core.errors import FileRejected
from industry_brain.ingest.facts import resolve_year
from industry_brain.ingest.models import BatchWarning, Record

TAX = ["统一社会信用代码", "企业名称", "实缴税金（万元）"]


def facts(engine, year=2024):
    with transaction(engine) as s:
        frame, _ = resolve_year(s, year=year, tolerance=0.01)
    return {r["credit_code"]: r for r in frame.to_dicts()}


def test_enterprises_whose_names_start_like_totals_are_enterprises(engine, settings, tmp_path):
    path = write_csv(
        tmp_path / "t.csv",
        [
            TAX,
            [code(1), "总计划（宁波）机械有限公司", 10],
            [code(2), "小计量仪器厂", 5],
            ["合计", None, 15],
            ["总 计：", None, 15],
        ],
    )
    result = run_import(engine, settings, path, "tax", "2024")
    assert (result.rows_accepted, result.rows_skipped) == (2, 2)


def test_a_file_with_nothing_acceptable_does_not_replace_good_data(engine, settings, tmp_path):
    run_import(engine, settings, write_xlsx(tmp_path / "a.xlsx", [TAX, [code(1), "甲", 10]]), "tax", "2024")
    bad = run_import(
        engine, settings, write_xlsx(tmp_path / "b.xlsx", [TAX, ["123", "甲", 12]]), "tax", "2024"
    )
    assert bad.rows_rejected == 1 and bad.superseded == []
    assert facts(engine)[code(1)]["tax_wan"] == 10


def test_a_supplement_with_a_second_power_account_adds_to_the_first(engine, settings, tmp_path):
    run_import(
        engine,
        settings,
        write_xlsx(tmp_path / "m.xlsx", [["户号", "统一社会信用代码"], ["A001", code(1)], ["A002", code(1)]]),
        "power",
    )
    head = ["户号", "月份", "用电量（千瓦时）"]
    run_import(engine, settings, write_csv(tmp_path / "p1.csv", [head, ["A001", "2024-01", 100000]]), "power")
    run_import(
        engine,
        settings,
        write_csv(tmp_path / "p2.csv", [head, ["A002", "2024-01", 50000]]),
        "power",
        supplement=True,
    )
    assert facts(engine)[code(1)]["electricity_wan_kwh"] == pytest.approx(15.0)


def test_land_rows_without_parcel_ids_add_up(engine, settings, tmp_path):
    path = write_csv(
        tmp_path / "l.csv",
        [
            ["统一社会信用代码", "企业名称", "用地面积（平方米）"],
            [code(1), "甲", 6667],
            [code(1), "甲", 3333],
            [code(2), "乙", 2000],
            [code(2), "乙", 2000],
        ],
    )
    result = run_import(engine, settings, path, "land", "2024")
    assert (result.rows_accepted, result.rows_rejected, result.rows_skipped) == (4, 0, 0)
    got = facts(engine)
    assert got[code(1)]["land_mu"] == pytest.approx(15.0) and got[code(2)]["land_mu"] == pytest.approx(6.0)


def test_who_filled_it_in_is_not_a_unit_and_title_units_fit_their_dimension(engine, settings, tmp_path):
    path = write_csv(
        tmp_path / "s.csv",
        [
            ["2024年规上工业企业"],
            ["填报单位：奉化区统计局", None, "单位：元", "面积单位：平方米"],
            ["统一社会信用代码", "企业名称", "营业收入", "用地面积"],
            [code(1), "甲", 20_000_000, 6666.67],
        ],
    )
    run_import(engine, settings, path, "stats", "2024")
    with transaction(engine) as s:
        (r,) = s.scalars(select(Record)).all()
    assert r.revenue_wan == pytest.approx(2000) and r.land_mu == pytest.approx(10.0, abs=1e-3)


def test_a_qualifier_after_the_unit(engine, settings, tmp_path):
    path = write_csv(
        tmp_path / "s.csv", [["统一社会信用代码", "企业名称", "工业增加值(亿元)(现价)"], [code(1), "甲", 1.5]]
    )
    run_import(engine, settings, path, "stats", "2024")
    with transaction(engine) as s:
        assert s.scalars(select(Record.value_added_wan)).one() == pytest.approx(15000)


def test_accounting_negatives_unicode_minus_and_tax_period_ranges(engine, settings, tmp_path):
    path = write_csv(
        tmp_path / "t.csv",
        [
            ["统一社会信用代码", "企业名称", "所属期", "实缴税金（万元）"],
            [code(1), "甲", "2024-01-01至2024-01-31", "(1,234.5)"],
            [code(2), "乙", "2024-02-01至2024-02-29", "\u221212"],
        ],
    )
    result = run_import(engine, settings, path, "tax")
    assert result.rows_accepted == 2 and result.period == "2024"
    with transaction(engine) as s:
        rows = s.execute(select(Record.period, Record.tax_wan).order_by(Record.row)).all()
    assert rows == [("2024-01", -1234.5), ("2024-02", -12.0)]


def test_counts_add_up_when_a_copy_of_a_row_is_also_bad(engine, settings, tmp_path):
    path = write_csv(
        tmp_path / "l.csv",
        [
            ["统一社会信用代码", "企业名称", "地块编号", "用地面积（亩）"],
            [code(1), "甲", "P1", -5],
            [code(1), "甲", "P1", -5],
            [code(2), "乙", "P2", 3],
        ],
    )
    r = run_import(engine, settings, path, "land", "2024")
    assert r.rows_read == r.rows_accepted + r.rows_rejected + r.rows_skipped == 3
    assert (r.rows_accepted, r.rows_rejected, r.rows_skipped) == (1, 2, 0)


def test_period_of_an_all_rejected_file_and_snapshots(engine, settings, tmp_path):
    head = ["统一社会信用代码", "企业名称", "年份", "实缴税金（万元）"]
    bad = run_import(engine, settings, write_csv(tmp_path / "t.csv", [head, ["123", "甲", 2024, 1]]), "tax")
    assert bad.period == "2024"
    reg = write_csv(tmp_path / "r.csv", [["统一社会信用代码", "企业名称"], [code(1), "甲"]])
    assert run_import(engine, settings, reg, "registry", "2024").period == ""


def test_unmapped_power_accounts_are_warned_about(engine, settings, tmp_path):
    path = write_csv(
        tmp_path / "p.csv",
        [["户号", "月份", "用电量（万千瓦时）"], ["Z9", "2024-01", 1], ["Z9", "2024-02", 1]],
    )
    result = run_import(engine, settings, path, "power")
    with transaction(engine) as s:
        messages = s.scalars(
            select(BatchWarning.message).where(BatchWarning.batch_id == result.batch_id)
        ).all()
    assert "户号 Z9 尚无对应企业（2 条读数）；导入用电户号对应关系后计入" in messages


def test_a_sheet_without_a_declared_size_is_still_measured_before_loading(engine, settings, tmp_path):
    import xlsxwriter

    path = tmp_path / "w.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        ws = book.add_worksheet()
        ws.write_row(0, 0, TAX)
        ws.write(0, 16_383, "x")
        ws.write(5000, 0, "x")
    stripped = tmp_path / "nodim.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<dimension [^>]*/>", b"", data)
            dst.writestr(item, data)
    with pytest.raises(FileRejected, match="第 16384 列有单元格"):
        run_import(engine, settings, stripped, "tax", "2024")
    assert counts(engine)["import_batch"] == 0
