"""Values no department can mean: NaN, inf and overflowing figures, control characters late in a
file, impossible founding dates. Each is a reject naming its row, column and value, and nothing
bad is stored, the same on SQLite and PostgreSQL (docs/importing.md, "Values no department can
mean"); through the import service, the command line and the other paths that take figures."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from helpers import code, counts, run_import, write_csv, write_xlsx
from industry_brain.cli.main import build_app
from industry_brain.core.db import transaction
from industry_brain.core.errors import ConfigurationError, FileRejected
from industry_brain.enterprises.models import Enterprise
from industry_brain.ingest.models import BatchWarning, ImportBatch, Record, Reject

HEADER = [
    "统一社会信用代码",
    "企业名称",
    "营业收入（亿元）",
    "从业人员（人）",
    "工业总产值（万元）",
    "实缴税金（万元）",
]
REVENUE, PEOPLE, OUTPUT, TAX = HEADER[2:]
# row -> (cells, the column rejected, words of the reason)
FIGURES = {
    2: (["NaN", 10, 100, 5], REVENUE, "“NaN”不是数字"),
    3: ([1, "inf", 100, 5], PEOPLE, "“inf”超出数值范围（不是有限的数字）"),
    4: ([1, 10, "1e309", 5], OUTPUT, "“1e309”超出数值范围（不是有限的数字）"),
    5: ([1, 10, 100, "-inf"], TAX, "“-inf”超出数值范围（不是有限的数字）"),
    6: (["1.7e308", 10, 100, 5], REVENUE, "（单位亿元，换算为万元后）超出数值范围"),
    7: ([1, 10, "1.8e308", 5], OUTPUT, "“1.8e308”超出数值范围（不是有限的数字）"),
    8: ([100000, 10, 100, 5], REVENUE, "超出营业收入的合理范围（0 至 100,000,000 万元）"),
    9: ([1, 2000000, 100, 5], PEOPLE, "超出从业人员的合理范围（0 至 1,000,000 人）"),
    10: ([1, 10, 100, -2e8], TAX, "超出实缴税金的合理范围（-100,000,000 至 100,000,000 万元）"),
}
GOOD = [code(99), "好企业", 1.5, 20, 300, -3]  # a negative tax (a refund) is a figure


def _figures_file(tmp_path, kind: str):
    rows = [HEADER, *[[code(r), f"企业{r}", *cells] for r, (cells, _, _) in FIGURES.items()], GOOD]
    if kind == "csv":
        return write_csv(tmp_path / "hostile.csv", rows)
    return write_xlsx(tmp_path / "hostile.xlsx", rows)


def _stored_floats_are_finite(engine) -> list[float]:
    with transaction(engine) as s:
        values = [
            v
            for r in s.scalars(select(Record))
            for v in (r.revenue_wan, r.employees, r.output_wan, r.tax_wan)
            if v is not None
        ]
    assert all(math.isfinite(v) for v in values), values
    return values


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_non_finite_and_implausible_figures_are_rejects(engine, settings, tmp_path, kind):
    result = run_import(engine, settings, _figures_file(tmp_path, kind), "stats", "2024")
    assert (result.rows_accepted, result.rows_rejected) == (1, len(FIGURES))
    got = {r.row: r for r in result.rejects}
    assert sorted(got) == sorted(FIGURES)
    for row, (_, column, words) in FIGURES.items():
        assert got[row].column == column, row
        assert words in got[row].reason, (row, got[row].reason)
        assert got[row].value, row  # the cell as written, for the department to find
    _stored_floats_are_finite(engine)
    with transaction(engine) as s:
        assert [(r.credit_code, r.revenue_wan, r.tax_wan) for r in s.scalars(select(Record))] == [
            (code(99), 15000.0, -3.0)
        ]
        assert s.scalars(select(Enterprise.credit_code)).all() == [code(99)]


def test_overflow_after_conversion_names_the_unit(engine, settings, tmp_path):
    result = run_import(engine, settings, _figures_file(tmp_path, "csv"), "stats", "2024")
    reason = next(r.reason for r in result.rejects if r.row == 6)
    assert reason == "“1.7e308”（单位亿元，换算为万元后）超出数值范围"


def _late_file(tmp_path, bad: dict[int, str]):
    """A tax file of 3000 rows (~150 KB); row n's name is bad[n] where given."""
    rows = [["统一社会信用代码", "企业名称", "实缴税金（万元）"]]
    for n in range(2, 3002):
        rows.append([code(n), bad.get(n, f"宁波市鄞州区测试企业第{n}号有限公司"), n])
    return rows


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_control_characters_anywhere_in_the_file_are_row_rejects(engine, settings, tmp_path, kind):
    bad = {2500: "甲\x00乙有限公司", 2800: "\x1b[31m红色\x1b[0m公司", 2900: "丙\x7f公司"}
    rows = _late_file(tmp_path, bad)
    path = (write_csv if kind == "csv" else write_xlsx)(tmp_path / f"late.{kind}", rows)
    if kind == "csv":
        assert path.read_bytes().index(b"\x00") > 64 * 1024
    result = run_import(engine, settings, path, "tax", "2024")
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (3000, 2997, 3)
    got = {r.row: r for r in result.rejects}
    assert set(got) == set(bad)
    assert got[2500].column == "企业名称"
    assert got[2500].reason.startswith("含不可见的控制字符 U+0000")
    assert got[2800].reason.startswith("含不可见的控制字符 U+001B")
    assert got[2900].reason.startswith("含不可见的控制字符 U+007F")
    assert got[2500].value == "甲\u2400乙有限公司"  # shown, not stored raw
    with transaction(engine) as s:
        texts = [e.name for e in s.scalars(select(Enterprise))]
        stored = s.scalars(select(Reject)).all()
        texts += [x for r in stored for x in (r.value, r.reason, r.column)]
        texts += [w.message for w in s.scalars(select(BatchWarning))]
        assert s.scalar(select(Enterprise.name).where(Enterprise.credit_code == code(2500))) is None
        # The row as sent, for the rejects file: JSON, where a NUL is an escape.
        raw = {r.row: r.raw for r in stored}
    assert not [t for t in texts if t and any(ch in t for ch in "\x00\x1b\x7f")]
    assert "\x00" not in raw[2500] and json.loads(raw[2500])["企业名称"] == bad[2500]


