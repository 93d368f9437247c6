"""Policies through the database (SQLite and PostgreSQL): imported files matched with each
value's source, and the 免申即享 workflow step by step with its scopes and audit."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from helpers import code, run_import, write_csv
from industry_brain.cli.main import build_app
from industry_brain.core.auth_models import AuditEntry
from industry_brain.core.db import transaction
from industry_brain.core.scope import Scope
from industry_brain.policies import workflow as wf
from industry_brain.policies.service import match

E = {i: code(200 + i) for i in range(1, 5)}
TOWN_A, TOWN_B = "330213001", "330213002"
AS_OF = dt.date(2025, 3, 1)
STATS = ["统一社会信用代码", "企业名称", "行业代码", "是否规上", "营业收入（万元）"]
# (enterprise, 2023 revenue, 2024 revenue); 规下 in 2023, 规上 in 2024 (E4 has no 2023 row)
# growth: E1 +20% eligible, E2 +10% not, E3 +15% (exactly the threshold) eligible, E4 unknown
ROWS = {1: (1000, 1200), 2: (1000, 1100), 3: (1000, 1150), 4: (None, 3000)}
BUREAU = Scope(role="department", username="jxj", unit="区经信局")


@pytest.fixture
def loaded(engine, settings, tmp_path):
    reg = [["统一社会信用代码", "企业名称", "行业代码", "所属镇街"]]
    reg += [[c, f"企业{i}", "3444", TOWN_A if i < 3 else TOWN_B] for i, c in E.items()]
    run_import(engine, settings, write_csv(tmp_path / "reg.csv", reg), "registry")
    for year, k in ((2023, 0), (2024, 1)):
        rows = [STATS] + [
            [E[i], f"企业{i}", "3444", "是" if k else "否", r[k]] for i, r in ROWS.items() if r[k]
        ]
        run_import(engine, settings, write_csv(tmp_path / f"s{year}.csv", rows), "stats", str(year))
    return engine


def test_match_reads_the_record_and_names_each_source(loaded):
    with transaction(loaded) as s:
        got = match(s, as_of=AS_OF, scope=Scope.system(), policy_ids=["scale_up_reward"])
    by = {e["credit_code"]: e for e in got}
    assert {c: by[c]["result"] for c in E.values()} == {
        E[1]: "eligible", E[2]: "not_eligible", E[3]: "eligible", E[4]: "unknown",
    }  # fmt: skip
    assert by[E[1]]["amount_wan"] == 10.0
    growth = by[E[2]]["conditions"][2]
    assert growth["message"] == "营业收入增速 10%，要求不低于 15%" and growth["passed"] is False
    assert growth["source"][0]["file"] == "s2024.csv" and growth["source"][0]["row"] == 3
    assert growth["source"][0]["department"] == "统计局"
    assert [m["name"] for m in by[E[4]]["missing"]] == ["上年为规模以上工业企业", "上年营业收入"]


def test_scopes_narrow_the_matches(loaded):
    with transaction(loaded) as s:
        town = match(
            s, as_of=AS_OF, scope=Scope(role="town", township_code=TOWN_B), policy_ids=["scale_up_reward"]
        )
        own = match(
            s, as_of=AS_OF, scope=Scope(role="enterprise", credit_code=E[1]), policy_ids=["scale_up_reward"]
        )
    assert {e["credit_code"] for e in town} == {E[3], E[4]}
    assert [e["credit_code"] for e in own] == [E[1]]


def test_the_workflow_step_by_step(loaded):
    with transaction(loaded) as s:
        with pytest.raises(wf.WorkflowError, match="只有区经信局"):
            wf.start_run(
                s, policy_id="scale_up_reward", as_of=AS_OF, scope=Scope(role="department", unit="区科技局")
            )
        run = wf.start_run(s, policy_id="scale_up_reward", as_of=AS_OF, scope=BUREAU)
        with pytest.raises(wf.WorkflowError, match="同一年度只发起一次"):  # no second payment
            wf.start_run(s, policy_id="scale_up_reward", as_of=AS_OF, scope=BUREAU)
        ids = {m["credit_code"]: m["id"] for m in wf.matches(s, scope=BUREAU, run_id=run.id)}
        assert set(ids) == {E[1], E[3], E[4]}  # the not-eligible E2 is not stored
        wf.department_decide(s, match_id=ids[E[1]], confirm=True, reason=None, scope=BUREAU)
        with pytest.raises(wf.WorkflowError, match="必须写明理由"):
            wf.department_decide(s, match_id=ids[E[3]], confirm=False, reason=" ", scope=BUREAU)
        wf.department_decide(s, match_id=ids[E[3]], confirm=False, reason="已享受同类奖励", scope=BUREAU)
        with pytest.raises(wf.WorkflowError, match="不是“符合条件”"):
            wf.department_decide(s, match_id=ids[E[4]], confirm=True, reason=None, scope=BUREAU)
        with pytest.raises(wf.WorkflowError, match="只有该企业本身"):
            wf.enterprise_decide(
                s,
                match_id=ids[E[1]],
                accept=True,
                reason=None,
                scope=Scope(role="enterprise", credit_code=E[3]),
            )
        with pytest.raises(wf.WorkflowError, match="要求“企业已确认，待拨付”"):
            wf.record_payment(s, match_id=ids[E[1]], amount_wan=10, paid_on=AS_OF, voucher="P1", scope=BUREAU)
        wf.enterprise_decide(
            s,
            match_id=ids[E[1]],
            accept=True,
            reason=None,
            scope=Scope(role="enterprise", username="e1", credit_code=E[1]),
        )
        with pytest.raises(wf.WorkflowError, match=r"不超过核定金额 10\.0"):
            wf.record_payment(s, match_id=ids[E[1]], amount_wan=12, paid_on=AS_OF, voucher="P1", scope=BUREAU)
        wf.record_payment(
            s, match_id=ids[E[1]], amount_wan=10, paid_on=dt.date(2025, 4, 1), voucher="P1", scope=BUREAU
        )
        shown = wf.publicity(s, run_id=run.id, scope=BUREAU)
        assert [(r["credit_code"], r["amount_wan"]) for r in shown] == [(E[1], 10.0)]
        (pol,) = wf.ledger(s, scope=BUREAU, by="policy")
        assert (pol["committed_wan"], pol["paid_wan"], pol["enterprises"], pol["budget_wan"]) == (
            10.0,
            10.0,
            1,
            None,
        )
        towns = {g["township"]: g for g in wf.ledger(s, scope=Scope.system(), by="township")}
        assert towns[TOWN_A]["paid_wan"] == 10.0 and towns[TOWN_B]["committed_wan"] == 0.0
        assert (
            wf.matches(s, scope=Scope(role="town", township_code=TOWN_A), run_id=run.id)[0]["credit_code"]
            == E[1]
        )
        assert wf.matches(s, scope=Scope(role="department", unit="区科技局")) == []
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("policy.%")).order_by(AuditEntry.id)
        ).all()
    assert actions == ["policy.run", "policy.confirm", "policy.remove", "policy.accept", "policy.pay"]


def test_match_command_json_contract(loaded, db_url):
    res = CliRunner().invoke(
        build_app(),
        [
            "policies",
            "match",
            "--db",
            db_url,
            "--policy",
            "scale_up_reward",
            "--code",
            E[1],
            "--as-of",
            "2025-03-01",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.output)
    assert {"credit_code", "policy", "result", "amount_wan", "conditions", "missing"} <= set(row)
    assert (row["policy"], row["result"], row["amount_wan"]) == ("scale_up_reward", "eligible", 10.0)
    assert set(row["conditions"][0]) >= {"name", "value", "required", "passed", "source"}


def test_check_command_refuses_with_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: 1\nname: 示例\ncolour: red\n", encoding="utf-8")
    res = CliRunner().invoke(build_app(), ["policies", "check", str(bad)])
    assert res.exit_code == 2 and "bad.yaml:4: colour：未知的键“colour”" in res.output


def test_declared_figures_feed_the_match_with_their_file_and_row(loaded, db_url, tmp_path):
    bad = write_csv(
        tmp_path / "bad.csv",
        [["统一社会信用代码", "技术改造设备投资额（万元）"], [E[1], "800"], [E[2], "多"]],
    )
    app = build_app()
    res = CliRunner().invoke(
        app, ["policies", "figures", str(bad), "--year", "2024", "--by", "jxj", "--db", db_url]
    )
    assert res.exit_code == 2 and "第 3 行" in res.output
    good = write_csv(
        tmp_path / "tech.csv", [["统一社会信用代码", "技术改造设备投资额（万元）"], [E[1], "800"]]
    )
    res = CliRunner().invoke(
        app, ["policies", "figures", str(good), "--year", "2024", "--by", "jxj", "--db", db_url]
    )
    assert res.exit_code == 0, res.output
    with transaction(loaded) as s:
        (e,) = match(s, as_of=AS_OF, scope=Scope.system(), policy_ids=["tech_upgrade"], code=E[1])
    invest = e["conditions"][1]
    assert (invest["value"], invest["passed"]) == (800.0, True)
    assert (invest["source"]["file"], invest["source"]["row"]) == ("tech.csv", 2)
    # No environment or safety list was imported: those stay unknown, with their departments.
    assert e["result"] == "unknown" and {m["department"] for m in e["missing"]} == {
        "区生态环境局",
        "区应急管理局",
    }


def test_sandbox_names_who_gains_and_the_cost_by_township(loaded):
    from importlib import resources

    from industry_brain.policies.format import parse_policy
    from industry_brain.policies.sandbox import sandbox

    text = (resources.files("industry_brain.policies") / "data" / "scale_up_reward.yaml").read_text("utf-8")
    draft = parse_policy(
        text.replace("value: 15}", "value: 10}").replace("version: 1", "version: 2"), "d.yaml"
    )
    with transaction(loaded) as s:
        got = sandbox(s, draft=draft, as_of=AS_OF, scope=Scope.system())
    assert [g["credit_code"] for g in got["gained"]] == [E[2]] and got["lost"] == []  # E2 grew 10%
    assert got["cost"] == {"live_wan": 20.0, "draft_wan": 30.0, "delta_wan": 10.0}
    (town,) = got["by"]["township"]
    assert (town["gained"], town["delta_wan"]) == (1, 10.0) and town["group"] != TOWN_A  # a name, not a code
    assert got["by"]["tier"] == [
        {"group": "规上企业", "gained": 1, "lost": 0, "live_wan": 20.0, "draft_wan": 30.0, "delta_wan": 10.0}
    ]


def test_sandbox_groups_by_the_clusters_of_the_districts_own_plan(loaded):
    """A cluster of a plan the district added (智能装备: GB/T 4754 34, 351) holds every enterprise
    of the fixture (3444), so the one who gains is counted under it."""
    from importlib import resources

    import yaml

    from industry_brain.plans.pack import parse_pack
    from industry_brain.plans.store import add_pack
    from industry_brain.policies.format import parse_policy
    from industry_brain.policies.sandbox import sandbox
    from plans_fixtures import SAMPLE_PACK

    text = SAMPLE_PACK.replace("name: 智能装备", "name: 本区智能装备")
    with transaction(loaded) as s:
        add_pack(
            s, pack=parse_pack(yaml.safe_load(text), "本区规划.yaml"), source_name="本区规划.yaml", by="测试"
        )
    policy = (resources.files("industry_brain.policies") / "data" / "scale_up_reward.yaml").read_text("utf-8")
    draft = parse_policy(
        policy.replace("value: 15}", "value: 10}").replace("version: 1", "version: 2"), "d.yaml"
    )
    with transaction(loaded) as s:
        got = sandbox(s, draft=draft, as_of=AS_OF, scope=Scope.system())
    own = [g for g in got["by"]["cluster"] if g["group"] == "本区智能装备"]
    assert [(g["gained"], g["delta_wan"]) for g in own] == [(1, 10.0)]


def test_runs_count_each_state_within_the_scope(loaded):
    # E1 (town A) eligible 10 万元, E3 (town B) eligible 10 万元, E4 (town B) unknown: stored.
    with transaction(loaded) as s:
        run = wf.start_run(s, policy_id="scale_up_reward", as_of=AS_OF, scope=BUREAU)
        ids = {m["credit_code"]: m["id"] for m in wf.matches(s, scope=BUREAU, run_id=run.id)}
        wf.department_decide(s, match_id=ids[E[1]], confirm=True, reason=None, scope=BUREAU)
        wf.department_decide(s, match_id=ids[E[4]], confirm=False, reason="缺上年数据", scope=BUREAU)
        (whole,) = wf.runs(s, scope=BUREAU)
        (town_b,) = wf.runs(s, scope=Scope(role="town", township_code=TOWN_B))
        assert wf.runs(s, scope=Scope(role="enterprise", credit_code=E[1])) == []
        assert wf.runs(s, scope=Scope(role="department", unit="区科技局")) == []
        one = wf.stored_match(s, scope=Scope(role="enterprise", credit_code=E[1]), match_id=ids[E[1]])
        with pytest.raises(wf.WorkflowError, match="不存在"):  # another township's, as if absent
            wf.stored_match(s, scope=Scope(role="town", township_code=TOWN_A), match_id=ids[E[3]])
    assert (whole["run_id"], whole["policy_name"], whole["figures_year"]) == (
        run.id,
        "“小升规”工业企业奖励",
        2024,
    )
    assert (whole["matches"], whole["matched"], whole["confirmed"], whole["removed"]) == (3, 1, 1, 1)
    assert (whole["committed_wan"], whole["paid_wan"]) == (10.0, 0.0)
    assert (town_b["matches"], town_b["matched"], town_b["removed"], town_b["committed_wan"]) == (
        2,
        1,
        1,
        0.0,
    )
    assert one["trace"]["result"] == "eligible" and "id: scale_up_reward" in one["policy_text"]
