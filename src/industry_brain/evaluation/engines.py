"""Ibis backends the evaluation runs on: DuckDB (default, in-process), SQLite, PostgreSQL and
PySpark (the optional `spark` extra): local by default, or a cluster named by the settings
`spark_master` and `spark_conf` (docs/deployment.md)."""

from __future__ import annotations

import json
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from industry_brain.core.errors import ConfigurationError

if TYPE_CHECKING:
    from industry_brain.core.settings import Settings

ENGINES = ("duckdb", "sqlite", "postgres", "pyspark")


def connect(engine: str, *, postgres_url: str | None = None, settings: Settings | None = None) -> Any:
    """A connection to `engine`; for PySpark, the session of `settings` (the environment's
    settings when not given)."""
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
        return pyspark_backend().connect(spark_session(settings))
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
    from ibis.backends.pyspark import Backend

    Backend._register_in_memory_table = _register_via_arrow
    return backend


def _register_via_arrow(self: Any, op: Any) -> None:
    """ibis's PySpark backend registers an in-memory table (ibis.memtable: the facts, title
    lists, cluster definitions) through pandas, where a nullable integer column arrives
    all-null; PySpark 4 reads Arrow itself, every type and every null as it is. Installed over
    the backend's own method by `pyspark_backend`, for every PySpark connection of the process."""
    table = op.data.to_pyarrow(op.schema)
    self._session.createDataFrame(table).createOrReplaceTempView(op.name)


def spark_conf(settings: Settings) -> dict[str, str]:
    """The Spark configuration of `settings`: ours, then `spark_conf` (a JSON object) over it."""
    conf = {
        "spark.sql.shuffle.partitions": "4",
        "spark.ui.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        # Spark would otherwise create spark-warehouse/ in the working directory.
        "spark.sql.warehouse.dir": str(Path(tempfile.gettempdir()) / "industry-brain-spark"),
    }
    if settings.spark_conf.strip():
        try:
            extra = json.loads(settings.spark_conf)
        except ValueError as exc:
            raise ConfigurationError(f"spark_conf 不是有效的 JSON：{exc}") from exc
        if not isinstance(extra, dict):
            raise ConfigurationError('spark_conf 应为 JSON 对象，如 {"spark.executor.memory": "4g"}')
        conf.update({str(k): str(v) for k, v in extra.items()})
    return conf


def spark_session(settings: Settings | None = None) -> Any:
    """The process's Spark session, on `spark_master` with `spark_conf` (both from `settings`).
    Spark keeps one session per process: the first call's master holds until it is stopped."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigurationError("未安装 PySpark：请安装 industry-brain[spark]") from exc
    if settings is None:
        from industry_brain.core.settings import get_settings

        settings = get_settings()
    builder = SparkSession.builder.master(settings.spark_master).appName("industry-brain")
    for key, value in spark_conf(settings).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
