"""Plan packs: the loader refuses what docs/plan-packs.md does not allow, naming file, path, reason;
the citation checker finds quotes missing from the seed and values missing from their quotes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from industry_brain.plans.citations import check_citations, numbers_in
from industry_brain.plans.pack import (
    PackError,
    load_packs_from,
    parse_pack,
    seed_dir,
    validate_pack_file,
)
from plans_fixtures import SAMPLE_PACK, SAMPLE_SEED, write_sample

BASE: dict[str, Any] = yaml.safe_load(SAMPLE_PACK)


def _parse(change) -> PackError:
    data = copy.deepcopy(BASE)
    change(data)
    with pytest.raises(PackError) as info:
        parse_pack(data, "sample-plan.yaml", stem="sample-plan")
    return info.value


def test_sample_pack_loads_with_defaults(tmp_path: Path) -> None:
    pack = validate_pack_file(write_sample(tmp_path))
    assert (pack.id, pack.area_code, pack.period_start, pack.period_end) == (
        "sample-plan",
        "330213",
        2021,
        2025,
    )
    share = pack.indicator("hi-tech-share")
    # years left out default to the pack's baseline year and the end of its period
    assert (share.baseline.year, share.target.year) == (2020, 2025)  # type: ignore[union-attr]
    assert share.responsible == ("区科技局", "区经信局")
    assert pack.indicator("energy-task").target.value is None
    assert pack.clusters[0].industries == ("34", "351") and pack.clusters[0].pack_id == "sample-plan"
    assert pack.tasks[0].lead_units == ("区经信局",)
    assert pack.actuals[0].value == 760.5


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        (lambda d: d.update(colour="red"), "colour", "unknown key"),
        (
            lambda d: d["indicators"][2]["target"].update(value="60"),
            "indicators[2].target.value",
            "expected a number",
        ),
        (
            lambda d: d["indicators"][0]["target"].pop("quote"),
            "indicators[0].target.quote",
            "missing required key",
        ),
        (lambda d: d["indicators"][0].pop("unit"), "indicators[0].unit", "expected text"),
        (lambda d: d["indicators"][1].pop("change"), "indicators[1].change", "须写 change"),
        (lambda d: d["indicators"][0].update(change="percent"), "indicators[0].change", "只有 increase_by"),
        (lambda d: d["indicators"][1].update(change="times"), "indicators[1].change", "decrease_by 不能"),
        (lambda d: d["indicators"][1].update(direction="down"), "indicators[1].direction", "不是"),
        (lambda d: d["indicators"][4]["target"].update(value=1), "indicators[4].target.value", "大于 1"),
        (lambda d: d["indicators"][5]["target"].update(value=3), "indicators[5].target.value", "qualitative"),
        (lambda d: d["indicators"][3].update(id="output-above-scale"), "indicators[3].id", "duplicate id"),
        (lambda d: d["indicators"][3].update(id="Bad_Id"), "indicators[3].id", "kebab-case"),
        (lambda d: d["indicators"][0].update(derive="gdp"), "indicators[0].derive", "未知的计算口径"),
        (lambda d: d["indicators"][6].pop("concerns"), "indicators[6].derive", "concerns.cluster"),
        (
            lambda d: d["indicators"][6].update(concerns={"cluster": "sample-plan/none"}),
            "indicators[6].concerns.cluster",
            "no such cluster",
        ),
        (
            lambda d: d["clusters"][0].update(industries=[3444]),
            "clusters[0].industries[0]",
            "write it in quotes",
        ),
        (lambda d: d["clusters"][0].update(industries=["3490"]), "clusters[0].industries[0]", "GB/T 4754"),
        (lambda d: d["clusters"][0].update(id="other/equipment"), "clusters[0].id", "sample-plan/<slug>"),
        (lambda d: d["clusters"][0].update(group=154), "clusters[0].group", "write it in quotes"),
        (lambda d: d["actuals"][0].update(indicator="nope"), "actuals[0].indicator", "no such indicator"),
        (lambda d: d["actuals"].append(dict(d["actuals"][0])), "actuals[1]", "duplicate actual"),
        (lambda d: d.update(id="other"), "id", "file name"),
        (lambda d: d["area"].update(code=330212), "area.code", "write it in quotes"),
        (lambda d: d["period"].update(start=2026), "period", "晚于"),
        (lambda d: d["tasks"][0].pop("lead_units"), "tasks[0].lead_units", "missing required key"),
    ],
)
def test_pack_errors_name_path_and_reason(change, path: str, reason: str) -> None:
    error = _parse(change)
    assert error.file == "sample-plan.yaml"
    assert error.path == path
    assert reason in error.reason
    assert str(error).startswith(f"sample-plan.yaml: {path}: ")


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(PackError, match=r"broken\.yaml: .*invalid YAML"):
        validate_pack_file(path)


def test_cluster_ids_unique_and_references_resolved_across_packs(tmp_path: Path) -> None:
    write_sample(tmp_path)
    other = copy.deepcopy(BASE)
    other["id"] = "other-plan"
    other["clusters"] = []
    other["tasks"] = []
    other["actuals"] = []
    other["indicators"] = [other["indicators"][6]]  # concerns sample-plan/equipment: resolves
    write_sample(tmp_path, yaml.safe_dump(other, allow_unicode=True), "other-plan")
    assert [p.id for p in load_packs_from(tmp_path)] == ["other-plan", "sample-plan"]

    other["indicators"][0]["concerns"] = {"cluster": "sample-plan/missing"}
    write_sample(tmp_path, yaml.safe_dump(other, allow_unicode=True), "other-plan")
    with pytest.raises(
        PackError, match=r"other-plan.yaml: indicators\[0\].concerns.cluster: .*no such cluster"
    ):
        load_packs_from(tmp_path)


def test_citations_of_sample_pack_all_found(tmp_path: Path) -> None:
    pack = validate_pack_file(write_sample(tmp_path))
    assert check_citations(pack, SAMPLE_SEED) == []


def test_citations_report_missing_quote_and_value() -> None:
    data = copy.deepcopy(BASE)
    data["indicators"][0]["target"]["value"] = 1300  # not what the quote says
    data["indicators"][3]["baseline"]["quote"] = "规上工业企业 900 家"  # not in the seed
    pack = parse_pack(data, "sample-plan.yaml")
    problems = check_citations(pack, SAMPLE_SEED)
    assert [p.split(": ")[0] for p in problems] == [
        "output-above-scale.target.value",
        "enterprises-above-scale.baseline",  # quote not in the seed
        "enterprises-above-scale.baseline.value",  # and 800 not in the quote
    ]


@pytest.mark.parametrize(
    ("quote", "value"),
    [
        ("达到1200亿元", 1200.0),
        ("下降15%", 15.0),
        ("760.5", 760.5),
        ("1,200亿元", 1200.0),
        ("工业增加值翻一番", 2.0),
        ("打造千亿级产业集群", 1000.0),
        ("培育五百亿级集群", 500.0),
        ("十五家", 15.0),
    ],
)
def test_numbers_as_the_document_writes_them(quote: str, value: float) -> None:
    assert value in numbers_in(quote)


def test_seed_dir_defaults_beside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INDUSTRY_BRAIN_SEEDS", raising=False)
    repo = Path(__file__).resolve().parents[1]
    assert seed_dir() == repo.parent / "shared" / "seeds"
    monkeypatch.setenv("INDUSTRY_BRAIN_SEEDS", "/somewhere")
    assert seed_dir() == Path("/somewhere")


def test_shipped_packs_load_together_and_cite_their_seeds() -> None:
    from industry_brain.plans.pack import load_packs
    from plans_fixtures import seed_text_for_test

    packs = load_packs()  # every pack valid, cluster ids unique, every concerns.cluster resolved
    assert packs, "no shipped packs"
    for pack in packs:
        assert check_citations(pack, seed_text_for_test(pack.source_file)) == [], pack.id
