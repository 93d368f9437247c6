"""Matching a hand-worked population on every engine: results, amounts, the budget's cut, the
missing figures and the trace, all worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
from importlib import resources

import polars as pl
import pytest

from industry_brain.policies.engine import TITLE_SCHEMA, evaluate
from industry_brain.policies.format import parse_policy, shipped
from industry_brain.policies.trace import TRACE_VERSION, trace

SPARK = pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None and not os.environ.get("CI"), reason="PySpark not installed"
)
ENGINES = [
    "duckdb",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("pyspark", marks=[SPARK, pytest.mark.slow]),
]
AS_OF = dt.date(2025, 3, 1)  # figures of 2024
OK = {"above_scale": 1, "env_violation": 0, "safety_accident": 0, "year": 2024}
RECORD = [
    # tech_upgrade with a 300 万元 budget (draft below): raw 200, 150, 100 -> 450 > 300, each × 2/3
    {"credit_code": "A", "name": "甲", "tech_investment_wan": 2500, **OK},  # 250 capped at 200 -> 133.33
    {"credit_code": "B", "name": "乙", "tech_investment_wan": 1500, **OK},  # 150 -> 100.0
    {"credit_code": "C", "name": "丙", "tech_investment_wan": 1000, **OK},  # 100 -> 66.67
    {"credit_code": "D", "name": "丁", "tech_investment_wan": 400, **OK},  # below 500: not eligible
    {"credit_code": "E", "name": "戊", "tech_investment_wan": 900, "above_scale": 1, "year": 2024},  # unknown
    # 专精特新: R&D 28 / 1000 = 2.8% < 3%: a near miss on one condition
    {
        "credit_code": "F",
        "name": "己",
        "rd_spend_wan": 28,
        "revenue_wan": 1000,
        "env_violation": 0,
        "year": 2024,
    },
    {
        "credit_code": "G",
        "name": "庚",
        "rd_spend_wan": 40,
        "revenue_wan": 1000,
        "env_violation": 0,
        "year": 2023,
    },
]
TITLES = [("F", "专精特新", "省级", 2024), ("G", "专精特新", "省级", 2024)]


def draft():
    text = (resources.files("industry_brain.policies") / "data" / "tech_upgrade.yaml").read_text(
        encoding="utf-8"
    )
    return parse_policy(text.replace("budget_per_year_wan: 3000", "budget_per_year_wan: 300"), "draft.yaml")


@pytest.fixture(params=ENGINES)
def run(request):
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None

    def go(policies):
        titles = pl.DataFrame(TITLES, schema=TITLE_SCHEMA, orient="row")
        got = evaluate(
            policies, pl.DataFrame(RECORD), titles, as_of=AS_OF, engine=request.param, postgres_url=url
        )
        return {(r["policy"], r["credit_code"]): r for r in got.to_dicts()}

    return go


def test_results_amounts_and_budget_cut(run):
    got = run([draft(), shipped()["specialised_sme_award"]])
    tech = {c: got[("tech_upgrade", c)] for c in "ABCDEFG" if ("tech_upgrade", c) in got}
    assert set(tech) == set("ABCDEF")  # G has no 2024 record
    assert {c: r["result"] for c, r in tech.items()} == {
        "A": "eligible", "B": "eligible", "C": "eligible",
        "D": "not_eligible", "E": "unknown", "F": "unknown",
    }  # fmt: skip
    assert [tech[c]["amount_wan"] for c in "ABC"] == [133.33, 100.0, 66.67]
    assert tech["A"]["capped"] == 1 and tech["B"]["capped"] == 0
    assert tech["A"]["budget_factor"] == pytest.approx(2 / 3)
    missing = trace(draft(), tech["E"], AS_OF)["missing"]  # in the order of the conditions
    assert [m["field"] for m in missing] == ["env_violation", "safety_accident"]
    sme = got[("specialised_sme_award", "F")]
    assert sme["result"] == "not_eligible" and sme["c1_num"] == pytest.approx(2.8)


def test_rows_come_by_policy_then_credit_code_whatever_order_the_policies_are_given(run):
    # the lists (command, page, export) show them in this order; the engine returns no order
    got = run([draft(), shipped()["specialised_sme_award"]])
    assert list(got) == sorted(got) and next(iter(got))[0] == "specialised_sme_award"


def test_trace_is_the_match_read_back(run):
    got = run([shipped()["specialised_sme_award"], draft()])
    t = trace(shipped()["specialised_sme_award"], got[("specialised_sme_award", "F")], AS_OF)
    assert t["trace_version"] == TRACE_VERSION and t["figures_year"] == 2024
    title, rd, _env = t["conditions"]
    assert title["passed"] is True and title["value"] == "省级，2024年认定"
    assert rd["message"] == "研发投入占比 2.8%，要求不低于 3%"
    assert rd["gap"] == pytest.approx(0.2) and rd["near_miss"] is True and rd["article"] == "第三条"
    assert t["near_miss"] is True and t["failed"] == ["rd_ratio"]
    unknown = trace(draft(), got[("tech_upgrade", "E")], AS_OF)
    assert [m["name"] for m in unknown["missing"]] == ["环境违法行为", "安全生产事故"]
    assert unknown["missing"][1]["department"] == "区应急管理局"


def test_a_changed_threshold_applies_from_its_date(run):
    # D invested 400: below the 500 of 2025, above the 300 in force from 2026-01-01.
    early = run([draft()])[("tech_upgrade", "D")]
    assert early["result"] == "not_eligible"
    late = evaluate(
        [draft()],
        pl.DataFrame([{**RECORD[3], "year": 2025}]),
        pl.DataFrame(schema=TITLE_SCHEMA),
        as_of=dt.date(2026, 1, 1),
    )
    assert late.to_dicts()[0]["result"] == "eligible" and late.to_dicts()[0]["amount_wan"] == 40.0


def test_sandbox_compares_a_draft_with_the_live_policy():
    from industry_brain.policies.sandbox import compare

    # Draft threshold 400 instead of 500: D (400) gains 40 万元; A, B, C keep theirs.
    text = (resources.files("industry_brain.policies") / "data" / "tech_upgrade.yaml").read_text(
        encoding="utf-8"
    )
    live = parse_policy(text, "live.yaml")
    lower = parse_policy(
        text.replace("{from: 2025-01-01, value: 500}", "{from: 2025-01-01, value: 400}"), "draft.yaml"
    )
    titles = pl.DataFrame(schema=TITLE_SCHEMA)
    diff = {
        r["credit_code"]: r
        for r in compare(live, lower, pl.DataFrame(RECORD), titles, as_of=AS_OF).to_dicts()
    }
    assert diff["D"]["change"] == "gained" and diff["D"]["draft_wan"] == 40.0 and diff["D"]["live_wan"] == 0.0
    assert {c for c, r in diff.items() if r["change"] != "same"} == {"D"}
    higher = parse_policy(
        text.replace("{from: 2025-01-01, value: 500}", "{from: 2025-01-01, value: 1200}"), "d2.yaml"
    )
    diff = {
        r["credit_code"]: r
        for r in compare(live, higher, pl.DataFrame(RECORD), titles, as_of=AS_OF).to_dicts()
    }
    assert {c for c, r in diff.items() if r["change"] == "lost"} == {"C"}  # C invested 1000
