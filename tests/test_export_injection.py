"""Exports officials open in Excel: a department's text never becomes a formula or a link.

A file whose names begin with = + - @ (a tab, a CR) is imported through the command line, then
its rejects and the year's facts are exported as xlsx and csv, and each file is read back the way
the next official's spreadsheet would read it.
"""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest
from typer.testing import CliRunner

from helpers import code, write_csv
from industry_brain.cli.main import build_app
from industry_brain.core.cells import XlsxCells, csv_text, needs_quote, xlsx_workbook

runner = CliRunner()
HEADER = ["统一社会信用代码", "企业名称", "营业收入（万元）", "工业增加值（万元）"]
LINK = '=HYPERLINK("http://evil.example/x","点击查看")'
COMMAND = "=cmd|' /C calc'!A0"
HOSTILE = [LINK, COMMAND, "@SUM(A1:A9)", "+1+2", "-2+3"]


def cli(*args: str):
    result = runner.invoke(build_app(), list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def imported(db_url, tmp_path):
    """Accepted rows named by the hostile texts, and rejected rows carrying them too."""
    rows = [HEADER]
    for i, name in enumerate(HOSTILE, start=1):
        rows.append([code(i), name, 100 * i, -1.5])  # a negative 增加值 is a figure, not text
    rows.append([code(20), LINK, "=1+1", 3])  # a formula where a figure belongs
    rows.append([code(21), COMMAND, "-5", 3])  # 营业收入 cannot be negative
    rows.append([code(22), "\t=2+2", "?", 3])
    path = write_csv(tmp_path / "规上.csv", rows)
    data = json.loads(
        cli("import", str(path), "--source", "stats", "--period", "2024", "--db", db_url, "--json").stdout
    )
    assert (data["rows_accepted"], data["rows_rejected"]) == (len(HOSTILE), 3)
    return data["batch_id"]


def _cells(path):
    book = openpyxl.load_workbook(path)
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def _assert_no_formula(path, expected: list[str]) -> None:
    cells = _cells(path)
    assert cells, path
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert [c.coordinate for c in cells if c.hyperlink is not None] == []
    values = [c.value for c in cells]
    for text in expected:  # the text as the department wrote it, readable, and marked as text
        found = [c for c in cells if c.value == text]
        assert found, (text, values)
        assert all(c.data_type == "s" and c.quotePrefix for c in found), text


def test_rejects_export_xlsx_keeps_hostile_text_as_text(db_url, tmp_path, imported):
    out = tmp_path / "退回.xlsx"
    cli("rejects", str(imported), "--output", str(out), "--db", db_url)
    _assert_no_formula(out, [LINK, COMMAND, "=1+1", "\t=2+2"])
    cells = _cells(out)
    # A negative figure as the department wrote it stays as written, not quoted.
    assert [c.quotePrefix for c in cells if c.value == "-5"] == [False]


def test_rejects_export_csv_neutralises_leading_formula_characters(db_url, tmp_path, imported):
    out = tmp_path / "退回.csv"
    cli("rejects", str(imported), "--output", str(out), "--db", db_url)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["企业名称"] for r in rows) == sorted(["'" + LINK, "'" + COMMAND, "'\t=2+2"])
    by_code = {r["统一社会信用代码"]: r for r in rows}
    assert by_code[code(20)]["营业收入（万元）"] == "'=1+1"
    assert by_code[code(21)]["营业收入（万元）"] == "-5"
    # Nothing in the file starts a formula.
    assert not [v for r in rows for v in r.values() if v and v[0] in "=+-@\t\r" and needs_quote(v)]


def test_facts_export_xlsx_and_csv(db_url, tmp_path, imported):
    xlsx, text = tmp_path / "facts.xlsx", tmp_path / "facts.csv"
    cli("export", "facts", "--year", "2024", "--output", str(xlsx), "--db", db_url)
    cli("export", "facts", "--year", "2024", "--output", str(text), "--db", db_url)
    _assert_no_formula(xlsx, HOSTILE)
    numbers = [c.value for c in _cells(xlsx) if c.data_type == "n"]
    assert -1.5 in numbers  # a negative figure is a number in the workbook
    with text.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["name"] for r in rows) == sorted("'" + h for h in HOSTILE)
    assert {r["value_added_wan"] for r in rows} == {"-1.5"}


def test_a_rejects_csv_sent_back_reads_as_first_written(db_url, tmp_path, imported):
    """The quote the export adds is not the department's: the fixed file imports the name."""
    out = tmp_path / "退回.csv"
    cli("rejects", str(imported), "--output", str(out), "--db", db_url)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    revenue = header.index("营业收入（万元）")
    for r in rows[1:]:
        r[revenue] = "10"
    fixed = write_csv(tmp_path / "改正.csv", rows)
    cli("import", str(fixed), "--source", "stats", "--period", "2024", "--supplement", "--db", db_url)
    shown = tmp_path / "facts.csv"
    cli("export", "facts", "--year", "2024", "--output", str(shown), "--db", db_url)
    with shown.open(encoding="utf-8", newline="") as fh:
        names = {r["credit_code"]: r["name"] for r in csv.DictReader(fh)}
    # The tab the department typed is trimmed as any blank; the rest is the text as written,
    # quoted once again for the spreadsheet.
    assert (names[code(20)], names[code(21)], names[code(22)]) == ("'" + LINK, "'" + COMMAND, "'=2+2")


def test_the_helper_keeps_formats_and_numbers(tmp_path):
    """Writers with their own formats (plan reports, dossiers) get the quote prefix on a copy
    of the format: bold and borders stay."""
    path = tmp_path / "x.xlsx"
    with xlsx_workbook(path) as book:
        cells = XlsxCells(book)
        ws = book.add_worksheet("表")
        bold = book.add_format({"bold": True, "border": 1})
        cells.write_row(ws, 0, 0, [LINK, "http://example.org", -5, "-5", float("nan"), None], bold)
    ws = openpyxl.load_workbook(path).active
    first = [ws.cell(1, j) for j in range(1, 7)]
    assert [c.value for c in first] == [LINK, "http://example.org", -5, "-5", None, None]
    assert [c.data_type for c in first[:4]] == ["s", "s", "n", "s"]
    assert [c.quotePrefix for c in first[:4]] == [True, False, False, False]
    assert first[0].font.b and first[0].border.left.style == "thin"
    assert first[1].hyperlink is None
    assert [csv_text(v) for v in ("=1", "+a", "-a", "@a", "\ta", "\ra", "-1.5e3", "a=b", 3)] == [
        "'=1",
        "'+a",
        "'-a",
        "'@a",
        "'\ta",
        "'\ra",
        "-1.5e3",
        "a=b",
        3,
    ]
