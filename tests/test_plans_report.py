"""The 对表对标 review: the written workbook and document hold the figures, the status colours,
the units behind and the clusters' 效益报表."""

from __future__ import annotations

import docx
import openpyxl
import pytest
import typer
from docx.oxml.ns import qn
from typer.testing import CliRunner

from industry_brain.clusters.schemas import ClusterFigures, ClusterInfo
from industry_brain.core.errors import ConfigurationError
from industry_brain.plans.report import STATUS_FILLS, build_review, write_file
from industry_brain.plans.report_cli import report_command


def indicator(ident, name, category, status, responsible, **kw):
    return {
        "id": ident,
        "name": name,
        "category": category,
        "unit": kw.get("unit", "亿元"),
        "baseline": {"year": 2020, "value": kw.get("base", 100.0), "quote": "q"},
        "target": {
            "year": 2025,
            "value": kw.get("target", 200.0),
            "quote": "q",
            "level": kw.get("target", 200.0),
        },
        "actual": kw.get("actual"),
        "attainment": kw.get("attainment"),
        "progress": kw.get("progress"),
        "expected": 0.6,
        "status": status,
        "status_reason": f"理由{ident}",
        "responsible": responsible,
    }


PROGRESS = {
    "plan_id": "demo-plan",
    "title": "示范区制造业规划",
    "as_of": "2023",
    "period": {"start": 2021, "end": 2025},
    "counts": {"achieved": 1, "on_track": 1, "behind": 1, "off_track": 2, "no_data": 1, "no_baseline": 0},
    "indicators": [
        indicator(
            "a",
            "规上工业总产值",
            "产业规模",
            "on_track",
            ["区经信局"],
            actual={"value": 165.0, "period": "2023", "source": "computed"},
            attainment=0.825,
            progress=0.65,
        ),
        indicator(
            "b",
            "规上工业增加值",
            "产业规模",
            "behind",
            ["区经信局"],
            actual={"value": 140.0, "period": "2023", "source": "区统计局"},
            progress=0.4,
        ),
        indicator("c", "研发投入强度", "创新能力", "off_track", ["区科技局", "区经信局"], unit="%"),
        indicator("d", "高新技术企业数", "创新能力", "off_track", ["区科技局"], unit="家"),
        indicator("e", "亩均税收", "质量效益", "achieved", ["区自然资源局"]),
        indicator("f", "单位能耗", "绿色发展", "no_data", []),
    ],
}
CLUSTER = ClusterInfo("demo-plan/pneu", "气动", "8100", "百亿级", ["3444"], [], "r", "q", 1, "demo-plan")


def review(as_of="2023"):
    figures = ClusterFigures(CLUSTER, 2023, 3.0, 0.7, 3, 2, 2.4, 0.25, 0.15, 20.0)
    return build_review({**PROGRESS, "as_of": as_of}, [figures])


def test_units_behind_worst_first_and_who_owes_data():
    units = {u.unit: u for u in review().units}
    assert [u.unit for u in review().units][:2] == ["区科技局", "区经信局"]  # 2 off track, then 1+1
    assert units["区科技局"].off_track == ["研发投入强度", "高新技术企业数"]
    assert (units["区经信局"].off_track, units["区经信局"].behind) == (["研发投入强度"], ["规上工业增加值"])
    assert units["（未明确责任单位）"].no_data == ["单位能耗"]
    assert "区自然资源局" not in units  # achieved: owes nothing


def _fill(cell) -> str:
    return cell.fill.fgColor.rgb[-6:]


