"""File shapes departments really send: several sheets, 栏次 and units rows under the header,
merged header and data cells, and CSV exports with other delimiters or in GB18030.

Every file here is written as the departments' tools write it (openpyxl for .xlsx, xlwt for
.xls, plain bytes for text exports), and every figure is checked against a hand-worked value.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from helpers import code, counts, run_import
from industry_brain.core.db import transaction
from industry_brain.core.errors import FileRejected
from industry_brain.ingest.batches import rejects_table
from industry_brain.ingest.models import BatchWarning, ImportBatch, Record

openpyxl = pytest.importorskip("openpyxl")

EMPTY = {"import_batch": 0, "record": 0, "reject": 0, "batch_warning": 0}
TAX = ["统一社会信用代码", "企业名称", "实缴税金（万元）"]


def records(engine):
    """Ordered by sheet and row in Python: PostgreSQL's collation may order 溪 and 锦 otherwise."""
    with transaction(engine) as s:
        return sorted(s.scalars(select(Record)).all(), key=lambda r: (r.sheet or "", r.row))


def batch_of(engine, batch_id):
    with transaction(engine) as s:
        return s.get(ImportBatch, batch_id)


def warnings_of(engine, batch_id):
    with transaction(engine) as s:
        rows = s.scalars(select(BatchWarning).where(BatchWarning.batch_id == batch_id)).all()
        return [(w.sheet, w.row, w.message) for w in rows]


