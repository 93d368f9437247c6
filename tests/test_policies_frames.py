"""The set-based reads of the match frame (policies/frames.py) on the hand-worked population of
test_policies_engines: the near-miss column says what the trace says, row by row; the summary
counts and amounts are the hand-worked ones; the list keeps what a district's page lists."""

from __future__ import annotations

import polars as pl
import pytest

from industry_brain.policies import frames
from industry_brain.policies.engine import TITLE_SCHEMA, evaluate
from industry_brain.policies.explain import amount_lines, condition_rows, formula_words
from industry_brain.policies.format import shipped
from industry_brain.policies.trace import Statement, trace
from test_policies_engines import AS_OF, RECORD, TITLES, draft


@pytest.fixture(scope="module")
def matched() -> tuple[pl.DataFrame, list]:
    policies = [draft(), *[p for p in shipped().values() if p.id != "tech_upgrade"]]
    titles = pl.DataFrame(TITLES, schema=TITLE_SCHEMA, orient="row")
    got = evaluate(policies, pl.DataFrame(RECORD), titles, as_of=AS_OF)
    return frames.with_near_miss(got, policies, AS_OF), policies


def test_the_near_miss_column_is_the_trace_s_verdict_row_by_row(matched):
    got, policies = matched
    by_id = {p.id: p for p in policies}
    rows = got.to_dicts()
    assert len(rows) == 6 * len(policies)  # six enterprises with a 2024 record, every policy
    for r in rows:
        assert r["near_miss"] == trace(by_id[r["policy"]], r, AS_OF)["near_miss"], (
            r["policy"],
            r["credit_code"],
        )
    near = {(r["policy"], r["credit_code"]) for r in rows if r["near_miss"]}
    # D invested 400, 100 short of 500 (20%: the edge is in); F's R&D is 2.8% against 3%
    assert near == {("tech_upgrade", "D"), ("specialised_sme_award", "F")}


def test_the_summary_counts_the_frame(matched):
    got, policies = matched
    by = {s["policy"]: s for s in frames.summary(got, policies)}
    tech = by["tech_upgrade"]
    assert (tech["eligible"], tech["eligible_zero"], tech["not_eligible"], tech["unknown"]) == (3, 0, 1, 2)
    assert tech["near_miss"] == 1 and tech["amount_wan"] == 300.0  # 133.33 + 100 + 66.67
    assert tech["policy_name"] == "工业企业技术改造投资补助"
    sme = by["specialised_sme_award"]
    assert (sme["eligible"], sme["not_eligible"], sme["near_miss"], sme["amount_wan"]) == (0, 6, 1, 0.0)
    assert list(by) == sorted(by)


def test_the_list_keeps_all_but_the_plainly_not_eligible(matched):
    got, _ = matched
    kept = frames.listed(got)
    assert set(kept.filter(pl.col("policy") == "tech_upgrade")["credit_code"]) == set("ABCDEF")
    assert kept.filter(pl.col("policy") == "specialised_sme_award")["credit_code"].to_list() == ["F"]


def test_a_trace_in_words_names_fields_and_parameters(matched):
    got, policies = matched
    p = policies[0]  # the draft of tech_upgrade, budget 300 万元
    row = got.filter((pl.col("policy") == p.id) & (pl.col("credit_code") == "A")).to_dicts()[0]
    t = trace(p, row, AS_OF, None, Statement(p, AS_OF))
    assert formula_words(p, p.amount.formula) == "技术改造设备投资额 × 补助比例 ÷ 100"
    assert condition_rows(t)[1][:4] == ["技术改造设备投资额", "2,500万元", "不低于 500万元", "满足"]
    assert condition_rows(t)[2][:4] == ["无环境违法行为", "无", "无", "满足"]
    lines = amount_lines(p, t)
    # 2,500 × 10% = 250, capped at 200, then × 300 / 450 (the three eligible ask 450) = 133.33
    assert "按公式测算 250 万元" in lines and "单个企业上限 200 万元，超出部分不予兑现" in lines
    assert any("按比例核减为测算金额的 66.67%" in line for line in lines)
    assert lines[-1].startswith("核定金额 133.33 万元")
    text = "".join(lines)
    for code_word in ("tech_investment_wan", "rate_pct", "cap_wan", "None"):
        assert code_word not in text
