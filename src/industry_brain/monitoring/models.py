"""Alerts' tables: one alert per enterprise, rule and episode; its state month by month with
the trace that explains it; the receivers' acknowledgements, dismissals and silences.

An alert is identified by (credit_code, rule, first_month): while its condition holds, the
same alert continues month after month (a row in monitoring_alert_month each month), rather
than a new one being raised.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from industry_brain.core.db import Base


class MonitoringAlert(Base):
    __tablename__ = "monitoring_alert"
    __table_args__ = (
        UniqueConstraint("credit_code", "rule", "first_month", name="uq_monitoring_alert_episode"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    rule: Mapped[str] = mapped_column(String(60), index=True)
    first_month: Mapped[str] = mapped_column(String(7))
    last_month: Mapped[str] = mapped_column(String(7))  # the latest month evaluated
    state: Mapped[str] = mapped_column(String(12))  # its state in last_month
    severity: Mapped[str] = mapped_column(String(12))
    township_code: Mapped[str | None] = mapped_column(String(12), index=True)
    receivers: Mapped[str] = mapped_column(Text)  # JSON [{kind, name}], the rule's at opening
    acked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    acked_by: Mapped[str | None] = mapped_column(String(100))
    ack_comment: Mapped[str | None] = mapped_column(Text)
    dismissed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    dismissed_by: Mapped[str | None] = mapped_column(String(100))
    dismiss_reason: Mapped[str | None] = mapped_column(String(20))
    dismiss_comment: Mapped[str | None] = mapped_column(Text)


class MonitoringAlertMonth(Base):
    """The alert as evaluated for one month: state, figures and the trace (JSON)."""

    __tablename__ = "monitoring_alert_month"
    __table_args__ = (UniqueConstraint("alert_id", "month", name="uq_monitoring_alert_month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("monitoring_alert.id"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    state: Mapped[str] = mapped_column(String(12))
    observed: Mapped[float | None] = mapped_column(Float)
    expected: Mapped[float | None] = mapped_column(Float)
    trace: Mapped[str] = mapped_column(Text)
    evaluated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class MonitoringSilence(Base):
    """An enterprise's rule silenced until a date (inclusive) by a receiver."""

    __tablename__ = "monitoring_silence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    rule: Mapped[str] = mapped_column(String(60))
    until: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100))
