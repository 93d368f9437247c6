"""The evaluation's jobs on SQLite and PostgreSQL: a town's bulk notices (a zip of Word files,
a zip of PDFs, one merged PDF) hold exactly its own enterprises' notices, named in Chinese; a
district's hold every one, with no 500 limit; an evaluation run started as a job is a new draft
run, as `industry-brain evaluate --year` makes it."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from sqlalchemy import Engine

from industry_brain.core.auth import Forbidden, NotFound
from industry_brain.core.db import transaction
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.job_models import Job
from industry_brain.core.jobs import result_file, submit, work
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings, get_settings
from industry_brain.evaluation.notice_jobs import KIND, notice_request
from industry_brain.evaluation.run_jobs import run_request
from industry_brain.evaluation.run_views import list_runs
from industry_brain.job_kinds import register_all
from industry_brain.registry import open_database
from web_fixtures import ENTERPRISES, TOWN_A, seed

TOWN = Scope(role="town", username="town", township_code=TOWN_A)
ANALYST = Scope(role="analyst", username="analyst")


@pytest.fixture
def seeded(db_url: str, tmp_path: Path) -> tuple[Engine, Settings, int, int]:
    (tmp_path / "files").mkdir()
    ids = seed(db_url, tmp_path / "files")
    settings = get_settings(environ={}, database_url=db_url, jobs_dir=str(tmp_path / "jobs"))
    engine = open_database(db_url)
    register_all()
    yield engine, settings, int(ids["run_published"]), int(ids["run_draft"])  # type: ignore[misc,call-overload]
    engine.dispose()


def _run(engine: Engine, settings: Settings, scope: Scope, run_id: int, fmt: str) -> Job:
    with transaction(engine) as session:
        title, params = notice_request(session, scope=scope, run_id=run_id, fmt=fmt)
        job, _ = submit(session, kind=KIND, params=params, scope=scope, title=title, settings=settings)
        job_id = job.id
    assert work(engine, settings, once=True) == 1
    with transaction(engine) as session:
        done = session.get(Job, job_id)
        assert done is not None
        session.expunge(done)
    assert done.state == "done", (done.message, done.error)
    return done


def _pdf_text(content: bytes) -> list[str]:
    return [re.sub(r"\s+", "", p.extract_text()) for p in pypdf.PdfReader(io.BytesIO(content)).pages]


def _ours() -> dict[str, str]:
    return {c: name for c, (name, town) in ENTERPRISES.items() if town == TOWN_A}


def test_a_towns_word_zip_holds_exactly_its_enterprises_notices(seeded) -> None:  # type: ignore[no-untyped-def]
    engine, settings, run_id, _ = seeded
    job = _run(engine, settings, TOWN, run_id, "docx-zip")
    assert job.download_name == f"评价结果告知书_2022年度_批次{run_id}_锦屏街道_Word.zip"
    assert "锦屏街道" in job.title and "2 户" in job.title
    path = result_file(settings, job)
    assert path is not None
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        texts = {
            n: "\n".join(p.text for p in docx.Document(io.BytesIO(archive.read(n))).paragraphs) for n in names
        }
    ours = _ours()
    assert len(names) == len(ours)
    for credit_code, name in ours.items():
        member = next(n for n in names if credit_code in n)
        assert re.fullmatch(rf"\d{{4}}_{name}_{credit_code}\.docx", member)
        assert name in texts[member] and "评价结果告知书" in texts[member]
    others = [c for c in ENTERPRISES if c not in ours]
    assert not any(c in text for c in others for text in texts.values())
    assert (job.done, job.total, job.result) == (2, 2, f'{{"notices": 2, "run_id": {run_id}}}')


def test_a_towns_pdf_zip_and_merged_pdf_hold_one_notice_per_enterprise(seeded) -> None:  # type: ignore[no-untyped-def]
    engine, settings, run_id, _ = seeded
    ours = _ours()
    zipped = _run(engine, settings, TOWN, run_id, "pdf-zip")
    path = result_file(settings, zipped)
    assert path is not None
    with zipfile.ZipFile(path) as archive:
        pdfs = {n: "".join(_pdf_text(archive.read(n))) for n in archive.namelist()}
    assert sorted(c for c in ours if any(c in n and c in t for n, t in pdfs.items())) == sorted(ours)
    assert len(pdfs) == len(ours)
    merged = _run(engine, settings, TOWN, run_id, "pdf")
    assert merged.download_name and merged.download_name.endswith("_合并.pdf")
    path = result_file(settings, merged)
    assert path is not None
    pages = _pdf_text(path.read_bytes())
    starts = [p for p in pages if "年度亩均效益综合评价结果告知书" in p]
    assert len(starts) == len(ours)  # each notice starts its own page
    for credit_code in ours:
        assert sum(credit_code in p for p in starts) == 1
    assert not any(c in "".join(pages) for c in ENTERPRISES if c not in ours)
    assert merged.total == len(ours) + 1 and merged.done == merged.total  # the merge is a step


def test_the_district_gets_every_notice_and_outsiders_none(seeded) -> None:  # type: ignore[no-untyped-def]
    engine, settings, run_id, draft = seeded
    job = _run(engine, settings, ANALYST, draft, "docx-zip")  # the analyst reads drafts too
    assert job.download_name == f"评价结果告知书_2022年度_批次{draft}_全区_Word.zip"
    path = result_file(settings, job)
    assert path is not None
    with zipfile.ZipFile(path) as archive:
        assert len(archive.namelist()) == len(ENTERPRISES)
    with transaction(engine) as session:
        with pytest.raises(NotFound):  # a town does not see drafts
            notice_request(session, scope=TOWN, run_id=draft, fmt="pdf")
        with pytest.raises(NotFound):
            notice_request(
                session,
                scope=Scope(role="department", username="d", unit="区科技局"),
                run_id=run_id,
                fmt="pdf",
            )
        with pytest.raises(ConfigurationError):
            notice_request(session, scope=TOWN, run_id=run_id, fmt="xls")


def test_an_evaluation_run_started_as_a_job_is_a_new_draft_run(seeded) -> None:  # type: ignore[no-untyped-def]
    engine, settings, _, _ = seeded
    with pytest.raises(Forbidden):
        run_request(scope=TOWN, year=2022, method="huangyan-2022")
    with pytest.raises(ConfigurationError):
        run_request(scope=ANALYST, year=2022, method="no-such-method")
    with transaction(engine) as session:
        before = {r.run_id for r in list_runs(session)}
        title, params = run_request(scope=ANALYST, year=2022, method="huangyan-2022")
        job, _ = submit(
            session, kind="evaluation.run", params=params, scope=ANALYST, title=title, settings=settings
        )
        job_id = job.id
    assert work(engine, settings, once=True) == 1
    with transaction(engine) as session:
        done = session.get(Job, job_id)
        assert done is not None and done.state == "done", (done.message, done.error)
        runs = {r.run_id: r for r in list_runs(session)}
        new = set(runs) - before
        assert len(new) == 1
        run = runs[new.pop()]
        assert (run.year, run.status, run.method) == (2022, "draft", "huangyan-2022")
        assert f"评价批次 {run.run_id}" in (done.message or "")


def test_a_year_without_data_fails_with_a_message(seeded) -> None:  # type: ignore[no-untyped-def]
    engine, settings, _, _ = seeded
    with transaction(engine) as session:
        title, params = run_request(scope=ANALYST, year=1995, method="huangyan-2022")
        job, _ = submit(
            session, kind="evaluation.run", params=params, scope=ANALYST, title=title, settings=settings
        )
        job_id = job.id
    work(engine, settings, once=True)
    with transaction(engine) as session:
        failed = session.get(Job, job_id)
        assert failed is not None and failed.state == "failed"
        assert (
            failed.message
            and "1995 年没有企业数据可供评价" in failed.message
            and not failed.error.startswith("1995")
        )


def test_a_plan_review_made_as_a_job_is_the_reports_file(seeded) -> None:  # type: ignore[no-untyped-def]
    from industry_brain.plans.review_jobs import KIND as REVIEW
    from industry_brain.plans.review_jobs import review_request
    from industry_brain.plans.service import list_plans

    engine, settings, _, _ = seeded
    plan = list_plans()[0]
    with pytest.raises(Forbidden):
        review_request(scope=TOWN, plan_id=plan["id"], as_of="2023", fmt="docx")
    with pytest.raises(NotFound):
        review_request(scope=ANALYST, plan_id="no-such-plan", as_of="2023", fmt="docx")
    with pytest.raises(ConfigurationError):
        review_request(scope=ANALYST, plan_id=plan["id"], as_of="2023/12", fmt="docx")
    title, params = review_request(scope=ANALYST, plan_id=plan["id"], as_of="2023", fmt="docx")
    with transaction(engine) as session:
        job, _ = submit(session, kind=REVIEW, params=params, scope=ANALYST, title=title, settings=settings)
        job_id = job.id
    assert work(engine, settings, once=True) == 1
    with transaction(engine) as session:
        done = session.get(Job, job_id)
        assert done is not None and done.state == "done", (done.message, done.error)
        session.expunge(done)
    assert done.download_name == f"{plan['title']}_对表对标评估报告_截至2023.docx"
    path = result_file(settings, done)
    assert path is not None
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert plan["title"] in text and "项指标" in (done.message or "")
