"""The monthly sources (stats-monthly, tax-monthly) through the normal import: a month derived
from 本年累计, a 累计 that goes down rejected with its reason, a file of several months imported
as a batch per month that supersedes only its own month (preview, confirm and restore still
work), as_of replay and no-data for a missing report; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import select, update

from helpers import code, run_import, write_csv, write_xlsx
from industry_brain.core.db import transaction
from industry_brain.enterprises.models import Enterprise
from industry_brain.ingest.models import ImportBatch
from industry_brain.ingest.service import preview_import, restore
from industry_brain.ingest.supersede import ConfirmationNeeded
from industry_brain.monitoring.panel import monthly_panel

YTD = ["统一社会信用代码", "企业名称", "月份", "工业总产值本年累计（万元）", "工业销售产值本年累计（万元）"]


def panel(engine, **kw) -> dict:  # type: ignore[no-untyped-def, type-arg]
    with transaction(engine) as s:
        frame = monthly_panel(s, **kw)
    return {(r["credit_code"], r["month"]): r for r in frame.to_dicts()}


def batches(engine) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        rows = s.execute(
            select(ImportBatch.id, ImportBatch.period, ImportBatch.status).order_by(ImportBatch.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_months_derived_from_ytd_by_hand(engine, settings, tmp_path):
    # 甲: 累计 120, 250, 400 -> months 120, 130, 150; the file is in 元 for sales (×1e-4).
    rows = [[*YTD[:3], "工业总产值本年累计（万元）", "工业销售产值本年累计（元）"]]
    rows += [[code(1), "甲", "2024-01", 120, 1_100_000], [code(1), "甲", "2024-02", 250, 2_300_000]]
    rows += [[code(1), "甲", "2024-03", 400, 3_600_000], [code(2), "乙", "2024-02", 80, None]]
    result = run_import(engine, settings, write_xlsx(tmp_path / "s.xlsx", rows), "stats-monthly")
    assert (result.template, result.period, result.rows_accepted, result.rows_rejected) == (
        "stats-monthly",
        "2024",
        4,
        0,
    )
    assert len(result.batches) == 3  # one batch per month of the file
    got = panel(engine)
    assert [got[code(1), m]["output_wan"] for m in ("2024-01", "2024-02", "2024-03")] == [120, 130, 150]
    assert [got[code(1), m]["sales_wan"] for m in ("2024-01", "2024-02", "2024-03")] == pytest.approx(
        [110, 120, 130]
    )
    assert got[code(1), "2024-03"]["output_ytd_wan"] == 400
    # 乙 has no January report: its February month cannot be derived and stays no-data
    assert got[code(2), "2024-02"]["output_wan"] is None and got[code(2), "2024-02"]["output_ytd_wan"] == 80
    assert got[code(1), "2024-02"]["above_scale"] == 1  # in the 规上月报
    assert got[code(1), "2024-02"]["stats_row"] == 3 and got[code(1), "2024-02"]["tax_wan"] is None
    with transaction(engine) as s:  # the master record learns the enterprises once, from the first month
        master = {e.credit_code: (e.name, e.first_batch_id) for e in s.scalars(select(Enterprise))}
    assert master == {code(1): ("甲", result.batches[0]), code(2): ("乙", result.batches[0])}


def test_a_ytd_that_goes_down_is_a_reject_with_its_reason(engine, settings, tmp_path):
    rows = [
        YTD[:4],
        [code(1), "甲", "2024-01", 100],
        [code(1), "甲", "2024-02", 90],
        [code(2), "乙", "2024-02", 50],
    ]
    first = run_import(engine, settings, write_csv(tmp_path / "a.csv", rows), "stats-monthly")
    assert (first.rows_accepted, first.rows_rejected) == (2, 1)
    (bad,) = first.rejects
    assert (bad.row, bad.column, bad.value) == (3, "工业总产值本年累计（万元）", "90")
    assert "小于上月（2024-01，本文件第 2 行）的 100 万元" in bad.reason
    # against a month already imported: 乙's February 50, then a March of 40
    later = run_import(
        engine,
        settings,
        write_csv(tmp_path / "b.csv", [YTD[:4], [code(2), "乙", "2024-03", 40]]),
        "stats-monthly",
    )
    assert later.rows_rejected == 1 and later.rows_accepted == 0
    assert f"已导入批次 {first.batches[1]}" in later.rejects[0].reason
    # January starts the year again
    jan = run_import(
        engine,
        settings,
        write_csv(tmp_path / "c.csv", [YTD[:4], [code(2), "乙", "2025-01", 5]]),
        "stats-monthly",
    )
    assert jan.rows_rejected == 0


def test_a_file_of_several_months_supersedes_only_its_own_months(engine, settings, tmp_path):
    header = ["统一社会信用代码", "企业名称", "月份", "入库税金（万元）"]
    months = [header] + [
        [code(n), f"企业{n}", f"2024-{m:02d}", 10 * m + n] for m in (1, 2, 3) for n in (1, 2)
    ]
    whole = run_import(engine, settings, write_csv(tmp_path / "q1.csv", months), "tax-monthly")
    jan, feb, mar = whole.batches
    # the company's corrected file for February and March (the year so far, less January)
    fix = [header] + [[code(n), f"企业{n}", f"2024-{m:02d}", 100 * m + n] for m in (2, 3) for n in (1, 2)]
    with transaction(engine) as s:
        plan = preview_import(
            s, path=write_csv(tmp_path / "fix.csv", fix), source="tax-monthly", settings=settings
        )
    assert plan.action == "replace" and plan.active_batches == [feb, mar]
    assert [(m["period"], m["changed_count"]) for m in plan.months] == [("2024-02", 2), ("2024-03", 2)]
    done = run_import(engine, settings, tmp_path / "fix.csv", "tax-monthly")
    assert sorted(done.superseded) == [feb, mar]
    status = {b: st for b, _, st in batches(engine)}
    assert status[jan] == "active" and status[feb] == status[mar] == "superseded"
    got = panel(engine)
    assert [got[code(1), f"2024-{m:02d}"]["tax_wan"] for m in (1, 2, 3)] == [11, 201, 301]
    assert got[code(1), "2024-03"]["tax_ytd_wan"] == 11 + 201 + 301  # 累计 summed from the months
    # a file dropping an enterprise from one month asks first, and writes nothing until confirmed
    drop = [
        header,
        [code(1), "企业1", "2024-03", 302],
        [code(1), "企业1", "2024-02", 201],
        [code(2), "企业2", "2024-02", 202],
    ]
    before = batches(engine)
    with pytest.raises(ConfirmationNeeded):
        run_import(engine, settings, write_csv(tmp_path / "drop.csv", drop), "tax-monthly")
    assert batches(engine) == before
    # restoring February's first batch puts February back and leaves March alone
    with transaction(engine) as s:
        restore(s, batch_id=feb)
    got = panel(engine)
    assert [got[code(1), f"2024-{m:02d}"]["tax_wan"] for m in (1, 2, 3)] == [11, 21, 301]


def test_as_of_replays_a_month_before_its_correction(engine, settings, tmp_path):
    header = ["统一社会信用代码", "企业名称", "月份", "工业总产值（万元）", "从业人员（人）"]
    old = run_import(
        engine,
        settings,
        write_csv(tmp_path / "a.csv", [header, [code(1), "甲", "2024-05", 500, 80]]),
        "stats-monthly",
    )
    new = run_import(
        engine,
        settings,
        write_csv(tmp_path / "b.csv", [header, [code(1), "甲", "2024-05", 450, 80]]),
        "stats-monthly",
    )
    assert new.superseded == [old.batch_id]
    with transaction(engine) as s:
        s.execute(
            update(ImportBatch)
            .where(ImportBatch.id == old.batch_id)
            .values(imported_at=dt.datetime(2024, 6, 10))
        )
        s.execute(
            update(ImportBatch)
            .where(ImportBatch.id == new.batch_id)
            .values(imported_at=dt.datetime(2024, 7, 2))
        )
        s.execute(
            update(ImportBatch)
            .where(ImportBatch.id == old.batch_id)
            .values(superseded_at=dt.datetime(2024, 7, 2))
        )
    assert panel(engine)[code(1), "2024-05"]["output_wan"] == 450
    then = panel(engine, as_of=dt.datetime(2024, 6, 30))[code(1), "2024-05"]
    assert (then["output_wan"], then["stats_batch_id"], then["employees"]) == (500, old.batch_id, 80)
    assert panel(engine, as_of=dt.datetime(2024, 6, 1)) == {}


def test_a_missing_report_is_null_not_zero(engine, settings, tmp_path):
    header = ["统一社会信用代码", "企业名称", "月份", "工业总产值（万元）", "出口交货值（万元）"]
    rows = [header, [code(1), "甲", "2024-01", 100, ""], [code(1), "甲", "2024-03", 90, 0]]
    run_import(engine, settings, write_csv(tmp_path / "s.csv", rows), "stats-monthly")
    run_import(
        engine,
        settings,
        write_csv(
            tmp_path / "t.csv", [["统一社会信用代码", "月份", "入库税金（万元）"], [code(1), "2024-02", 7]]
        ),
        "tax-monthly",
    )
    got = panel(engine)
    assert sorted(m for _, m in got) == ["2024-01", "2024-02", "2024-03"]
    feb = got[code(1), "2024-02"]
    assert (feb["output_wan"], feb["stats_batch_id"], feb["tax_wan"]) == (None, None, 7)
    assert got[code(1), "2024-01"]["export_wan"] is None and got[code(1), "2024-03"]["export_wan"] == 0
    assert got[code(1), "2024-01"]["tax_wan"] is None
    assert got[code(1), "2024-03"]["output_ytd_wan"] is None  # February unknown: no 累计
    frame = pl.DataFrame(list(got.values()))
    assert frame["electricity_wan_kwh"].null_count() == 3


def test_one_month_sent_with_a_year_period_is_that_months_batch(engine, settings, tmp_path):
    header = ["户号", "统一社会信用代码", "月份", "用电量（万千瓦时）"]
    first = run_import(
        engine,
        settings,
        write_csv(tmp_path / "a.csv", [header, ["A1", code(1), "2024-03", 5]]),
        "power",
        "2024",
    )
    assert first.period == "2024-03" and first.batches == []
    again = run_import(
        engine, settings, write_csv(tmp_path / "b.csv", [header, ["A1", code(1), "2024-03", 6]]), "power"
    )
    assert again.superseded == [first.batch_id]
    assert panel(engine)[code(1), "2024-03"]["electricity_wan_kwh"] == 6
