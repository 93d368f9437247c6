"""A file that supersedes an active batch: the preview, the supplement rule, --replace, the
refusal of a file that lacks its source's figures, and restoring a superseded batch, through the
service and the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import polars as pl
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from helpers import code, counts, run_import, write_csv
from industry_brain.cli.main import build_app
from industry_brain.core.auth_models import AuditEntry
from industry_brain.core.db import transaction
from industry_brain.core.errors import FileRejected
from industry_brain.ingest import cli as ingest_cli
from industry_brain.ingest.facts import resolve_year
from industry_brain.ingest.models import ImportBatch
from industry_brain.ingest.service import preview_import
from industry_brain.ingest.supersede import ConfirmationNeeded

STATS = ["统一社会信用代码", "企业名称", "工业总产值（万元）", "从业人员（人）"]
TAX = ["统一社会信用代码", "企业名称", "年份", "实缴税金（万元）", "营业收入（万元）"]
runner = CliRunner()


def name(n: int) -> str:
    return f"测试{n}号机械有限公司"


def stats_file(path, numbers, bump=()):  # type: ignore[no-untyped-def]
    rows = [[code(n), name(n), 1000.0 + n + (7.5 if n in bump else 0), 10 + n % 50] for n in numbers]
    return write_csv(path, [STATS, *rows])


def cli(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(build_app(), list(args), input=stdin)


def figures(engine, settings, year=2023) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        facts, _ = resolve_year(s, year=year, tolerance=settings.conflict_tolerance)
    return facts.sort("credit_code")


def statuses(engine) -> dict[int, tuple[str, int | None]]:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        return {
            b.id: (b.status, b.superseded_by) for b in s.scalars(select(ImportBatch).order_by(ImportBatch.id))
        }


def test_the_preview_names_who_is_added_changed_and_loses_figures_and_writes_nothing(
    engine, settings, tmp_path
):
    first = run_import(engine, settings, stats_file(tmp_path / "a.csv", range(1, 61)), "stats", "2023")
    new = stats_file(tmp_path / "b.csv", [*range(1, 56), 70, 71], bump={1, 2, 3})
    before = counts(engine)
    with transaction(engine) as s:
        plan = preview_import(s, path=new, source="stats", period="2023", settings=settings)
    assert plan.action == "replace" and plan.needs_confirmation and plan.active_batches == [first.batch_id]
    assert (len(plan.added), len(plan.changed), len(plan.removed), plan.unchanged_count) == (2, 3, 5, 52)
    assert plan.removed == [{"key": code(n), "name": name(n)} for n in range(56, 61)]
    assert {e["key"] for e in plan.changed} == {code(1), code(2), code(3)}
    assert [e["name"] for e in plan.added] == [name(70), name(71)]
    assert counts(engine) == before
    # the import itself asks the same: no loss without a yes
    with pytest.raises(ConfirmationNeeded) as refused:
        run_import(engine, settings, new, "stats", "2023")
    assert "5 家企业将失去数据" in str(refused.value)
    assert counts(engine) == before
    done = run_import(engine, settings, new, "stats", "2023", confirmed=True)
    assert done.action == "replace" and done.superseded == [first.batch_id]
    assert figures(engine, settings).height == 57


def test_forty_rows_of_a_three_thousand_batch_are_taken_as_a_supplement(engine, settings, db_url, tmp_path):
    full = stats_file(tmp_path / "2023规上.csv", range(1, 3001))
    assert cli("import", str(full), "--source", "stats", "--period", "2023", "--db", db_url).exit_code == 0
    before = figures(engine, settings)
    assert before.height == 3000
    few = stats_file(tmp_path / "补报.csv", range(1, 41), bump=set(range(1, 41)))
    taken = cli("import", str(few), "--source", "stats", "--period", "2023", "--db", db_url, "--json")
    assert taken.exit_code == 0, taken.output
    result = json.loads(taken.stdout)
    assert result["action"] == "supplement" and result["superseded"] == []
    assert "2960 家" in result["note"] and "补充导入" in result["note"]
    after = figures(engine, settings)
    assert after.height == 3000  # nobody lost figures; the forty carry their new ones
    changed = after.join(before, on="credit_code", suffix="_old").filter(
        pl.col("output_wan") != pl.col("output_wan_old")
    )
    assert changed.height == 40
    assert [s for s, _ in statuses(engine).values()] == ["active", "active"]
    # --replace says the small file is the whole batch: then the others lose their figures
    replaced = cli(
        "import", str(few), "--source", "stats", "--period", "2023", "--replace", "--db", db_url, "--json"
    )
    assert replaced.exit_code == 0, replaced.output
    # the forty-row batch already there becomes the whole batch; the full one is superseded
    assert json.loads(replaced.stdout)["superseded"] == [1]
    assert statuses(engine) == {1: ("superseded", 2), 2: ("active", None)}
    assert figures(engine, settings).height == 40


def test_without_a_terminal_a_loss_is_refused_unless_the_flags_say_so(engine, settings, db_url, tmp_path):
    cli(
        "import",
        str(stats_file(tmp_path / "a.csv", range(1, 11))),
        "--source",
        "stats",
        "--period",
        "2023",
        "--db",
        db_url,
    )
    fewer = stats_file(tmp_path / "b.csv", range(1, 9))  # two of ten lose their figures
    before = counts(engine)
    refused = cli("import", str(fewer), "--source", "stats", "--period", "2023", "--db", db_url)
    assert refused.exit_code == 2
    assert (
        "2 家企业将失去数据" in refused.stderr
        and "--yes" in refused.stderr
        and "--supplement" in refused.stderr
    )
    assert name(9) in refused.stderr  # the preview names who
    assert counts(engine) == before
    dry = cli(
        "import", str(fewer), "--source", "stats", "--period", "2023", "--dry-run", "--json", "--db", db_url
    )
    assert json.loads(dry.stdout)["removed_count"] == 2 and counts(engine) == before
    accepted = cli("import", str(fewer), "--source", "stats", "--period", "2023", "--yes", "--db", db_url)
    assert accepted.exit_code == 0, accepted.output
    assert figures(engine, settings).height == 8
    back = stats_file(tmp_path / "c.csv", [9, 10])  # the two sent again, beside the eight
    supplemented = cli(
        "import", str(back), "--source", "stats", "--period", "2023", "--supplement", "--db", db_url
    )
    assert supplemented.exit_code == 0 and figures(engine, settings).height == 10


def test_at_a_terminal_the_preview_is_shown_and_a_no_changes_nothing(
    engine, settings, db_url, tmp_path, monkeypatch
):
    monkeypatch.setattr(ingest_cli, "interactive", lambda: True)
    cli(
        "import",
        str(stats_file(tmp_path / "a.csv", range(1, 11))),
        "--source",
        "stats",
        "--period",
        "2023",
        "--db",
        db_url,
    )
    fewer = stats_file(tmp_path / "b.csv", range(1, 10), bump={1})
    before = counts(engine)
    declined = cli("import", str(fewer), "--source", "stats", "--period", "2023", "--db", db_url, stdin="n\n")
    assert declined.exit_code == 1
    assert "新增 0，数据有变 1，不变 8，将失去数据 1" in declined.stdout and name(10) in declined.stdout
    assert counts(engine) == before
    agreed = cli("import", str(fewer), "--source", "stats", "--period", "2023", "--db", db_url, stdin="y\n")
    assert agreed.exit_code == 0, agreed.output
    assert "替代了先前的批次 1" in agreed.stdout


def test_a_tax_file_chosen_as_land_is_refused_naming_what_is_missing_and_what_it_fits(
    engine, settings, db_url, tmp_path
):
    tax = write_csv(
        tmp_path / "纳税.csv", [TAX, *[[code(n), name(n), 2023, 50 + n, 900 + n] for n in range(1, 41)]]
    )
    with pytest.raises(FileRejected) as refused:
        run_import(engine, settings, tax, "land", "2023")
    reason = str(refused.value)
    assert "缺少必需的列" in reason and "用地面积（亩）" in reason
    assert "企业纳税情况" in reason and "税务" in reason
    result = cli("import", str(tax), "--source", "land", "--period", "2023", "--db", db_url)
    assert result.exit_code == 2 and "企业纳税情况" in result.stderr
    assert counts(engine) == {"import_batch": 0, "record": 0, "reject": 0, "batch_warning": 0}
    # as tax it goes in
    assert run_import(engine, settings, tax, "tax", "2023").rows_accepted == 40


def test_restoring_a_superseded_batch_brings_back_its_figures_exactly(engine, settings, db_url, tmp_path):
    first = run_import(engine, settings, stats_file(tmp_path / "a.csv", range(1, 31)), "stats", "2023")
    original = figures(engine, settings)
    second = run_import(
        engine,
        settings,
        stats_file(tmp_path / "b.csv", range(1, 26), bump={1, 2}),
        "stats",
        "2023",
        mode="replace",
    )
    corrected = figures(engine, settings)
    assert corrected.height == 25 and statuses(engine)[first.batch_id] == ("superseded", second.batch_id)
    refused = cli("batches", "restore", str(first.batch_id), "--db", db_url)
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    restored = cli("batches", "restore", str(first.batch_id), "--yes", "--db", db_url, "--json")
    assert restored.exit_code == 0, restored.output
    assert json.loads(restored.stdout)["superseded"] == [second.batch_id]
    assert statuses(engine) == {
        first.batch_id: ("active", None),
        second.batch_id: ("superseded", first.batch_id),
    }
    assert figures(engine, settings).equals(original)
    # and back again: the correction returns as it was
    assert cli("batches", "restore", str(second.batch_id), "--yes", "--db", db_url).exit_code == 0
    assert figures(engine, settings).equals(corrected)
    again = cli("batches", "restore", str(second.batch_id), "--yes", "--db", db_url)
    assert again.exit_code == 2 and "无需恢复" in again.stderr
    with transaction(engine) as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "import.restore")).all()
        assert [e.target for e in entries] == [f"batch:{first.batch_id}", f"batch:{second.batch_id}"]


def test_a_department_imports_the_sources_its_unit_sends() -> None:
    from industry_brain.core.scope import Scope
    from industry_brain.ingest.access import importable_sources
    from industry_brain.ingest.templates import SOURCES

    def of(unit: str) -> tuple[str, ...]:
        return importable_sources(Scope(role="department", unit=unit))

    assert of("区统计局") == ("stats", "stats-monthly") and of("区税务局") == ("tax", "tax-monthly")
    assert of("区规划和自然资源局") == ("land",) and of("区经信局") == ("titles",)
    assert of("国网宁波市奉化区供电公司") == ("power",) and of("区发改局") == ()
    assert importable_sources(Scope(role="analyst")) == SOURCES
    assert importable_sources(Scope(role="town", township_code="330213001")) == ()


@pytest.mark.parametrize(
    "message",
    [
        "无法确定数据期间：请用 --period 指定（如 2024），或在文件中提供“年份”列",
        "月度数据需要“月份”列，或用 --period YYYY-MM 指定月份",
        "文件包含多个期间（2023、2024）：请按期间拆分文件，或用 --period 指定",
        "没有一个工作表的表头符合企业纳税情况模板；请用 --sheet 指定工作表，或参照标准模板",
        "共 3 行未通过校验；修改后用 --supplement 重新导入",
    ],
)
def test_the_page_says_the_import_messages_in_its_own_controls(message: str) -> None:
    from industry_brain.ingest.access import page_wording

    said = page_wording(message)
    assert "--" not in said and ("“期间”栏" in said or "“工作表”栏" in said or "“补充导入”" in said)
