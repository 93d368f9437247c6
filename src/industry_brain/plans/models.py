"""Plans' tables: the plan packs the district holds, the actuals of plan indicators and the
progress reports of plan tasks.

A pack is stored once per version (plan_pack); every stored actual keeps the pack version it was
recorded against, so a later version of a pack never silently re-labels old figures.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from industry_brain.core.db import Base

ACTUAL_KINDS = ("computed", "reported", "document")
PACK_STATES = ("draft", "published", "retired", "discarded")


class PlanPack(Base):
    """One version of one plan pack (docs/plan-packs.md), as the district holds it.

    content is the pack in its canonical form (JSON of the YAML keys, plans.pack_data), so a pack
    added from YAML and the same pack added from Excel are the same row content. A published
    version is never edited: a change is a new version, and the old one stays with its actuals.
    state: 'draft' (being edited on the plans page, not read by progress), 'published' (the
    highest published version is the plan's current one), 'retired' (plans remove; restorable) or
    'discarded' (a draft given up on the page or by the API; kept, and restorable as the draft,
    retired_at and retired_by saying when and by whom). A version number is never reused.
    """

    __tablename__ = "plan_pack"
    __table_args__ = (UniqueConstraint("plan_id", "version", name="uq_plan_pack_plan_id_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(60), index=True)
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10))
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(10))  # shipped | file | edited
    source_name: Mapped[str] = mapped_column(String(500))  # the file it came from
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    retired_by: Mapped[str | None] = mapped_column(String(100))


class ActualBatch(Base):
    """One imported actuals file (指标实绩填报表): who sent it, when, and its fingerprint."""

    __tablename__ = "plan_actual_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(60), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)


class IndicatorActual(Base):
    """One value of one plan indicator for one period ('YYYY' or 'YYYY-MM').

    kind: 'reported' (entered or imported by the responsible unit), 'document' (stated by the
    plan document itself; source names the seed), 'computed' (a stored snapshot of a figure
    derived from the enterprise record). A qualitative indicator's row has no value and carries
    the unit's `status` instead. Rows are never updated: a later row for the same indicator,
    period and kind supersedes the earlier one (the history stays).
    """

    __tablename__ = "plan_actual"
    __table_args__ = (Index("ix_plan_actual_plan_indicator", "plan_id", "indicator_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(60))
    plan_version: Mapped[int] = mapped_column(Integer)
    indicator_id: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(7))
    value: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str | None] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(500))
    unit: Mapped[str | None] = mapped_column(String(100))  # the reporting unit (填报单位)
    reported_by: Mapped[str | None] = mapped_column(String(100))
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("plan_actual_batch.id"))
    row: Mapped[int | None] = mapped_column(Integer)


class TaskReport(Base):
    """A unit's report on one plan task for one period: a status and what was done."""

    __tablename__ = "plan_task_report"
    __table_args__ = (Index("ix_plan_task_report_plan_task", "plan_id", "task_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(60))
    plan_version: Mapped[int] = mapped_column(Integer)
    task_id: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(12))
    text: Mapped[str | None] = mapped_column(Text)
    reported_by: Mapped[str] = mapped_column(String(100))
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("plan_actual_batch.id"))
    row: Mapped[int | None] = mapped_column(Integer)