def test_a_nul_early_in_a_csv_still_refuses_the_file(engine, settings, tmp_path):
    """Binary content at the start is not a department's file at all: nothing is written."""
    path = write_csv(tmp_path / "bin.csv", _late_file(tmp_path, {3: "甲\x00"}))
    with pytest.raises(FileRejected, match="二进制"):
        run_import(engine, settings, path, "tax", "2024")
    assert counts(engine) == {"import_batch": 0, "record": 0, "reject": 0, "batch_warning": 0}


REGISTRY = ["统一社会信用代码", "企业名称", "成立日期"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_founding_dates_outside_the_window(engine, settings, tmp_path, kind):
    today = dt.date.today()
    dates = {
        2: "2099-12-31",
        3: "9999-12-31",
        4: "1000-01-01",
        5: (today + dt.timedelta(days=1)).isoformat(),
        6: "1930-05-01",
        7: "2015-06-01",
        8: today.isoformat(),
    }
    rows = [REGISTRY, *[[code(r), f"企业{r}", d] for r, d in dates.items()]]
    path = (write_csv if kind == "csv" else write_xlsx)(tmp_path / f"reg.{kind}", rows)
    result = run_import(engine, settings, path, "registry")
    reasons = {r.row: r.reason for r in result.rejects}
    assert reasons == {
        2: "成立日期“2099-12-31”晚于今天，不可能",
        3: "成立日期“9999-12-31”晚于今天，不可能",
        4: "成立日期“1000-01-01”早于 1900-01-01，不可能",
        5: f"成立日期“{dates[5]}”晚于今天，不可能",
    }
    assert all(r.column == "成立日期" for r in result.rejects)
    with transaction(engine) as s:
        stored = {e.credit_code: e.established for e in s.scalars(select(Enterprise))}
        warnings = [(w.row, w.column, w.message) for w in s.scalars(select(BatchWarning)) if w.row]
    assert stored == {
        code(6): dt.date(1930, 5, 1),
        code(7): dt.date(2015, 6, 1),
        code(8): today,
    }
    assert warnings == [(6, "成立日期", "成立日期“1930-05-01”早于 1949 年，已接收，请核实")]


runner = CliRunner()


def test_the_command_line_reports_the_same_rejects(db_url, tmp_path):
    path = _figures_file(tmp_path, "csv")
    got = runner.invoke(
        build_app(), ["import", str(path), "--source", "stats", "--period", "2024", "--db", db_url, "--json"]
    )
    assert got.exit_code == 0, got.output
    data = json.loads(got.stdout)
    assert (data["rows_accepted"], data["rows_rejected"]) == (1, len(FIGURES))
    by_row = {r["row"]: r for r in data["rejects"]}
    assert by_row[2] == {
        "row": 2,
        "column": REVENUE,
        "value": "NaN",
        "reason": "“NaN”不是数字",
        "sheet": None,
    }
    assert by_row[4]["value"] == "1e309" and by_row[4]["column"] == OUTPUT
    late = write_csv(tmp_path / "late.csv", _late_file(tmp_path, {2999: "乙\x00"}))
    got = runner.invoke(
        build_app(), ["import", str(late), "--source", "tax", "--period", "2023", "--db", db_url]
    )
    assert got.exit_code == 0, got.output
    assert "U+0000" in got.stdout and "Traceback" not in got.output
    batches = json.loads(runner.invoke(build_app(), ["batches", "--db", db_url, "--json"]).stdout)
    assert [(b["rows_accepted"], b["rows_rejected"]) for b in batches] == [(1, 9), (2999, 1)]
    for name in ("退回.xlsx", "退回.csv"):  # the rejects go back to the department
        out = tmp_path / name
        got = runner.invoke(
            build_app(), ["rejects", str(batches[1]["batch_id"]), "--output", str(out), "--db", db_url]
        )
        assert got.exit_code == 0, got.output
        assert out.stat().st_size > 0


# --- the other paths that take a figure ---------------------------------------------------------


def test_projects_import_refuses_non_finite_figures(engine, tmp_path):
    from industry_brain.projects.importer import import_projects
    from industry_brain.projects.models import Project

    rows = [
        ["项目名称", "建设阶段", "总投资（亿元）", "用地面积（亩）"],
        ["甲项目", "新建", "inf", "10"],
        ["乙项目", "新建", "5", "NaN"],
        ["丙项目", "新建", "1e309", "10"],
    ]
    path = write_csv(tmp_path / "projects.csv", rows)
    with transaction(engine) as s, pytest.raises(FileRejected) as info:
        import_projects(s, path=path)
    message = str(info.value)
    assert "第 2 行“总投资（亿元）”列：“inf”不是数字" in message
    assert "第 3 行“用地面积（亩）”列：“NaN”不是数字" in message
    assert "第 4 行“总投资（亿元）”列：“1e309”不是数字" in message
    with transaction(engine) as s:
        assert s.scalars(select(Project)).all() == []


def test_plan_actuals_refuse_non_finite_values(engine, settings, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from industry_brain.plans import pack as pack_module
    from industry_brain.plans.actuals import ActualsRejected, import_actuals, record_actual, write_template
    from industry_brain.plans.models import IndicatorActual
    from industry_brain.plans.pack import load_packs_from
    from plans_fixtures import write_sample

    packs = tmp_path / "packs"
    packs.mkdir()
    write_sample(packs)
    monkeypatch.setattr(pack_module, "_shipped", lambda: tuple(load_packs_from(packs)))
    path = write_template(plan_id="sample-plan", path=tmp_path / "t.xlsx")
    book = load_workbook(path)
    ws = book.active
    col = {c.value: i + 1 for i, c in enumerate(ws[2])}
    filled = {"output-above-scale": "inf", "enterprises-above-scale": "NaN"}
    for row in range(3, ws.max_row + 1):
        item = ws.cell(row, col["指标编号"]).value
        if item in filled:
            ws.cell(row, col["期间"]).value = "2023"
            ws.cell(row, col["实绩值"]).value = filled[item]
    book.save(path)
    with transaction(engine) as s, pytest.raises(ActualsRejected) as info:
        import_actuals(s, path=path, reported_by="王五")
    assert sorted(r for _, c, r in info.value.problems if c == "实绩值") == [
        "'NaN' 不是数字 (not a number)",
        "'inf' 不是数字 (not a number)",
    ]
    for bad in (float("nan"), float("inf"), -float("inf")):
        with transaction(engine) as s, pytest.raises(ConfigurationError, match="实绩值"):
            record_actual(
                s,
                plan_id="sample-plan",
                indicator_id="output-above-scale",
                period="2023",
                reported_by="王五",
                value=bad,
            )
    with transaction(engine) as s:
        assert s.scalars(select(IndicatorActual).where(IndicatorActual.kind == "reported")).all() == []


def test_the_actuals_request_body_refuses_nan_and_infinity():
    """Python's json reads NaN and Infinity; the API's model refuses them (a 422)."""
    from pydantic import ValidationError

    from industry_brain.web.api_plans import ActualIn

    body = json.loads('{"indicator_id": "x", "period": "2023", "value": NaN}')
    with pytest.raises(ValidationError):
        ActualIn.model_validate(body)
    with pytest.raises(ValidationError):
        ActualIn.model_validate({**body, "value": json.loads("Infinity")})
    assert ActualIn.model_validate({**body, "value": -1.5}).value == -1.5


def test_cluster_reference_values_refuse_infinity(tmp_path):
    from industry_brain.clusters.attract import read_reference

    path = tmp_path / "ref.csv"
    path.write_text("area,industry,value\n宁波,3441,1.5\n宁波,3512,inf\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="第3行 列 value: “inf”超出数值范围"):
        read_reference(path, level=4)


def test_a_nul_in_the_last_row_is_a_reject_on_both_databases(engine, settings, tmp_path):
    """The last row, past every sniffing window: the batch stores, PostgreSQL included."""
    path = write_csv(tmp_path / "late.csv", _late_file(tmp_path, {3001: "丁\x00"}))
    run_import(engine, settings, path, "tax", "2024")
    with transaction(engine) as s:
        batch = s.scalars(select(ImportBatch)).one()
        assert (batch.rows_accepted, batch.rows_rejected) == (2999, 1)


def test_an_evaluation_input_file_refuses_non_finite_figures(tmp_path):
    from industry_brain.evaluation.inputs import read_facts
    from industry_brain.ingest.facts import FACT_COLUMNS

    good = {
        "credit_code": code(1),
        "name": "甲",
        "industry_code": "3441",
        "year": "2024",
        "above_scale": "1",
        "established": "2010-01-01",
    }
    rows = [list(FACT_COLUMNS)]
    for n, revenue in ((2, "100"), (3, "inf")):
        cells = {**good, "credit_code": code(n), "revenue_wan": revenue}
        rows.append([cells.get(c, "1") for c in FACT_COLUMNS])
    path = write_csv(tmp_path / "facts.csv", rows)
    with pytest.raises(FileRejected, match="第 3 行 revenue_wan 列：“inf”不是有限的数字"):
        read_facts(path)
