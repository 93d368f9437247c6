"""Ibis backends the evaluation runs on: DuckDB (default, in-process), SQLite, PostgreSQL and
PySpark (local mode; the optional `spark` extra)."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from industry_brain.core.errors import ConfigurationError

ENGINES = ("duckdb", "sqlite", "postgres", "pyspark")


def connect(engine: str, *, postgres_url: str | None = None) -> Any:
    import ibis

    if engine == "duckdb":
        return ibis.duckdb.connect()
    if engine == "sqlite":
        return ibis.sqlite.connect()
    if engine == "postgres":
        if not postgres_url or not postgres_url.startswith("postgresql"):
            raise ConfigurationError("引擎 postgres 需要 PostgreSQL 数据库URL（--db postgresql://...）")
        return ibis.connect(postgres_url.replace("postgresql+psycopg://", "postgresql://", 1))
    if engine == "pyspark":
        return pyspark_backend().connect(spark_session())
    raise ConfigurationError(f"未知的计算引擎“{engine}”；可用：{', '.join(ENGINES)}")


@cache
def pyspark_backend() -> Any:
    """ibis's PySpark backend, configured once for the process (`connect` gets it from here;
    later calls return the same, configured, backend).

    The configuration is `ibis.options.pyspark.treat_nan_as_null = True`, a global ibis option,
    not a setting of one connection: ibis reads it whenever it compiles a query for PySpark, and
    no other backend reads it (the option exists only once the backend is loaded, hence here).
    It must be true: tables reach Spark through pandas, where a missing float becomes NaN; Spark
    then treats NaN as a number larger than any other, so a missing figure would count as
    present and huge. The facts format has no NaN, only missing values.
    """
    import ibis

    backend = ibis.pyspark  # loading the backend registers ibis.options.pyspark
    ibis.options.pyspark.treat_nan_as_null = True
    return backend


def spark_session() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigurationError("未安装 PySpark：请安装 industry-brain[spark]") from exc
    return (
        SparkSession.builder.master("local[2]")
        .appName("industry-brain")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        # Spark would otherwise create spark-warehouse/ in the working directory.
        .config("spark.sql.warehouse.dir", str(Path(tempfile.gettempdir()) / "industry-brain-spark"))
        .getOrCreate()
    )
