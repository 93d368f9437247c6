"""Projects' tables: the project pool (项目库) and each project's milestones (节点)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from industry_brain.core.db import Base


class Project(Base):
    """One investment project. Identified by name + code (code '' when the list gives none):
    a re-import of the same name and code updates the row instead of adding another."""

    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("name", "code", name="uq_project_name_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), default="")
    name: Mapped[str] = mapped_column(String(300))
    stage: Mapped[str] = mapped_column(String(10), index=True)
    stage_since: Mapped[dt.date | None] = mapped_column(Date)  # when it entered its stage, if known
    investment_planned_yi: Mapped[float | None] = mapped_column(Float)
    investment_done_yi: Mapped[float | None] = mapped_column(Float)
    land_mu: Mapped[float | None] = mapped_column(Float)
    location: Mapped[str | None] = mapped_column(String(200))
    township_code: Mapped[str | None] = mapped_column(String(9), index=True)  # resolved from location
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    industry: Mapped[str | None] = mapped_column(String(100))
    responsible_unit: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(300))  # file (and row) it came from
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Milestone(Base):
    """A planned step of a project (开工, 主体结顶, 竣工验收 ...), with its planned and done dates."""

    __tablename__ = "project_milestone"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_project_milestone_project_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    planned_date: Mapped[dt.date | None] = mapped_column(Date)
    done_date: Mapped[dt.date | None] = mapped_column(Date)
