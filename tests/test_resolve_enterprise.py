"""One enterprise's figures (ingest.facts.resolve_enterprise) feed both the profile page
(views.profile) and the API's enterprise detail (views.queries.profile_of); they agree
with the district's facts table and with each other, on SQLite and PostgreSQL. Figures are worked
by hand from the files below."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from helpers import code, run_import, write_csv, write_xlsx
from industry_brain.core.db import transaction
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.evaluation import scoped_views
from industry_brain.ingest.corrections import record_correction
from industry_brain.ingest.facts import resolve_enterprise, resolve_year
from industry_brain.views import profile
from industry_brain.views.queries import profile_of
from industry_brain.web import cockpit

DERIVED = ("above_scale", "safety_accident", "env_violation")  # added by the facts table only
STATS = ["统一社会信用代码", "企业名称", "实缴税金（万元）", "工业总产值（万元）"]


def _district(engine: Engine, settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    accounts = [["户号", "统一社会信用代码", "户名"], ["3300001", code(1), "甲"], ["3300002", code(1), "甲"]]
    run_import(engine, settings, write_xlsx(tmp_path / "acc.xlsx", accounts), "power")
    # a newer map gives account 3300002 to 乙: its readings are 乙's
    newer = [["户号", "统一社会信用代码", "户名"], ["3300002", code(2), "乙"]]
    run_import(engine, settings, write_xlsx(tmp_path / "acc2.xlsx", newer), "power", supplement=True)
    months = [["户号", "月份", "用电量（千瓦时）"]]
    months += [
        [a, f"2024-{m:02d}", v] for m in range(1, 13) for a, v in (("3300001", 10_000), ("3300002", 5_000))
    ]
    run_import(engine, settings, write_csv(tmp_path / "p.csv", months), "power")
    tax = [["统一社会信用代码", "企业名称", "月份", "实缴税金（万元）", "营业收入（万元）"]]
    tax += [[code(1), "甲", f"2024-{m:02d}", 1.5, 100] for m in range(1, 13)]
    run_import(engine, settings, write_xlsx(tmp_path / "t.xlsx", tax), "tax")
    land = [
        ["统一社会信用代码", "企业名称", "地块编号", "用地面积（亩）"],
        [code(1), "甲", "P1", 10],
        [code(1), "甲", "P2", 5.5],
    ]
    run_import(engine, settings, write_xlsx(tmp_path / "l.xlsx", land), "land", "2024")
    stats = [STATS, [code(1), "甲", 17, 900], [code(2), "乙", 4, 300]]
    run_import(engine, settings, write_xlsx(tmp_path / "s2024.xlsx", stats), "stats", "2024")
    run_import(
        engine,
        settings,
        write_xlsx(tmp_path / "s2023.xlsx", [STATS, [code(1), "甲", 11, 700]]),
        "stats",
        "2023",
    )
    with transaction(engine) as session:  # an accepted appeal: 950 replaces the statistics' 900
        record_correction(
            session,
            credit_code=code(1),
            year=2024,
            field="output_wan",
            value=950.0,
            by="t",
            reference="申诉 #1",
        )


def _rows(frame) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [tuple(r) for r in frame.sort(frame.columns[:3]).iter_rows()]


def test_one_enterprise_resolved_by_hand(engine: Engine, settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _district(engine, settings, tmp_path)
    with transaction(engine) as session:
        one = resolve_enterprise(session, credit_code=code(1))
        only_2023 = resolve_enterprise(session, credit_code=code(1), years=[2023])
        none = resolve_enterprise(session, credit_code=code(1), years=[])
        absent = resolve_enterprise(session, credit_code=code(9))
    assert one.years() == [2024, 2023]
    chosen = {(y, f): (s, v) for y, f, s, v in one.chosen.iter_rows()}
    assert chosen == {
        (2024, "electricity_wan_kwh"): ("power", pytest.approx(12.0)),  # 12 × 10,000 kWh; 3300002 is 乙's
        (2024, "tax_wan"): ("tax", pytest.approx(18.0)),  # 12 × 1.5, the tax bureau before statistics
        (2024, "revenue_wan"): ("tax", pytest.approx(1200.0)),
        (2024, "land_mu"): ("land", pytest.approx(15.5)),  # two parcels
        (2024, "output_wan"): ("appeal", 950.0),  # a correction outranks every department
        (2023, "tax_wan"): ("stats", 11.0),
        (2023, "output_wan"): ("stats", 700.0),
    }
    tax_2024 = one.candidates.filter(
        (one.candidates["year"] == 2024) & (one.candidates["field"] == "tax_wan")
    )
    assert [(s, r) for s, r in tax_2024.sort("rank").select("source", "rank").iter_rows()] == [
        ("tax", 0),
        ("stats", 1),
    ]
    output_2024 = one.candidates.filter(
        (one.candidates["year"] == 2024) & (one.candidates["field"] == "output_wan")
    )
    assert sorted(output_2024.select("source", "value").iter_rows()) == [("appeal", 950.0), ("stats", 900.0)]
    files = {(y, s): (f, len(b)) for y, s, f, b in one.files.iter_rows()}
    assert files[(2024, "land")] == (["l.xlsx"], 1)
    # readings only (the account maps hold no figures), a batch per month of the file
    assert files[(2024, "power")] == (["p.csv"], 12)
    assert files[(2024, "appeal")] == (["申诉 #1"], 1)
    assert set(files) == {(2024, s) for s in ("power", "tax", "land", "stats", "appeal")} | {(2023, "stats")}
    assert only_2023.years() == [2023]
    assert _rows(only_2023.chosen) == [(2023, "output_wan", "stats", 700.0), (2023, "tax_wan", "stats", 11.0)]
    assert none.years() == [] and none.chosen.is_empty() and none.candidates.is_empty()
    assert absent.years() == [] and absent.files.is_empty()


def test_every_enterprise_agrees_with_the_facts_table(engine: Engine, settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _district(engine, settings, tmp_path)
    with transaction(engine) as session:
        facts, _ = resolve_year(session, year=2024, tolerance=settings.conflict_tolerance)
        assert facts.height == 2
        for row in facts.to_dicts():
            one = resolve_enterprise(session, credit_code=row["credit_code"], years=[2024])
            got = {f: v for _, f, _, v in one.chosen.iter_rows() if f not in DERIVED}
            assert got == pytest.approx({f: row[f] for f in got})
            master = {"credit_code", "name", "industry_code", "year", "established"}  # not figures
            assert {f for f, v in row.items() if v is not None and f not in DERIVED} - master == set(got)
            assert got  # each has at least one figure
    assert got == pytest.approx({"electricity_wan_kwh": 6.0, "tax_wan": 4.0, "output_wan": 300.0})  # 乙


def test_the_profile_page_and_the_api_show_the_same_figures(
    engine: Engine, settings: Settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    _district(engine, settings, tmp_path)
    town_of_nobody = Scope(role="town", username="t", township_code="330213999")
    with transaction(engine) as session:
        page = profile.profile(session, credit_code=code(1).lower(), scope=Scope(role="leader"))
        api = profile_of(session, scope=Scope(role="leader"), credit_code=code(1))
        assert profile.profile(session, credit_code=code(1), scope=town_of_nobody) is None
    assert page is not None
    from_page = {(f["year"], f["field"]): (f["source"], f["value"]) for f in page.figures}
    from_api = {
        (y["year"], f): (v["source"], v["value"]) for y in api["years"] for f, v in y["figures"].items()
    }
    assert from_page == from_api
    assert [y["year"] for y in api["years"]] == [2024, 2023]
    # every source's figure is on the page, the deciding one marked
    tax = [(b["source"], b["chosen"]) for b in page.by_source if (b["year"], b["field"]) == (2024, "tax_wan")]
    assert tax == [("tax", True), ("stats", False)]


def test_the_cockpit_reads_the_evaluation_through_the_evaluation_domain() -> None:
    for name in (
        "grade_distribution",
        "township_aggregates",
        "evaluation_results",
        "visible_runs",
        "visible_appeals",
    ):
        assert getattr(cockpit, name) is getattr(scoped_views, name)
    assert cockpit.Section is scoped_views.Section


def test_the_list_counts_the_scope_on_every_page_even_past_the_end(
    engine: Engine, settings: Settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from industry_brain.views.queries import list_enterprises

    _district(engine, settings, tmp_path)
    leader = Scope(role="leader")
    with transaction(engine) as session:
        pages = [list_enterprises(session, scope=leader, limit=1, offset=o) for o in (0, 1, 2, 7)]
        nobody = list_enterprises(session, scope=Scope(role="town", township_code="330213999"), offset=3)
        found = list_enterprises(session, scope=leader, q="乙")
    assert [(p["total"], [i["credit_code"] for i in p["items"]]) for p in pages] == [
        (2, [code(1)]),
        (2, [code(2)]),
        (2, []),
        (2, []),
    ]
    assert (nobody["total"], nobody["items"]) == (0, [])
    assert (found["total"], [i["credit_code"] for i in found["items"]]) == (1, [code(2)])
