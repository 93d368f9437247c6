"""The command line as other systems call it: options, JSON keys, exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import polars as pl
from typer.testing import CliRunner

from helpers import code, write_xlsx
from industry_brain.cli.main import build_app

runner = CliRunner()
TAX = ["统一社会信用代码", "企业名称", "实缴税金（万元）"]


def cli(*args: str):
    return runner.invoke(build_app(), list(args))


def test_import_json_has_the_contract_keys(db_url, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [TAX, [code(1), "甲", 1], [code(2), "乙", -1.5], ["合计"]])
    result = cli("import", str(path), "--source", "tax", "--period", "2024", "--db", db_url, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"batch_id", "rows_read", "rows_accepted", "rows_rejected", "rows_skipped", "rejects"} <= set(data)
    assert (data["rows_read"], data["rows_accepted"], data["rows_rejected"], data["rows_skipped"]) == (
        3,
        2,
        0,
        1,
    )
    bad = write_xlsx(
        tmp_path / "b.xlsx",
        [TAX, [code(3)[:-1] + "X" if code(3)[-1] != "X" else code(3)[:-1] + "Y", "丙", 1]],
    )
    data = json.loads(
        cli("import", str(bad), "--source", "tax", "--period", "2023", "--db", db_url, "--json").stdout
    )
    # The contract's four keys, and the sheet of the row (docs/importing.md: several sheets).
    assert set(data["rejects"][0]) == {"row", "column", "value", "reason", "sheet"}
    assert data["rejects"][0]["sheet"] == "数据"
    assert data["rejects"][0]["row"] == 2 and data["rejects"][0]["column"] == "统一社会信用代码"


def test_unreadable_file_exits_nonzero_with_one_line(db_url, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a spreadsheet")
    result = cli("import", str(path), "--source", "tax", "--period", "2024", "--db", db_url)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "x.xlsx" in lines[0] and "不是有效的Excel文件" in lines[0]
    batches = json.loads(cli("batches", "--db", db_url, "--json").stdout)
    assert batches == []


def test_unknown_source_and_bad_period_are_refused(db_url, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [TAX, [code(1), "甲", 1]])
    assert cli("import", str(path), "--source", "bank", "--db", db_url).exit_code == 2
    result = cli("import", str(path), "--source", "tax", "--period", "24", "--db", db_url)
    assert result.exit_code == 2 and "YYYY" in result.stderr


def test_export_conflicts_and_rejects_commands(db_url, tmp_path):
    cli(
        "import",
        str(
            write_xlsx(
                tmp_path / "s.xlsx",
                [["统一社会信用代码", "企业名称", "实缴税金（万元）"], [code(1), "甲", 100]],
            )
        ),
        "--source",
        "stats",
        "--period",
        "2024",
        "--db",
        db_url,
    )
    cli(
        "import",
        str(write_xlsx(tmp_path / "t.xlsx", [TAX, [code(1), "甲", 130], [code(2), "乙", "?"]])),
        "--source",
        "tax",
        "--period",
        "2024",
        "--db",
        db_url,
    )
    out = tmp_path / "facts.parquet"
    assert cli("export", "facts", "--year", "2024", "--output", str(out), "--db", db_url).exit_code == 0
    assert pl.read_parquet(out)["tax_wan"].to_list() == [130.0]
    conflicts = json.loads(cli("conflicts", "--year", "2024", "--db", db_url, "--json").stdout)
    assert [(c["field"], c["chosen_source"], c["other_source"]) for c in conflicts] == [
        ("tax_wan", "tax", "stats")
    ]
    batch = json.loads(cli("batches", "--source", "tax", "--db", db_url, "--json").stdout)[0]["batch_id"]
    xlsx = tmp_path / "退回.xlsx"
    assert cli("rejects", str(batch), "--output", str(xlsx), "--db", db_url).exit_code == 0
    back = pl.read_excel(xlsx, engine="calamine", read_options={"header_row": 1})
    assert back["错误原因"].to_list() == ["实缴税金（万元）：“?”不是数字"]


def test_the_installed_command_and_the_environment_database(tmp_path):
    """The console script, with the database named only by INDUSTRY_BRAIN_DATABASE_URL."""
    path = write_xlsx(tmp_path / "t.xlsx", [TAX, [code(1), "甲", 1]])
    env = {**os.environ, "INDUSTRY_BRAIN_DATABASE_URL": f"sqlite:///{tmp_path / 'env.db'}"}
    exe = os.path.join(os.path.dirname(sys.executable), "industry-brain")
    proc = subprocess.run(
        [exe, "import", str(path), "--source", "tax", "--period", "2024", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["rows_accepted"] == 1
    assert (tmp_path / "env.db").exists()


def test_default_database_is_created_in_the_working_directory(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [TAX, [code(1), "甲", 1]])
    env = {k: v for k, v in os.environ.items() if k != "INDUSTRY_BRAIN_DATABASE_URL"}
    exe = os.path.join(os.path.dirname(sys.executable), "industry-brain")
    proc = subprocess.run(
        [exe, "import", str(path), "--source", "tax", "--period", "2024"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "industry_brain.db").exists()
