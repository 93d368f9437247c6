"""公示 dates as officials type them, appeals with 证明材料 (type, size, stored name, scope), the
claimed figure beside every department's figure with the far-claim flag, and 终审 of one run."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import code, run_import, write_xlsx
from industry_brain.core.auth import NotFound
from industry_brain.core.db import transaction
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.evaluation.evidence import Evidence, display_name, evidence_dir, read_attachment
from industry_brain.evaluation.method import load_method
from industry_brain.evaluation.models import AppealAttachment
from industry_brain.evaluation.service import facts_for, run_evaluation
from industry_brain.evaluation.workflow import file_appeal, finalize_run, publish, review_appeal
from industry_brain.evaluation.workflow_common import parse_date
from industry_brain.web.cockpit import visible_appeals

YEAR = 2022
TODAY = dt.date(2023, 4, 1)
DEADLINE = dt.date(2023, 4, 30)
TOWN_A, TOWN_B = "330213001", "330213002"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def district(engine, settings, tmp_path):
    """Two enterprises in two towns; the tax bureau says 甲 paid 100 万元, the statistics bureau
    holds no tax figure; 乙 paid 600 万元."""
    reg = [
        ["统一社会信用代码", "企业名称", "成立日期", "所属镇街"],
        [code(1), "甲", "2010-01-01", TOWN_A],
        [code(2), "乙", "2010-01-01", TOWN_B],
    ]
    header = [
        "统一社会信用代码",
        "企业名称",
        "行业代码",
        "是否规上",
        "工业增加值（万元）",
        "营业收入（万元）",
    ]
    stats = [header, [code(1), "甲", "3484", "是", 3000, 8000], [code(2), "乙", "3484", "是", 3000, 8000]]
    land = [["统一社会信用代码", "企业名称", "用地面积（亩）"], [code(1), "甲", 20], [code(2), "乙", 20]]
    tax = [["统一社会信用代码", "企业名称", "实缴税金（万元）"], [code(1), "甲", 100], [code(2), "乙", 600]]
    run_import(engine, settings, write_xlsx(tmp_path / "reg.xlsx", reg), "registry")
    for rows, source in ((stats, "stats"), (tax, "tax"), (land, "land")):
        run_import(engine, settings, write_xlsx(tmp_path / f"{source}.xlsx", rows), source, str(YEAR))
    return engine


@pytest.fixture
def stored(settings, tmp_path):
    return settings.replace(evidence_dir=str(tmp_path / "evidence"), appeal_max_file_bytes=4096)


def _published(engine, settings) -> int:
    with transaction(engine) as s:
        summary, _ = run_evaluation(
            s, year=YEAR, method=load_method("huangyan-2022"), settings=settings,
            facts=facts_for(s, year=YEAR, settings=settings), input_source="database", user="经信局",
        )  # fmt: skip
        assert summary.run_id is not None
        publish(s, run_id=summary.run_id, deadline="2023/4/30", user="经信局", today=TODAY)
    return summary.run_id


def _appeal(engine, settings, run_id: int, value: float, files=(), credit_code: str | None = None):
    with transaction(engine) as s:
        return file_appeal(
            s, run_id=run_id, credit_code=credit_code or code(1), field="tax_wan", claimed_value=value,
            statement="完税证明", filed_by="甲", today=TODAY, evidence=list(files), settings=settings,
            require_evidence=True,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-12-20", dt.date(2026, 12, 20)),
        ("2026/12/20", dt.date(2026, 12, 20)),
        ("2026.1.5", dt.date(2026, 1, 5)),
        ("2026年12月20日", dt.date(2026, 12, 20)),
        (" 2026/12/20 ", dt.date(2026, 12, 20)),
    ],
)
def test_a_deadline_is_read_as_officials_write_it(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "words"),
    [("20/12/2026", "2026/12/20"), ("2026-02-30", "没有 2 月 30 日"), ("", "空"), ("明天", "2026-12-20")],
)
def test_a_deadline_that_cannot_be_read_is_refused_in_chinese(text, words):
    with pytest.raises(IndustryBrainError) as err:
        parse_date(text, "公示截止日")
    assert words in str(err.value) and "公示截止日" in str(err.value)


def test_publishing_refuses_an_unreadable_or_past_deadline(district, settings):
    with transaction(district) as s:
        summary, _ = run_evaluation(
            s, year=YEAR, method=load_method("huangyan-2022"), settings=settings,
            facts=facts_for(s, year=YEAR, settings=settings), input_source="database", user="经信局",
        )  # fmt: skip
    for deadline, words in (("2023/13/01", "不是有效的日期"), ("2023/4/1", "须晚于今天"), ("x", "无法识别")):
        with pytest.raises(IndustryBrainError, match=words), transaction(district) as s:
            publish(s, run_id=summary.run_id, deadline=deadline, user="经信局", today=TODAY)
    with transaction(district) as s:
        info = publish(s, run_id=summary.run_id, deadline="2023年4月30日", user="经信局", today=TODAY)
    assert info.status == "published" and info.deadline == DEADLINE


def test_evidence_is_stored_under_a_generated_name_and_read_only_in_scope(district, stored):
    run_id = _published(district, stored)
    hostile = "../../../etc/passwd/..\\..\\完税证明\x00.pdf"
    filed = _appeal(district, stored, run_id, 105.0, [Evidence(hostile, PDF), Evidence("厂房.png", PNG)])
    with transaction(district) as s:
        rows = (
            s.query(AppealAttachment).filter_by(appeal_id=filed.appeal_id).order_by(AppealAttachment.id).all()
        )
        assert [r.file_name for r in rows] == ["完税证明.pdf", "厂房.png"]
        folder = evidence_dir(stored)
        # the files lie in the evidence folder under generated names, nothing escaped it
        assert sorted(p.name for p in folder.iterdir()) == sorted(r.stored_name for r in rows)
        assert all("完税" not in r.stored_name and "/" not in r.stored_name for r in rows)
        assert (folder / rows[0].stored_name).read_bytes() == PDF
        own = Scope(role="enterprise", username="甲", credit_code=code(1))
        content, name, media = read_attachment(s, attachment_id=rows[0].id, scope=own, settings=stored)
        assert (content, name, media) == (PDF, "完税证明.pdf", "application/pdf")
        for scope in (
            Scope(role="enterprise", username="乙", credit_code=code(2)),
            Scope(role="town", username="b", township_code=TOWN_B),
            Scope(role="department", username="d", unit="区科技局"),
        ):
            with pytest.raises(NotFound):
                read_attachment(s, attachment_id=rows[0].id, scope=scope, settings=stored)
        town = Scope(role="town", username="a", township_code=TOWN_A)
        assert read_attachment(s, attachment_id=rows[1].id, scope=town, settings=stored)[0] == PNG
        with pytest.raises(NotFound):
            read_attachment(s, attachment_id=rows[1].id + 99, scope=town, settings=stored)


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ([], "请附上证明材料"),
        ([Evidence("a.exe", b"MZ" + b"\x00" * 10)], "类型不允许"),
        ([Evidence("a.pdf", PNG)], "内容与其扩展名 .pdf 不符"),
        ([Evidence("a.pdf", PDF + b"\x00" * 5000)], "超过"),
        ([Evidence("a.pdf", b"")], "空文件"),
        ([Evidence(f"{i}.pdf", PDF) for i in range(6)], "最多 5 个"),
    ],
)
def test_evidence_of_the_wrong_type_size_or_number_is_refused(district, stored, files, words):
    run_id = _published(district, stored)
    with pytest.raises(IndustryBrainError, match=words):
        _appeal(district, stored, run_id, 105.0, files)
    folder = evidence_dir(stored)
    assert not folder.exists() or not any(folder.iterdir())


def test_the_display_name_keeps_no_folder_or_control_character():
    assert display_name("C:\\Users\\x\\证明.pdf") == "证明.pdf"
    assert display_name("/a/b/../c.jpg") == "c.jpg"
    assert display_name("..") == "证明材料"
    assert len(display_name("长" * 300 + ".pdf")) == 120 and display_name("长" * 300 + ".pdf").endswith(
        ".pdf"
    )


def test_a_claim_far_from_every_departments_figure_is_flagged(district, stored):
    run_id = _published(district, stored)
    near = _appeal(district, stored, run_id, 115.0, [Evidence("a.pdf", PDF)])  # 15% from the tax bureau's
    far = _appeal(district, stored, run_id, 900.0, [Evidence("b.pdf", PDF)], credit_code=code(2))
    with transaction(district) as s:
        appeals = {
            a["appeal_id"]: a for a in visible_appeals(s, run_id=run_id, scope=Scope.system(), far_ratio=0.2)
        }
        strict = {
            a["appeal_id"]: a for a in visible_appeals(s, run_id=run_id, scope=Scope.system(), far_ratio=0.1)
        }
    assert appeals[near.appeal_id]["far"] is False and strict[near.appeal_id]["far"] is True
    assert appeals[far.appeal_id]["far"] is True
    assert [(f["source"], f["value"]) for f in appeals[near.appeal_id]["department_figures"]] == [
        ("tax", 100.0)
    ]
    assert appeals[far.appeal_id]["department_figures"][0]["value"] == 600.0
    assert [f["file_name"] for f in appeals[near.appeal_id]["attachments"]] == ["a.pdf"]


def test_the_rejection_reason_reaches_the_enterprise_and_finalizing_waits_for_the_deadline(district, stored):
    run_id = _published(district, stored)
    filed = _appeal(district, stored, run_id, 900.0, [Evidence("a.pdf", PDF)])
    with pytest.raises(IndustryBrainError, match="待复核的申诉"), transaction(district) as s:
        finalize_run(s, run_id=run_id, today=DEADLINE + dt.timedelta(days=1))
    with transaction(district) as s:
        review_appeal(
            s, appeal_id=filed.appeal_id, accept=False, reviewer="经信局审核员",
            reason="完税证明不属于评价年度",
            settings=stored,
        )  # fmt: skip
    with transaction(district) as s:
        own = visible_appeals(
            s, run_id=run_id, scope=Scope(role="enterprise", username="甲", credit_code=code(1))
        )
    assert [(a["status_label"], a["review_reason"]) for a in own] == [("已驳回", "完税证明不属于评价年度")]
    with pytest.raises(IndustryBrainError, match="2023-05-01 起才能终审"), transaction(district) as s:
        finalize_run(s, run_id=run_id, today=DEADLINE)
    with transaction(district) as s:
        assert finalize_run(s, run_id=run_id, today=DEADLINE + dt.timedelta(days=1)).status == "final"
    with pytest.raises(IndustryBrainError, match="只有公示中的批次"), transaction(district) as s:
        finalize_run(s, run_id=run_id, today=DEADLINE + dt.timedelta(days=2))
