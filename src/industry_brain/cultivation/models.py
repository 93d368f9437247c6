"""Tiers' and pools' tables: who an analyst admitted to a cultivation pool, and when they left.

Tiers themselves are not stored: they follow from the rules (tier_rules.yaml), the resolved
facts of a year and the titles records, and are recomputed on demand.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from industry_brain.core.db import Base


class PoolMembership(Base):
    """One stay of an enterprise in a pool (培育库): admitted by whom, when and why, and, once
    it left, by whom, when and why. A re-admission is a new row, so the rows are the history."""

    __tablename__ = "pool_membership"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pool: Mapped[str] = mapped_column(String(40), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    admitted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    admitted_by: Mapped[str] = mapped_column(String(100))
    admit_reason: Mapped[str] = mapped_column(Text)
    candidate_year: Mapped[int | None] = mapped_column(Integer)  # the year whose figures qualified it
    exited_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    exited_by: Mapped[str | None] = mapped_column(String(100))
    exit_reason: Mapped[str | None] = mapped_column(Text)
