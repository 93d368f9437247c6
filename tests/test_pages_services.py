"""The read-side services behind the pages (views.profile, web.cockpit): what each scope
sees, on SQLite and PostgreSQL, from files imported the normal way. Figures are worked by hand
from the files below."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import code, run_import, write_xlsx
from industry_brain.core.db import transaction
from industry_brain.core.scope import Scope
from industry_brain.evaluation.method import load_method
from industry_brain.evaluation.service import run_evaluation
from industry_brain.evaluation.workflow import publish
from industry_brain.views import profile
from industry_brain.web import cockpit

XIKOU, JINPING = "330213100", "330213001"  # 溪口镇, 锦屏街道
STATS = [
    "统一社会信用代码",
    "企业名称",
    "行业代码",
    "所属镇街",
    "是否规上",
    "工业总产值（万元）",
    "工业增加值（万元）",
    "营业收入（万元）",
    "从业人员（人）",
    "实缴税金（万元）",
    "用地面积（亩）",
]
LEADER = Scope(role="leader", username="leader")
XIKOU_TOWN = Scope(role="town", username="xikou", township_code=XIKOU)
JINPING_TOWN = Scope(role="town", username="jinping", township_code=JINPING)


@pytest.fixture
def district(engine, settings, tmp_path):
    """Three enterprises in two towns; the tax bureau's 150 for code(1) outranks stats' 100."""
    stats = write_xlsx(
        tmp_path / "2024规上.xlsx",
        [
            STATS,
            [code(1), "宁波华翔电子有限公司", "3984", "溪口镇", "是", 20000, 5000, 21000, 200, 100, 20],
            [code(2), "乙电器有限公司", "3854", "锦屏街道", "是", 8000, 1500, 8200, 80, 30, 10],
            [code(3), "丙模具有限公司", "3525", "溪口镇", "是", 9000, 2000, 9500, 90, 50, 5],
        ],
    )
    tax = write_xlsx(
        tmp_path / "2024税收.xlsx",
        [["统一社会信用代码", "企业名称", "实缴税金（万元）"], [code(1), "华翔", 150]],
    )
    run_import(engine, settings, stats, "stats", "2024")
    run_import(engine, settings, tax, "tax", "2024")
    with transaction(engine) as session:
        summary, _ = run_evaluation(
            session, year=2024, method=load_method("huangyan-2022"), settings=settings
        )
    return summary.run_id


def _publish(engine, run_id):
    with transaction(engine) as session:
        today = dt.date.today()
        publish(session, run_id=run_id, deadline=today + dt.timedelta(days=7), user="analyst", today=today)


def _codes(s, query, scope=LEADER, **kw):
    return [r["credit_code"] for r in profile.search(s, query=query, scope=scope, **kw)["items"]]


def test_search_finds_by_name_code_and_pinyin_initials_within_scope(engine, district):
    with transaction(engine) as s:
        assert _codes(s, "hxdz") == [code(1)]
        assert _codes(s, "HXDZ") == [code(1)]
        assert _codes(s, "电器") == [code(2)]
        assert _codes(s, code(3)) == [code(3)]
        mine = profile.search(s, query="有限公司", scope=JINPING_TOWN)
        assert [(r["credit_code"], r["township"]) for r in mine["items"]] == [(code(2), "锦屏街道")]
        assert mine["total"] == 1
        assert _codes(s, "hxdz", JINPING_TOWN) == []
        assert _codes(s, "有限公司", Scope(role="department", unit="区科技局")) == []


NAMES = {
    code(11): "华翔",
    code(12): "华翔电子有限公司",
    code(13): "宁波华翔电子有限公司",
    code(14): "滑翔伞制造有限公司",  # huaxiang too, in other characters
    code(15): "浙江花香日化有限公司",  # and again
}


@pytest.fixture
def namesakes(engine, settings, tmp_path):
    rows = [["统一社会信用代码", "企业名称", "所属镇街"], *[[c, n, "溪口镇"] for c, n in NAMES.items()]]
    run_import(engine, settings, write_xlsx(tmp_path / "reg.xlsx", rows), "registry")
    return engine


def test_search_ranks_exact_then_prefix_then_substring_then_pinyin(namesakes):
    with transaction(namesakes) as s:
        assert _codes(s, "华翔") == [code(11), code(12), code(13)]
        # full pinyin: those that begin with it (shorter names first), then those that contain it
        assert _codes(s, "huaxiang") == [code(11), code(12), code(14), code(13), code(15)]
        assert _codes(s, "hua xiang") == _codes(s, "huaxiang")
        assert _codes(s, "ningbohuaxiang") == [code(13)]
        assert _codes(s, "hx") == [code(11), code(12), code(14), code(13), code(15)]
        assert _codes(s, code(12))[0] == code(12)
        # the count covers every match; pages follow on
        page = profile.search(s, query="huaxiang", scope=LEADER, limit=2, offset=2)
        assert page["total"] == 5 and [r["credit_code"] for r in page["items"]] == [code(14), code(13)]
        assert profile.search(s, query="huaxiang", scope=LEADER, limit=2, offset=10)["items"] == []
        assert _codes(s, "huaxiang", JINPING_TOWN) == []


def test_profile_names_the_deciding_source_and_keeps_the_other(engine, district):
    with transaction(engine) as s:
        p = profile.profile(s, credit_code=code(1), scope=LEADER)
    assert p is not None
    assert (p.master["name"], p.master["township"], p.master["industry"]) == (
        "宁波华翔电子有限公司",
        "溪口镇",
        "3984 电声器件及零件制造",  # GB/T 4754-2017
    )
    tax = [f for f in p.figures if f["field"] == "tax_wan"]
    assert [(f["year"], f["value"], f["source_label"]) for f in tax] == [(2024, 150.0, "税务")]
    both = {(b["source"], b["value"], b["chosen"]) for b in p.by_source if b["field"] == "tax_wan"}
    assert both == {("tax", 150.0, True), ("stats", 100.0, False)}
    assert any("2024规上.xlsx" in h["what"] for h in p.history)


def test_profile_outside_scope_reads_as_absent(engine, district):
    with transaction(engine) as s:
        assert profile.profile(s, credit_code=code(1), scope=JINPING_TOWN) is None
        assert (
            profile.profile(s, credit_code=code(1), scope=Scope(role="enterprise", credit_code=code(2)))
            is None
        )
        assert (
            profile.profile(s, credit_code=code(1), scope=Scope(role="department", unit="区科技局")) is None
        )
        own = profile.profile(s, credit_code=code(2), scope=Scope(role="enterprise", credit_code=code(2)))
        assert own is not None and own.credit_code == code(2)


def test_a_draft_run_is_shown_to_analysts_only_until_published(engine, district):
    with transaction(engine) as s:
        assert profile.profile(s, credit_code=code(1), scope=Scope(role="analyst")).evaluations
        assert profile.profile(s, credit_code=code(1), scope=XIKOU_TOWN).evaluations == []
        assert cockpit.grade_distribution(s, scope=LEADER).message == "暂无已公示的评价结果"
    _publish(engine, district)
    with transaction(engine) as s:
        p = profile.profile(s, credit_code=code(1), scope=XIKOU_TOWN)
        assert [e["run_id"] for e in p.evaluations] == [district]
        assert any("亩均税收" in line for line in p.explanation)
        grades = cockpit.grade_distribution(s, scope=LEADER)
        assert grades.summary["total"] == 3
        assert cockpit.grade_distribution(s, scope=XIKOU_TOWN).summary["total"] == 2


def test_township_aggregates_are_sums_over_the_towns_enterprises(engine, district):
    _publish(engine, district)
    with transaction(engine) as s:
        towns = {r["township"]: r for r in cockpit.township_aggregates(s, scope=LEADER).items}
        own = cockpit.township_aggregates(s, scope=XIKOU_TOWN).items
        refused = cockpit.township_aggregates(s, scope=Scope(role="enterprise", credit_code=code(1)))
    # 溪口镇: tax (150 + 50) ÷ land (20 + 5) = 8.0 万元/亩; 锦屏街道: 30 ÷ 10 = 3.0
    assert towns["溪口镇"]["tax_per_mu"] == pytest.approx(8.0)
    assert towns["溪口镇"]["enterprises"] == 2
    assert towns["溪口镇"]["output_wan"] == pytest.approx(29000)
    assert towns["锦屏街道"]["tax_per_mu"] == pytest.approx(3.0)
    assert [r["township"] for r in own] == ["溪口镇"]
    assert not refused.available and refused.items == []


def test_evaluation_results_filter_and_stay_in_scope(engine, district):
    _publish(engine, district)
    with transaction(engine) as s:
        every = cockpit.evaluation_results(s, run_id=district, scope=LEADER)
        town = cockpit.evaluation_results(s, run_id=district, scope=XIKOU_TOWN)
        in_jinping = cockpit.evaluation_results(s, run_id=district, scope=LEADER, township_code=JINPING)
        electric = cockpit.evaluation_results(s, run_id=district, scope=LEADER, industry_prefix="38")
        one = cockpit.evaluation_results(
            s, run_id=district, scope=Scope(role="enterprise", credit_code=code(3))
        )
        grade = every[0]["grade"]
        by_grade = cockpit.evaluation_results(s, run_id=district, scope=LEADER, grade=grade)
    assert sorted(r["credit_code"] for r in every) == [code(1), code(2), code(3)]
    assert sorted(r["credit_code"] for r in town) == [code(1), code(3)]
    assert [r["credit_code"] for r in in_jinping] == [code(2)] == [r["credit_code"] for r in electric]
    assert [r["credit_code"] for r in one] == [code(3)]
    assert {r["grade"] for r in by_grade} == {grade}


def test_cockpit_sections_follow_the_role(engine, settings, district):
    _publish(engine, district)
    with transaction(engine) as s:
        leader = cockpit.cockpit(s, scope=LEADER, settings=settings, slow=False)
        analyst = cockpit.cockpit(s, scope=Scope(role="analyst"), settings=settings, slow=False)
        town = cockpit.cockpit(s, scope=XIKOU_TOWN, settings=settings, slow=False)
    assert leader.year == 2024
    assert [b["file"] for b in leader.imports.items] == ["2024税收.xlsx", "2024规上.xlsx"]
    assert not town.imports.available  # the bureau's import log is not a town's business
    assert town.grades.summary["total"] == 2
    # rejects are an analyst's alert, not a leader's
    assert all("退回" not in a["text"] for a in leader.alerts)
    assert isinstance(analyst.alerts, list)


def test_headline_figures_give_the_comparable_set_growth_beside_the_naive_one(
    engine, settings, district, tmp_path
):
    """2023: code(1) 16000 and code(2) 10000 above scale; code(3) 4000, below scale (it crossed the
    threshold in 2024). 2024 (the district fixture): 20000 + 8000 + 9000 = 37000 above scale.
    同口径: the 2024 list's own 2023 output, 16000 + 10000 + 4000 = 30000: +23.3%.
    Naive: 37000 against 2023's list, 26000: +42.3%. Tax: 150 (the tax bureau's) + 30 + 50 = 230
    on 35 亩 = 6.57万元/亩."""
    from industry_brain.web.headline import headline_figures

    stats = write_xlsx(
        tmp_path / "2023规上.xlsx",
        [
            STATS,
            [code(1), "宁波华翔电子有限公司", "3984", "溪口镇", "是", 16000, 4000, 17000, 190, 90, 20],
            [code(2), "乙电器有限公司", "3854", "锦屏街道", "是", 10000, 1800, 10500, 85, 40, 10],
            [code(3), "丙模具有限公司", "3525", "溪口镇", "否", 4000, 900, 1900, 60, 20, 5],
        ],
    )
    run_import(engine, settings, stats, "stats", "2023")
    with transaction(engine) as s:
        district_wide = {h.name: h for h in headline_figures(s, scope=LEADER, settings=settings, year=2024)}
        xikou = {h.name: h for h in headline_figures(s, scope=XIKOU_TOWN, settings=settings, year=2024)}
        nothing = headline_figures(
            s, scope=Scope(role="enterprise", credit_code=code(1)), settings=settings, year=2024
        )
    output = district_wide["规上工业总产值"]
    assert (output.value, output.unit, output.yoy_pct, output.naive_yoy_pct) == (3.7, "亿元", 23.3, 42.3)
    assert district_wide["规上工业企业"].value == 3 and district_wide["规上工业企业"].yoy_pct == 50.0
    assert district_wide["规上工业亩均税收"].value == 6.57
    # 溪口: code(1) and code(3): 29000 against their own 2023 output 20000 (+45.0%), naive 16000
    assert (xikou["规上工业总产值"].yoy_pct, xikou["规上工业总产值"].naive_yoy_pct) == (45.0, 81.2)
    assert nothing == []
