"""Import batches, the records they bring, and the rows they reject or warn about."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from industry_brain.core.db import Base


class ImportBatch(Base):
    """One file of one source for one period (导入批次). A corrected file for the same source,
    template and period supersedes the active batch, which stays in history."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20), index=True)
    template: Mapped[str] = mapped_column(String(30))
    period: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)
    supplement: Mapped[int] = mapped_column(Integer, default=0)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    # When it stopped being active (the monthly panel replays the data as known at a date);
    # NULL for an active batch, and for one superseded before the column existed.
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_bytes: Mapped[int] = mapped_column(BigInteger)
    sheet: Mapped[str | None] = mapped_column(String(200))
    header_row: Mapped[int] = mapped_column(Integer)
    columns: Mapped[str] = mapped_column(Text)
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_accepted: Mapped[int] = mapped_column(Integer)
    rows_rejected: Mapped[int] = mapped_column(Integer)
    rows_skipped: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    imported_by: Mapped[str | None] = mapped_column(String(100))


class Record(Base):
    """One accepted row of a departmental file, in canonical units. Its batch gives source,
    file and period-of-batch; `row` is the row number as the spreadsheet shows it."""

    __tablename__ = "record"
    __table_args__ = (
        Index("ix_record_code_period", "credit_code", "period"),
        Index("ix_record_batch", "batch_id"),
        Index("ix_record_account", "account_no"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"))
    row: Mapped[int] = mapped_column(Integer)
    # Set when the batch read several sheets of a workbook; otherwise the batch's sheet.
    sheet: Mapped[str | None] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(10))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    account_no: Mapped[str | None] = mapped_column(String(40))
    parcel_id: Mapped[str | None] = mapped_column(String(80))
    name: Mapped[str | None] = mapped_column(String(200))
    industry_code: Mapped[str | None] = mapped_column(String(4))
    township_code: Mapped[str | None] = mapped_column(String(9))
    zone: Mapped[str | None] = mapped_column(String(100))
    established: Mapped[dt.date | None] = mapped_column(Date)
    above_scale: Mapped[int | None] = mapped_column(Integer)
    output_wan: Mapped[float | None] = mapped_column(Float)
    # Monthly reports (stats-monthly, tax-monthly): 本年累计 beside the month's figure.
    output_ytd_wan: Mapped[float | None] = mapped_column(Float)
    sales_wan: Mapped[float | None] = mapped_column(Float)
    sales_ytd_wan: Mapped[float | None] = mapped_column(Float)
    export_wan: Mapped[float | None] = mapped_column(Float)
    export_ytd_wan: Mapped[float | None] = mapped_column(Float)
    tax_ytd_wan: Mapped[float | None] = mapped_column(Float)
    value_added_wan: Mapped[float | None] = mapped_column(Float)
    revenue_wan: Mapped[float | None] = mapped_column(Float)
    tax_wan: Mapped[float | None] = mapped_column(Float)
    rd_spend_wan: Mapped[float | None] = mapped_column(Float)
    employees: Mapped[float | None] = mapped_column(Float)
    land_mu: Mapped[float | None] = mapped_column(Float)
    rented_mu: Mapped[float | None] = mapped_column(Float)
    energy_tce: Mapped[float | None] = mapped_column(Float)
    emission_t: Mapped[float | None] = mapped_column(Float)
    electricity_wan_kwh: Mapped[float | None] = mapped_column(Float)
    safety_accident: Mapped[int | None] = mapped_column(Integer)
    env_violation: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(40))
    title_level: Mapped[str | None] = mapped_column(String(20))
    title_year: Mapped[int | None] = mapped_column(Integer)


class Reject(Base):
    """A row that failed its checks, with the reason and the row as it was (to send back)."""

    __tablename__ = "reject"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    sheet: Mapped[str | None] = mapped_column(String(200))  # the workbook sheet of `row`
    column: Mapped[str | None] = mapped_column(String(200))
    value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)


class BatchWarning(Base):
    """A plausibility or data-quality note on an accepted row, or on the file as a whole."""

    __tablename__ = "batch_warning"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    row: Mapped[int | None] = mapped_column(Integer)
    sheet: Mapped[str | None] = mapped_column(String(200))
    column: Mapped[str | None] = mapped_column(String(200))
    value: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
