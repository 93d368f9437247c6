"""政策兑现告知书 and 公示名单 (SQLite and PostgreSQL): written as Word, PDF and Excel, opened
again and read: the enterprise's name, its figures against each condition, the amount in 万元
with its rounding, the state, and no raw codes or English; scopes and the CLI."""

from __future__ import annotations

import datetime as dt
import re

import docx
import openpyxl
import pypdf
import pytest
from typer.testing import CliRunner

from helpers import code, run_import, write_csv
from industry_brain.cli.main import build_app
from industry_brain.core.auth import NotFound
from industry_brain.core.db import transaction
from industry_brain.core.scope import Scope
from industry_brain.policies import workflow as wf
from industry_brain.policies.notice import notice_row, publicity_list, write_list, write_notices

E = {i: code(300 + i) for i in range(1, 4)}
TOWN = "330213001"
AS_OF = dt.date(2025, 3, 1)
TODAY = dt.date(2025, 4, 2)
STATS = ["统一社会信用代码", "企业名称", "行业代码", "是否规上", "营业收入（万元）"]
ROWS = {1: (1000, 1200), 2: (1000, 1150), 3: (1000, 1160)}  # all eligible; 丙 left unconfirmed
BUREAU = Scope(role="department", username="jxj", unit="区经信局")
OWN = Scope(role="enterprise", username="e1", credit_code=E[1])


@pytest.fixture
def confirmed(engine, settings, tmp_path):
    """A scale_up_reward run: 企业甲 confirmed, accepted and paid; 企业乙 confirmed."""
    reg = [["统一社会信用代码", "企业名称", "行业代码", "所属镇街"]]
    reg += [[c, f"企业{'甲乙丙'[i - 1]}", "3444", TOWN] for i, c in E.items()]
    run_import(engine, settings, write_csv(tmp_path / "reg.csv", reg), "registry")
    for year, k in ((2023, 0), (2024, 1)):
        rows = [STATS] + [
            [E[i], f"企业{'甲乙丙'[i - 1]}", "3444", "是" if k else "否", r[k]] for i, r in ROWS.items()
        ]
        run_import(engine, settings, write_csv(tmp_path / f"s{year}.csv", rows), "stats", str(year))
    with transaction(engine) as s:
        run = wf.start_run(s, policy_id="scale_up_reward", as_of=AS_OF, scope=BUREAU)
        ids = {m["credit_code"]: m["id"] for m in wf.matches(s, scope=BUREAU, run_id=run.id)}
        for i in (1, 2):
            wf.department_decide(s, match_id=ids[E[i]], confirm=True, reason=None, scope=BUREAU)
        wf.enterprise_decide(s, match_id=ids[E[1]], accept=True, reason=None, scope=OWN)
        wf.record_payment(
            s, match_id=ids[E[1]], amount_wan=10, paid_on=dt.date(2025, 4, 1), voucher="BF-001", scope=BUREAU
        )
        return engine, run.id, ids


def docx_text(path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def pdf_text(path) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in pypdf.PdfReader(str(path)).pages))


def no_codes_or_english(text: str) -> None:
    """Only Chinese, figures and the 统一社会信用代码 and voucher the document names."""
    bare = text
    for c in E.values():
        bare = bare.replace(c, "")
    bare = bare.replace("BF-001", "")
    assert not re.findall(r"[A-Za-z_]{2,}", bare), re.findall(r"[A-Za-z_]{2,}\S*", bare)


def test_the_notice_of_a_paid_match_in_word_and_pdf(confirmed, settings, tmp_path):
    engine, _, ids = confirmed
    with transaction(engine) as s:
        row = notice_row(s, scope=OWN, match_id=ids[E[1]])
    w = write_notices([row], tmp_path / "告知书.docx", fmt="docx", settings=settings, today=TODAY)
    p = write_notices([row], tmp_path / "告知书.pdf", fmt="pdf", settings=settings, today=TODAY)
    text = docx_text(w)
    for want in (
        "政策兑现告知书", "企业甲", E[1], "“小升规”工业企业奖励", "营业收入增速", "20%", "不低于 15%",
        "10.00 万元", "四舍五入保留2位小数", "已拨付", "2025年4月1日", "BF-001", "确认享受",
    ):  # fmt: skip
        assert want in text, want
    assert "符合" in text and "第" in text  # each condition with its article
    no_codes_or_english(text)
    flat = pdf_text(p)
    for want in ("政策兑现告知书", "企业甲", "10.00万元", "已拨付"):
        assert want in flat, want
    no_codes_or_english(flat)


