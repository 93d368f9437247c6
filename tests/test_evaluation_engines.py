"""The evaluation on every engine we support, on the same fixtures: they must agree.

Modelled on ibis's own backend matrix: one test body, parametrised by backend; the PySpark
backend runs where the `spark` extra is installed (always under CI, which installs it).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import polars as pl
import pytest

from evaluation_fixtures import YEAR, at_benchmarks_2022, frame, mixed
from industry_brain.evaluation.method import load_method
from industry_brain.evaluation.service import compute

FACTS_TABLES = "SELECT table_name, table_type FROM information_schema.tables WHERE table_name LIKE 'facts_%'"

HAS_SPARK = importlib.util.find_spec("pyspark") is not None
SPARK = pytest.mark.skipif(
    not HAS_SPARK and not os.environ.get("CI"), reason="PySpark not installed (the `spark` extra)"
)
ENGINES = [
    "duckdb",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("pyspark", marks=[SPARK, pytest.mark.slow]),
]
METHODS = ["huangyan-2022", "huangyan-2021", "zhejiang-aggregate"]
KEYS = ["credit_code", "pool", "grade", "rank", "imputed", "vetoes", "reason"]


@pytest.fixture(params=ENGINES)
def run(request):
    engine = request.param
    url = request.getfixturevalue("pg_url") if engine == "postgres" else None

    def evaluate(facts: pl.DataFrame, method: str, year: int = YEAR) -> pl.DataFrame:
        return compute(facts, load_method(method), year=year, engine=engine, postgres_url=url)

    return evaluate


def test_hand_worked_scores(run):
    result = run(frame([{}, at_benchmarks_2022()]), "huangyan-2022")
    scores = dict(zip(result["name"], result["score"], strict=True))
    assert scores["企业1"] == pytest.approx(113.128, abs=5e-4)
    assert scores["企业2"] == pytest.approx(100.000, abs=1e-9)
    assert run(frame([{}]), "huangyan-2021")["score"][0] == pytest.approx(112.906, abs=5e-4)


def test_item_scores_of_the_113_enterprise(run):
    row = run(frame([{}]), "huangyan-2022").row(0, named=True)
    assert row["tax_per_mu"] == 30 and row["score_tax_per_mu"] == pytest.approx(30 / 24.097 * 30)
    assert row["score_value_added_per_emission"] == pytest.approx(6000 / 4929.81 * 10)
    assert row["score_rd_intensity"] == pytest.approx(0.025 / 0.0302 * 10)
    assert row["score_tax_per_electricity"] is None  # not in the above-scale set


@pytest.mark.parametrize("method", METHODS)
def test_every_engine_agrees_with_duckdb(run, method):
    facts = mixed()
    got = run(facts, method).sort("credit_code")
    want = compute(facts, load_method(method), year=YEAR, engine="duckdb").sort("credit_code")
    assert got.select(KEYS).to_dicts() == want.select(KEYS).to_dicts()
    for column in [c for c in want.columns if c == "score" or c.startswith("score_")]:
        a, b = got[column].to_list(), want[column].to_list()
        assert [x is None for x in a] == [y is None for y in b], column
        assert [x for x in a if x is not None] == pytest.approx(
            [y for y in b if y is not None], rel=1e-9, abs=1e-9
        ), column


def test_pools_reasons_and_vetoes_on_the_edges(run):
    r = {row["name"]: row for row in run(mixed(), "huangyan-2022").to_dicts()}
    assert (r["企业6"]["grade"], r["企业6"]["reason"]) == ("T", "utility")
    assert (r["企业7"]["grade"], r["企业7"]["reason"]) == ("T", "new")
    assert r["企业8"]["pool"] == "above_scale"  # established 31 Dec of year−2
    assert (r["企业9"]["reason"], r["企业10"]["reason"]) == ("no_tax", "no_land")
    assert r["企业11"]["pool"] == r["企业12"]["pool"] == "tenant"
    assert r["企业11"]["score_tax_per_electricity"] is None  # above-scale tenant: its own set
    assert r["企业12"]["score_value_added_per_mu"] is None
    assert r["企业12"]["tax_per_mu"] == 5.0  # rented land stands in
    assert (r["企业13"]["grade"], r["企业13"]["vetoes"]) == ("D", "safety_accident")
    assert (r["企业14"]["grade"], r["企业14"]["vetoes"]) == ("D", "env_violation")
    assert r["企业15"]["vetoes"] == "low_efficiency" and r["企业16"]["vetoes"] == ""
    assert r["企业5"]["score_tax_per_mu"] < 0 and "low_efficiency" in r["企业5"]["vetoes"]
    assert r["企业3"]["imputed"] == "value_added_per_emission"
    assert r["企业4"]["imputed"] == "value_added_per_emission,rd_intensity"
    assert r["企业17"]["imputed"] == "tax_per_electricity"  # zero electricity: undefined


def test_ties_share_a_rank(run):
    r = {row["name"]: row for row in run(mixed(), "huangyan-2022").to_dicts()}
    assert r["企业1"]["rank"] == r["企业18"]["rank"] == r["企业19"]["rank"]


def test_several_vetoes_are_listed_in_order(run):
    r = {
        row["name"]: row
        for row in run(frame([{"safety_accident": 1, "env_violation": 1}, {}]), "huangyan-2022").to_dicts()
    }
    assert (r["企业1"]["grade"], r["企业1"]["vetoes"]) == ("D", "safety_accident,env_violation")
    assert (r["企业2"]["vetoes"], r["企业2"]["imputed"]) == ("", "")


def test_results_come_in_pool_rank_and_code_order(run):
    """The order the CLI writes results in: by pool, then rank (ties by credit code), the
    not-evaluated pool (no rank) by credit code."""
    got = run(mixed(), "huangyan-2022")
    keys = list(zip(got["pool"], got["rank"], got["credit_code"], strict=True))
    assert keys == sorted(keys, key=lambda k: (k[0], k[1] is None, k[1] or 0, k[2]))
    assert len({k[0] for k in keys}) == 5


def _failing_midway(check):
    """An `evaluate` that runs `check` on the facts table it is given, then fails."""

    def evaluate(table, method, *, year):
        check(table)
        raise RuntimeError("midway")

    return evaluate


@pytest.mark.postgres
def test_postgres_keeps_no_copy_of_the_facts(pg_url, monkeypatch):
    """The facts are confidential: on PostgreSQL they are a temporary table, private to the
    session, and dropped whatever happens."""
    from sqlalchemy import create_engine, text

    server = create_engine(pg_url)

    def visible() -> list:
        with server.connect() as conn:
            return [tuple(r) for r in conn.execute(text(FACTS_TABLES))]

    try:
        compute(mixed(), load_method("huangyan-2022"), year=YEAR, engine="postgres", postgres_url=pg_url)
        assert visible() == []
        seen = {}

        def check(table):
            own = table.get_backend().raw_sql(FACTS_TABLES).fetchall()
            seen.update(own=[tuple(r) for r in own], others=visible())

        # keep the computing session open afterwards, to see that it dropped the table itself
        from industry_brain.evaluation import service

        opened = []

        def connect(engine, **kwargs):
            con = real_connect(engine, **kwargs)
            opened.append((con, con.disconnect))
            con.disconnect = lambda: None
            return con

        real_connect = service.connect
        monkeypatch.setattr(service, "connect", connect)
        monkeypatch.setattr(service, "evaluate", _failing_midway(check))
        with pytest.raises(RuntimeError, match="midway"):
            compute(mixed(), load_method("huangyan-2022"), year=YEAR, engine="postgres", postgres_url=pg_url)
        assert [kind for _, kind in seen["own"]] == ["LOCAL TEMPORARY"]  # this session's own
        assert seen["others"] == []  # another session cannot see it
        [(con, disconnect)] = opened
        assert con.raw_sql(FACTS_TABLES).fetchall() == []  # dropped, though the session lives on
        disconnect()
        assert visible() == []
    finally:
        server.dispose()


@SPARK
@pytest.mark.slow
def test_pyspark_keeps_no_copy_of_the_facts(monkeypatch):
    """On PySpark the facts are a temporary view, never a table written to the warehouse
    directory, and dropped whatever happens."""
    from industry_brain.evaluation.engines import spark_session

    session = spark_session()
    warehouse = Path(session.conf.get("spark.sql.warehouse.dir").removeprefix("file:"))
    before = set(warehouse.glob("facts_*"))

    def facts_tables() -> list[tuple[str, bool]]:
        return [(t.name, t.isTemporary) for t in session.catalog.listTables() if t.name.startswith("facts_")]

    compute(mixed(), load_method("huangyan-2022"), year=YEAR, engine="pyspark")
    assert facts_tables() == []
    seen = []
    monkeypatch.setattr(
        "industry_brain.evaluation.service.evaluate",
        _failing_midway(lambda table: seen.extend(facts_tables())),
    )
    with pytest.raises(RuntimeError, match="midway"):
        compute(mixed(), load_method("huangyan-2022"), year=YEAR, engine="pyspark")
    assert len(seen) == 1 and seen[0][1] is True  # a temporary view while it ran
    assert facts_tables() == []
    assert set(warehouse.glob("facts_*")) == before