def test_the_workbook(tmp_path):
    path = tmp_path / "review.xlsx"
    write_file(review(), path, "xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["概况", "指标对表", "滞后单位", "集群效益"]
    summary = [c for row in book["概况"].iter_rows(values_only=True) for c in row if c]
    assert any("共 6 项指标" in str(c) for c in summary)
    assert any("严重滞后 2 项" in str(c) for c in summary)
    table = book["指标对表"]
    head = [c.value for c in table[1]]
    rows = {r[1].value: r for r in table.iter_rows(min_row=2)}
    status = head.index("状态")
    assert rows["规上工业总产值"][status].value == "符合序时进度"
    assert _fill(rows["规上工业总产值"][status]) == STATUS_FILLS["on_track"]
    assert _fill(rows["研发投入强度"][status]) == STATUS_FILLS["off_track"]
    assert _fill(rows["规上工业增加值"][status]) == STATUS_FILLS["behind"]
    assert rows["规上工业总产值"][head.index("完成率")].value == pytest.approx(0.825)
    assert rows["规上工业总产值"][head.index("完成率")].number_format == "0.0%"
    assert rows["规上工业总产值"][head.index("最新实绩")].value == 165
    assert rows["研发投入强度"][head.index("责任单位")].value == "区科技局、区经信局"
    # grouped by category, in the plan's order
    assert [r[0].value for r in table.iter_rows(min_row=2)] == ["产业规模"] * 2 + ["创新能力"] * 2 + [
        "质量效益",
        "绿色发展",
    ]
    units = list(book["滞后单位"].iter_rows(min_row=2, values_only=True))
    assert units[0][:4] == ("区科技局", 2, 0, 0)
    clusters = list(book["集群效益"].iter_rows(min_row=3, values_only=True))
    assert clusters[0][:8] == ("气动", "8100 百亿级", 3, 0.7, 3, 2, 0.25, 0.15)


def test_a_half_year_review_shows_no_growth_against_a_whole_year(tmp_path):
    path = tmp_path / "half.xlsx"
    write_file(review("2023-06"), path, "xlsx")
    sheet = openpyxl.load_workbook(path)["集群效益"]
    assert "本年累计" in sheet["A1"].value
    assert sheet["G3"].value == "—"


def test_the_document(tmp_path):
    path = tmp_path / "review.docx"
    write_file(review(), path, "docx")
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "示范区制造业规划" in text and "对表对标评估（截至 2023）" in text
    for heading in ("一、总体情况", "二、指标对表", "三、滞后及未报送单位", "四、产业集群效益报表（2023）"):
        assert heading in text
    assert "区科技局：严重滞后：研发投入强度、高新技术企业数。" in text
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    tables = document.tables
    assert len(tables) == 5  # four categories and the clusters
    first = tables[0]
    assert [c.text for c in first.rows[1].cells][:2] == ["规上工业总产值", "亿元"]
    status_cell = first.rows[2].cells[7]
    assert status_cell.text == "滞后"
    shading = status_cell._tc.tcPr.find(qn("w:shd"))
    assert shading.get(qn("w:fill")) == STATUS_FILLS["behind"]
    assert [c.text for c in tables[-1].rows[1].cells] == [
        "气动",
        "8100 百亿级",
        "3",
        "0.7",
        "3",
        "2",
        "25.0%",
        "15.0%",
    ]


def test_an_unknown_format_writes_nothing(tmp_path, db_url, engine):  # engine: the database exists
    app = typer.Typer()
    app.command()(report_command)
    out = tmp_path / "r.odt"
    result = CliRunner().invoke(
        app, ["yinzhou-mic2025", "--as-of", "2019", "--format", "odt", "--output", str(out), "--db", db_url]
    )
    assert result.exit_code == 2 and "odt" in result.output
    assert list(tmp_path.glob("r.*")) == [] and list(tmp_path.glob(".r.*")) == []


@pytest.mark.parametrize("suffix", ["xlsx", "docx"])
def test_report_command_on_a_shipped_plan(tmp_path, db_url, engine, suffix):  # engine: the database exists
    from industry_brain.plans.pack import load_pack

    app = typer.Typer()
    app.command()(report_command)
    out = tmp_path / f"review.{suffix}"
    result = CliRunner().invoke(
        app, ["yinzhou-mic2025", "--as-of", "2019", "--output", str(out), "--db", db_url]
    )
    assert result.exit_code == 0, result.output
    count = len(load_pack("yinzhou-mic2025").indicators)
    if suffix == "xlsx":
        assert openpyxl.load_workbook(out)["指标对表"].max_row == count + 1
    else:
        assert f"共 {count} 项指标" in "\n".join(p.text for p in docx.Document(str(out)).paragraphs)


def test_write_review_refuses_an_unknown_format_before_computing():
    from industry_brain.plans.report import write_review

    with pytest.raises(ConfigurationError, match="odt"):
        write_review(None, plan_id="x", as_of="2019", path=None, fmt="odt", settings=None, scope=None)