def test_a_confirmed_match_tells_how_to_accept_or_decline(confirmed, settings, tmp_path):
    engine, _, ids = confirmed
    with transaction(engine) as s:
        row = notice_row(s, scope=BUREAU, match_id=ids[E[2]])
    text = docx_text(write_notices([row], tmp_path / "n.docx", fmt="docx", settings=settings, today=TODAY))
    assert "部门已确认，待企业确认" in text and "“确认享受”或“放弃”" in text and "企业乙" in text


def test_scopes_and_states(confirmed):
    engine, _, ids = confirmed
    with transaction(engine) as s:
        with pytest.raises(NotFound):  # another enterprise's reads as absent
            notice_row(s, scope=OWN, match_id=ids[E[2]])
        with pytest.raises(NotFound):  # a department that does not run the policy
            notice_row(s, scope=Scope(role="department", unit="区科技局"), match_id=ids[E[1]])
        with pytest.raises(NotFound):
            notice_row(s, scope=BUREAU, match_id=999_999)
        with pytest.raises(NotFound):  # an enterprise sees no list
            publicity_list(s, scope=OWN, run_id=1)
        with pytest.raises(wf.WorkflowError, match="部门确认后才有"):
            notice_row(s, scope=BUREAU, match_id=ids[E[3]])


def test_publicity_list_in_word_pdf_and_excel(confirmed, settings, tmp_path):
    engine, run_id, _ = confirmed
    with transaction(engine) as s:
        got = publicity_list(s, scope=BUREAU, run_id=run_id)
    assert [r["name"] for r in got["rows"]] == ["企业甲", "企业乙"]
    text = docx_text(write_list(got, tmp_path / "名单.docx", fmt="docx", settings=settings, today=TODAY))
    assert "企业甲" in text and "企业乙" in text and "合计 20.00 万元" in text and "企业丙" not in text
    no_codes_or_english(text)
    flat = pdf_text(write_list(got, tmp_path / "名单.pdf", fmt="pdf", settings=settings, today=TODAY))
    assert "企业乙" in flat and "公示名单" in flat
    book = openpyxl.load_workbook(
        write_list(got, tmp_path / "名单.xlsx", fmt="xlsx", settings=settings, today=TODAY)
    )
    values = [c for r in book.active.iter_rows(values_only=True) for c in r if c is not None]
    assert "企业甲" in values and 10.0 in values


def test_cli_writes_the_notice_and_the_list(confirmed, db_url, tmp_path):
    _, run_id, ids = confirmed
    app = build_app()
    out = tmp_path / "政策兑现告知书.pdf"
    res = CliRunner().invoke(
        app, ["policies", "notice", str(ids[E[1]]), "--output", str(out), "--db", db_url]
    )
    assert res.exit_code == 0, res.output
    assert "企业甲" in pdf_text(out)
    wrong = CliRunner().invoke(
        app, ["policies", "notice", str(ids[E[1]]), "--output", "x.txt", "--db", db_url]
    )
    assert wrong.exit_code != 0 and ".docx" in wrong.output
    listed = tmp_path / "公示名单.xlsx"
    res = CliRunner().invoke(
        app, ["policies", "publicity", "--run", str(run_id), "--output", str(listed), "--db", db_url]
    )
    assert res.exit_code == 0 and listed.exists(), res.output


def test_bulk_notices_as_a_job_zip_one_file_per_enterprise(confirmed, db_url, tmp_path):
    import zipfile

    from industry_brain.core.jobs import Job, result_file, submit, work
    from industry_brain.core.settings import get_settings
    from industry_brain.job_kinds import register_all
    from industry_brain.policies.notice_jobs import KIND, notice_request

    engine, run_id, _ = confirmed
    settings = get_settings(environ={}, database_url=db_url, jobs_dir=str(tmp_path / "jobs"))
    register_all()
    with transaction(engine) as s:
        with pytest.raises(NotFound):  # an enterprise of another run's notices: none in its scope
            notice_request(s, scope=Scope(role="enterprise", credit_code=E[3]), run_id=run_id, fmt="pdf-zip")
        title, params = notice_request(s, scope=BUREAU, run_id=run_id, fmt="docx-zip")
        job, _ = submit(s, kind=KIND, params=params, scope=BUREAU, title=title, settings=settings)
        job_id = job.id
    assert "2 户" in title
    assert work(engine, settings, once=True) == 1
    with transaction(engine) as s:
        done = s.get(Job, job_id)
        assert done is not None and done.state == "done", (done.message, done.error)
        s.expunge(done)
    assert done.download_name == f"政策兑现告知书_“小升规”工业企业奖励_批次{run_id}_Word.zip"
    path = result_file(settings, done)
    assert path is not None
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert names == [f"0001_企业甲_{E[1]}.docx", f"0002_企业乙_{E[2]}.docx"]
        z.extract(names[1], tmp_path)
    assert "企业乙" in docx_text(tmp_path / names[1])
