"""Cluster aggregates and location quotients on every engine, on one hand-worked fixture.

Like tests/test_evaluation_engines.py: one test body, parametrised by backend.

The fixture (output and value added in 万元; the area's above-scale output is 200000 in both
years, so a share is the cluster's output / 200000):

| # | class | scale | 2021 output | 2022 output | 2022 VA | clusters |
|---|-------|-------|-------------|-------------|---------|----------|
| 1 | 3444  | above | 16000       | 20000       | 5000    | pneu     |
| 2 | 3445  | above |  8000       | 10000       | 2000    | pneu     |
| 3 | 3444  | below |   400       |   500       |  100    | pneu     |
| 4 | 3670  | above | 50000       | 40000       | 8000    | auto     |
| 5 | 3971  | above |   —         | 30000       | 6000    | elec (39 and 397: counted once) |
| 6 | 1810  | above | 126000      | 100000      | 20000   | none     |
"""

from __future__ import annotations

import importlib.util
import os

import polars as pl
import pytest

from evaluation_fixtures import frame
from industry_brain.clusters.service import compute_clusters

HAS_SPARK = importlib.util.find_spec("pyspark") is not None
SPARK = pytest.mark.skipif(not HAS_SPARK and not os.environ.get("CI"), reason="PySpark not installed")
ENGINES = [
    "duckdb",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("pyspark", marks=[SPARK, pytest.mark.slow]),
]


def facts() -> pl.DataFrame:
    def e(n, cls, above, out21, out22, va22, emp=150.0):
        rows = []
        for year, out in ((2021, out21), (2022, out22)):
            if out is not None:
                va = va22 if year == 2022 else out / 5
                rows.append(
                    dict(
                        industry_code=cls,
                        above_scale=above,
                        year=year,
                        output_wan=out,
                        value_added_wan=va,
                        employees=emp,
                        _n=n,
                    )
                )
        return rows

    rows = [
        *e(1, "3444", 1, 16000.0, 20000.0, 5000.0),
        *e(2, "3445", 1, 8000.0, 10000.0, 2000.0),
        *e(3, "3444", 0, 400.0, 500.0, 100.0, emp=20.0),
        *e(4, "3670", 1, 50000.0, 40000.0, 8000.0),
        *e(5, "3971", 1, None, 30000.0, 6000.0),
        *e(6, "1810", 1, 126000.0, 100000.0, 20000.0),
    ]
    built = frame([{k: v for k, v in r.items() if k != "_n"} for r in rows])
    # frame() numbers rows; one enterprise keeps one credit code across years
    codes = [
        built["credit_code"][next(i for i, r in enumerate(rows) if r["_n"] == n)]
        for n in [r["_n"] for r in rows]
    ]
    return built.with_columns(pl.Series("credit_code", codes))


DEFS = pl.DataFrame(
    {
        "cluster_id": ["pneu", "pneu", "auto", "elec", "elec", "none"],
        "industry_prefix": ["3444", "3445", "36", "39", "397", "2611"],
    }
)


def reference(rows: list[tuple[int, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"year": pl.Int64, "industry_code": pl.String, "value": pl.Float64}, orient="row"
    )


CITY = reference(
    [
        (2022, "3444", 300.0),
        (2022, "3445", 100.0),
        (2022, "36", 1000.0),
        (2022, "39", 600.0),
        (2022, "18", 2000.0),
        (2022, "total", 10000.0),
    ]
)


@pytest.fixture(params=ENGINES)
def run(request):
    engine = request.param
    url = request.getfixturevalue("pg_url") if engine == "postgres" else None

    def compute(**kwargs):
        return compute_clusters(facts(), DEFS, engine=engine, postgres_url=url, **kwargs)

    return compute


def by_cluster(frame: pl.DataFrame, year: int) -> dict[str, dict]:
    return {r["cluster_id"]: r for r in frame.filter(pl.col("year") == year).to_dicts()}


def test_aggregates_hand_worked(run):
    agg, lq = run()
    assert lq is None
    r = by_cluster(agg, 2022)
    assert set(r) == {"pneu", "auto", "elec"}  # a cluster without members has no row
    p = r["pneu"]
    assert (p["enterprises"], p["enterprises_above_scale"]) == (3, 2)
    assert p["output"] == pytest.approx(3.0)  # (20000 + 10000) 万元, the below-scale 500 left out
    assert p["value_added"] == pytest.approx(0.7)
    assert p["output_previous"] == pytest.approx(2.4)
    assert p["growth"] == pytest.approx(0.25)
    assert p["share"] == pytest.approx(0.15)
    assert p["district_output"] == pytest.approx(20.0)
    a = r["auto"]
    assert (a["output"], a["growth"], a["share"]) == pytest.approx((4.0, -0.2, 0.2))
    el = r["elec"]
    assert el["enterprises"] == 1  # matched by 39 and by 397, counted once
    assert el["output"] == pytest.approx(3.0)
    assert el["growth"] is None  # no members the year before
    assert by_cluster(agg, 2021)["pneu"]["share"] == pytest.approx(24000 / 200000)


def test_location_quotient_against_an_explicit_total(run):
    _, lq = run(reference=CITY)
    r = by_cluster(lq, 2022)
    # pneu: (30000/200000) / (400/10000) = 0.15 / 0.04
    assert r["pneu"]["lq"] == pytest.approx(3.75)
    assert r["auto"]["lq"] == pytest.approx(0.2 / 0.1)
    assert r["elec"]["lq"] == pytest.approx(0.15 / 0.06)
    assert r["elec"]["reference_value"] == pytest.approx(600.0)
    assert r["pneu"]["reference_covered"] is True
    assert by_cluster(lq, 2021)["pneu"]["lq"] is None  # the reference has no 2021


def test_location_quotient_total_is_the_sum_when_no_total_row(run):
    _, lq = run(reference=CITY.filter(pl.col("industry_code") != "total"))
    r = by_cluster(lq, 2022)
    assert r["pneu"]["reference_total"] == pytest.approx(4000.0)
    assert r["pneu"]["lq"] == pytest.approx(0.15 / (400 / 4000))


def test_a_reference_coarser_than_the_cluster_gives_no_lq(run):
    coarse = reference([(2022, "34", 400.0), (2022, "36", 1000.0), (2022, "total", 10000.0)])
    r = by_cluster(run(reference=coarse)[1], 2022)
    assert r["pneu"]["lq"] is None and r["pneu"]["reference_covered"] is False
    assert r["auto"]["lq"] == pytest.approx(2.0)
    assert r["elec"]["lq"] is None  # no reference row under 39: nothing to compare with


def test_location_quotient_on_employees_counts_every_enterprise(run):
    employees = reference([(2022, "3444", 50.0), (2022, "3445", 30.0), (2022, "total", 1000.0)])
    r = by_cluster(run(reference=employees, measure="employees")[1], 2022)
    # pneu: (150 + 150 + 20) / (5 × 150 + 20) over 80 / 1000
    assert r["pneu"]["region_value"] == pytest.approx(320.0)
    assert r["pneu"]["lq"] == pytest.approx((320 / 770) / 0.08)


def test_titles_add_members(run):
    first = facts()["credit_code"][0]
    titled = pl.DataFrame({"cluster_id": ["auto"], "credit_code": [first]})
    r = by_cluster(run(titled=titled)[0], 2022)
    assert r["auto"]["enterprises"] == 2
    assert r["auto"]["output"] == pytest.approx(6.0)
