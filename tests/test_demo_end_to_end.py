"""The demo through the real import path: what the departments' files say is what the facts say."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from industry_brain.cli.main import build_app
from industry_brain.core.db import transaction
from industry_brain.ingest.facts import FACT_COLUMNS, resolve_year
from industry_brain.registry import open_database

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(
        build_app(),
        ["demo", "--dir", str(directory), "--scale", "0.2", "--seed", "11", "--no-serve", "--json"],
    )
    assert result.exit_code == 0, result.output
    return directory, json.loads(result.stdout)


def test_summary_has_the_contract_keys_and_every_reject_was_intended(demo):
    _, summary = demo
    assert {"database", "enterprises", "batches", "rejected_rows"} <= set(summary)
    # 33 yearly files and 11 monthly ones; a file of several months is a batch per month
    assert len(summary["files"]) == 44
    assert summary["batches"] == sum(len(f["batches"]) or 1 for f in summary["files"])
    assert summary["rejected_rows"] == sum(f["expected_rejects"] for f in summary["files"]) > 0
    assert all(f["rows_rejected"] == f["expected_rejects"] for f in summary["files"])


def test_facts_equal_the_generators_truth_for_every_clean_enterprise(demo):
    from industry_brain.demo.generator import generate

    directory, summary = demo
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    damaged = {
        i["credit_code"]
        for f in manifest["files"]
        for i in f["injections"]
        if i["reject"] or i["kind"] == "duplicate"
    }
    truth = generate(directory / "again", seed=11, scale=0.2).truth
    engine = open_database(summary["database"])
    for year in summary["years"]:
        with transaction(engine) as session:
            facts, _ = resolve_year(session, year=year, tolerance=0.01)
        want = truth.filter((pl.col("year") == year) & ~pl.col("credit_code").is_in(list(damaged)))
        got = facts.filter(pl.col("credit_code").is_in(want["credit_code"].implode()))
        assert got.height == want.height
        joined = want.join(got, on="credit_code", suffix="_got")
        for column in FACT_COLUMNS[1:]:
            a, b = joined[column], joined[f"{column}_got"]
            if a.dtype == pl.String or b.dtype == pl.String:
                assert a.cast(pl.String).to_list() == b.cast(pl.String).to_list(), (year, column)
            else:
                # Files state figures rounded to 0.01 in their own unit (one year's land is in
                # 平方米), so the round trip to 亩 is exact only to about 1e-5.
                x, y = a.cast(pl.Float64).to_list(), b.cast(pl.Float64).to_list()
                assert [v is None for v in x] == [v is None for v in y], (year, column)
                assert [v for v in x if v is not None] == pytest.approx(
                    [v for v in y if v is not None], rel=1e-5, abs=1e-6
                ), (year, column)
    engine.dispose()


def test_the_same_seed_builds_the_same_district(demo, tmp_path):
    directory, summary = demo
    again = CliRunner().invoke(
        build_app(),
        ["demo", "--dir", str(tmp_path), "--scale", "0.2", "--seed", "11", "--no-serve", "--json"],
    )
    other = json.loads(again.stdout)
    strip = lambda s: [{k: v for k, v in f.items() if k != "batch_id"} for f in s["files"]]  # noqa: E731
    assert strip(other) == strip(summary)
    for f in (directory / "files").iterdir():
        assert (tmp_path / "files" / f.name).read_bytes() == f.read_bytes(), f.name


def test_the_demo_is_evaluated_published_with_projects_and_an_account_per_role(demo):
    from industry_brain.core.auth import authenticate
    from industry_brain.core.settings import get_settings
    from industry_brain.enterprises.models import Enterprise
    from industry_brain.evaluation.service import get_run

    _, summary = demo
    assert summary["projects"] == 73
    assert sum(summary["evaluation"]["grades"].values()) > 0
    accounts = {a["role"]: a for a in summary["accounts"]}
    assert set(accounts) == {"admin", "analyst", "leader", "department", "town", "enterprise"}
    settings = get_settings(database_url=summary["database"])
    engine = open_database(summary["database"])
    with transaction(engine) as s:
        assert get_run(s, summary["evaluation"]["run_id"]).status == "published"
        for role, account in accounts.items():
            user = authenticate(
                s, username=account["username"], password=account["password"], address="127.0.0.1",
                settings=settings,
            )  # fmt: skip
            assert user.role == role
        # the enterprise account belongs to the town account's township
        firm = s.get(Enterprise, accounts["enterprise"]["scope"]["credit_code"])
        assert firm is not None and firm.township_code == accounts["town"]["scope"]["township_code"]
        # The units' progress report makes the lights mean something: most projects are green.
        from collections import Counter

        from industry_brain.core.scope import Scope
        from industry_brain.projects.service import project_flags

        lights = Counter(
            f["flag"]
            for f in project_flags(s, scope=Scope(role="analyst", username="a"), as_of=dt.date.today())
        )
    assert summary["milestones"] > 100 and Path(summary["progress_report"]).is_file()
    assert lights["green"] >= 40 and lights["red"] <= 15, lights
    engine.dispose()


def test_the_demo_has_standard_land_commitments_met_and_breached(demo):
    """The 标准地承诺 page of a fresh demo is not empty: parcels met, breached (with the
    shortfall in words) and not yet due, imported and reviewed the normal way."""
    from industry_brain.commitments.service import reviews
    from industry_brain.commitments.sheet import review_rows
    from industry_brain.core.scope import Scope

    _, summary = demo
    assert summary["commitment_results"] == {"met": 4, "breached": 3, "not_due": 1}
    assert Path(summary["commitments_file"]).name == "标准地承诺_自然资源.xlsx"
    engine = open_database(summary["database"])
    with transaction(engine) as session:
        rows = review_rows(reviews(session, scope=Scope.system()))
    engine.dispose()
    breached = [r for r in rows if r["result"] == "breached"]
    assert len(breached) == 3 and all(
        "承诺不低于" in r["shortfall"] or "承诺不高于" in r["shortfall"] for r in breached
    )
    assert [r["rectification"] for r in breached] == ["整改中", "未登记整改", "未登记整改"]
    # the demo town's township holds parcels, so its account sees some
    town = summary["accounts"][[a["role"] for a in summary["accounts"]].index("town")]["scope"][
        "township_code"
    ]
    assert sum(r["township"] == _township(town) for r in rows) >= 3


def _township(code: str) -> str:
    from industry_brain.reference.divisions import township_name

    return township_name(code)
