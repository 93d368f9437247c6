"""Evaluation runs, the facts they used, their results, and appeals against them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from industry_brain.core.db import Base
from industry_brain.evaluation.method import INDICATORS


class EvaluationRun(Base):
    """One evaluation of one year by one method. Draft → published (公示, with a deadline) →
    final. A published or final run is never changed: an accepted appeal makes a new run
    (version + 1, parent_id) from the corrected facts."""

    __tablename__ = "evaluation_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    method_id: Mapped[str] = mapped_column(String(80))
    method_version: Mapped[int] = mapped_column(Integer)
    method_fingerprint: Mapped[str] = mapped_column(String(64))
    method_yaml: Mapped[str] = mapped_column(Text)
    input_hash: Mapped[str] = mapped_column(String(64))
    input_source: Mapped[str] = mapped_column(String(500))
    engine: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_run.id"))
    enterprises: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    published_by: Mapped[str | None] = mapped_column(String(100))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    finalized_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class EvaluationInput(Base):
    """The facts a run evaluated, row for row (so every run can be recomputed and checked)."""

    __tablename__ = "evaluation_input"
    __table_args__ = (Index("ix_evaluation_input_run_code", "run_id", "credit_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id"))
    credit_code: Mapped[str] = mapped_column(String(18))
    name: Mapped[str | None] = mapped_column(String(200))
    industry_code: Mapped[str | None] = mapped_column(String(4))
    year: Mapped[int] = mapped_column(Integer)
    above_scale: Mapped[int | None] = mapped_column(Integer)
    established: Mapped[str | None] = mapped_column(String(10))
    land_mu: Mapped[float | None] = mapped_column(Float)
    rented_mu: Mapped[float | None] = mapped_column(Float)
    tax_wan: Mapped[float | None] = mapped_column(Float)
    value_added_wan: Mapped[float | None] = mapped_column(Float)
    revenue_wan: Mapped[float | None] = mapped_column(Float)
    output_wan: Mapped[float | None] = mapped_column(Float)
    energy_tce: Mapped[float | None] = mapped_column(Float)
    emission_t: Mapped[float | None] = mapped_column(Float)
    employees: Mapped[float | None] = mapped_column(Float)
    rd_spend_wan: Mapped[float | None] = mapped_column(Float)
    electricity_wan_kwh: Mapped[float | None] = mapped_column(Float)
    safety_accident: Mapped[int | None] = mapped_column(Integer)
    env_violation: Mapped[int | None] = mapped_column(Integer)


class EvaluationResult(Base):
    """One enterprise's result in a run; indicator and item-score columns for the whole
    catalogue (a method fills those it uses)."""

    __tablename__ = "evaluation_result"
    __table_args__ = (Index("ix_evaluation_result_run_code", "run_id", "credit_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id"))
    credit_code: Mapped[str] = mapped_column(String(18))
    name: Mapped[str | None] = mapped_column(String(200))
    pool: Mapped[str] = mapped_column(String(30))
    grade: Mapped[str] = mapped_column(String(1))
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    imputed: Mapped[str] = mapped_column(String(300), default="")
    vetoes: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str | None] = mapped_column(String(20))


for _name in INDICATORS:
    setattr(EvaluationResult, _name, mapped_column(_name, Float, nullable=True))
    setattr(EvaluationResult, f"score_{_name}", mapped_column(f"score_{_name}", Float, nullable=True))
    EvaluationResult.__annotations__[_name] = "Mapped[float | None]"
    EvaluationResult.__annotations__[f"score_{_name}"] = "Mapped[float | None]"


class Appeal(Base):
    """申诉: an enterprise (or its town) disputes one figure of a published run."""

    __tablename__ = "appeal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18))
    field: Mapped[str] = mapped_column(String(40))
    current_value: Mapped[float | None] = mapped_column(Float)
    claimed_value: Mapped[float | None] = mapped_column(Float)
    statement: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(100))
    filed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    reviewer: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    review_reason: Mapped[str | None] = mapped_column(Text)
    new_run_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_run.id"))


class AppealAttachment(Base):
    """证明材料 of an appeal: the file lies in settings.evidence_dir under `stored_name` (generated,
    never the uploaded name); `file_name` is what the uploader called it, for display only."""

    __tablename__ = "appeal_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    uploaded_by: Mapped[str] = mapped_column(String(100))
