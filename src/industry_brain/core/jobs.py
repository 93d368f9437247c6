"""Background jobs: long work done by a worker process, its state and progress in the database.

A page or an API route `submit`s a job (a kind registered by name, its parameters as JSON, the
owner's scope) and answers at once; a worker (`industry-brain jobs work`, or the ones
`industry-brain serve` starts beside the web server, setting `job_workers`) `claim`s queued jobs
one at a time, runs the kind's function under the owner's scope, reports progress through
`JobContext.progress`, and leaves its file under `jobs_dir/<id>/`. CPU-bound work (WeasyPrint,
the evaluation) thus never holds the web server's GIL.

Claiming is a conditional UPDATE (`... WHERE id = :id AND state = 'queued'` and no running job
of the same owner and kind): of two workers only one sees its row change, on SQLite and
PostgreSQL alike. A worker beats a heartbeat while it works; a running job whose heartbeat is
older than `job_stale_seconds`, or whose worker process on this machine is gone, is requeued
once and then failed (`recover`). Asking again for the same work (same owner, kind and
parameters) while it is queued or running returns that job; a user may have one job of a kind
running and `job_queue_per_user` waiting.

This module imports no domain: the domains' work is registered from above (industry_brain.job_kinds).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import CursorResult, Engine, and_, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from industry_brain.core.audit import now
from industry_brain.core.auth import NotFound
from industry_brain.core.db import transaction
from industry_brain.core.errors import ConfigurationError, IndustryBrainError
from industry_brain.core.job_models import Job
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings

log = logging.getLogger(__name__)
STATES = ("queued", "running", "done", "failed", "cancelled")
STATE_LABELS = {
    "queued": "排队中",
    "running": "运行中",
    "done": "已完成",
    "failed": "失败",
    "cancelled": "已取消",
}
ACTIVE = ("queued", "running")
MAX_ATTEMPTS = 2
FAILED_MESSAGE = "任务执行出错，请稍后重试；如仍失败请联系系统管理员。"
ABANDONED_MESSAGE = "任务执行中断（处理进程已停止），请重新发起。"
REQUEUED_MESSAGE = "处理进程中断，已重新排队。"


class JobLimitReached(IndustryBrainError):
    """The user already has as many jobs of the kind as allowed."""


class JobCancelled(Exception):
    """Raised inside a job's work when its owner cancelled it."""


@dataclass
class JobOutcome:
    """What a job's work returns: a message for the owner, and its file (inside ctx.folder)."""

    message: str
    file: Path | None = None
    download_name: str | None = None
    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str  # what the owner reads: 评价结果告知书, 亩均评价 ...
    run: Callable[[JobContext], JobOutcome]


_KINDS: dict[str, JobKind] = {}


def register(name: str, *, label: str, run: Callable[[JobContext], JobOutcome]) -> None:
    """Make `name` a kind of job; `run(ctx)` does the work (idempotent by name)."""
    _KINDS[name] = JobKind(name=name, label=label, run=run)


def kind_of(name: str) -> JobKind:
    if name not in _KINDS:
        raise ConfigurationError(f"未知的任务类型“{name}”")
    return _KINDS[name]


def kind_label(name: str) -> str:
    return _KINDS[name].label if name in _KINDS else "后台任务"


# ---- the scope and parameters, as stored ---------------------------------------------------------

SCOPE_FIELDS = ("role", "username", "township_code", "unit", "credit_code")


def scope_json(scope: Scope) -> str:
    return json.dumps({f: getattr(scope, f) for f in SCOPE_FIELDS}, ensure_ascii=False, sort_keys=True)


def scope_from_json(text: str) -> Scope:
    data = json.loads(text)
    return Scope(**{f: data.get(f) for f in SCOPE_FIELDS})


