"""Batches over time (idempotence, supersession) and the resolved facts of a year."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import select

from helpers import code, counts, run_import, write_csv, write_xlsx
from industry_brain.core.db import transaction
from industry_brain.ingest.facts import FACT_COLUMNS, resolve_year
from industry_brain.ingest.models import ImportBatch

TAX = ["统一社会信用代码", "企业名称", "实缴税金（万元）"]


def facts(engine, settings, year):
    with transaction(engine) as s:
        return resolve_year(s, year=year, tolerance=settings.conflict_tolerance)


def test_importing_the_same_file_twice_changes_nothing(engine, settings, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [TAX, [code(1), "甲", 10], [code(2), "乙", "x"]])
    first = run_import(engine, settings, path, "tax", "2024")
    before = counts(engine)
    again = run_import(engine, settings, path, "tax", "2024")
    assert again.unchanged and again.batch_id == first.batch_id
    assert again.rows_rejected == 1 and again.rejects == first.rejects
    assert counts(engine) == before


def test_a_corrected_file_supersedes_and_history_is_kept(engine, settings, tmp_path):
    v1 = run_import(
        engine, settings, write_xlsx(tmp_path / "v1.xlsx", [TAX, [code(1), "甲", 10]]), "tax", "2024"
    )
    v2 = run_import(
        engine, settings, write_xlsx(tmp_path / "v2.xlsx", [TAX, [code(1), "甲", 12]]), "tax", "2024"
    )
    assert v2.superseded == [v1.batch_id]
    with transaction(engine) as s:
        old, new = s.get(ImportBatch, v1.batch_id), s.get(ImportBatch, v2.batch_id)
        assert (old.status, old.superseded_by, new.status) == ("superseded", v2.batch_id, "active")
    frame, _ = facts(engine, settings, 2024)
    assert frame["tax_wan"].to_list() == [12]
    # Another period of the same source is untouched by the correction.
    v3 = run_import(
        engine, settings, write_xlsx(tmp_path / "v3.xlsx", [TAX, [code(1), "甲", 9]]), "tax", "2023"
    )
    assert v3.superseded == []


def test_precedence_decides_and_the_disagreement_is_listed(engine, settings, tmp_path):
    stats = write_xlsx(
        tmp_path / "s.xlsx",
        [
            [
                "统一社会信用代码",
                "企业名称",
                "行业代码",
                "营业收入（万元）",
                "实缴税金（万元）",
                "用地面积（亩）",
            ],
            [code(1), "甲公司", "3484", 5000, 100, 20],
            [code(2), "乙公司", "3854", 800, 10, 5],
        ],
    )
    tax = write_xlsx(tmp_path / "t.xlsx", [TAX, [code(1), "甲有限公司", 150], [code(2), "乙", 10.05]])
    run_import(engine, settings, stats, "stats", "2024")
    run_import(engine, settings, tax, "tax", "2024")
    frame, conflicts = facts(engine, settings, 2024)
    by_code = {r["credit_code"]: r for r in frame.to_dicts()}
    assert by_code[code(1)]["tax_wan"] == 150  # tax bureau over stats
    assert by_code[code(1)]["land_mu"] == 20  # only stats gave land
    assert by_code[code(1)]["name"] == "甲公司"  # stats outranks tax for names
    assert by_code[code(1)]["above_scale"] == 1  # derived: revenue ≥ 2000万元
    assert by_code[code(2)]["above_scale"] == 0
    # 10 vs 10.05 is within the 1% tolerance; 100 vs 150 is not.
    assert conflicts.select(
        "credit_code", "field", "chosen_source", "chosen_value", "other_source", "other_value"
    ).rows() == [(code(1), "tax_wan", "tax", 150.0, "stats", 100.0)]
    assert conflicts["difference"][0] == pytest.approx(50 / 150)


def test_power_readings_map_through_accounts_and_sum_over_the_year(engine, settings, tmp_path):
    accounts = write_xlsx(
        tmp_path / "acc.xlsx",
        [
            ["户号", "统一社会信用代码", "户名"],
            ["3300001", code(1), "甲"],
            ["3300002", code(1), "甲"],
            ["3300003", code(2), "乙"],
        ],
    )
    months = [["户号", "月份", "用电量（千瓦时）"]]
    for m in range(1, 13):
        months += [
            ["3300001", f"2024-{m:02d}", 10_000],
            ["3300002", f"2024-{m:02d}", 5_000],
            ["3300003", f"2024年{m}月", 2_000],
        ]
    result = run_import(engine, settings, accounts, "power")
    assert result.template == "power_accounts"
    readings = run_import(engine, settings, write_csv(tmp_path / "p.csv", months), "power")
    assert (readings.template, readings.period, readings.rows_accepted) == ("power", "2024", 36)
    frame, _ = facts(engine, settings, 2024)
    got = dict(zip(frame["credit_code"], frame["electricity_wan_kwh"], strict=True))
    assert got == {code(1): pytest.approx(18.0), code(2): pytest.approx(2.4)}


def test_yearly_figures_win_over_monthly_and_parcels_add_up(engine, settings, tmp_path):
    monthly = [["统一社会信用代码", "企业名称", "月份", "实缴税金（万元）"]]
    monthly += [[code(1), "甲", f"2024-{m:02d}", 1] for m in range(1, 13)]
    monthly += [[code(2), "乙", f"2024-{m:02d}", 2] for m in range(1, 7)]
    run_import(engine, settings, write_xlsx(tmp_path / "m.xlsx", monthly), "tax")
    land = write_xlsx(
        tmp_path / "l.xlsx",
        [
            ["统一社会信用代码", "企业名称", "地块编号", "用地面积（亩）", "租赁面积（亩）"],
            [code(1), "甲", "P1", 10, None],
            [code(1), "甲", "P2", 5.5, None],
            [code(2), "乙", "P3", None, 4],
        ],
    )
    run_import(engine, settings, land, "land", "2024")
    frame, _ = facts(engine, settings, 2024)
    rows = {r["credit_code"]: r for r in frame.to_dicts()}
    assert rows[code(1)]["tax_wan"] == 12 and rows[code(2)]["tax_wan"] == 12
    assert rows[code(1)]["land_mu"] == 15.5 and rows[code(1)]["rented_mu"] is None
    assert rows[code(2)]["land_mu"] is None and rows[code(2)]["rented_mu"] == 4


def test_event_lists_mean_zero_for_the_enterprises_they_do_not_name(engine, settings, tmp_path):
    run_import(
        engine,
        settings,
        write_xlsx(tmp_path / "t.xlsx", [TAX, [code(1), "甲", 1], [code(2), "乙", 1]]),
        "tax",
        "2024",
    )
    frame, _ = facts(engine, settings, 2024)
    assert frame["safety_accident"].to_list() == [None, None]  # no safety list: unknown
    safety = write_xlsx(
        tmp_path / "s.xlsx", [["统一社会信用代码", "企业名称", "安全生产事故（起）"], [code(1), "甲", 2]]
    )
    run_import(engine, settings, safety, "safety", "2024")
    frame, _ = facts(engine, settings, 2024)
    assert frame["safety_accident"].to_list() == [1, 0]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_export_facts_has_exactly_the_contract_columns(engine, settings, tmp_path, suffix):
    from industry_brain.reports.tables import write_table

    registry = write_xlsx(
        tmp_path / "r.xlsx",
        [
            ["统一社会信用代码", "企业名称", "行业代码", "所属镇街", "成立日期"],
            [code(1), "甲公司", "3484", "溪口镇", "2015/6/1"],
        ],
    )
    run_import(engine, settings, registry, "registry")
    run_import(engine, settings, write_xlsx(tmp_path / "t.xlsx", [TAX, [code(1), "甲", 7]]), "tax", "2024")
    frame, _ = facts(engine, settings, 2024)
    out = write_table(frame, tmp_path / f"facts{suffix}")
    back = {
        ".csv": pl.read_csv,
        ".parquet": pl.read_parquet,
        ".xlsx": lambda p: pl.read_excel(p, engine="calamine"),
    }[suffix](out)
    if suffix == ".xlsx":  # officials open the Excel: Chinese headers (the machine formats keep the codes)
        from industry_brain.core.labels import field_label

        assert tuple(back.columns) == tuple(field_label(c) for c in FACT_COLUMNS)
        back = back.rename(dict(zip(back.columns, FACT_COLUMNS, strict=True)))
    else:
        assert tuple(back.columns) == FACT_COLUMNS
    row = back.row(0, named=True)
    assert (str(row["credit_code"]), str(row["established"])[:10], float(row["tax_wan"])) == (
        code(1),
        "2015-06-01",
        7.0,
    )
    assert str(row["industry_code"]) == "3484" and int(row["year"]) == 2024


def test_registry_outranks_other_sources_for_names(engine, settings, tmp_path):
    from industry_brain.enterprises.models import Enterprise

    run_import(
        engine, settings, write_xlsx(tmp_path / "t.xlsx", [TAX, [code(1), "甲（税务）", 1]]), "tax", "2024"
    )
    run_import(
        engine,
        settings,
        write_xlsx(tmp_path / "r.xlsx", [["统一社会信用代码", "企业名称"], [code(1), "宁波甲有限公司"]]),
        "registry",
    )
    run_import(
        engine, settings, write_xlsx(tmp_path / "t2.xlsx", [TAX, [code(1), "甲（新）", 2]]), "tax", "2025"
    )
    with transaction(engine) as s:
        ent = s.scalars(select(Enterprise)).one()
    assert (ent.name, ent.name_source) == ("宁波甲有限公司", "registry")


def test_an_empty_event_list_means_no_events_that_year(engine, settings, tmp_path):
    run_import(engine, settings, write_xlsx(tmp_path / "t.xlsx", [TAX, [code(1), "甲", 1]]), "tax", "2024")
    empty = write_xlsx(tmp_path / "s.xlsx", [["统一社会信用代码", "企业名称", "安全生产事故（起）"]])
    result = run_import(engine, settings, empty, "safety", "2024")
    assert result.rows_read == 0
    frame, _ = facts(engine, settings, 2024)
    assert frame["safety_accident"].to_list() == [0]
