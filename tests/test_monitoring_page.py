"""The monitoring page's pure parts: the chart's options from a series (a month without data is
a gap, not 0) and the area selector offering only the areas the rows (already scoped) hold."""

from __future__ import annotations

from industry_brain.core.scope import Scope
from industry_brain.web.pages.monitoring import _area_choices, series_chart


def test_series_chart_keeps_no_data_as_a_gap():
    data = {
        "indicator_name": "工业总产值",
        "unit": "万元",
        "points": [
            {"month": "2025-01", "value": 100.0, "yoy_pct": 10.0},
            {"month": "2025-02", "value": None, "yoy_pct": None},
        ],
    }
    options = series_chart(data)
    assert options["xAxis"]["data"] == ["2025-01", "2025-02"]
    bars, line = options["series"]
    assert bars["data"] == [100.0, None] and line["data"] == [10.0, None]
    assert bars["name"] == "工业总产值（万元）" and line["yAxisIndex"] == 1


def test_area_choices_from_the_scoped_rows():
    rows = [
        {"area_kind": "township", "area_id": "330213002", "area": "岳林街道", "comparable": True},
        {"area_kind": "township", "area_id": "330213002", "area": "岳林街道", "comparable": False},
        {"area_kind": "division", "area_id": "34", "area": "34 通用设备制造业", "comparable": True},
    ]
    town = Scope(role="town", township_code="330213002")
    assert _area_choices(town, rows) == {"township:330213002": "镇街 · 岳林街道"}


def test_alerts_summary_as_sentences():
    from industry_brain.monitoring.bulletin import alert_lines

    got = {
        "total": 3,
        "by_severity": {"critical": 1, "warning": 2},
        "by_rule": {"power_drop": 2, "stoppage": 1},
        "by_town": {"330213001": 2, "": 1},
        "top": [
            {"rule": "stoppage", "rule_name": "疑似停产", "explanation": "甲公司3月用电不足常年同期的一成。"},
            {
                "rule": "power_drop",
                "rule_name": "用电同比大幅下降",
                "explanation": "乙公司3月用电同比下降45.0%。",
            },
        ],
    }
    assert alert_lines(got) == [
        "本月未解除的企业预警共3条，其中严重1条、警告2条。",
        "按规则：用电同比大幅下降2条、疑似停产1条。",
        "按镇街：锦屏街道2条、未归属镇街1条。",
        "1. 甲公司3月用电不足常年同期的一成。",
        "2. 乙公司3月用电同比下降45.0%。",
    ]
    assert alert_lines({"total": 0}) == ["本月没有未解除的企业预警。"]