def params_key(kind: str, params: dict[str, Any]) -> str:
    canonical = json.dumps([kind, params], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def jobs_root(settings: Settings) -> Path:
    return Path(settings.jobs_dir).expanduser().resolve()


# ---- asking for work -----------------------------------------------------------------------------


def submit(
    session: Session,
    *,
    kind: str,
    params: dict[str, Any],
    scope: Scope,
    title: str,
    settings: Settings,
    owner_id: int | None = None,
) -> tuple[Job, bool]:
    """(the job, whether it is new): the owner's queued or running job of the same kind and
    parameters if there is one, else a new queued job; JobLimitReached past the per-user limit."""
    spec = kind_of(kind)
    key = params_key(kind, params)
    mine = and_(Job.owner == scope.username, Job.kind == kind, Job.state.in_(ACTIVE))
    same = session.scalar(select(Job).where(mine, Job.params_key == key).order_by(Job.id).limit(1))
    if same is not None and same.scope == scope_json(scope):
        return same, False
    active = int(session.scalar(select(func.count()).select_from(Job).where(mine)) or 0)
    allowed = 1 + max(0, int(settings.job_queue_per_user))
    if active >= allowed:
        raise JobLimitReached(
            f"您已有 {active} 个“{spec.label}”任务在排队或运行（每人最多 {allowed} 个），"
            "请等其完成或取消后再发起。"
        )
    job = Job(
        kind=kind,
        owner_id=owner_id,
        owner=scope.username,
        scope=scope_json(scope),
        params=json.dumps(params, ensure_ascii=False, sort_keys=True, default=str),
        params_key=key,
        title=title[:300],
        state="queued",
        done=0,
        message="排队等待处理",
        attempts=0,
        created_at=now(),
    )
    session.add(job)
    session.flush()
    return job, True


def visible_jobs(session: Session, *, scope: Scope, limit: int = 50, state: str | None = None) -> list[Job]:
    """The caller's own jobs (made under the scope it has now), newest first; every job for
    the system scope (the command line)."""
    stmt = select(Job).order_by(Job.id.desc()).limit(limit)
    if state:
        stmt = stmt.where(Job.state == state)
    if scope.role != "system":
        stmt = stmt.where(Job.owner == scope.username)
    jobs = session.scalars(stmt).all()
    return [j for j in jobs if scope.role == "system" or j.scope == scope_json(scope)]


def visible_job(session: Session, *, scope: Scope, job_id: int) -> Job:
    """One job of the caller's; NotFound for another's, the same as for an absent one."""
    job = session.get(Job, job_id)
    mine = job is not None and job.owner == scope.username and job.scope == scope_json(scope)
    if job is None and scope.role == "system":
        raise NotFound(f"任务 {job_id} 不存在")
    if job is None or (scope.role != "system" and not mine):
        raise NotFound()
    return job


def cancel(session: Session, *, scope: Scope, job_id: int) -> Job:
    """Cancel a queued or running job of the caller's (a running one stops at its next step)."""
    job = visible_job(session, scope=scope, job_id=job_id)
    if job.state not in ACTIVE:
        raise IndustryBrainError(f"任务 {job.id} 已{STATE_LABELS[job.state]}，不能取消")
    job.state = "cancelled"
    job.message = "已取消"
    job.finished_at = now()
    session.flush()
    return job


def result_file(settings: Settings, job: Job) -> Path | None:
    """The job's file on disk, if it is done and the file is still there (never outside jobs_dir)."""
    if job.state != "done" or not job.result_path:
        return None
    root = jobs_root(settings)
    path = (root / job.result_path).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def job_json(job: Job) -> dict[str, Any]:
    """What the owner reads about a job (no error text: that is for the log)."""
    total = job.total
    percent = 100 if job.state == "done" else (round(100 * job.done / total) if total else 0)
    stamp = lambda t: None if t is None else t.isoformat(timespec="seconds")  # noqa: E731
    return {
        "id": job.id,
        "kind": job.kind,
        "kind_label": kind_label(job.kind),
        "title": job.title,
        "state": job.state,
        "state_label": STATE_LABELS.get(job.state, job.state),
        "done": job.done,
        "total": total,
        "percent": min(100, percent),
        "message": job.message,
        "parameters": json.loads(job.params),
        "download_name": job.download_name if job.state == "done" else None,
        "has_file": bool(job.state == "done" and job.result_path),
        "result": json.loads(job.result) if job.result else {},
        "created_at": stamp(job.created_at),
        "started_at": stamp(job.started_at),
        "finished_at": stamp(job.finished_at),
    }


# ---- doing the work ------------------------------------------------------------------------------


class JobContext:
    """What a job's work gets: its parameters, the owner's scope, sessions, its folder, and
    `progress` (which also stops the work when the owner cancelled)."""

    def __init__(self, engine: Engine, settings: Settings, job: Job) -> None:
        self.engine = engine
        self.settings = settings
        self.job_id = job.id
        self.kind = job.kind
        self.params: dict[str, Any] = json.loads(job.params)
        self.scope = scope_from_json(job.scope)
        self.folder = jobs_root(settings) / str(job.id)
        self._last = 0.0
        self._total: int | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction, committed once when the block ends (the job is the boundary)."""
        with transaction(self.engine) as session:
            yield session

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Record progress (at most twice a second, and always the last step and a new total,
        which the page needs to draw the bar); raises JobCancelled once the job is no longer
        running (cancelled by its owner)."""
        moment = time.monotonic()
        if moment - self._last < 0.5 and total is not None and done < total and total == self._total:
            return
        self._last = moment
        if total is not None:
            self._total = total
        values: dict[str, Any] = {"done": done, "heartbeat_at": now()}
        if total is not None:
            values["total"] = total
        if message is not None:
            values["message"] = message[:500]
        with transaction(self.engine) as session:
            changed = _changed(
                session, update(Job).where(Job.id == self.job_id, Job.state == "running").values(**values)
            )
        if not changed:
            raise JobCancelled()


def _changed(session: Session, statement: Any) -> int:
    """How many rows an UPDATE changed (the test that makes claiming and finishing atomic)."""
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return int(result.rowcount)


def worker_name() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


def claim(engine: Engine, *, worker: str) -> int | None:
    """Take the oldest queued job whose owner has no job of its kind running; None if there is
    none. Atomic: the UPDATE changes the row only while it is still queued."""
    with transaction(engine) as session:
        candidates = session.execute(
            select(Job.id, Job.owner, Job.kind).where(Job.state == "queued").order_by(Job.id).limit(50)
        ).all()
    other = aliased(Job)
    for job_id, owner, kind in candidates:
        busy = exists().where(other.owner == owner, other.kind == kind, other.state == "running")
        stamp = now()
        with transaction(engine) as session:
            taken = _changed(
                session,
                update(Job)
                .where(Job.id == job_id, Job.state == "queued", ~busy)
                .values(
                    state="running",
                    worker=worker,
                    started_at=stamp,
                    heartbeat_at=stamp,
                    attempts=Job.attempts + 1,
                    message="正在处理",
                )
                .execution_options(synchronize_session=False),
            )
        if taken:
            return int(job_id)
    return None


def _heartbeat(engine: Engine, job_id: int, every: float, stop: threading.Event) -> None:
    while not stop.wait(every):
        try:
            with transaction(engine) as session:
                session.execute(
                    update(Job).where(Job.id == job_id, Job.state == "running").values(heartbeat_at=now())
                )
        except Exception:  # a lost beat is retried; the work itself goes on
            log.exception("heartbeat of job %s", job_id)


def run_job(engine: Engine, settings: Settings, job_id: int) -> str:
    """Do one claimed job; returns its final state. The owner reads a Chinese message; the
    traceback goes to the job's error text and the log."""
    with transaction(engine) as session:
        job = session.get(Job, job_id)
        if job is None or job.state != "running":
            return job.state if job is not None else "failed"
        session.expunge(job)
    ctx = JobContext(engine, settings, job)
    stop = threading.Event()
    beat = threading.Thread(
        target=_heartbeat, args=(engine, job_id, max(1.0, settings.job_stale_seconds / 4), stop), daemon=True
    )
    beat.start()
    try:
        shutil.rmtree(ctx.folder, ignore_errors=True)  # a requeued job starts afresh
        ctx.folder.mkdir(parents=True, exist_ok=True)
        outcome = kind_of(job.kind).run(ctx)
    except JobCancelled:
        shutil.rmtree(ctx.folder, ignore_errors=True)
        return "cancelled"
    except IndustryBrainError as exc:
        _fail(engine, job_id, str(exc), traceback.format_exc())
        shutil.rmtree(ctx.folder, ignore_errors=True)
        return "failed"
    except Exception:
        log.exception("job %s (%s) failed", job_id, job.kind)
        _fail(engine, job_id, FAILED_MESSAGE, traceback.format_exc())
        shutil.rmtree(ctx.folder, ignore_errors=True)
        return "failed"
    finally:
        stop.set()
        beat.join()
    return _finish(engine, settings, job_id, outcome, ctx.folder)


def _finish(engine: Engine, settings: Settings, job_id: int, outcome: JobOutcome, folder: Path) -> str:
    relative = None
    if outcome.file is not None:
        relative = outcome.file.resolve().relative_to(jobs_root(settings)).as_posix()
    with transaction(engine) as session:
        total = session.scalar(select(Job.total).where(Job.id == job_id))
        done = _changed(
            session,
            update(Job)
            .where(Job.id == job_id, Job.state == "running")
            .values(
                state="done",
                done=total or 0,
                message=outcome.message[:500],
                result_path=relative,
                download_name=outcome.download_name,
                result=json.dumps(outcome.result, ensure_ascii=False) if outcome.result else None,
                finished_at=now(),
            ),
        )
    if not done:  # cancelled while it was finishing
        shutil.rmtree(folder, ignore_errors=True)
        return "cancelled"
    return "done"


def _fail(engine: Engine, job_id: int, message: str, error: str) -> None:
    with transaction(engine) as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == "running")
            .values(state="failed", message=message[:500], error=error, finished_at=now())
        )


