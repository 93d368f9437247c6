"""The demo's monthly reports and monitoring events: the ground-truth file lists every kind of
event and both festival months, the events are in the imported figures as documented
(docs/demo.md), the festival dip is in every enterprise's power and output, and the corrected
March supersedes only March."""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl
import pytest

from industry_brain.core.db import transaction
from industry_brain.core.settings import get_settings
from industry_brain.demo.generator import generate
from industry_brain.demo.monthly import EVENT_KINDS, EVENTS_FILE
from industry_brain.ingest.service import import_file
from industry_brain.monitoring.panel import monthly_panel
from industry_brain.registry import open_database

pytestmark = pytest.mark.slow
YEARS = (2022, 2023, 2024)  # festival in February 2022 and 2024, January 2023
WANTED = ("registry", "power_accounts", "power", "stats-monthly", "tax-monthly")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pl.DataFrame, pl.DataFrame, list]:  # type: ignore[type-arg]
    directory = tmp_path_factory.mktemp("monthly")
    district = generate(directory, seed=7, years=YEARS, scale=0.1)
    settings = get_settings(environ={}, database_url=f"sqlite:///{directory / 'm.db'}")
    engine = open_database(settings.database_url)
    results = []
    for f in district.files:
        if f.template in WANTED:
            with transaction(engine) as s:
                results.append(
                    import_file(s, path=f.path, source=f.source, period=f.period, settings=settings)
                )
    with transaction(engine) as s:
        panel = monthly_panel(s)
    engine.dispose()
    events = pl.read_csv(directory / EVENTS_FILE, schema_overrides={"credit_code": pl.String})
    return directory, panel, events, results, district.truth


def figures(panel: pl.DataFrame, code: str, column: str) -> dict[str, float]:
    rows = panel.filter(pl.col("credit_code") == code).select("month", column).rows()
    return dict(rows)  # type: ignore[arg-type]


def months(event: dict) -> list[str]:  # type: ignore[type-arg]
    first, last = event["first_month"], event["last_month"]
    year = int(first[:4])
    return [f"{year}-{m:02d}" for m in range(int(first[5:]), int(last[5:]) + 1)]


def year_before(month: str) -> str:
    return f"{int(month[:4]) - 1}{month[4:]}"


def test_the_events_file_has_every_kind_and_both_festival_months(demo):
    _, _, events, _, _ = demo
    assert set(events["kind"]) == set(EVENT_KINDS)
    festival = events.filter(pl.col("kind") == "spring_festival")
    assert festival["first_month"].to_list() == ["2022-02", "2023-01", "2024-02"]
    assert festival["credit_code"].null_count() == festival.height
    others = events.filter(pl.col("kind") != "spring_festival")
    assert others["credit_code"].n_unique() == others.height  # one event per enterprise
    assert others["kind_name"].str.contains("：").all()


def test_each_event_is_in_the_imported_figures(demo):
    _, panel, events, _, truth = demo
    for e in events.filter(pl.col("kind") != "spring_festival").iter_rows(named=True):
        code, kind, span = e["credit_code"], e["kind"], months(e)
        power, output = figures(panel, code, "electricity_wan_kwh"), figures(panel, code, "output_wan")
        tax, sales_ytd = figures(panel, code, "tax_wan"), figures(panel, code, "sales_ytd_wan")
        yoy = {m: (power[m] / power[year_before(m)], output[m] / output[year_before(m)]) for m in span}
        if kind == "stoppage":
            assert all(p < 0.15 and o < 0.15 for p, o in yoy.values()), (code, yoy)
        elif kind == "relocation":
            assert all(p < 0.25 and o < 0.7 for p, o in yoy.values()), (code, yoy)
        elif kind == "data_fault":
            assert all(p < 0.8 and o > 1.05 for p, o in yoy.values()), (code, yoy)
        elif kind == "decline":
            before = f"{span[0][:5]}{int(span[0][5:]) - 1:02d}"
            for series in (power, output):  # falls month on month, from the month before on
                seq = [series[m] for m in (before, *span)]
                assert all(b < a for a, b in itertools.pairwise(seq)), (code, seq)
            assert all(
                p < 0.8 and o < 0.8 for p, o in list(yoy.values())[1:]
            )  # the first month: ×0.8 on growth
        elif kind == "tax_drop":
            assert all(tax[m] / tax[year_before(m)] < 0.35 for m in span), code
        elif kind == "exit_scale":
            december = f"{span[0][:4]}-12"
            year = int(span[0][:4])
            revenue = truth.filter(pl.col("credit_code") == code, pl.col("year") == year)["revenue_wan"][0]
            assert sales_ytd[december] < 2000 <= revenue  # the yearly figure was above the line
            flags = panel.filter(pl.col("credit_code") == code, pl.col("year") == year)["above_scale"]
            assert set(flags) == {1}  # listed as 规上 all year
        elif kind == "enter_scale":
            december = f"{span[0][:4]}-12"
            assert sales_ytd[december] >= 2000
            year = int(span[0][:4])
            revenue = truth.filter(pl.col("credit_code") == code, pl.col("year") == year)["revenue_wan"][0]
            assert revenue < 2000  # below the line by the yearly figure
            row = panel.filter(pl.col("credit_code") == code, pl.col("month") == december).row(0, named=True)
            assert row["above_scale"] == 0  # in the 规下样本 of the 快报


def test_the_festival_dip_is_in_every_enterprises_power_and_output(demo):
    _, panel, events, _, _ = demo
    touched = set(events["credit_code"].drop_nulls())
    steady = panel.filter(~pl.col("credit_code").is_in(list(touched)))
    for year, festival, other in ((2022, 2, 1), (2023, 1, 2), (2024, 2, 1)):
        for column in ("electricity_wan_kwh", "output_wan"):
            wide = steady.filter(pl.col("year") == year, pl.col("month_no").is_in([festival, other, 3]))
            wide = wide.pivot(on="month_no", index="credit_code", values=column).drop_nulls()
            ratio = wide[str(festival)] / wide["3"]
            # the festival month is 40-60% of a normal month for (nearly) everyone
            assert (ratio < 0.75).mean() > 0.9, (year, column)  # type: ignore[operator]
            assert (wide[str(other)] / wide["3"]).median() > 0.8  # type: ignore[operator]


def test_months_of_ytd_only_files_are_derived_and_the_correction_replaces_march_only(demo):
    _, panel, _, results, _ = demo
    stats = [r for r in results if r.template == "stats-monthly"]
    assert [len(r.batches) for r in stats] == [12, 12, 12, 0]
    assert all(r.rows_rejected == 0 for r in stats)
    march = stats[2].batches[2]
    assert stats[3].period == "2024-03" and stats[3].superseded == [march]
    # 2023 (the 2nd year) gave 累计 only: its months are there all the same, but for the first
    # month of an enterprise that entered the 快报 after January (nothing to subtract)
    listed = panel.filter(pl.col("year") == 2023, pl.col("stats_batch_id").is_not_null())
    late = (pl.col("month_no") == pl.col("month_no").min().over("credit_code")) & (pl.col("month_no") > 1)
    assert listed.filter(~late)["output_wan"].null_count() == 0
    assert listed.filter(late)["output_wan"].null_count() == listed.filter(late).height
