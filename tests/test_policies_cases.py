"""Every shipped policy's YAML test cases (boundaries on both sides of each threshold, the
date-keyed replays), run on every engine."""

from __future__ import annotations

import importlib.util
import os

import pytest

from industry_brain.policies.cases import run_cases, shipped_cases
from industry_brain.policies.format import shipped

SPARK = pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None and not os.environ.get("CI"), reason="PySpark not installed"
)
ENGINES = ["duckdb", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def test_every_shipped_policy_has_cases_with_each_result():
    cases = shipped_cases()
    assert set(cases) == set(shipped())
    results = {c.result for cs in cases.values() for c in cs}
    assert {"eligible", "not_eligible", "unknown", "not_in_force"} <= results


@pytest.mark.parametrize("policy_id", sorted(shipped()))
@pytest.mark.parametrize("engine", ENGINES)
def test_cases(policy_id, engine, request):
    url = request.getfixturevalue("pg_url") if engine == "postgres" else None
    assert run_cases(shipped()[policy_id], shipped_cases()[policy_id], engine=engine, postgres_url=url) == []


@SPARK
@pytest.mark.slow
def test_cases_on_pyspark():
    # The two policies with every kind of condition, cap, rounding and date-keyed parameter.
    for pid in ("tech_upgrade", "specialised_sme_award"):
        assert run_cases(shipped()[pid], shipped_cases()[pid], engine="pyspark") == []


def test_a_wrong_expectation_is_reported():
    from dataclasses import replace

    case = shipped_cases()["mu_a_reward"][0]
    wrong = replace(case, amount_wan=2.5)
    (line,) = run_cases(shipped()["mu_a_reward"], [wrong])
    assert "应为 eligible 2.5，得到 eligible 2.0" in line
