"""评价结果告知书: what an enterprise is told, in Word and in PDF, with the numbers of its result,
the Chinese text extractable from the PDF (the font is embedded with a ToUnicode map), one
notice per page for a whole run, and the command that writes them."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import polars as pl
import pypdf
import pytest
from fontTools.ttLib import TTFont
from typer.testing import CliRunner

from evaluation_fixtures import YEAR, frame
from helpers import code
from industry_brain.core.auth import NotFound
from industry_brain.core.db import transaction
from industry_brain.core.errors import ConfigurationError, IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.enterprises.models import Enterprise
from industry_brain.evaluation.method import load_method
from industry_brain.evaluation.notice import enterprise_notice, scope_notices
from industry_brain.evaluation.notice_render import write_notices
from industry_brain.evaluation.publication import publish
from industry_brain.evaluation.report_cli import report_app
from industry_brain.evaluation.service import run_evaluation

HUANGYAN = load_method("huangyan-2022")
TODAY = dt.date(2023, 6, 1)
DEADLINE = dt.date(2023, 6, 20)
TOWN_A, TOWN_B = "330213001", "330213002"
NAME_4 = "锦屏直骨机械有限公司"  # 直 and 骨 are drawn differently in the Japanese face
NAME_10 = "岳林选材纺织有限公司"


def facts() -> pl.DataFrame:
    """Ten above-scale enterprises on 20 亩 (three pay 1200 万元 of tax, 企业4 600, five 300, 企业10
    250 and had a safety accident), a below-scale one, a tenant and a new one (T)."""
    rows: list[dict] = [{"tax_wan": 1200.0}] * 3 + [{"name": NAME_4}] + [{"tax_wan": 300.0}] * 5
    rows += [{"tax_wan": 250.0, "safety_accident": 1, "name": NAME_10}]  # last of the ten by score
    rows += [
        {"above_scale": 0, "land_mu": 5.0, "tax_wan": 50.0, "electricity_wan_kwh": 100.0},
        {"land_mu": None, "rented_mu": 5.0},
        {"established": f"{YEAR - 1}-03-01"},
    ]
    return frame(rows)


def store(engine, settings, *, published: bool) -> int:
    with transaction(engine) as s:
        for i in range(1, 14):
            s.add(
                Enterprise(credit_code=code(i), name=f"企业{i}", township_code=TOWN_A if i <= 6 else TOWN_B)
            )
        summary, _ = run_evaluation(s, year=YEAR, method=HUANGYAN, settings=settings, facts=facts(), user="t")
        assert summary.run_id is not None
        if published:
            publish(s, run_id=summary.run_id, deadline=DEADLINE, user="t", today=TODAY)
    return summary.run_id


def docx_text(path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def pdf_pages(path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(str(path)).pages]


def embedded_families(path) -> set[str]:
    """The family names (name ID 1) of the fonts embedded in the PDF, from the font programs."""
    families = set()
    for page in pypdf.PdfReader(str(path)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert "IndustryBrainCJK" in str(font["/BaseFont"])
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = descriptor["/FontFile3"].get_object().get_data()
            families.add(TTFont(io.BytesIO(program))["name"].getDebugName(1))
    return families


def test_one_enterprise_notice_holds_its_result_and_how_to_appeal(engine, settings):
    run_id = store(engine, settings, published=True)
    with transaction(engine) as s:
        notice = enterprise_notice(
            s, run_id=run_id, credit_code=code(4).lower(), scope=Scope.system(), today=TODAY
        )
    exp = notice.explanation
    assert (notice.name, notice.credit_code, notice.township) == (NAME_4, code(4), "锦屏街道")
    assert (notice.status_label, notice.deadline, notice.method_id) == ("公示中", DEADLINE, "huangyan-2022")
    # 600 ÷ 20 = 30 万元/亩 → 30 ÷ 24.097 × 30 = 37.35; total 113.13, 4th of the ten → B
    assert (exp.grade, exp.rank, exp.pool_size, f"{exp.score:.2f}") == ("B", 4, 10, "113.13")
    assert exp.items[0].text.startswith("亩均税收 30.00 万元/亩（税收 600 万元 ÷ 用地 20 亩），基准值 24.097")
    assert notice.policy == ["差别化电价：B类不加价。"]
    assert "2023年6月20日（含当日）" in notice.appeal[0] and "提出申诉" in notice.appeal[1]


def test_the_word_notice(engine, settings, tmp_path):
    run_id = store(engine, settings, published=True)
    with transaction(engine) as s:
        notice = enterprise_notice(s, run_id=run_id, credit_code=code(4), scope=Scope.system(), today=TODAY)
    path = write_notices([notice], tmp_path / "n.docx", fmt="docx", settings=settings)
    text = docx_text(path)
    for words in (NAME_4, code(4), "锦屏街道", "B类（鼓励提升）", "113.13", "第 4 位 / 共 10 户（前 40.0%）"):
        assert words in text
    document = docx.Document(str(path))
    items = document.tables[2]
    assert [c.text for c in items.rows[0].cells] == [
        "序号",
        "指标",
        "指标值",
        "基准值",
        "权重",
        "得分",
        "说明",
    ]
    assert [c.text for c in items.rows[1].cells] == [
        "1",
        "亩均税收",
        "30.00 万元/亩",
        "24.097 万元/亩",
        "30",
        "37.35",
        "",
    ]
    names = [row.cells[1].text for row in items.rows[1:]]
    assert names == [i.label for i in notice.explanation.items] and len(names) == 6
    assert "C类：排名80%–95%（本池第9–10位）" in text
    assert "公示截止日为 2023年6月20日（含当日）" in text
    rfonts = document.styles["Normal"].element.rPr.rFonts
    assert rfonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "宋体"


def test_the_pdf_notice_embeds_the_simplified_chinese_face(engine, settings, tmp_path):
    run_id = store(engine, settings, published=True)
    with transaction(engine) as s:
        vetoed = enterprise_notice(s, run_id=run_id, credit_code=code(10), scope=Scope.system(), today=TODAY)
    path = write_notices([vetoed], tmp_path / "n.pdf", fmt="pdf", settings=settings)
    text = "\n".join(pdf_pages(path))
    flat = re.sub(r"\s+", "", text)
    # the Chinese survives extraction: the font went in with its ToUnicode map
    for words in (NAME_10, code(10), "D类（倒逼整治）", "发生安全生产事故，一票否决为D类", "岳林街道"):
        assert words in flat, words
    assert "按综合得分排名本应为C类" in flat
    for item in vetoed.explanation.items:
        assert item.label in flat
    assert f"{vetoed.explanation.score:.2f}" in flat
    # 500 万千瓦时 × 10,000 × 0.3 元 = 1,500,000 元
    assert "差别化电价：D类，用电每千瓦时加价0.3元" in flat and "加价约1,500,000.00元" in flat
    # every glyph is set in the configured font (no fontconfig fallback), of its Simplified
    # Chinese face: 直, 骨 and 选 in the name are drawn differently by the collection's Japanese face
    assert embedded_families(path) == {"Noto Sans CJK SC"}


def test_a_notice_for_every_enterprise_one_per_page(engine, settings, tmp_path):
    run_id = store(engine, settings, published=False)
    with transaction(engine) as s:
        notices = scope_notices(s, run_id=run_id, scope=Scope.system(), today=TODAY)
        town_a = scope_notices(s, run_id=run_id, scope=Scope.system(), today=TODAY, township_code=TOWN_A)
    assert len(notices) == 13 and [n.credit_code for n in town_a] == sorted(code(i) for i in range(1, 7))
    assert all(n.status_label == "草稿" and n.appeal == [] for n in notices)
    assert "尚未公示" in notices[0].status_note
    new = next(n for n in notices if n.credit_code == code(13))
    assert new.explanation.grade == "T" and new.reason_text == "成立不满两年，不参评"
    pages = pdf_pages(write_notices(notices, tmp_path / "all.pdf", fmt="pdf", settings=settings))
    firsts = [i for i, p in enumerate(pages) if "结果告知书" in re.sub(r"\s+", "", p)]
    assert len(firsts) == 13  # each notice starts on its own page
    for n in notices:
        assert sum(n.credit_code in p for p in pages) >= 1
    document = docx.Document(
        str(write_notices(notices, tmp_path / "all.docx", fmt="docx", settings=settings))
    )
    breaks = document.element.body.xml.count('w:type="page"')
    assert breaks == 12
    assert "成立不满两年，不参评" in docx_text(tmp_path / "all.docx")


def test_scope_of_the_notices(engine, settings):
    draft = store(engine, settings, published=False)
    with transaction(engine) as s:
        mine = Scope(role="enterprise", username="e", credit_code=code(4))
        town = Scope(role="town", username="t", township_code=TOWN_A)
        with pytest.raises(NotFound):  # a draft is not shown outside the district's roles
            enterprise_notice(s, run_id=draft, credit_code=code(4), scope=mine, today=TODAY)
        publish(s, run_id=draft, deadline=DEADLINE, user="t", today=TODAY)
        assert enterprise_notice(s, run_id=draft, credit_code=code(4), scope=mine, today=TODAY).name == NAME_4
        with pytest.raises(NotFound) as other:
            enterprise_notice(s, run_id=draft, credit_code=code(5), scope=mine, today=TODAY)
        assert str(other.value) == "未找到 (not found)"
        assert [n.credit_code for n in scope_notices(s, run_id=draft, scope=mine, today=TODAY)] == [code(4)]
        assert len(scope_notices(s, run_id=draft, scope=town, today=TODAY)) == 6
        with pytest.raises(IndustryBrainError, match="共 6 户企业，超过直接下载上限 5 户"):
            scope_notices(s, run_id=draft, scope=town, today=TODAY, limit=5)
        with pytest.raises(NotFound):
            enterprise_notice(s, run_id=draft, credit_code=code(10), scope=town, today=TODAY)
        with pytest.raises(NotFound):
            scope_notices(s, run_id=draft, scope=Scope(role="department", unit="区科技局"), today=TODAY)
        with pytest.raises(NotFound, match="不在评价批次"):
            enterprise_notice(s, run_id=draft, credit_code=code(99), scope=Scope.system(), today=TODAY)


def test_a_missing_font_is_named_and_nothing_is_written(engine, settings, tmp_path):
    run_id = store(engine, settings, published=True)
    with transaction(engine) as s:
        notice = enterprise_notice(s, run_id=run_id, credit_code=code(4), scope=Scope.system(), today=TODAY)
    with pytest.raises(ConfigurationError, match="INDUSTRY_BRAIN_PDF_FONT"):
        write_notices(
            [notice],
            tmp_path / "out" / "n.pdf",
            fmt="pdf",
            settings=settings.replace(pdf_font="/no/font.ttc"),
        )
    assert list((tmp_path / "out").iterdir()) == []  # not even the partial file


def test_notice_command(engine, settings, db_url, tmp_path):
    run_id = store(engine, settings, published=True)
    runner = CliRunner()
    one = tmp_path / "企业4.pdf"
    result = runner.invoke(report_app, ["notice", str(run_id), code(4), "--output", str(one), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert NAME_4 in result.stdout
    assert NAME_4 in re.sub(r"\s+", "", "".join(pdf_pages(one)))
    town = tmp_path / "town.docx"
    args = ["notice", str(run_id), "--township", TOWN_B, "--output", str(town), "--db", db_url]
    result = runner.invoke(report_app, args)
    assert result.exit_code == 0, result.output
    assert "7 户企业" in result.stdout
    assert NAME_10 in docx_text(town) and NAME_4 not in docx_text(town)
    wrong = runner.invoke(report_app, ["notice", str(run_id), code(4), "--output", str(tmp_path / "n.txt")])
    assert wrong.exit_code == 2 and ".docx 或 .pdf" in wrong.stderr
    missing = runner.invoke(
        report_app, ["notice", str(run_id), code(99), "--output", str(tmp_path / "x.pdf"), "--db", db_url]
    )
    assert missing.exit_code == 2 and "不在评价批次" in missing.stderr
    assert not (tmp_path / "x.pdf").exists()
