"""Derived plan figures on every engine, checked against sums worked by hand."""

from __future__ import annotations

import contextlib
import importlib.util
import os

import ibis
import polars as pl
import pytest

from evaluation_fixtures import frame
from industry_brain.evaluation.engines import connect
from industry_brain.evaluation.inputs import drop_facts, facts_table_name, to_backend
from industry_brain.plans.catalogue import DERIVATIONS
from industry_brain.plans.derive import derive

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
A = dict(industry_code="3484", land_mu=20.0, tax_wan=600.0, value_added_wan=3000.0, revenue_wan=8000.0,
         output_wan=12000.0, energy_tce=1000.0, rd_spend_wan=200.0)  # fmt: skip
B = dict(industry_code="3441", land_mu=None, rented_mu=10.0, tax_wan=100.0, value_added_wan=1000.0,
         revenue_wan=5000.0, output_wan=150000.0, energy_tce=500.0, rd_spend_wan=None)  # fmt: skip
C = dict(industry_code="1810", above_scale=0, land_mu=5.0, tax_wan=10.0, value_added_wan=50.0,
         revenue_wan=800.0, output_wan=900.0, rd_spend_wan=5.0)  # fmt: skip
D = dict(industry_code="3442", land_mu=30.0, tax_wan=None, value_added_wan=2000.0, revenue_wan=6000.0,
         output_wan=9000.0, energy_tce=None, rd_spend_wan=300.0)  # fmt: skip


def facts() -> pl.DataFrame:
    y22 = frame([A, B, C, D])
    y23 = frame([{**A, "output_wan": 13000.0, "year": 2023}, {**B, "output_wan": 160000.0, "year": 2023}])
    return pl.concat([y22, y23])


CODES = dict(zip("ABCD", facts()["credit_code"][:4], strict=True))
TITLES = pl.DataFrame(
    {
        "credit_code": [CODES["A"], CODES["B"], CODES["C"]],
        "title": ["高新技术企业", "高新技术企业", "专精特新"],
        "title_year": [2021, 2023, None],
    },
    schema={"credit_code": pl.String, "title": pl.String, "title_year": pl.Int64},
)
DEFINITIONS = pl.DataFrame({"cluster_id": ["p/eq", "p/food"], "industry_prefix": ["344", "18"]})

# Worked by hand from the rows above (2022: A, B, C below scale, D; 2023: A, B).
HAND = {
    "output_above_scale": {2022: (12000 + 150000 + 9000) / 1e4, 2023: (13000 + 160000) / 1e4},
    "value_added_above_scale": {2022: 0.6, 2023: 0.4},
    "revenue_above_scale": {2022: 1.9, 2023: 1.3},
    "count_above_scale": {2022: 3, 2023: 2},
    "count_output_over_1e8": {2022: 2, 2023: 2},
    "count_output_over_1e9": {2022: 1, 2023: 1},
    "count_output_over_1e10": {2022: 0, 2023: 0},
    "mu_tax_above_scale": {2022: 700 / 30, 2023: 700 / 30},  # D has no tax figure: left out
    "mu_output_above_scale": {2022: 171000 / 60, 2023: 173000 / 30},
    "mu_value_added_above_scale": {2022: 6000 / 60, 2023: 4000 / 30},
    "rd_intensity": {2022: 500 / 19000 * 100, 2023: 200 / 13000 * 100},  # B's missing R&D is 0
    "energy_per_value_added": {2022: 1500 / 4000, 2023: 1500 / 4000},  # D has no energy: left out
}


@pytest.fixture(params=ENGINES)
def con(request):
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    backend = connect(request.param, postgres_url=url)
    name = facts_table_name()
    backend.facts_name = name
    yield backend
    with contextlib.suppress(Exception):
        drop_facts(backend, name)
    if request.param != "pyspark":  # the Spark session is shared by the process
        backend.disconnect()


def _values(con, expr) -> dict[int, float | None]:
    result = con.to_pyarrow(expr).to_pylist()
    return {row["year"]: row["value"] for row in result}


@pytest.mark.parametrize("key", sorted(HAND))
def test_simple_derivations_match_hand_sums(con, key: str) -> None:
    table = to_backend(facts(), con, con.facts_name)
    got = _values(con, derive(table, key))
    assert got == pytest.approx(HAND[key], rel=1e-12)


def test_cluster_output_and_value_added(con) -> None:
    table = to_backend(facts(), con, con.facts_name)
    definitions = ibis.memtable(DEFINITIONS)
    eq = _values(con, derive(table, "cluster_output_above_scale", cluster_id="p/eq", definitions=definitions))
    assert eq == pytest.approx({2022: (150000 + 9000) / 1e4, 2023: 160000 / 1e4})
    va = _values(con, derive(table, "cluster_value_added", cluster_id="p/eq", definitions=definitions))
    assert va == pytest.approx({2022: 0.3, 2023: 0.1})
    food = _values(
        con, derive(table, "cluster_output_above_scale", cluster_id="p/food", definitions=definitions)
    )
    assert food == {2022: 0.0}  # its only member is below scale
    every = _values(con, derive(table, "cluster_output", cluster_id="p/food", definitions=definitions))
    assert every == pytest.approx({2022: 0.09})  # counts below-scale members too


def test_count_by_title_counts_titles_held_by_the_year(con) -> None:
    # title_year is a nullable integer column: on PySpark it once arrived all-null (through pandas)
    table = to_backend(facts(), con, con.facts_name)
    got = _values(con, derive(table, "count_titled", title="高新技术企业", titles=ibis.memtable(TITLES)))
    assert got == {2022: 1, 2023: 2}


def test_every_catalogue_key_has_an_expression() -> None:
    tested = set(HAND) | {
        "cluster_output",
        "cluster_output_above_scale",
        "cluster_value_added",
        "count_titled",
    }
    assert tested == set(DERIVATIONS)
