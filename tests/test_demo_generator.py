"""The synthetic demo district: determinism, calibration to seed 004, valid identities, the
Spring Festival dip, and an imperfection manifest that says exactly what the importer rejects."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import fastexcel
import polars as pl
import pytest

from industry_brain.core.settings import Settings
from industry_brain.demo import calibration, writers
from industry_brain.demo.calibration import TARGETS, check, manifest_path
from industry_brain.demo.clusters import GROUPS, ZONES, group_of_class
from industry_brain.demo.generator import DemoDistrict, generate
from industry_brain.demo.power import spring_festival_month
from industry_brain.ingest.header import locate
from industry_brain.ingest.reader import read_grid
from industry_brain.ingest.validate import validate
from industry_brain.reference.credit_code import is_valid
from industry_brain.reference.divisions import townships
from industry_brain.reference.industries import class_codes, is_class

FACT_COLUMNS = (
    "credit_code",
    "name",
    "industry_code",
    "year",
    "above_scale",
    "established",
    "land_mu",
    "rented_mu",
    "tax_wan",
    "value_added_wan",
    "revenue_wan",
    "output_wan",
    "energy_tce",
    "emission_t",
    "employees",
    "rd_spend_wan",
    "electricity_wan_kwh",
    "safety_accident",
    "env_violation",
)
SEED_004 = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "004_db5cf59d4b6a5775.txt"
FENGHUA = "330213"


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> DemoDistrict:
    return generate(tmp_path_factory.mktemp("full"), seed=2020)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> DemoDistrict:
    return generate(tmp_path_factory.mktemp("small"), seed=7, scale=0.1)


def manifest(district: DemoDistrict) -> dict:
    return json.loads(manifest_path(district).read_text(encoding="utf-8"))


def grid(path: Path, fmt: str) -> list[list[str | None]]:
    """The first sheet as rows of text; row n of the file is element n-1."""
    if fmt.startswith("csv"):
        encoding = "gbk" if fmt == "csv-gbk" else "utf-8"
        with path.open(encoding=encoding, newline="") as fh:
            return [[c or None for c in row] for row in csv.reader(fh)]
    frame = fastexcel.read_excel(path).load_sheet(0, header_row=None, dtypes="string").to_polars()
    return [list(r) for r in frame.iter_rows()]


# --- determinism ----------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(small, tmp_path):
    again = generate(tmp_path / "again", seed=7, scale=0.1)
    other = generate(tmp_path / "other", seed=8, scale=0.1)
    assert [f.path.name for f in again.files] == [f.path.name for f in small.files]
    for a, b in zip(small.files, again.files, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes(), a.path.name
    assert manifest_path(small).read_bytes() == manifest_path(again).read_bytes()
    assert small.truth.equals(again.truth)
    differing = [
        a.path.name
        for a, b in zip(small.files, other.files, strict=True)
        if a.path.read_bytes() != b.path.read_bytes()
    ]
    assert len(differing) == len(small.files)
    assert not small.truth.equals(other.truth)


# --- calibration ----------------------------------------------------------------------------


@pytest.mark.slow
def test_full_scale_2020_meets_every_published_target(full):
    results = check(full)
    failed = [(r.target.key, r.expected, r.actual) for r in results if not r.ok]
    assert not failed
    above = full.truth.filter((pl.col("year") == 2020) & (pl.col("above_scale") == 1))
    out = above["output_wan"]
    assert above.height == 601
    assert (out >= 10_000).sum() == 125
    assert (out >= 100_000).sum() == 6
    assert (out >= 1_000_000).sum() == 1
    assert abs(out.sum() - 7_605_000) <= 0.005 * 7_605_000


def test_every_enterprise_year_is_plausible(full):
    """docs/demo.md, "Plausibility": the bounds a statistician would check on one enterprise."""
    t = full.truth
    assert t.filter(pl.col("value_added_wan") >= pl.col("output_wan")).is_empty()
    assert t.filter(pl.col("value_added_wan") > pl.col("revenue_wan")).is_empty()
    assert t.filter(pl.col("value_added_wan") > 0.6 * pl.col("output_wan") + 0.01).is_empty()
    assert t.filter(pl.col("tax_wan") > 0.2 * pl.col("revenue_wan") + 0.01).is_empty()
    assert t.filter(pl.col("tax_wan") > 0.6 * pl.col("value_added_wan") + 0.01).is_empty()
    # The district's ratios stay near seed 004's 区属 figures in every year, not only in 2020.
    for year in full.years:
        above = t.filter((pl.col("year") == year) & (pl.col("above_scale") == 1))
        land = above["land_mu"].sum() + above["rented_mu"].sum()
        assert 0.3 <= above["value_added_wan"].sum() / above["output_wan"].sum() <= 0.5
        assert 15 <= above["tax_wan"].sum() / land <= 35, year  # 22.7万元/亩 in 2020


def test_check_reports_a_miss(small):
    """At scale 0.1 the full-scale targets are not met: check must say so, not pass blindly."""
    results = {r.target.key: r for r in check(small, scale=1.0)}
    assert not results["above_scale_count"].ok
    assert results["above_scale_count"].actual == 60
    assert all(r.ok for r in check(small, scale=0.1) if r.target.kind == "ratio")


def test_targets_quote_the_seed():
    if not SEED_004.exists():
        pytest.skip("seed documents not present")
    text = SEED_004.read_text(encoding="utf-8")
    for target in TARGETS:
        assert target.seed_file == SEED_004.name
        for part in target.quote.split(" | "):
            assert part in ("…",) or part in text, (target.key, part)


def test_scale_multiplies_the_counts(small):
    t2020 = small.truth.filter(pl.col("year") == 2020)
    assert t2020.filter(pl.col("above_scale") == 1).height == round(601 * 0.1)
    assert t2020.filter(pl.col("above_scale") == 0).height == round(4 * 601 * 0.1)


# --- identities and structure ---------------------------------------------------------------


def test_truth_has_the_facts_columns_and_one_row_per_enterprise_year(small):
    assert tuple(small.truth.columns) == FACT_COLUMNS
    assert small.truth.select("credit_code", "year").is_duplicated().sum() == 0
    assert small.truth["credit_code"].n_unique() == small.enterprises
    assert sorted(small.truth["year"].unique()) == list(small.years)


def test_codes_industries_and_townships_are_valid(full):
    truth = full.truth
    assert all(is_valid(c) for c in truth["credit_code"].unique())
    assert all(is_class(c) for c in truth["industry_code"].unique())
    assert set(truth["industry_code"].unique()) <= set(group_of_class())
    registry = next(f for f in manifest(full)["files"] if f["template"] == "registry")
    rows = grid(manifest_path(full).parent / registry["path"], registry["format"])
    header = rows[registry["header_row"] - 1]
    col = header.index("所属乡镇街道")
    variants = {i["row"] for i in registry["injections"] if i["kind"] == "township_variant"}
    names = {d.name for d in townships(FENGHUA)}
    written = {
        rows[n - 1][col]
        for n in range(registry["header_row"] + 1, len(rows) + 1)
        if n not in variants and rows[n - 1][col]
    }
    assert written == names  # every township used, and only 奉化's


def test_clusters_use_distinct_gbt4754_classes():
    codes = [i.code for g in GROUPS for i in g.industries]
    assert len(codes) == len(set(codes))
    assert set(codes) <= class_codes()
    for g in GROUPS:
        assert abs(sum(i.weight for i in g.industries) - 1) < 1e-9, g.key
    fenghua = {d.name for d in townships(FENGHUA)}
    assert all(set(z.townships) <= fenghua for z in ZONES)


def test_the_district_has_tenants_new_enterprises_two_accounts_and_incidents(full):
    t = full.truth
    last = t.filter(pl.col("year") == 2024)
    assert last.filter((pl.col("land_mu") == 0) & (pl.col("rented_mu") > 0)).height > 100
    new = last.filter(pl.col("established").str.slice(0, 4).cast(pl.Int64) >= 2023)
    assert 50 <= new.height <= 150
    assert 0 < last["safety_accident"].sum() < 50
    assert 0 < last["env_violation"].sum() < 100
    below = t.filter((pl.col("year") == 2020) & (pl.col("above_scale") == 0))
    assert below["revenue_wan"].max() < 2000
    accounts = next(f for f in manifest(full)["files"] if f["template"] == "power_accounts")
    assert accounts["data_rows"] > full.enterprises  # some enterprises have two 户号


# --- Spring Festival ------------------------------------------------------------------------


def test_spring_festival_month_is_well_below_the_other_months(full):
    info = {f["path"]: f for f in manifest(full)["files"]}
    for demo_file in full.files:
        if demo_file.template != "power":
            continue
        entry = info[f"files/{demo_file.path.name}"]
        rows = grid(demo_file.path, entry["format"])
        skip = {i["row"] for i in entry["injections"] if i["reject"]}
        totals = [0.0] * 13
        for n, row in enumerate(rows[1:], start=2):
            if n in skip:
                continue
            month = row[2].replace("年", "-").replace("月", "").replace("-", "")
            month = month[:4] + month[4:].zfill(2)
            totals[int(month[4:6])] += float(row[3].replace(",", ""))
        year = int(demo_file.period)
        cny = spring_festival_month(year)
        others = [totals[m] for m in range(1, 13) if m != cny]
        assert totals[cny] < 0.75 * sum(others) / len(others), year
        assert min(others) > 0.4 * max(others)  # only the festival months dip


# --- imperfections --------------------------------------------------------------------------


def test_manifest_counts_agree_with_the_files_it_describes(full):
    m = manifest(full)
    assert [f["path"] for f in m["files"]] == [f"files/{d.path.name}" for d in full.files]
    assert full.files[0].template == "registry" and full.files[1].template == "power_accounts"
    for entry, demo_file in zip(m["files"], full.files, strict=True):
        rejected_rows = {i["row"] for i in entry["injections"] if i["reject"]}
        assert demo_file.expected_rejects == entry["expected_rejects"] == len(rejected_rows)
        # a year, or the month of the corrected monthly report
        assert demo_file.period is None or demo_file.period.replace("-", "", 1).isdigit()
    # the monthly reports carry the monitoring events instead of injected imperfections
    yearly = [f for f in full.files if not f.source.endswith("-monthly")]
    with_rejects = [f for f in yearly if f.expected_rejects > 0]
    assert len(with_rejects) >= len(yearly) * 3 // 4
    data = sum(f["data_rows"] for f in m["files"])
    imperfect = sum(len({i["row"] for i in f["injections"]}) for f in m["files"])
    kinds = {i["kind"] for f in m["files"] for i in f["injections"]}
    assert {
        "bad_code",
        "bad_industry",
        "negative",
        "duplicate_conflict",
        "code_lower",
        "text_number",
        "duplicate_identical",
    } <= kinds
    assert 0.002 < imperfect / data < 0.03


def test_injected_cells_are_in_the_files_and_really_corrupt(full):
    root = manifest_path(full).parent
    for entry in manifest(full)["files"]:
        rows = grid(root / entry["path"], entry["format"])
        header = rows[entry["header_row"] - 1]
        for inj in entry["injections"]:
            if inj["column"] is None:
                continue
            cell = rows[inj["row"] - 1][header.index(inj["column"])]
            value = inj["value"]
            if inj["kind"] == "bad_code":
                assert cell == value and not is_valid(value) and is_valid(inj["credit_code"])
            elif inj["kind"] == "bad_industry":
                assert str(cell).removesuffix(".0") == value
                assert not is_class(value) and not is_class("0" + value)
            elif inj["kind"] == "negative":
                assert float(str(cell).replace(",", "")) < 0
            elif inj["kind"].startswith("code_"):
                assert cell == value and cell != inj["credit_code"] and is_valid(value)


def test_the_importer_rejects_exactly_the_injected_rows(small):
    settings = Settings()
    root = manifest_path(small).parent
    for entry in manifest(small)["files"]:
        path = root / entry["path"]
        g = read_grid(path, settings)
        layout = locate(g, entry["source"], settings.header_scan_rows, path.name)
        parsed = validate(g, layout, entry["period"], settings.district_code, path.name)
        assert layout.template.name == entry["template"]
        assert {r["row"] for r in parsed.rejects} == {i["row"] for i in entry["injections"] if i["reject"]}, (
            path.name
        )
        assert parsed.rows_skipped == entry["expected_skipped"], path.name


def test_units_and_formats_vary_as_documented(full):
    by_name = {f["path"]: f for f in manifest(full)["files"]}
    formats = {f["format"] for f in by_name.values()}
    assert {"xlsx", "xls", "csv", "csv-gbk"} <= formats
    headers = {h for f in by_name.values() for h in f["headers"]}
    assert {
        "实缴税金（元）",
        "税收（亿元）",
        "宗地面积（平方米）",
        "用电量（千瓦时）",
        "社会信用代码",
        "主营业务收入（万元）",
    } <= headers
    gbk = next(f for f in by_name.values() if f["format"] == "csv-gbk")
    raw = (manifest_path(full).parent / gbk["path"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_xls_falls_back_to_xlsx_without_xlwt(tmp_path, monkeypatch):
    monkeypatch.setattr(writers, "xls_available", lambda: False)
    district = generate(tmp_path, seed=3, scale=0.05)
    assert all(f.path.suffix != ".xls" for f in district.files)
    assert any(
        f.template == "environment" and f.period == "2022" and f.path.suffix == ".xlsx"
        for f in district.files
    )


def test_years_are_a_parameter(tmp_path):
    district = generate(tmp_path, seed=5, years=(2024, 2023), scale=0.05)
    assert district.years == (2023, 2024)
    assert {f.period for f in district.files} == {None, "2023", "2024", "2024-03"}  # the corrected March
    assert sorted(district.truth["year"].unique()) == [2023, 2024]
    with pytest.raises(ValueError):
        generate(tmp_path, years=(2019,), scale=0.05)


def test_calibration_module_has_a_measure_for_every_target():
    measured = set(calibration.MEASURES) | {
        t.key for t in TARGETS if t.key.startswith("title:") or t.key == "key_enterprises"
    }
    assert {t.key for t in TARGETS} <= measured
