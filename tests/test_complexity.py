"""RCA, proximity, density and ECI/PCI/COG: hand-worked matrices, every engine, and the
reference package py-ecomplexity on the same input."""

from __future__ import annotations

import importlib.util
import os
import warnings

import ibis
import numpy as np
import pandas as pd
import polars as pl
import pytest

from industry_brain.clusters import complexity as cx
from industry_brain.evaluation.engines import connect

HAS_SPARK = importlib.util.find_spec("pyspark") is not None
SPARK = pytest.mark.skipif(not HAS_SPARK and not os.environ.get("CI"), reason="PySpark not installed")
ENGINES = [
    "duckdb",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("pyspark", marks=[SPARK, pytest.mark.slow]),
]
# Three areas, three industries; worked by hand in docs/chains.md ("A worked example").
SMALL = [("A", "x", 10.0), ("A", "y", 10.0), ("B", "x", 10.0), ("B", "z", 10.0), ("C", "z", 20.0)]


def _random(seed: int, areas: int = 9, industries: int = 12) -> list[tuple[str, str, float]]:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 60, size=(areas, industries)) * (rng.random((areas, industries)) > 0.3)
    return [(f"a{a}", f"i{i:02d}", float(values[a, i])) for a in range(areas) for i in range(industries)]


@pytest.fixture(params=ENGINES)
def run(request):
    con = connect(
        request.param, postgres_url=request.getfixturevalue("pg_url") if request.param == "postgres" else None
    )

    def compute(rows):
        t = ibis.memtable(pl.DataFrame(rows, schema=["area", "industry", "value"], orient="row").to_arrow())
        m = cx.rca(t)
        phi = cx.proximity(m)
        get = lambda e: pl.from_arrow(con.to_pyarrow(e))  # noqa: E731
        return (
            get(m).sort("area", "industry"),
            get(phi).sort("industry_i", "industry_j"),
            get(cx.density(m, phi)).sort("area", "industry"),
        )

    yield compute
    if request.param != "pyspark":
        con.disconnect()


def _cell(frame: pl.DataFrame, column: str, **keys: str) -> float:
    for k, v in keys.items():
        frame = frame.filter(pl.col(k) == v)
    assert frame.height == 1
    return frame[column][0]


def test_hand_worked_rca_presence_and_proximity(run):
    m, phi, _ = run(SMALL)
    # RCA_Ax = (10/20) / (20/60) = 1.5; RCA_Ay = (10/20)/(10/60) = 3; RCA_Bz = (10/20)/(30/60) = 1
    assert _cell(m, "rca", area="A", industry="x") == pytest.approx(1.5)
    assert _cell(m, "rca", area="A", industry="y") == pytest.approx(3.0)
    assert _cell(m, "m", area="B", industry="z") == 1  # RCA exactly 1 counts as present
    assert _cell(m, "rca", area="C", industry="x") == 0.0  # completed with zeros
    # x in A,B; y in A; z in B,C: φ_xy = 1/max(2,1), φ_xz = 1/max(2,2), φ_yz = 0
    assert _cell(phi, "phi", industry_i="x", industry_j="y") == pytest.approx(0.5)
    assert _cell(phi, "phi", industry_i="z", industry_j="x") == pytest.approx(0.5)
    assert _cell(phi, "phi", industry_i="y", industry_j="z") == 0.0


def test_hand_worked_density(run):
    _, _, d = run(SMALL)
    # C lacks x: (M_Cz φ_xz) / (φ_xy + φ_xz + φ_xx) = 0.5 / 2
    assert _cell(d, "density", area="C", industry="x") == pytest.approx(0.25)
    assert _cell(d, "related", area="C", industry="x") == pytest.approx(0.5)
    assert _cell(d, "reach", area="C", industry="x") == pytest.approx(2.0)
    assert _cell(d, "density", area="C", industry="y") == 0.0
    assert _cell(d, "density", area="A", industry="z") == pytest.approx(1 / 3)


def _package(rows):
    from ecomplexity import ecomplexity

    df = pd.DataFrame(rows, columns=["loc", "prod", "val"]).assign(time=2024)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecomplexity(
            df,
            {"time": "time", "loc": "loc", "prod": "prod", "val": "val"},
            verbose=False,
            check_logsupermodularity=False,
        )
    return out.sort_values(["loc", "prod"]).reset_index(drop=True)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_py_ecomplexity(run, seed):
    rows = _random(seed)
    m, phi, d = run(rows)
    ref = _package(rows)
    assert d["rca"].to_numpy() == pytest.approx(ref["rca"].to_numpy(), rel=1e-9)
    assert d["m"].to_list() == ref["mcp"].astype(int).to_list()
    assert d["density"].to_numpy() == pytest.approx(ref["density"].to_numpy(), rel=1e-9)
    idx = cx.complexity_indices(m.select("area", "industry", "m"), phi)
    assert idx.eci == pytest.approx(ref.groupby("loc")["eci"].first().to_numpy(), abs=1e-9)
    assert idx.pci == pytest.approx(ref.groupby("prod")["pci"].first().to_numpy(), abs=1e-9)
    assert idx.cog.ravel() == pytest.approx(ref["cog"].to_numpy(), abs=1e-9)


def test_proximity_agrees_with_the_package():
    from ecomplexity import proximity

    rows = _random(4)
    df = pd.DataFrame(rows, columns=["loc", "prod", "val"]).assign(time=2024)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = proximity(df, {"time": "time", "loc": "loc", "prod": "prod", "val": "val"})
    ref = ref.rename(columns={"prod_1": "prod1", "prod_2": "prod2"})
    ref = ref[ref["prod1"] != ref["prod2"]].sort_values(["prod1", "prod2"])
    con = ibis.duckdb.connect()
    t = ibis.memtable(pl.DataFrame(rows, schema=["area", "industry", "value"], orient="row").to_arrow())
    phi = pl.from_arrow(con.to_pyarrow(cx.proximity(cx.rca(t)))).sort("industry_i", "industry_j")
    assert phi.select("industry_i", "industry_j").rows() == list(zip(ref["prod1"], ref["prod2"], strict=True))
    assert phi["phi"].to_numpy() == pytest.approx(ref["proximity"].to_numpy(), abs=1e-12)


def test_eci_sign_follows_diversity_and_eci_is_mean_pci():
    rows = _random(5)
    con = ibis.duckdb.connect()
    t = ibis.memtable(pl.DataFrame(rows, schema=["area", "industry", "value"], orient="row").to_arrow())
    m = pl.from_arrow(con.to_pyarrow(cx.rca(t)))
    phi = pl.from_arrow(con.to_pyarrow(cx.proximity(cx.rca(t))))
    idx = cx.complexity_indices(m, phi)
    assert np.corrcoef(idx.diversity, idx.eci)[0, 1] > 0
    assert idx.eci.mean() == pytest.approx(0, abs=1e-12) and idx.eci.std() == pytest.approx(1)
    _, _, mat, _ = cx.dense(m, phi)
    # The package's normalisation keeps ECI_a = mean PCI of the area's industries.
    assert (mat @ idx.pci) / mat.sum(axis=1) == pytest.approx(idx.eci, abs=1e-9)


def test_too_small_a_matrix_gives_no_complexity():
    m = pl.DataFrame({"area": ["A", "B"], "industry": ["x", "y"], "m": [1, 1]})
    phi = pl.DataFrame(schema={"industry_i": pl.String, "industry_j": pl.String, "phi": pl.Float64})
    idx = cx.complexity_indices(m, phi)
    assert np.isnan(idx.eci).all() and np.isnan(idx.pci).all()