def _gone(worker: str | None) -> bool:
    """Whether the worker named `worker` ran on this machine and its process has ended."""
    host, _, pid = (worker or "").rpartition(":")
    if host != socket.gethostname()[:80] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recover(engine: Engine, settings: Settings) -> list[int]:
    """Requeue (once) or fail the running jobs whose worker is gone: its process on this machine
    has ended, or it has not beaten for `job_stale_seconds`. Returns their ids."""
    cutoff = now() - dt.timedelta(seconds=int(settings.job_stale_seconds))
    with transaction(engine) as session:
        running = session.execute(
            select(Job.id, Job.worker, Job.heartbeat_at, Job.attempts).where(Job.state == "running")
        ).all()
    recovered = []
    for job_id, worker, beat, attempts in running:
        if not (_gone(worker) or beat is None or beat < cutoff):
            continue
        again = attempts < MAX_ATTEMPTS
        values: dict[str, Any] = (
            {"state": "queued", "worker": None, "done": 0, "message": REQUEUED_MESSAGE}
            if again
            else {"state": "failed", "message": ABANDONED_MESSAGE, "finished_at": now()}
        )
        values["error"] = f"worker {worker} stopped reporting (last heartbeat {beat})"
        same_worker = Job.worker.is_(None) if worker is None else Job.worker == worker
        with transaction(engine) as session:
            changed = _changed(
                session,
                update(Job).where(Job.id == job_id, Job.state == "running", same_worker).values(**values),
            )
        if changed:
            log.warning("job %s of a stopped worker %s: %s", job_id, worker, values["state"])
            recovered.append(int(job_id))
    return recovered


