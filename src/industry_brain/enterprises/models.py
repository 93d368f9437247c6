"""The enterprise master record: one row per unified social credit code."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from industry_brain.core.db import Base


class Enterprise(Base):
    """Master attributes of an enterprise, each taken from the highest-precedence source that
    gave it (the `*_source` columns say which; see enterprises.precedence)."""

    __tablename__ = "enterprise"

    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    name_source: Mapped[str | None] = mapped_column(String(20))
    industry_code: Mapped[str | None] = mapped_column(String(4), index=True)
    industry_code_source: Mapped[str | None] = mapped_column(String(20))
    township_code: Mapped[str | None] = mapped_column(String(9), index=True)
    township_code_source: Mapped[str | None] = mapped_column(String(20))
    zone: Mapped[str | None] = mapped_column(String(100))
    zone_source: Mapped[str | None] = mapped_column(String(20))
    established: Mapped[dt.date | None] = mapped_column(Date)
    established_source: Mapped[str | None] = mapped_column(String(20))
    first_batch_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
