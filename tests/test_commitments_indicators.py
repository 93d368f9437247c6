"""Commitments as policies conditions: the actual values compiled by the policies expression
compiler, checked against hand-worked figures, and the shortfall wording."""

import ibis

from industry_brain.commitments.indicators import INDICATORS, actual, holders, shortfall


def test_actual_values_hand_worked() -> None:
    # parcel of 40 亩: output 3,200 万元 -> 80.0 万元/亩; tax 728 万元 -> 18.2 万元/亩;
    # energy 960 tce / 3,200 万元 -> 0.30 吨标准煤/万元.
    t = ibis.memtable({"output_wan": [3200.0], "tax_wan": [728.0], "energy_tce": [960.0]})
    area = ibis.literal(40.0)
    cols = {k: actual(ind, t, area) for k, ind in INDICATORS.items()}
    got = ibis.duckdb.connect().execute(t.select(**cols)).iloc[0]
    assert round(float(got["output_per_mu"]), 6) == 80.0
    assert round(float(got["tax_per_mu"]), 6) == 18.2
    assert round(float(got["energy_per_wan"]), 6) == 0.3


def test_shortfall_words() -> None:
    assert shortfall(INDICATORS["tax_per_mu"], 18.2, 25.0) == (
        "亩均税收 18.2 万元/亩，承诺不低于 25.0 万元/亩，差 6.8"
    )
    assert shortfall(INDICATORS["energy_per_wan"], 0.36, 0.30) == (
        "单位能耗 0.36 吨标准煤/万元，承诺不高于 0.30 吨标准煤/万元，差 0.06"
    )


def test_holders_name_departments() -> None:
    assert holders(INDICATORS["tax_per_mu"]) == ["区税务局"]


def _review_rows() -> dict[str, dict[str, object]]:
    import datetime as dt

    from industry_brain.commitments.review import review

    nan = None
    commitments = ibis.memtable(
        {
            "parcel_id": ["P-met", "P-breach", "P-unknown", "P-due"],
            "credit_code": ["A", "B", "C", "D"],
            "area_mu": [40.0, 40.0, 20.0, 30.0],
            "review_date": [dt.date(2026, 6, 30)] * 3 + [dt.date(2027, 6, 30)],
            "committed_output_per_mu": [75.0, 60.0, 50.0, 80.0],
            "committed_tax_per_mu": [15.0, 25.0, 10.0, 20.0],
            "committed_energy_per_wan": [0.35, nan, nan, nan],
        }
    )
    record = ibis.memtable(
        {
            "credit_code": ["A", "B", "C", "D"],
            "output_wan": [3200.0, 3200.0, 1500.0, 100.0],  # A, B: 80.0 万元/亩; C: 75.0
            "tax_wan": [728.0, 728.0, nan, 1.0],  # A, B: 18.2 万元/亩; C: missing
            "energy_tce": [960.0, 960.0, 10.0, 1.0],  # A: 0.30 吨标准煤/万元
        }
    )
    df = ibis.duckdb.connect().execute(review(commitments, record, dt.date(2026, 12, 1)))
    return {r["parcel_id"]: r for r in df.to_dict("records")}


def test_review_four_results_hand_worked() -> None:
    rows = _review_rows()
    assert rows["P-met"]["result"] == "met"  # 80.0>=75, 18.2>=15, 0.30<=0.35
    assert rows["P-breach"]["result"] == "breached"  # 18.2 < 25.0
    assert rows["P-breach"]["passed_tax_per_mu"] is False
    assert rows["P-breach"]["passed_output_per_mu"] is True
    assert round(float(rows["P-breach"]["value_tax_per_mu"]), 6) == 18.2  # type: ignore[arg-type]
    assert rows["P-unknown"]["result"] == "unknown"  # tax missing, output 75.0 >= 50 passed
    assert rows["P-due"]["result"] == "not_due"  # review 2027-06-30 after as-of 2026-12-01


def test_trace_shortfall_and_missing_department() -> None:
    from industry_brain.commitments.trace import parcel_trace

    rows = _review_rows()
    sources = {("B", 0, "tax_wan"): {"batch": 7, "file": "税收.xlsx", "row": 12}}
    breach = parcel_trace(rows["P-breach"], sources)
    assert breach["result_name"] == "未达承诺"
    tax = next(i for i in breach["indicators"] if i["indicator"] == "tax_per_mu")
    assert tax["shortfall"] == "亩均税收 18.2 万元/亩，承诺不低于 25.0 万元/亩，差 6.8"
    assert tax["source"] == [{"field": "tax_wan", "batch": 7, "file": "税收.xlsx", "row": 12}]
    unknown = parcel_trace(rows["P-unknown"])
    tax_u = next(i for i in unknown["indicators"] if i["indicator"] == "tax_per_mu")
    assert tax_u["missing"] == [{"field": "tax_wan", "name": "实缴税金", "department": "区税务局"}]
    assert parcel_trace(rows["P-due"])["indicators"] == []
