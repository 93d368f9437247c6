"""标准地 commitment tables: the commitments as imported, each 达产复核 stored with its trace,
and the rectification (整改) of a breach."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from industry_brain.core.db import Base


class Commitment(Base):
    """One parcel's commitment from the land department's Excel (one row per 地块编号). A
    re-import replaces the row; the replaced values are kept in `previous` (JSON)."""

    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parcel_id: Mapped[str] = mapped_column(String(60), unique=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    project_id: Mapped[int | None] = mapped_column(Integer)
    area_mu: Mapped[float] = mapped_column(Float)
    committed_investment_per_mu: Mapped[float | None] = mapped_column(Float)
    committed_output_per_mu: Mapped[float | None] = mapped_column(Float)
    committed_tax_per_mu: Mapped[float | None] = mapped_column(Float)
    committed_energy_per_wan: Mapped[float | None] = mapped_column(Float)
    committed_emission: Mapped[str | None] = mapped_column(Text)
    committed_plot_ratio: Mapped[float | None] = mapped_column(Float)
    completion_date: Mapped[dt.date | None] = mapped_column(Date)
    production_date: Mapped[dt.date | None] = mapped_column(Date)
    review_date: Mapped[dt.date] = mapped_column(Date)
    consequences: Mapped[str | None] = mapped_column(Text)
    file: Mapped[str] = mapped_column(String(500))
    row: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    imported_by: Mapped[str | None] = mapped_column(String(100))
    previous: Mapped[str | None] = mapped_column(Text)


class CommitmentReview(Base):
    """A 达产复核 of one commitment as of a date: the result and, per indicator, the value,
    the committed value, passed and where each figure came from (`trace`, JSON)."""

    __tablename__ = "commitment_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    figures_year: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(12))
    trace: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str | None] = mapped_column(String(100))


class CommitmentRectification(Base):
    """A step of the 整改 of a breached review: the state, the deadline, a note, who and when."""

    __tablename__ = "commitment_rectification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("commitment_review.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
