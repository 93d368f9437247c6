"""The command line as a newcomer meets it: a reading command on a missing or empty database says
so and names --db (non-zero exit, no file created); help wraps on an 80-column terminal instead
of cutting with "…"; the tables an official reads have Chinese headers and names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from helpers import code, write_xlsx
from industry_brain.cli.main import build_app

runner = CliRunner()
TAX = ["统一社会信用代码", "企业名称", "实缴税金（万元）"]
STATS = ["统一社会信用代码", "企业名称", "实缴税金（万元）", "营业收入（万元）", "工业总产值（万元）"]


def cli(*args: str, columns: int | None = None):
    env = {"COLUMNS": str(columns)} if columns else None
    return runner.invoke(build_app(), list(args), env=env)


READERS = [
    ("export", "facts", "--year", "2024", "--output", "facts.xlsx"),
    ("conflicts", "--year", "2024"),
    ("plans", "progress", "fenghua-14th", "--as-of", "2024"),
    ("batches",),
    ("evaluate", "--year", "2024"),
]


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a[:2]))
def test_a_reading_command_on_a_missing_sqlite_file_refuses_and_creates_nothing(tmp_path, args):
    db = tmp_path / "nowhere" / "industry_brain.db"
    result = cli(*[str(tmp_path / a) if a.endswith(".xlsx") else a for a in args], "--db", f"sqlite:///{db}")
    assert result.exit_code == 2, result.output
    assert "不存在" in result.stderr and "--db" in result.stderr and "demo/industry_brain.db" in result.stderr
    assert not db.exists() and not (tmp_path / "facts.xlsx").exists()
    assert result.stdout == ""


def test_the_default_database_is_not_created_silently(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INDUSTRY_BRAIN_DATABASE_URL", raising=False)
    result = cli("conflicts", "--year", "2024")
    assert result.exit_code == 2 and "--db" in result.stderr
    assert not (tmp_path / "industry_brain.db").exists()


@pytest.mark.parametrize("args", READERS[:3], ids=lambda a: " ".join(a[:2]))
def test_a_reading_command_on_an_empty_database_says_so(db_url, tmp_path, args):
    # a database that exists, with a user and nothing imported
    assert cli("users", "add", "ana", "--role", "analyst", "--generate", "--db", db_url).exit_code == 0
    result = cli(*[str(tmp_path / a) if a.endswith(".xlsx") else a for a in args], "--db", db_url)
    assert result.exit_code == 2, result.output
    assert "没有导入任何数据" in result.stderr and "--db" in result.stderr
    assert not (tmp_path / "facts.xlsx").exists()


def test_a_year_without_data_is_refused_not_answered_with_nothing(db_url, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [TAX, [code(1), "甲", 12.5]])
    assert cli("import", str(path), "--source", "tax", "--period", "2024", "--db", db_url).exit_code == 0
    result = cli("conflicts", "--year", "2019", "--db", db_url)
    assert result.exit_code == 2 and "没有 2019 年的数据" in result.stderr
    assert "0 条分歧" not in result.stdout
    assert cli("conflicts", "--year", "2024", "--db", db_url).exit_code == 0


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    if hasattr(group, "commands"):  # a group (Typer brings its own click)
        for name, command in group.commands.items():
            found += _commands(command, (*prefix, name))
    return found


def test_help_wraps_at_80_columns_instead_of_cutting():
    commands = _commands(typer.main.get_command(build_app()))
    assert len(commands) > 40
    cut = []
    for path in commands:
        result = cli(*path, "--help", columns=80)
        assert result.exit_code == 0, (path, result.output)
        if "…" in result.stdout:
            cut.append(" ".join(path))
    assert cut == []
    # the words that used to be cut are there in full
    text = cli("import", "--help", columns=80).stdout.replace("│", "").replace("\n", "").replace(" ", "")
    assert "补充导入：不替代同期已导入的批次" in text


def _two_sources(db_url: str, tmp_path: Path) -> None:
    tax = write_xlsx(tmp_path / "tax.xlsx", [TAX, [code(1), "甲机械", 100.0], [code(2), "乙电子", 50.0]])
    stats = write_xlsx(
        tmp_path / "stats.xlsx",
        [STATS, [code(1), "甲机械", 80.0, 12345.678, 23456.789], [code(2), "乙电子", 50.0, 900.0, 1000.0]],
    )
    for path, source in ((tax, "tax"), (stats, "stats")):
        assert cli("import", str(path), "--source", source, "--period", "2024", "--db", db_url).exit_code == 0


def test_conflicts_and_the_facts_excel_read_in_chinese(db_url, tmp_path):
    _two_sources(db_url, tmp_path)
    result = cli("conflicts", "--year", "2024", "--db", db_url, columns=120)
    assert result.exit_code == 0, result.output
    assert "实缴税金" in result.stdout and "税务局" in result.stdout and "统计局" in result.stdout
    assert "tax_wan" not in result.stdout and " stats " not in result.stdout
    out = tmp_path / "facts.xlsx"
    assert cli("export", "facts", "--year", "2024", "--output", str(out), "--db", db_url).exit_code == 0
    sheet = pl.read_excel(out, engine="calamine")
    assert "统一社会信用代码" in sheet.columns and "营业收入（万元）" in sheet.columns
    assert not [c for c in sheet.columns if "_" in c]
    row = sheet.filter(pl.col("统一社会信用代码") == code(1)).row(0, named=True)
    assert row["营业收入（万元）"] == pytest.approx(12345.68)  # 2 decimals, not 15
    # the machine format keeps the code names
    csv = tmp_path / "facts.csv"
    assert cli("export", "facts", "--year", "2024", "--output", str(csv), "--db", db_url).exit_code == 0
    assert "revenue_wan" in pl.read_csv(csv).columns


def test_rejects_without_output_print_a_table_not_python_dicts(db_url, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [TAX, [code(1), "甲", 1], ["91330213BADCODE001", "坏行公司", 1]])
    result = cli("import", str(path), "--source", "tax", "--period", "2024", "--db", db_url, "--json")
    batch = __import__("json").loads(result.stdout)["batch_id"]
    shown = cli("rejects", str(batch), "--db", db_url, columns=120)
    assert shown.exit_code == 0, shown.output
    assert "坏行公司" in shown.stdout and "┃" in shown.stdout
    assert "{'" not in shown.stdout and "':" not in shown.stdout


def test_projects_totals_put_growth_targets_in_their_own_column(db_url, engine):
    from industry_brain.core.db import transaction
    from industry_brain.projects.seed import load_seed_projects

    with transaction(engine) as session:
        load_seed_projects(session)
    result = cli("projects", "totals", "--db", db_url, columns=200)
    assert result.exit_code == 0, result.output
    assert "增速目标" in result.stdout and "10%" in result.stdout
    lines = result.stdout.splitlines()
    header = [c.strip() for c in next(x for x in lines if "增速目标" in x).split("┃")]
    line = next(x for x in lines if "产业集群工业投资年均增长率" in x)
    cells = [c.strip() for c in line.split("│")]
    target_yi, growth = cells[header.index("目标(亿元)")], cells[header.index("增速目标")]
    assert (target_yi, growth) == ("-", "10%")
    assert "fenghua-14th" not in result.stdout  # plans by their titles
