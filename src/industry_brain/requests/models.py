"""涉企问题' tables: the case, its append-only history, the files attached to it, and the
共性问题 that group cases of one cause.

The case row holds the current state and the deadlines as of its last event (so lists filter
and sort in SQL); the history is the record of what happened and is never updated or deleted
(see `install_history_guard`). `version` is an optimistic lock: two users updating one case at
once both read version n, the first write makes it n+1 and the second finds no row of version n,
so it is retried from a fresh read instead of overwriting the first (service.apply_with_retry).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from industry_brain.core.db import Base
from industry_brain.core.errors import IndustryBrainError


class EnterpriseRequest(Base):
    """One problem an enterprise raised (one 涉企问题 case)."""

    __tablename__ = "enterprise_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    township_code: Mapped[str | None] = mapped_column(String(9), index=True)  # the enterprise's, when raised
    category: Mapped[str] = mapped_column(String(40))
    priority: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))  # 企业自报, 服务专员, 镇街, 分析员 ...
    state: Mapped[str] = mapped_column(String(10), index=True)
    lead_unit: Mapped[str] = mapped_column(String(100), index=True)
    co_units: Mapped[str] = mapped_column(Text, default="")  # "、"-joined names
    chain_id: Mapped[str | None] = mapped_column(String(80))  # routed to this chain's chief
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    opened_by: Mapped[str] = mapped_column(String(64))
    assigned_on: Mapped[dt.date | None] = mapped_column(Date)
    clock_start: Mapped[dt.date] = mapped_column(Date)  # the 受理 day, or the day of the last 重办
    accept_due: Mapped[dt.date] = mapped_column(Date)
    reply_due: Mapped[dt.date] = mapped_column(Date)
    due: Mapped[dt.date] = mapped_column(Date, index=True)  # 办结 deadline
    co_due: Mapped[dt.date | None] = mapped_column(Date)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)  # working days waiting on the enterprise
    paused_since: Mapped[dt.date | None] = mapped_column(Date)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)  # approved 延期
    extension_pending: Mapped[int | None] = mapped_column(Integer)  # requested, not yet decided
    replied_on: Mapped[dt.date | None] = mapped_column(Date)
    rating: Mapped[str | None] = mapped_column(String(10))
    redo_count: Mapped[int] = mapped_column(Integer, default=0)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(Text)
    duplicate_of: Mapped[int | None] = mapped_column(Integer)
    rules_from: Mapped[dt.date] = mapped_column(Date)  # effective_from of the rules it was routed by
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    # The service sets the version itself (one more per event, the event's seq), so every step
    # bumps it even when no other column changes; the UPDATE still checks the version it read.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012


class RequestEvent(Base):
    """One thing that happened to a case: who (user, role, unit), when, what, from which state
    to which, with its text and details. Append-only."""

    __tablename__ = "request_event"
    __table_args__ = (UniqueConstraint("request_id", "seq", name="uq_request_event_request_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("enterprise_request.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    text: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)  # JSON: unit, days, rating, reason ...


class RequestAttachment(Base):
    """A file attached to a case by one event; kept under a generated name outside the web root."""

    __tablename__ = "request_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("enterprise_request.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("request_event.id"))
    file_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    uploaded_by: Mapped[str] = mapped_column(String(64))


class CommonProblem(Base):
    """共性问题: cases of several enterprises with one cause, grouped so the cause reaches the
    policy makers (its state is the policy work's, not a case's)."""

    __tablename__ = "request_common"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str] = mapped_column(Text)  # the common cause
    state: Mapped[str] = mapped_column(String(12))  # 在办, 已提交政策研究, 已解决
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class CommonProblemCase(Base):
    """A case grouped under a 共性问题; the key is the case, so a case is in at most one group."""

    __tablename__ = "request_common_case"

    request_id: Mapped[int] = mapped_column(ForeignKey("enterprise_request.id"), primary_key=True)
    common_id: Mapped[int] = mapped_column(ForeignKey("request_common.id"), index=True)
    linked_by: Mapped[str] = mapped_column(String(64))
    linked_at: Mapped[dt.datetime] = mapped_column(DateTime)


class HistoryIsAppendOnly(IndustryBrainError):
    """An attempt to change or delete a case's recorded history."""


def _refuse_rewrites(session: Session, _context: Any, _instances: Any) -> None:
    for obj in [*session.dirty, *session.deleted]:
        if isinstance(obj, (RequestEvent, RequestAttachment)) and (
            obj in session.deleted or session.is_modified(obj)
        ):
            raise HistoryIsAppendOnly("涉企问题的办理记录只能追加，不能修改或删除")


_installed = False


def install_history_guard() -> None:
    """Refuse, in every session, an update or delete of a history row (the database triggers of
    migration 0015 refuse it for SQL that bypasses the ORM too)."""
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _refuse_rewrites)
        _installed = True
