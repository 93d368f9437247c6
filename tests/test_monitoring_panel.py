"""The monthly panel (monitoring/panel.py): power readings per enterprise and month through the
account map, NULL for a month nobody reported, a corrected month superseding its batch and
`as_of` replaying the data as known before the correction, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os

import polars as pl
import pytest
from sqlalchemy import update

from helpers import code, run_import, write_csv
from industry_brain.core.db import transaction
from industry_brain.ingest.models import ImportBatch
from industry_brain.monitoring.panel import (
    PANEL_COLUMNS,
    derive_months,
    monthly_panel,
    panel_frame,
    panel_table,
)

SPARK = pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None and not os.environ.get("CI"),
    reason="PySpark not installed (the `spark` extra)",
)
ACCOUNTS = [["户号", "统一社会信用代码", "户名"], ["3300001", code(1), "甲"], ["3300002", code(1), "甲"]]
ACCOUNTS += [["3300003", code(2), "乙"]]


def panel(engine, **kw):  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        return monthly_panel(s, **kw)


def stamp(engine, batch_id: int, when: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    """Backdates a batch's import (the tests' imports all happen within a second)."""
    with transaction(engine) as s:
        s.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(imported_at=when))
        s.execute(update(ImportBatch).where(ImportBatch.superseded_by == batch_id).values(superseded_at=when))


def power_file(path, rows):  # type: ignore[no-untyped-def]
    return write_csv(path, [["户号", "月份", "用电量（千瓦时）"], *rows])


def test_power_sums_accounts_per_month_and_a_missing_month_is_null(engine, settings, tmp_path):
    run_import(engine, settings, write_csv(tmp_path / "acc.csv", ACCOUNTS), "power")
    rows = [["3300001", "2024-01", 10_000], ["3300002", "2024-01", 5_000], ["3300003", "2024-01", 2_000]]
    rows += [["3300001", "2024-02", 8_000], ["3300002", "2024-02", ""]]  # 乙 sent nothing in February
    first = run_import(engine, settings, power_file(tmp_path / "p.csv", rows), "power")
    frame = panel(engine)
    assert frame.columns == list(PANEL_COLUMNS)
    got = {(r["credit_code"], r["month"]): r for r in frame.to_dicts()}
    assert set(got) == {(code(1), "2024-01"), (code(1), "2024-02"), (code(2), "2024-01")}
    assert got[code(1), "2024-01"]["electricity_wan_kwh"] == pytest.approx(1.5)
    assert got[code(1), "2024-02"]["electricity_wan_kwh"] == pytest.approx(0.8)  # the blank adds nothing
    assert got[code(1), "2024-01"]["power_batch_id"] == first.batch_id
    assert got[code(1), "2024-01"]["power_row"] == 2
    assert (got[code(1), "2024-02"]["year"], got[code(1), "2024-02"]["month_no"]) == (2024, 2)
    # no statistics or tax report: those figures are no data, not zero
    assert got[code(2), "2024-01"]["output_wan"] is None and got[code(2), "2024-01"]["tax_wan"] is None
    assert got[code(2), "2024-01"]["stats_batch_id"] is None
    assert panel(engine, months=("2024-02", "2024-12")).height == 1


def test_a_corrected_month_supersedes_and_as_of_gives_the_old_figure(engine, settings, tmp_path):
    accounts = run_import(engine, settings, write_csv(tmp_path / "acc.csv", ACCOUNTS), "power")
    stamp(engine, accounts.batch_id, dt.datetime(2024, 1, 5))  # the account map is replayed too
    old = run_import(
        engine, settings, power_file(tmp_path / "a.csv", [["3300003", "2024-03", 2_000]]), "power"
    )
    stamp(engine, old.batch_id, dt.datetime(2024, 4, 10))
    new = run_import(
        engine, settings, power_file(tmp_path / "b.csv", [["3300003", "2024-03", 3_000]]), "power"
    )
    assert new.superseded == [old.batch_id]
    stamp(engine, new.batch_id, dt.datetime(2024, 4, 20))

    def march(**kw):  # type: ignore[no-untyped-def]
        frame = panel(engine, **kw).filter(pl.col("credit_code") == code(2))
        return frame.select("electricity_wan_kwh", "power_batch_id").rows()

    assert march() == [(pytest.approx(0.3), new.batch_id)]
    assert march(as_of=dt.datetime(2024, 4, 15)) == [(pytest.approx(0.2), old.batch_id)]
    beijing = dt.timezone(dt.timedelta(hours=8))  # 20 April 07:00 in Beijing is 19 April UTC
    assert march(as_of=dt.datetime(2024, 4, 20, 7, tzinfo=beijing)) == [(pytest.approx(0.2), old.batch_id)]
    assert march(as_of=dt.datetime(2024, 4, 25)) == [(pytest.approx(0.3), new.batch_id)]
    assert march(as_of=dt.datetime(2024, 4, 1)) == []  # nothing known yet


def test_derive_months_from_ytd_by_hand():
    # 累计 100, 250, (March missing), 520: February 150; April has no March to subtract.
    frame = pl.DataFrame(
        {
            "credit_code": ["A"] * 3 + ["B"] * 3,
            "period": ["2024-01", "2024-02", "2024-04", "2024-01", "2024-02", "2024-03"],
            "output_wan": [None, None, None, 10.0, 20.0, 30.0],
            "output_ytd_wan": [100.0, 250.0, 520.0, None, None, None],
        }
    )
    got = derive_months(frame, (("output_wan", "output_ytd_wan"),), "credit_code")
    assert got["output_wan"].to_list() == [100.0, 150.0, None, 10.0, 20.0, 30.0]
    assert got["output_ytd_wan"].to_list() == [100.0, 250.0, 520.0, 10.0, 30.0, 60.0]


def test_panel_frame_fills_missing_columns_with_null_and_dates_from_month():
    frame = panel_frame([{"credit_code": "A", "month": "2025-02", "output_wan": 5.0}])
    assert frame.columns == list(PANEL_COLUMNS)
    row = frame.row(0, named=True)
    assert (row["year"], row["month_no"], row["output_wan"], row["tax_wan"]) == (2025, 2, 5.0, None)


ENGINES = [
    "duckdb",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("pyspark", marks=[SPARK, pytest.mark.slow]),
]


@pytest.mark.parametrize("engine", ENGINES)
def test_panel_table_keeps_types_and_nulls_on_every_engine(engine, request):
    from industry_brain.evaluation.engines import connect

    url = request.getfixturevalue("pg_url") if engine == "postgres" else None
    con = connect(engine, postgres_url=url)
    frame = panel_frame(
        [
            {"credit_code": "A", "month": "2024-01", "output_wan": 10.0, "above_scale": 1, "stats_row": 3},
            {"credit_code": "A", "month": "2024-02", "electricity_wan_kwh": 2.5},
            {"credit_code": "B", "month": "2024-02", "output_wan": 4.0, "above_scale": 0},
        ]
    )
    table = panel_table(frame, con)
    by_month = (
        table.group_by("month")
        .aggregate(output=table.output_wan.sum(), reported=table.output_wan.count(), n=table.count())
        .order_by("month")
        .to_polars()
    )
    assert by_month.rows() == [("2024-01", 10.0, 1, 1), ("2024-02", 4.0, 1, 2)]  # the NULL is no 0
    above = table.filter(table.above_scale == 1).select("credit_code", "year", "month_no", "stats_row")
    assert above.to_polars().rows() == [("A", 2024, 1, 3)]
