"""The alert commands on a local `monitoring` app (the lead wires alerts_commands into
monitoring/cli.py at merge): the JSON keys of the contract, ack/dismiss/silence, rules list,
a rule file that does not validate refused with its line."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from helpers import code, run_import, write_csv
from industry_brain.monitoring.alerts_cli import ALERT_KEYS, alerts_commands
from monitoring_alerts_fixtures import months

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def monitoring() -> None:
        """经济运行监测"""

    alerts_commands(app)
    return app


def _load(engine, settings, tmp_path):  # type: ignore[no-untyped-def]
    accounts = [["户号", "统一社会信用代码", "户名"], ["3300001", code(1), "甲"]]
    run_import(engine, settings, write_csv(tmp_path / "acc.csv", accounts), "power")
    for year in ("2023", "2024"):
        rows = [["户号", "月份", "用电量（千瓦时）"]]
        rows += [
            ["3300001", m, 40_000 if m >= "2024-03" else 100_000] for m in months(f"{year}-01", f"{year}-04")
        ]
        run_import(engine, settings, write_csv(tmp_path / f"p{year}.csv", rows), "power")


def test_alerts_json_and_the_lifecycle_commands(engine, settings, db_url, tmp_path):
    _load(engine, settings, tmp_path)
    app = _app()
    got = runner.invoke(app, ["alerts", "--month", "2024-03", "--json", "--db", db_url])
    assert got.exit_code == 0, got.output
    rows = json.loads(got.output)["alerts"]
    drop = next(r for r in rows if r["rule"] == "power_yoy_drop")
    assert tuple(drop) == ALERT_KEYS
    assert (drop["credit_code"], drop["state"], drop["first_month"], drop["month"]) == (
        code(1),
        "pending",
        "2024-03",
        "2024-03",
    )
    assert "下降 60.0%" in drop["explanation"]
    aid = str(drop["alert_id"])
    assert runner.invoke(app, ["ack", aid, "--comment", "已联系", "--db", db_url]).exit_code == 0
    bad = runner.invoke(app, ["dismiss", aid, "--reason", "随便", "--db", db_url])
    assert bad.exit_code == 2 and "未知的驳回原因" in bad.output
    assert runner.invoke(app, ["dismiss", aid, "--reason", "数据错误", "--db", db_url]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["rules", "list", "--json", "--db", db_url]).output)["rules"]
    by = {r["rule"]: r for r in listed}
    assert (by["power_yoy_drop"]["raised"], by["power_yoy_drop"]["precision"]) == (1, 0.0)
    assert runner.invoke(app, ["silence", aid, "--until", "2099-01-01", "--db", db_url]).exit_code == 0
    after = json.loads(runner.invoke(app, ["alerts", "--month", "2024-03", "--json", "--db", db_url]).output)
    assert after["alerts"] == [r for r in after["alerts"] if r["rule"] != "power_yoy_drop"]


def test_a_bad_rule_file_is_refused_with_its_line(engine, settings, db_url, tmp_path, monkeypatch):
    bad = tmp_path / "rules.yaml"
    bad.write_text("version: 1\nrules:\n  - id: x\n    name: 乙\n    kind: yoy_change\n", encoding="utf-8")
    monkeypatch.setenv("INDUSTRY_BRAIN_MONITORING_RULES", str(bad))
    got = runner.invoke(_app(), ["rules", "list", "--db", db_url])
    assert got.exit_code == 2
    assert "rules.yaml 第 3 行：规则缺少“measure”" in got.output
