"""Policy tables: declared figures, match runs and their matches (the 免申即享 workflow), payments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from industry_brain.core.db import Base


class PolicyFigure(Base):
    """A figure a policy needs that no departmental import carries (技改设备投资额), declared by
    the department that holds it, with the file and row it came from."""

    __tablename__ = "policy_figure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    year: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    department: Mapped[str] = mapped_column(String(100))
    file: Mapped[str] = mapped_column(String(500))
    row: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)


class PolicyRun(Base):
    """One match of one policy as of a date, frozen: the policy text it ran with is kept."""

    __tablename__ = "policy_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(80), index=True)
    policy_version: Mapped[int] = mapped_column(Integer)
    policy_yaml: Mapped[str] = mapped_column(Text)
    as_of: Mapped[dt.date] = mapped_column(Date)
    figures_year: Mapped[int] = mapped_column(Integer)
    department: Mapped[str] = mapped_column(String(100))
    budget_wan: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str | None] = mapped_column(String(100))


class PolicyMatch(Base):
    """An enterprise's result in a run, with its trace (JSON), and where it stands in the
    workflow: matched -> confirmed/removed (department) -> accepted/declined (enterprise) -> paid."""

    __tablename__ = "policy_match"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("policy_run.id", ondelete="CASCADE"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    township_code: Mapped[str | None] = mapped_column(String(9))
    result: Mapped[str] = mapped_column(String(16))
    amount_wan: Mapped[float | None] = mapped_column(Float)
    trace: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="matched", index=True)
    department_reason: Mapped[str | None] = mapped_column(Text)
    department_by: Mapped[str | None] = mapped_column(String(100))
    department_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    enterprise_reason: Mapped[str | None] = mapped_column(Text)
    enterprise_by: Mapped[str | None] = mapped_column(String(100))
    enterprise_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class PolicyPayment(Base):
    """Money paid on a match (拨付), with the voucher it was paid under."""

    __tablename__ = "policy_payment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("policy_match.id", ondelete="CASCADE"), index=True)
    amount_wan: Mapped[float] = mapped_column(Float)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    voucher: Mapped[str] = mapped_column(String(100))
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
