"""The 对表对标 review as PDF: the Word document's sections and figures, the Chinese text
extractable (the configured font embedded), and the command writing it for a shipped plan."""

from __future__ import annotations

import re

import pypdf
import typer
from typer.testing import CliRunner

from industry_brain.core.settings import get_settings
from industry_brain.plans.report import write_file
from industry_brain.plans.report_cli import report_command
from test_plans_report import PROGRESS, review


def pdf_text(path) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in pypdf.PdfReader(str(path)).pages))


def test_the_pdf_holds_every_indicator_and_section(tmp_path):
    path = tmp_path / "review.pdf"
    write_file(review(), path, "pdf", settings=get_settings(environ={}))
    text = pdf_text(path)
    assert "示范区制造业规划" in text and "对表对标评估（截至2023）" in text
    for heading in ("一、总体情况", "二、指标对表", "三、滞后及未报送单位", "四、产业集群效益报表（2023）"):
        assert heading in text
    for row in PROGRESS["indicators"]:
        assert row["name"] in text
    assert "共6项指标" in text and "严重滞后2项" in text
    # 规上工业总产值: 165 of 200 → 82.5%; the statuses in words
    assert "165（2023）" in text and "82.5%" in text and "符合序时进度" in text and "严重滞后" in text
    assert "区科技局：严重滞后：研发投入强度、高新技术企业数。" in text
    assert "气动" in text and "8100百亿级" in text
    page = pypdf.PdfReader(str(path)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape, as the Word document


def test_report_command_writes_a_pdf_for_a_shipped_plan(tmp_path, db_url):
    from industry_brain.plans.pack import load_pack
    from industry_brain.registry import open_database

    open_database(db_url).dispose()  # a reading command refuses a database that does not exist

    app = typer.Typer()
    app.command()(report_command)
    out = tmp_path / "review.pdf"
    result = CliRunner().invoke(
        app, ["yinzhou-mic2025", "--as-of", "2019", "--output", str(out), "--db", db_url]
    )
    assert result.exit_code == 0, result.output
    text = pdf_text(out)
    pack = load_pack("yinzhou-mic2025")
    assert f"共{len(pack.indicators)}项指标" in text
    for indicator in pack.indicators:
        assert re.sub(r"\s+", "", indicator.name) in text, indicator.name
