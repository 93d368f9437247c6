"""标准地 commitments through the database (SQLite and PostgreSQL): an import with its preview
and kept previous values, a stored 达产复核 with each indicator's source, the scopes, 整改,
and the commands."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from helpers import code, run_import, write_csv
from industry_brain.cli.main import build_app
from industry_brain.commitments import service as svc
from industry_brain.core.db import transaction
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope

E = {i: code(300 + i) for i in range(1, 4)}
TOWN_A, TOWN_B = "330213001", "330213002"
HEAD = [
    "地块编号",
    "统一社会信用代码",
    "面积（亩）",
    "亩均产值（万元/亩）",
    "亩均税收（万元/亩）",
    "达产复核日期",
    "违约责任",
]
AS_OF = dt.date(2025, 12, 1)


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


ROWS = [
    ["BZD-1", E[1], 40, 75, 15, "2025-06-30", "按差额退还优惠"],  # 80.0 / 18.2: met
    ["BZD-2", E[2], 40, 60, 25, "2025-06-30", "按差额退还优惠"],  # 18.2 < 25: breached
    ["BZD-3", E[3], 20, 50, 10, "2026-06-30", None],  # not due
]


@pytest.fixture
def loaded(engine, settings, tmp_path):
    reg = [["统一社会信用代码", "企业名称", "行业代码", "所属镇街"]]
    reg += [[c, f"企业{i}", "3444", TOWN_A if i < 3 else TOWN_B] for i, c in E.items()]
    run_import(engine, settings, write_csv(tmp_path / "reg.csv", reg), "registry")
    stats = [["统一社会信用代码", "企业名称", "行业代码", "工业总产值", "实缴税金"]]
    stats += [[c, f"企业{i}", "3444", 3200, 728] for i, c in E.items()]
    run_import(engine, settings, write_csv(tmp_path / "s2024.csv", stats), "stats", "2024")
    with transaction(engine) as s:
        svc.import_commitments(s, path=_xlsx(tmp_path / "标准地.xlsx", ROWS), settings=settings, by="zrj")
    return engine


def test_review_is_stored_with_each_indicators_source(loaded):
    with transaction(loaded) as s:
        svc.run_review(s, as_of=AS_OF, by="zrj")
    with transaction(loaded) as s:
        got = {r["parcel_id"]: r for r in svc.reviews(s, scope=Scope.system())}
    assert {p: r["result"] for p, r in got.items()} == {
        "BZD-1": "met",
        "BZD-2": "breached",
        "BZD-3": "not_due",
    }
    tax = next(e for e in got["BZD-2"]["trace"]["indicators"] if e["indicator"] == "tax_per_mu")
    assert tax["shortfall"] == "亩均税收 18.2 万元/亩，承诺不低于 25.0 万元/亩，差 6.8"
    assert tax["source"][0]["file"] == "s2024.csv" and tax["source"][0]["row"] == 3
    assert got["BZD-2"]["name"] == "企业2" and got["BZD-2"]["consequences"] == "按差额退还优惠"


def test_reimport_shows_changes_and_keeps_previous(loaded, settings, tmp_path):
    changed = [[*ROWS[0][:4], 20, *ROWS[0][5:]], *ROWS[1:]]
    f = _xlsx(tmp_path / "标准地2.xlsx", changed)
    with transaction(loaded) as s:
        plan = svc.import_commitments(s, path=f, settings=settings, apply=False)
        assert [p["parcel_id"] for p in plan["changed"]] == ["BZD-1"]
        assert plan["changed"][0]["changes"] == {"committed_tax_per_mu": [15.0, 20.0]}
        svc.import_commitments(s, path=f, settings=settings)
    with transaction(loaded) as s:
        first = svc.list_commitments(s, scope=Scope.system())[0]
    assert first["committed_tax_per_mu"] == 20.0 and first["previous"]["committed_tax_per_mu"] == 15.0


def test_scopes(loaded):
    with transaction(loaded) as s:

        def seen(scope: Scope) -> list[str]:
            return [c["parcel_id"] for c in svc.list_commitments(s, scope=scope)]

        assert seen(Scope(role="enterprise", credit_code=E[2])) == ["BZD-2"]
        assert seen(Scope(role="town", township_code=TOWN_B)) == ["BZD-3"]
        assert seen(Scope(role="analyst")) == ["BZD-1", "BZD-2", "BZD-3"]
        assert seen(Scope(role="department", unit="区自然资源和规划分局")) == ["BZD-1", "BZD-2", "BZD-3"]
        assert seen(Scope(role="department", unit="区经信局")) == []


def test_rectify_a_breach_only(loaded):
    with transaction(loaded) as s:
        ids = svc.run_review(s, as_of=AS_OF)
        by = {r["parcel_id"]: r["id"] for r in svc.reviews(s, scope=Scope.system())}
        assert set(by.values()) == set(ids)
        with pytest.raises(IndustryBrainError, match="无需整改"):
            svc.rectify(s, review_id=by["BZD-1"], state="open", scope=Scope.system())
        with pytest.raises(IndustryBrainError, match="无权"):
            svc.rectify(
                s, review_id=by["BZD-2"], state="open", scope=Scope(role="enterprise", credit_code=E[2])
            )
        svc.rectify(
            s, review_id=by["BZD-2"], state="in_progress", scope=Scope.system(),
            deadline=dt.date(2026, 3, 31), note="补缴差额", by="zrj",
        )  # fmt: skip
    with transaction(loaded) as s:
        got = {r["parcel_id"]: r for r in svc.reviews(s, scope=Scope.system())}
    assert got["BZD-2"]["rectification_state"] == "in_progress"
    assert got["BZD-2"]["rectification"][0]["deadline"] == "2026-03-31"


def test_commands(loaded, db_url, tmp_path):
    runner = CliRunner()
    app = build_app()
    got = runner.invoke(app, ["commitments", "list", "--json", "--db", db_url])
    assert got.exit_code == 0, got.output
    assert [c["parcel_id"] for c in json.loads(got.output)] == ["BZD-1", "BZD-2", "BZD-3"]
    got = runner.invoke(app, ["commitments", "review", "--as-of", "2025-12-01", "--json", "--db", db_url])
    assert got.exit_code == 0, got.output
    breach = next(r for r in json.loads(got.output) if r["result"] == "breached")
    got = runner.invoke(app, ["commitments", "review", "--as-of", "2025-12-01", "--db", db_url])
    assert "差 6.8" in got.output
    got = runner.invoke(
        app,
        ["commitments", "rectify", str(breach["id"]), "--state", "done", "--note", "已补缴", "--db", db_url],
    )
    assert got.exit_code == 0 and "已整改" in got.output, got.output
    f = _xlsx(tmp_path / "新.xlsx", [["BZD-9", E[1], 10, 50, 5, "2027-01-01", None]])
    got = runner.invoke(app, ["commitments", "import", str(f), "--db", db_url])
    assert got.exit_code != 0 and "新增 1 块" in got.output and "--yes" in got.output
    got = runner.invoke(app, ["commitments", "import", str(f), "--yes", "--db", db_url])
    assert got.exit_code == 0 and "已导入" in got.output, got.output
