"""The `job` table: long work (bulk documents, runs started from a page, big exports) that a
worker process does outside the web server, its state and progress kept here so every server
process and page sees the same (core.jobs)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from industry_brain.core.db import Base


class Job(Base):
    """One piece of background work. `state` is queued | running | done | failed | cancelled
    (core.jobs.STATE_LABELS names them in Chinese); `scope` is the owner's scope as JSON, under
    which the work runs and which alone may see the job; `params_key` identifies the same
    request again (the owner's, of the same kind, with the same parameters)."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_owner_kind_state", "owner_id", "kind", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    owner: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(Text)
    params: Mapped[str] = mapped_column(Text)
    params_key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(12), index=True)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(String(500))
    result_path: Mapped[str | None] = mapped_column(String(500))
    download_name: Mapped[str | None] = mapped_column(String(300))
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