def purge(engine: Engine, settings: Settings) -> int:
    """Delete the jobs (and their files) that ended more than `job_keep_days` ago."""
    cutoff = now() - dt.timedelta(days=int(settings.job_keep_days))
    with transaction(engine) as session:
        old = session.scalars(select(Job).where(Job.state.not_in(ACTIVE), Job.finished_at < cutoff)).all()
        for job in old:
            shutil.rmtree(jobs_root(settings) / str(job.id), ignore_errors=True)
            session.delete(job)
    return len(old)


def work(
    engine: Engine,
    settings: Settings,
    *,
    once: bool = False,
    parent_pid: int | None = None,
    stop: threading.Event | None = None,
) -> int:
    """The worker loop: recover abandoned jobs, then claim and run queued ones until stopped
    (`once`: until the queue is empty; `parent_pid`: until that process has gone). Returns how
    many jobs it ran."""
    stop = stop or threading.Event()
    me = worker_name()
    ran = 0
    recover(engine, settings)
    purge(engine, settings)
    checked = purged = time.monotonic()
    while not stop.is_set():
        if parent_pid is not None and os.getppid() != parent_pid:
            break  # the server that started us is gone
        if time.monotonic() - checked > max(5.0, settings.job_stale_seconds / 2):
            recover(engine, settings)
            checked = time.monotonic()
        if time.monotonic() - purged > 3600:
            purge(engine, settings)
            purged = time.monotonic()
        job_id = claim(engine, worker=me)
        if job_id is None:
            if once:
                break
            stop.wait(max(0.05, float(settings.job_poll_seconds)))
            continue
        state = run_job(engine, settings, job_id)
        log.info("job %s: %s", job_id, state)
        ran += 1
    return ran


def spawn_workers(settings: Settings, count: int) -> list[subprocess.Popen[bytes]]:
    """Start `count` worker processes (`industry-brain jobs work`) on the same database, which
    stop when this process ends."""
    command = [sys.executable, "-m", "industry_brain", "jobs", "work", "--db", settings.database_url]
    command += ["--parent-pid", str(os.getpid())]
    return [subprocess.Popen(command) for _ in range(max(0, count))]


def stop_workers(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
