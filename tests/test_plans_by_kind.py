"""The document's, the computed and the reported actual of an indicator side by side, each with
its source (plans.service.progress `by_kind`), on SQLite and PostgreSQL, on the sample pack whose
computed figures tests/test_plans_service.py sums by hand."""

from __future__ import annotations

import pytest

from industry_brain.core.db import transaction
from industry_brain.core.scope import Scope
from industry_brain.plans.actuals import record_actual
from industry_brain.plans.service import progress
from test_plans_service import facts, sample  # noqa: F401  (the fixtures)


def test_document_computed_and_reported_actuals_side_by_side_with_their_sources(
    engine,
    settings,
    facts,  # noqa: F811 (the fixture)
) -> None:
    with transaction(engine) as s:
        record_actual(
            s,
            plan_id="sample-plan",
            indicator_id="output-above-scale",
            period="2023",
            value=80,
            reported_by="李四",
        )
    with transaction(engine) as s:
        result = progress(s, plan_id="sample-plan", as_of="2023", scope=Scope.system(), settings=settings)
    rows = {r.id: r for r in result.indicators}
    kinds = rows["output-above-scale"].by_kind
    assert list(kinds) == ["document", "computed", "reported"]
    # the document states 760.5 for 2020; the record gives (500000 + 200000 + 50000) 万元 = 75 亿元
    # for 2023; the unit reported 80 for 2023
    assert (kinds["document"]["value"], kinds["document"]["period"]) == (760.5, "2020")
    assert "sample.txt" in kinds["document"]["source"]
    assert (kinds["computed"]["value"], kinds["computed"]["period"]) == (pytest.approx(75), "2023")
    assert (
        kinds["computed"]["source"] == "企业数据库 2023 年事实表"
        and "÷ 10000" in kinds["computed"]["formula"]
    )
    assert (kinds["reported"]["value"], kinds["reported"]["reported_by"]) == (80, "李四")
    # an indicator with no actual of a kind shows none for it
    assert rows["hi-tech-share"].by_kind == {"document": None, "computed": None, "reported": None}
