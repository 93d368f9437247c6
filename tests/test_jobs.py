"""Background jobs (core.jobs) on SQLite and PostgreSQL: a job goes queued → running → done
with its progress and file, or failed with a Chinese message and the traceback kept for the log;
two workers never run the same job; the same request again returns the same job; a user's
queue is limited; a job left running by a dead worker is requeued once, then failed; only the
owner sees a job."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from industry_brain.core.db import transaction
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.job_models import Job
from industry_brain.core.jobs import (
    ABANDONED_MESSAGE,
    FAILED_MESSAGE,
    JobContext,
    JobLimitReached,
    JobOutcome,
    cancel,
    claim,
    job_json,
    recover,
    register,
    result_file,
    run_job,
    submit,
    visible_job,
    visible_jobs,
    work,
)
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings

TOWN = Scope(role="town", username="town", township_code="330213001")
OTHER = Scope(role="town", username="other-town", township_code="330213002")
RAN: list[int] = []  # job ids in the order the test kind ran them
LOCK = threading.Lock()


def _count(ctx: JobContext) -> JobOutcome:
    n = int(ctx.params["n"])
    with LOCK:
        RAN.append(ctx.job_id)
    for i in range(1, n + 1):
        time.sleep(float(ctx.params.get("pause", 0)))
        ctx.progress(i, n, f"第 {i} 步")
    path = ctx.folder / "out.txt"
    path.write_text(f"{ctx.scope.username}:{n}", encoding="utf-8")
    return JobOutcome(message=f"数了 {n} 步", file=path, download_name="计数结果.txt", result={"n": n})


def _broken(ctx: JobContext) -> JobOutcome:
    if ctx.params.get("known"):
        raise IndustryBrainError("没有可用的数据")
    raise ZeroDivisionError("a developer's bug")


@pytest.fixture(autouse=True)
def kinds() -> None:
    register("test.count", label="计数", run=_count)
    register("test.broken", label="出错", run=_broken)
    RAN.clear()


@pytest.fixture
def job_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.replace(jobs_dir=str(tmp_path / "jobs"), job_queue_per_user=2, job_poll_seconds=0.05)


def _submit(
    engine: Engine, settings: Settings, scope: Scope = TOWN, kind: str = "test.count", **params: object
):  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        job, created = submit(
            session, kind=kind, params=dict(params), scope=scope, title="测试", settings=settings
        )
        return job.id, created


def _job(engine: Engine, job_id: int) -> Job:
    with transaction(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def test_a_job_runs_from_queued_to_done_with_its_progress_and_file(
    engine: Engine, job_settings: Settings
) -> None:
    job_id, created = _submit(engine, job_settings, n=3)
    assert created
    queued = job_json(_job(engine, job_id))
    assert (queued["state"], queued["state_label"], queued["percent"]) == ("queued", "排队中", 0)
    assert claim(engine, worker="w1") == job_id
    assert _job(engine, job_id).state == "running"
    assert run_job(engine, job_settings, job_id) == "done"
    job = _job(engine, job_id)
    data = job_json(job)
    assert (data["state_label"], data["done"], data["total"], data["percent"]) == ("已完成", 3, 3, 100)
    assert (
        data["message"] == "数了 3 步"
        and data["download_name"] == "计数结果.txt"
        and data["result"] == {"n": 3}
    )
    assert job.started_at is not None and job.finished_at is not None and job.finished_at >= job.started_at
    path = result_file(job_settings, job)
    assert path is not None and path.read_text(encoding="utf-8") == "town:3"
    assert Path(job_settings.jobs_dir).resolve() in path.parents
    assert claim(engine, worker="w1") is None  # nothing left


def test_a_failure_tells_the_owner_in_chinese_and_keeps_the_traceback(
    engine: Engine, job_settings: Settings
) -> None:
    bug, _ = _submit(engine, job_settings, kind="test.broken")
    known, _ = _submit(engine, job_settings, kind="test.broken", known=True)
    assert work(engine, job_settings, once=True) == 2
    failed = _job(engine, bug)
    assert (failed.state, failed.message) == ("failed", FAILED_MESSAGE)
    assert "ZeroDivisionError" in (failed.error or "") and "Traceback" not in (failed.message or "")
    assert "error" not in job_json(failed)
    refused = _job(engine, known)
    assert (refused.state, refused.message) == ("failed", "没有可用的数据")
    assert result_file(job_settings, refused) is None


def test_two_workers_never_run_the_same_job(engine: Engine, job_settings: Settings) -> None:
    users = [Scope(role="town", username=f"u{i}", township_code="330213001") for i in range(6)]
    ids = sorted(_submit(engine, job_settings, scope=u, n=2)[0] for u in users)
    stop = threading.Event()
    threads = [
        threading.Thread(target=work, args=(engine, job_settings), kwargs={"once": True, "stop": stop})
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(RAN) == ids  # every job ran, and exactly once
    with transaction(engine) as session:
        states = session.scalars(select(Job.state).where(Job.id.in_(ids))).all()
        attempts = session.scalars(select(Job.attempts).where(Job.id.in_(ids))).all()
    assert set(states) == {"done"} and set(attempts) == {1}


def test_claiming_a_taken_job_changes_nothing(engine: Engine, job_settings: Settings) -> None:
    job_id, _ = _submit(engine, job_settings, n=1)
    assert claim(engine, worker="w1") == job_id
    assert claim(engine, worker="w2") is None
    assert _job(engine, job_id).worker == "w1"


def test_the_same_request_returns_the_same_job_and_the_queue_is_limited(
    engine: Engine, job_settings: Settings
) -> None:
    first, created = _submit(engine, job_settings, n=5)
    again, created_again = _submit(engine, job_settings, n=5)
    assert created and not created_again and again == first
    assert _submit(engine, job_settings, scope=OTHER, n=5)[1]  # another user's is their own
    _submit(engine, job_settings, n=6)
    _submit(engine, job_settings, n=7)  # 1 running + 2 queued allowed (job_queue_per_user=2)
    with pytest.raises(JobLimitReached, match="每人最多 3 个"):
        _submit(engine, job_settings, n=8)
    _submit(engine, job_settings, kind="test.broken")  # another kind has its own limit
    # one of a user's jobs of a kind runs at a time: the next claim is the other user's
    assert claim(engine, worker="w") == first
    with transaction(engine) as session:
        other_first = session.scalar(select(Job.id).where(Job.owner == OTHER.username))
    assert claim(engine, worker="w") == other_first
    assert claim(engine, worker="w") == _first_of(engine, "test.broken")  # not town's next count
    assert claim(engine, worker="w") is None
    # once done, the same parameters make a new job
    with transaction(engine) as session:
        session.execute(update(Job).where(Job.id == first).values(state="done"))
    assert _submit(engine, job_settings, n=5)[1]


def _first_of(engine: Engine, kind: str) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(Job.id).where(Job.kind == kind).order_by(Job.id)) or 0)


def test_a_job_left_running_by_a_dead_worker_is_requeued_once_then_failed(
    engine: Engine, job_settings: Settings
) -> None:
    job_id, _ = _submit(engine, job_settings, n=1)
    dead = "ghost-host:1"
    assert claim(engine, worker=dead) == job_id
    assert recover(engine, job_settings) == []  # its heartbeat is fresh
    old = _job(engine, job_id).heartbeat_at
    assert old is not None
    stale = old.replace(year=old.year - 1)
    with transaction(engine) as session:
        session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=stale))
    assert recover(engine, job_settings) == [job_id]
    job = _job(engine, job_id)
    assert (job.state, job.worker, job.message) == ("queued", None, "处理进程中断，已重新排队。")
    assert claim(engine, worker=dead) == job_id  # the second attempt dies too
    with transaction(engine) as session:
        session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=stale))
    assert recover(engine, job_settings) == [job_id]
    job = _job(engine, job_id)
    assert (job.state, job.message, job.attempts) == ("failed", ABANDONED_MESSAGE, 2)


def test_a_worker_that_died_on_this_machine_is_recovered_at_once(
    engine: Engine, job_settings: Settings
) -> None:
    import socket
    import subprocess
    import sys

    gone_pid = subprocess.Popen([sys.executable, "-c", "pass"])
    gone_pid.wait()
    job_id, _ = _submit(engine, job_settings, n=1)
    assert claim(engine, worker=f"{socket.gethostname()[:80]}:{gone_pid.pid}") == job_id
    assert recover(engine, job_settings) == [job_id]  # no need to wait for a stale heartbeat
    assert work(engine, job_settings, once=True) == 1 and _job(engine, job_id).state == "done"


def test_only_the_owner_sees_a_job_and_cancelling_stops_it(engine: Engine, job_settings: Settings) -> None:
    job_id, _ = _submit(engine, job_settings, n=50, pause=0.05)
    with transaction(engine) as session:
        assert [j.id for j in visible_jobs(session, scope=TOWN)] == [job_id]
        assert visible_jobs(session, scope=OTHER) == []
        moved = Scope(role="town", username="town", township_code="330213002")  # its scope changed
        assert visible_jobs(session, scope=moved) == []
        for scope in (OTHER, moved):
            with pytest.raises(IndustryBrainError):
                visible_job(session, scope=scope, job_id=job_id)
    assert claim(engine, worker="w") == job_id
    outcome: list[str] = []
    runner = threading.Thread(target=lambda: outcome.append(run_job(engine, job_settings, job_id)))
    runner.start()
    deadline = time.monotonic() + 30
    while _job(engine, job_id).done < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    with transaction(engine) as session:
        cancel(session, scope=TOWN, job_id=job_id)
    runner.join(timeout=60)
    job = _job(engine, job_id)
    assert outcome == ["cancelled"] and job.state == "cancelled" and job.done < 50
    assert not (Path(job_settings.jobs_dir) / str(job_id)).exists()
    with transaction(engine) as session, pytest.raises(IndustryBrainError, match="已取消"):
        cancel(session, scope=TOWN, job_id=job_id)


def test_finished_jobs_and_their_files_go_after_the_keep_days(engine: Engine, job_settings: Settings) -> None:
    import datetime as dt

    from industry_brain.core.jobs import purge

    old, _ = _submit(engine, job_settings, n=1)
    assert work(engine, job_settings, once=True) == 1
    recent, _ = _submit(engine, job_settings, n=2)
    assert work(engine, job_settings, once=True) == 1
    folder = Path(job_settings.jobs_dir) / str(old)
    assert folder.is_dir()
    with transaction(engine) as session:
        session.execute(update(Job).where(Job.id == old).values(finished_at=dt.datetime(2000, 1, 1)))
    assert purge(engine, job_settings) == 1
    assert not folder.exists() and (Path(job_settings.jobs_dir) / str(recent)).is_dir()
    with transaction(engine) as session:
        assert session.scalars(select(Job.id)).all() == [recent]
