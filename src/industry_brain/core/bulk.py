"""Bulk writes of accepted rows: the fast path of each database, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
from sqlalchemy import Integer
from sqlalchemy.orm import Session

from industry_brain.core.db import Base, load_all_models

BATCH_ROWS = 50_000


def _rows_for_db(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Values in the table's own column types: whole numbers for integer columns (PostgreSQL
    refuses '1.0' there) and ISO text for dates (what SQLAlchemy's Date stores on SQLite)."""
    load_all_models()
    columns = Base.metadata.tables[table].columns
    casts = []
    for name, dtype in frame.schema.items():
        sql_type = columns[name].type
        if isinstance(sql_type, Integer) and dtype.is_float():
            casts.append(pl.col(name).round(0).cast(pl.Int64))
        elif dtype == pl.Date:
            casts.append(pl.col(name).cast(pl.String))
    return frame.with_columns(casts) if casts else frame


def insert_frame(session: Session, table: str, frame: pl.DataFrame) -> None:
    """Append `frame` (columns named as the table's) to `table`."""
    if frame.is_empty():
        return
    frame = _rows_for_db(frame, table)
    connection = session.connection()
    columns = frame.columns
    if connection.dialect.name == "postgresql":
        _copy_postgres(connection, table, columns, frame.iter_rows())
        return
    placeholders = ", ".join("?" for _ in columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({placeholders})'
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for chunk in frame.iter_slices(BATCH_ROWS):
        cursor.executemany(sql, chunk.iter_rows())


def _copy_postgres(
    connection: Any, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    quoted = ", ".join(f'"{c}"' for c in columns)
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def insert_dicts(session: Session, table: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        insert_frame(session, table, pl.DataFrame(rows, infer_schema_length=None))
