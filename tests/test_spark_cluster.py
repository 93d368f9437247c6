"""The evaluation on a real standalone Spark cluster: a master and a worker started here as
their own processes (the pyspark package's bin/spark-class, this machine's Java), on free ports
of 127.0.0.1, one worker core. The same facts give the same results on the cluster, on local
Spark and on DuckDB; Spark reads the Parquet file itself and writes the results file itself."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from evaluation_fixtures import YEAR, mixed
from industry_brain.core.settings import get_settings
from industry_brain.evaluation.method import load_method

HAS_SPARK = importlib.util.find_spec("pyspark") is not None
pytestmark = [
    pytest.mark.skipif(
        not HAS_SPARK and not os.environ.get("CI"), reason="PySpark not installed (the `spark` extra)"
    ),
    pytest.mark.slow,
]
KEYS = ["credit_code", "pool", "grade", "rank", "imputed", "vetoes", "reason"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _spark_class(*args: str, log: Path) -> subprocess.Popen:
    import pyspark

    home = Path(pyspark.__file__).parent
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_NO_DAEMONIZE": "1",
        "PYSPARK_PYTHON": sys.executable,
    }
    with log.open("w") as out:
        return subprocess.Popen(
            [str(home / "bin" / "spark-class"), *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _wait_for(log: Path, text: str, proc: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    raise RuntimeError(
        f"Spark did not start ({text!r} not in {log}):\n{log.read_text(errors='replace')[-3000:]}"
    )


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory) -> Iterator[str]:
    """spark://127.0.0.1:PORT of a master with one worker (1 core, 1 GB), stopped at the end."""
    logs = tmp_path_factory.mktemp("spark-cluster")
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    master = _spark_class(
        "org.apache.spark.deploy.master.Master",
        *("--host", "127.0.0.1", "--port", str(port), "--webui-port", str(_free_port())),
        log=logs / "master.log",
    )
    worker = None
    try:
        _wait_for(logs / "master.log", "I have been elected leader", master)
        worker = _spark_class(
            "org.apache.spark.deploy.worker.Worker",
            url,
            *("--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", str(_free_port())),
            *("--work-dir", str(logs / "work")),
            log=logs / "worker.log",
        )
        _wait_for(logs / "worker.log", "Successfully registered with master", worker)
        yield url
    finally:
        for proc in (worker, master):
            if proc is not None:
                proc.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=30)
                if proc.poll() is None:
                    proc.kill()


def _session_on(master: str):
    """Spark keeps one session a process: stop the one there is, start one on `master`."""
    from pyspark.sql import SparkSession

    from industry_brain.evaluation.engines import spark_session

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()
    conf = '{"spark.executor.memory": "512m", "spark.cores.max": "1", "spark.driver.host": "127.0.0.1",'
    conf += f' "spark.driver.bindAddress": "127.0.0.1", "spark.pyspark.python": "{sys.executable}"}}'
    settings = get_settings(spark_master=master, spark_conf=conf)
    session = spark_session(settings)
    assert session.sparkContext.master == master
    return settings


def _evaluate(path: Path, out: Path, settings, engine: str) -> pl.DataFrame:
    from industry_brain.evaluation.files import evaluate_file

    done = evaluate_file(
        path, load_method("huangyan-2022"), year=YEAR, settings=settings, engine=engine, output=out
    )
    assert done.read_by_engine and done.results is None  # the engine read and wrote the files
    return pl.read_parquet(out)


def _same(a: pl.DataFrame, b: pl.DataFrame) -> None:
    assert a.select(KEYS).equals(b.select(KEYS))
    floats = [c for c in a.columns if a.schema[c] == pl.Float64]
    for c in floats:
        left, right = a[c].to_list(), b[c].to_list()
        assert [x is None for x in left] == [y is None for y in right], c
        assert all(
            x is None or x == pytest.approx(y, rel=1e-12, abs=1e-12) for x, y in zip(left, right, strict=True)
        ), c


def test_the_cluster_local_spark_and_duckdb_agree(spark_cluster, tmp_path):
    facts = pl.concat(
        [
            mixed(seed=9, n=400),
            mixed(seed=2, n=30).with_columns(pl.lit(YEAR - 1, dtype=pl.Int64).alias("year")),
        ]
    )
    path = tmp_path / "facts.parquet"
    facts.write_parquet(path)
    duck = _evaluate(path, tmp_path / "duckdb.parquet", get_settings(), "duckdb")
    try:
        on_cluster = _evaluate(path, tmp_path / "cluster.parquet", _session_on(spark_cluster), "pyspark")
        local = _evaluate(path, tmp_path / "local.parquet", _session_on("local[1]"), "pyspark")
    finally:
        _session_on("local[2]")  # later tests get a local session again
    assert duck.height == 400
    assert on_cluster.columns == local.columns == duck.columns
    assert on_cluster.equals(local)  # the same engine, every digit
    _same(on_cluster, duck)


def test_a_spark_conf_that_is_not_a_json_object_is_refused():
    from industry_brain.core.errors import ConfigurationError
    from industry_brain.evaluation.engines import spark_conf

    with pytest.raises(ConfigurationError, match="spark_conf"):
        spark_conf(get_settings(spark_conf="spark.executor.memory=4g"))
    with pytest.raises(ConfigurationError, match="JSON 对象"):
        spark_conf(get_settings(spark_conf='["a"]'))
    assert spark_conf(get_settings(spark_conf='{"spark.cores.max": 8}'))["spark.cores.max"] == "8"