def workbook(path, sheets):
    """sheets: {name: [rows]}; the first sheet replaces openpyxl's default one."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for r in rows:
            ws.append(r)
    book.save(path)
    return path


INSTRUCTIONS = [["填表说明"], ["1. 统一社会信用代码填写18位代码"], ["2. 金额单位为万元"]]


# --- several sheets -----------------------------------------------------------------------


def test_data_after_an_instructions_sheet_is_found_by_its_header(engine, settings, tmp_path):
    path = workbook(
        tmp_path / "税收.xlsx",
        {"填表说明": INSTRUCTIONS, "封面": [["2024年企业纳税情况"]], "数据": [TAX, [code(1), "甲", 12.5]]},
    )
    result = run_import(engine, settings, path, "tax", "2024")
    assert (result.rows_read, result.rows_accepted) == (1, 1)
    assert batch_of(engine, result.batch_id).sheet == "数据"
    [record] = records(engine)
    assert (record.row, record.tax_wan, record.sheet) == (2, 12.5, None)  # one sheet: the batch's
    messages = [m for _, _, m in warnings_of(engine, result.batch_id)]
    assert "未导入表头不符合模板的工作表：填表说明、封面" in messages


def township_book(path, second_row_b):
    return workbook(
        path,
        {
            "封面": [["2024年分镇街企业纳税情况"]],
            "溪口镇": [TAX, [code(1), "甲", 10], [code(2), "乙", 20]],
            "锦屏街道": [TAX, [code(3), "丙", 30], second_row_b],
        },
    )


def test_a_sheet_per_township_is_one_batch_and_rejects_name_sheet_and_row(engine, settings, tmp_path):
    bad = code(4)[:-1] + ("0" if code(4)[-1] != "0" else "1")
    path = township_book(tmp_path / "分镇.xlsx", [bad, "丁", 40])
    result = run_import(engine, settings, path, "tax", "2024")
    assert (result.rows_read, result.rows_accepted, result.rows_rejected, result.rows_skipped) == (4, 3, 1, 0)
    [reject] = result.rejects
    assert (reject.sheet, reject.row, reject.column) == ("锦屏街道", 3, "统一社会信用代码")
    assert reject.reason.startswith("校验码错误")
    assert batch_of(engine, result.batch_id).sheet == "溪口镇、锦屏街道"
    assert [(r.sheet, r.row, r.tax_wan) for r in records(engine)] == [
        ("溪口镇", 2, 10),
        ("溪口镇", 3, 20),
        ("锦屏街道", 2, 30),
    ]
    with transaction(engine) as s:
        frame, _ = rejects_table(s, batch_id=result.batch_id)
    assert frame.columns[:2] == ["原行号", "工作表"]
    assert frame.row(0, named=True)["工作表"] == "锦屏街道"
    assert frame.row(0, named=True)["统一社会信用代码"] == bad


def test_rejects_on_the_same_row_of_two_sheets_are_two_rows_to_send_back(engine, settings, tmp_path):
    short = code(2)[:17]
    path = workbook(
        tmp_path / "t.xlsx",
        {"溪口镇": [TAX, [code(1), "甲", "十"]], "锦屏街道": [TAX, [short, "乙", "1"]]},
    )
    result = run_import(engine, settings, path, "tax", "2024")
    assert (result.rows_read, result.rows_rejected) == (2, 2)
    assert sorted((r.sheet, r.row, r.reason) for r in result.rejects) == [
        ("溪口镇", 2, "“十”不是数字"),
        ("锦屏街道", 2, "统一社会信用代码应为18位，实为17位"),
    ]
    with transaction(engine) as s:
        frame, _ = rejects_table(s, batch_id=result.batch_id)
    assert sorted(zip(frame["工作表"], frame["原行号"], frame["统一社会信用代码"], strict=True)) == [
        ("溪口镇", 2, code(1)),
        ("锦屏街道", 2, short),
    ]


def test_the_same_enterprise_on_two_sheets_is_a_duplicate(engine, settings, tmp_path):
    copy = township_book(tmp_path / "copy.xlsx", [code(1), "甲", 10])
    result = run_import(engine, settings, copy, "tax", "2024")
    assert (result.rows_read, result.rows_accepted, result.rows_skipped) == (4, 3, 1)
    assert ("锦屏街道", 3, "与工作表“溪口镇”第 2 行完全相同，已跳过") in warnings_of(engine, result.batch_id)

    differ = township_book(tmp_path / "differ.xlsx", [code(1), "甲", 11])
    result = run_import(engine, settings, differ, "tax", "2023")
    assert (result.rows_accepted, result.rows_rejected) == (2, 2)
    assert {(r.sheet, r.row) for r in result.rejects} == {("溪口镇", 2), ("锦屏街道", 3)}
    assert result.rejects[0].reason == (
        f"“{code(1)}”在本文件中出现多次且数据不同（工作表“溪口镇”第 2 行、工作表“锦屏街道”第 3 行）"
    )


def test_sheet_option_by_name_or_position(engine, settings, tmp_path):
    path = township_book(tmp_path / "分镇.xlsx", [code(4), "丁", 40])
    by_name = run_import(engine, settings, path, "tax", "2024", sheet="锦屏街道")
    assert (by_name.rows_accepted, batch_of(engine, by_name.batch_id).sheet) == (2, "锦屏街道")
    # Position counts every sheet from 1 (封面 is 1); another sheet of the same file is not
    # "the same file again", and with --supplement it adds to the first.
    by_position = run_import(engine, settings, path, "tax", "2024", sheet="2", supplement=True)
    assert not by_position.unchanged and batch_of(engine, by_position.batch_id).sheet == "溪口镇"
    assert sorted(r.credit_code for r in records(engine)) == [code(1), code(2), code(3), code(4)]
    again = run_import(engine, settings, path, "tax", "2024", sheet="锦屏街道")
    assert again.unchanged and again.batch_id == by_name.batch_id


def test_unknown_sheet_and_no_matching_sheet_are_refused_naming_the_sheets(engine, settings, tmp_path):
    path = township_book(tmp_path / "分镇.xlsx", [code(4), "丁", 40])
    with pytest.raises(FileRejected) as info:
        run_import(engine, settings, path, "tax", "2024", sheet="奉化区")
    assert info.value.reason == "工作簿中没有工作表“奉化区”；工作表有：1“封面”、2“溪口镇”、3“锦屏街道”"
    other = workbook(
        tmp_path / "说明.xlsx", {"说明": INSTRUCTIONS, "汇总": [["镇街", "户数"], ["溪口镇", 2]]}
    )
    with pytest.raises(FileRejected) as info:
        run_import(engine, settings, other, "tax", "2024")
    assert info.value.reason.startswith(
        "没有一个工作表的表头符合企业纳税情况模板（工作簿中的工作表：“说明”、“汇总”）"
    )
    assert counts(engine) == EMPTY


def test_an_error_on_one_of_several_sheets_names_it_and_writes_nothing(engine, settings, tmp_path):
    path = workbook(
        tmp_path / "t.xlsx",
        {
            "A": [TAX, [code(1), "甲", 1]],
            "B": [["统一社会信用代码", "企业名称", "实缴税金（美元）"], [code(2), "乙", 1]],
        },
    )
    with pytest.raises(FileRejected) as info:
        run_import(engine, settings, path, "tax", "2024")
    assert info.value.reason.startswith("工作表“B”：列“实缴税金（美元）”的单位“美元”无法识别")
    assert counts(engine) == EMPTY


def test_hidden_sheets_are_left_out_unless_named(engine, settings, tmp_path):
    path = tmp_path / "h.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "2024"
    for r in (TAX, [code(1), "甲", 1]):
        book.active.append(r)
    old = book.create_sheet("2023")
    for r in (TAX, [code(1), "甲", 99]):
        old.append(r)
    old.sheet_state = "hidden"
    book.save(path)
    result = run_import(engine, settings, path, "tax", "2024")
    assert (result.rows_read, records(engine)[0].tax_wan) == (1, 1)
    result = run_import(engine, settings, path, "tax", "2023", sheet="2023")
    assert result.rows_accepted == 1


# --- 栏次 and units rows --------------------------------------------------------------------

STATS_BARE = ["统一社会信用代码", "企业名称", "工业总产值", "营业收入", "从业人员", "用地面积"]


def test_column_numbers_and_units_rows_under_the_header(engine, settings, tmp_path):
    path = workbook(
        tmp_path / "规上.xlsx",
        {
            "表1": [
                ["2024年规模以上工业企业主要经济指标"],
                STATS_BARE,
                ["甲", "乙", 1, 2, 3, 4],
                ["—", "—", "元", "亿元", "人", "平方米"],
                [code(1), "甲", 1234567, 1.5, 120, 6000],
                [code(2), "乙", "250,000", "0.02", 8, 20000],
            ]
        },
    )
    result = run_import(engine, settings, path, "stats", "2024")
    # The 栏次 and units rows belong to the header: neither read nor skipped.
    assert (result.rows_read, result.rows_accepted, result.rows_skipped) == (2, 2, 0)
    rows = records(engine)
    # 1,234,567 元 = 123.4567 万元; 1.5 亿元 = 15,000 万元; 6,000 m² × 15/10,000 = 9 亩.
    assert [(r.row, r.output_wan, r.revenue_wan, r.employees, r.land_mu) for r in rows] == [
        (5, pytest.approx(123.4567), pytest.approx(15000), 120, pytest.approx(9)),
        (6, pytest.approx(25), pytest.approx(200), 8, pytest.approx(30)),
    ]
    with transaction(engine) as s:
        batch = s.get(ImportBatch, result.batch_id)
        units = {c["header"]: c["unit"] for c in json.loads(batch.columns)}
    assert units["工业总产值"] == "元" and units["用地面积"] == "平方米" and batch.header_row == 2
    messages = [m for _, _, m in warnings_of(engine, result.batch_id)]
    assert "第 3 行为栏次行（甲、乙、1、2…），作为表头的一部分跳过" in messages


def test_units_row_before_the_column_numbers_in_a_csv(engine, settings, tmp_path):
    path = tmp_path / "tax.csv"
    lines = ["统一社会信用代码,企业名称,实缴税金", "计量单位,—,元", "甲,乙,1", f"{code(1)},甲,50000"]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    result = run_import(engine, settings, path, "tax", "2024")
    assert (result.rows_read, records(engine)[0].tax_wan, records(engine)[0].row) == (1, 5, 4)


def test_header_and_units_row_that_disagree_are_refused(engine, settings, tmp_path):
    header = ["统一社会信用代码", "企业名称", "工业总产值（万元）", "营业收入（万元）"]
    agree = workbook(tmp_path / "a.xlsx", {"s": [header, ["—", "—", "万元", "万元"], [code(1), "甲", 5, 6]]})
    assert run_import(engine, settings, agree, "stats", "2024").rows_accepted == 1
    disagree = workbook(tmp_path / "d.xlsx", {"s": [header, ["—", "—", "万元", "元"], [code(1), "甲", 5, 6]]})
    with pytest.raises(FileRejected) as info:
        run_import(engine, settings, disagree, "stats", "2024")
    assert (
        info.value.reason
        == "列“营业收入（万元）”的单位不一致：表头为“万元”，第 2 行单位行为“元”；请改正其中一处"
    )


# --- merged cells ---------------------------------------------------------------------------


def land_sheet(ws):
    ws.append(["统一社会信用代码", "企业名称", "用地面积", None, "年份"])
    ws.append([None, None, "自有(亩)", "租赁(平方米)", None])
    for cells in ("A1:A2", "B1:B2", "C1:D1", "E1:E2"):
        ws.merge_cells(cells)
    ws.append([code(1), "甲", 30, 2000, 2024])
    ws.append([code(2), "乙", 12.5, None, 2024])


def test_two_row_header_under_merged_cells_xlsx(engine, settings, tmp_path):
    path = tmp_path / "land.xlsx"
    book = openpyxl.Workbook()
    land_sheet(book.active)
    book.save(path)
    result = run_import(engine, settings, path, "land")
    assert (result.rows_read, result.rows_accepted, result.period) == (2, 2, "2024")
    # 2,000 m² × 15/10,000 = 3 亩.
    assert [(r.row, r.land_mu, r.rented_mu) for r in records(engine)] == [
        (3, 30, pytest.approx(3)),
        (4, 12.5, None),
    ]
    with transaction(engine) as s:
        batch = s.get(ImportBatch, result.batch_id)
        columns = {c["header"]: (c["field"], c["unit"]) for c in json.loads(batch.columns)}
    assert columns["用地面积/自有(亩)"] == ("land_mu", "亩")
    assert columns["用地面积/租赁(平方米)"] == ("rented_mu", "平方米")
    assert batch.header_row == 1


def test_two_row_header_under_merged_cells_xls(engine, settings, tmp_path):
    import xlwt

    path = tmp_path / "land.xls"
    book = xlwt.Workbook()
    ws = book.add_sheet("用地")
    ws.write_merge(0, 0, 0, 4, "2024年企业用地情况")  # a title across the whole table
    ws.write_merge(1, 2, 0, 0, "统一社会信用代码")
    ws.write_merge(1, 2, 1, 1, "企业名称")
    ws.write_merge(1, 1, 2, 3, "用地面积（公顷）")
    ws.write(2, 2, "自有")
    ws.write(2, 3, "租赁")
    ws.write_merge(1, 2, 4, 4, "年份")
    for r, row in enumerate([[code(1), "甲", 2, 0.4, 2024]], start=3):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    book.save(str(path))
    result = run_import(engine, settings, path, "land")
    [record] = records(engine)
    # 2 公顷 = 30 亩, 0.4 公顷 = 6 亩: the unit of the merged parent applies to the columns under it.
    assert (result.rows_accepted, record.row, record.land_mu, record.rented_mu) == (
        1,
        4,
        pytest.approx(30),
        pytest.approx(6),
    )


def test_a_group_header_gives_its_unit_to_the_fields_under_it(engine, settings, tmp_path):
    path = tmp_path / "s.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["基本情况", None, "主要指标（亿元）", None])
    ws.append(["统一社会信用代码", "企业名称", "工业总产值", "营业收入"])
    ws.merge_cells("A1:B1")
    ws.merge_cells("C1:D1")
    ws.append([code(1), "甲", 1.5, 2])
    book.save(path)
    result = run_import(engine, settings, path, "stats", "2024")
    [record] = records(engine)
    assert (result.rows_accepted, record.output_wan, record.revenue_wan) == (1, 15000, 20000)


def test_a_township_merged_down_fills_its_range_only(engine, settings, tmp_path):
    path = tmp_path / "reg.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["所属镇街", "统一社会信用代码", "企业名称"])
    for n in range(1, 5):
        ws.append(["溪口镇" if n == 1 else None, code(n), f"企业{n}"])
    ws.merge_cells("A2:A4")  # 溪口镇 over the first three enterprises, not the fourth
    book.save(path)
    result = run_import(engine, settings, path, "registry")
    assert result.rows_accepted == 4
    assert [r.township_code for r in records(engine)] == ["330213100"] * 3 + [None]


def test_a_township_merged_down_in_an_xls_whose_table_starts_in_column_b(engine, settings, tmp_path):
    import xlwt

    path = tmp_path / "reg.xls"
    book = xlwt.Workbook()
    ws = book.add_sheet("登记")
    for c, v in enumerate(["统一社会信用代码", "企业名称", "所属镇街"], start=1):
        ws.write(0, c, v)
    for r in range(1, 4):
        ws.write(r, 1, code(r))
        ws.write(r, 2, f"企业{r}")
    ws.write_merge(1, 2, 3, 3, "锦屏街道")  # D2:D3, the third enterprise has none
    book.save(str(path))
    result = run_import(engine, settings, path, "registry")
    assert result.rows_accepted == 3
    assert [r.township_code for r in records(engine)] == ["330213001", "330213001", None]


def test_merged_cells_of_an_xlsx_whose_table_starts_in_column_b(engine, settings, tmp_path):
    path = tmp_path / "reg.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws["A1"].font = openpyxl.styles.Font(bold=True)  # a styled empty cell: no column to the readers
    for c, v in enumerate(["统一社会信用代码", "企业名称", "所属镇街"], start=2):
        ws.cell(1, c, v)
    for r in range(2, 5):
        ws.cell(r, 2, code(r))
        ws.cell(r, 3, f"企业{r}")
    ws.cell(2, 4, "锦屏街道")
    ws.merge_cells("D2:D3")
    book.save(path)
    result = run_import(engine, settings, path, "registry")
    assert result.rows_accepted == 3
    assert [r.township_code for r in records(engine)] == ["330213001", "330213001", None]


def test_one_field_over_two_columns_is_refused_naming_the_merged_cell(engine, settings, tmp_path):
    path = tmp_path / "m.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["统一社会信用代码", "企业名称", "实缴税金（万元）", None])
    ws.append([None, None, "本年", "上年"])
    ws.merge_cells("C1:D1")
    ws.append([code(1), "甲", 1, 2])
    book.save(path)
    with pytest.raises(FileRejected) as info:
        run_import(engine, settings, path, "tax", "2024")
    assert info.value.reason.startswith("表头含合并单元格 C1:D1：“实缴税金（万元）”下的“本年”“上年”")
    assert counts(engine) == EMPTY


# --- text exports ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "delimiter"), [("t.csv", ";"), ("t.tsv", "\t"), ("t.txt", "\t"), ("t.txt", ",")]
)
def test_delimiters_are_sniffed_from_the_header_line(engine, settings, tmp_path, name, delimiter):
    lines = ["2024年企业纳税情况", delimiter.join(TAX), delimiter.join([code(1), "甲,乙公司", "1,234.5"])]
    if delimiter == ",":
        lines[2] = f'{code(1)},"甲,乙公司","1,234.5"'
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    result = run_import(engine, settings, path, "tax", "2024")
    [record] = records(engine)
    assert (result.rows_accepted, record.row, record.name, record.tax_wan) == (1, 3, "甲,乙公司", 1234.5)


def test_gb18030_beyond_gbk(engine, settings, tmp_path):
    path = tmp_path / "t.csv"
    text = "\t".join(TAX) + "\n" + "\t".join([code(1), "𠮷䶮机械有限公司", "3"]) + "\n"
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    path.write_bytes(text.encode("gb18030"))
    result = run_import(engine, settings, path, "tax", "2024")
    assert (result.rows_accepted, records(engine)[0].name) == (1, "𠮷䶮机械有限公司")


def test_sheet_option_on_a_csv_is_refused(engine, settings, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(",".join(TAX) + f"\n{code(1)},甲,1\n", encoding="utf-8")
    with pytest.raises(FileRejected, match="CSV/文本文件只有一个表"):
        run_import(engine, settings, path, "tax", "2024", sheet="数据")


# --- found in review: rows a merged header must not swallow, figures merged down, empty sheets


def test_a_data_row_under_a_merged_header_cell_is_not_taken_for_a_second_header(engine, settings, tmp_path):
    """A name merged over two columns, and a first data row whose code is one character short:
    the row carries a figure, so it is data (and rejected for its code), not a header row."""
    path = tmp_path / "tax.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["统一社会信用代码", "企业名称", None, "实缴税金（万元）"])
    ws.merge_cells("B1:C1")
    ws.append([code(1)[:17], "甲", None, 12.5])
    ws.append([code(2), "乙", None, 20])
    book.save(path)
    try:
        result = run_import(engine, settings, path, "tax", "2024")
    except FileRejected as exc:  # refusing the file is fine too: nothing is lost silently
        assert "B1:C1" in str(exc)
        return
    assert result.rows_read == 2
    assert [r.row for r in result.rejects] == [2]
    assert [(r.row, r.tax_wan) for r in records(engine)] == [(3, 20)]


def test_a_figure_merged_down_counts_once(engine, settings, tmp_path):
    """A figure merged over two enterprises' rows is not copied into both (it would count
    twice): it stays on the first row, the second row lacks it and is sent back saying so."""
    path = tmp_path / "tax.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["统一社会信用代码", "企业名称", "备注", "实缴税金（万元）"])
    ws.append([code(1), "甲", "同一厂区", 30])
    ws.append([code(2), "乙", None, None])
    ws.merge_cells("C2:C3")  # text is filled down ...
    ws.merge_cells("D2:D3")  # ... a figure is not
    book.save(path)
    result = run_import(engine, settings, path, "tax", "2024")
    assert (result.rows_accepted, [(r.row, r.reason) for r in result.rejects]) == (
        1,
        [(3, "缺少必填项：实缴税金")],
    )
    assert [(r.row, r.tax_wan) for r in records(engine)] == [(2, 30)]
    messages = [m for _, _, m in warnings_of(engine, result.batch_id)]
    assert "第 2-3 行合并了数值单元格（30），只计入第 2 行" in messages


def test_a_sheet_with_only_its_header_does_not_give_the_batch_another_period(engine, settings, tmp_path):
    book = openpyxl.Workbook()
    land_sheet(book.active)
    book.active.title = "溪口镇"
    empty = book.create_sheet("锦屏街道")
    empty.append(["统一社会信用代码", "企业名称", "用地面积(亩)", "年份"])
    book.save(tmp_path / "land.xlsx")
    result = run_import(engine, settings, tmp_path / "land.xlsx", "land")
    assert (result.rows_accepted, result.period) == (2, "2024")
    messages = [m for _, _, m in warnings_of(engine, result.batch_id)]
    assert any(m.startswith("工作表“") for m in messages)  # sheet-level notes name their sheet


def test_warnings_of_a_workbook_of_several_sheets_name_the_sheet(engine, settings, tmp_path):
    power = ["户号", "统一社会信用代码", "企业名称", "月份", "用电量（万千瓦时）"]
    path = workbook(
        tmp_path / "电力.xlsx",
        {
            "溪口镇": [power, ["3301001", code(1), "甲", "2024-01", 10]],
            "锦屏街道": [
                power,
                ["3302001", code(2), "乙", "2024-01", 20],
                ["3302002", None, None, "2024-01", 5],
            ],
        },
    )
    result = run_import(engine, settings, path, "power")
    assert result.rows_accepted == 3
    unmapped = [(s, r) for s, r, m in warnings_of(engine, result.batch_id) if m.startswith("户号 3302002")]
    assert unmapped == [("锦屏街道", 3)]
