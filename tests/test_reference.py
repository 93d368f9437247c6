"""Reference data shipped in the package: GB/T 4754-2017 industries and Ningbo divisions.

Expected counts and names come from shared/data/reference/README.md (§1, §4) and the standard's
表A.1; docs/reference-data.md describes the files."""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from importlib import resources

import pytest

from industry_brain.reference import divisions as divisions_module
from industry_brain.reference.divisions import Division, divisions, resolve_township, townships
from industry_brain.reference.industries import (
    class_codes,
    division_of,
    industries,
    is_class,
    lineage,
    section_of,
)

DATA = resources.files("industry_brain.reference") / "data"
FENGHUA = "330213"
YINZHOU = "330212"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# =============================================================================================
# GB/T 4754-2017


def test_level_counts_match_the_standard() -> None:
    levels = Counter(i.level for i in industries().values())
    assert levels == {1: 20, 2: 97, 3: 473, 4: 1381}
    assert len(class_codes()) == 1381


def test_the_file_has_no_duplicate_codes() -> None:
    # industries() is a dict: a duplicated code would silently replace the first row.
    codes = [r["code"] for r in _rows("gbt4754_2017.csv")]
    assert len(codes) == 1971
    assert len(set(codes)) == len(codes)


# 表A.1 of the standard: per 门类, the numbers of 大类 / 中类 / 小类.
TABLE_A1 = {
    "A": (5, 24, 72),
    "B": (7, 19, 39),
    "C": (31, 179, 609),
    "D": (3, 9, 18),
    "E": (4, 18, 44),
    "F": (2, 18, 128),
    "G": (8, 27, 67),
    "H": (2, 10, 16),
    "I": (3, 17, 34),
    "J": (4, 26, 48),
    "K": (1, 5, 5),
    "L": (2, 12, 58),
    "M": (3, 19, 48),
    "N": (4, 18, 33),
    "O": (3, 16, 32),
    "P": (1, 6, 17),
    "Q": (2, 6, 30),
    "R": (5, 27, 48),
    "S": (6, 16, 34),
    "T": (1, 1, 1),
}


def test_sections_are_a_to_t() -> None:
    sections = sorted(c for c, i in industries().items() if i.level == 1)
    assert sections == list("ABCDEFGHIJKLMNOPQRST")


@pytest.mark.parametrize("section", sorted(TABLE_A1))
def test_counts_per_section_match_table_a1(section: str) -> None:
    below = Counter(i.level for i in industries().values() if i.level > 1 and section_of(i.code) == section)
    assert (below[2], below[3], below[4]) == TABLE_A1[section]


CODE_SHAPE = {1: r"[A-T]", 2: r"\d{2}", 3: r"\d{3}", 4: r"\d{4}"}


def test_codes_have_the_shape_of_their_level_and_parents_one_level_up() -> None:
    table = industries()
    for code, item in table.items():
        assert re.fullmatch(CODE_SHAPE[item.level], code), code
        if item.level == 1:
            assert item.parent is None
            continue
        assert item.parent in table, code
        parent = table[item.parent]
        assert parent.level == item.level - 1, code
        if item.level > 2:
            assert code.startswith(parent.code), code  # 0111 under 011 under 01


def test_every_class_reaches_a_section() -> None:
    for code in class_codes():
        chain = lineage(code)
        assert [i.level for i in chain] == [1, 2, 3, 4], code
        assert chain[-1].code == code
        assert chain[2].code == code[:3]
        assert chain[1].code == code[:2] == division_of(code)
        assert chain[0].code == section_of(code)
        assert re.fullmatch(r"[A-T]", chain[0].code)


def test_lineage_of_a_known_class() -> None:
    assert [(i.code, i.name) for i in lineage("3484")] == [
        ("C", "制造业"),
        ("34", "通用设备制造业"),
        ("348", "通用零部件制造"),
        ("3484", "机械零部件加工"),
    ]
    assert [i.level_name for i in lineage("3484")] == ["section", "division", "group", "class"]


def test_lineage_of_a_group_or_section_stops_there() -> None:
    assert [i.code for i in lineage("348")] == ["C", "34", "348"]
    assert [i.code for i in lineage("C")] == ["C"]


def test_division_and_section_of() -> None:
    assert division_of("3484") == "34"
    assert division_of("348") == "34"
    assert section_of("3484") == "C"
    assert section_of("0111") == "A"
    assert section_of("0190") == "A"
    assert section_of("9700") == "T"


def test_the_padded_pair_019_0190_exists() -> None:
    table = industries()
    assert table["019"].level == 3
    assert table["0190"].level == 4
    assert table["0190"].parent == "019"
    assert table["019"].name == table["0190"].name == "其他农业"


def test_there_are_199_padded_pairs() -> None:
    """Rule 4.3: a 中类 that is not subdivided has one 小类, its code padded with 0."""
    table = industries()
    children: dict[str, list[str]] = {}
    for code, item in table.items():
        if item.level == 4:
            children.setdefault(item.parent or "", []).append(code)
    single = {g: kids for g, kids in children.items() if len(kids) == 1}
    assert len(single) == 199
    for group, (only,) in single.items():
        assert only == group + "0"
        assert table[only].name == table[group].name


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("0111", "稻谷种植"),
        ("1311", "稻谷加工"),
        ("3484", "机械零部件加工"),
        ("3572", "机械化农业及园艺机具制造"),
        ("3612", "新能源车整车制造"),
        ("3741", "飞机制造"),  # zmshe/capital mislabels this one as a second 374
        ("3964", "服务消费机器人制造"),
        ("3981", "电阻电容电感元件制造"),
        ("6511", "基础软件开发"),
        ("9700", "国际组织"),
        # rows the docx conversion had merged (README §1, "Corrections applied")
        ("2770", "卫生材料及医药用品制造"),
        ("2780", "药用辅料及包装材料"),
        ("8052", "足浴服务"),
        ("8053", "养生保健服务"),
        ("7271", "安全服务"),
        ("9051", "文化活动服务"),
        # full-width brackets
        ("7517", "三维（3D）打印技术推广服务"),
    ],
)
def test_names_of_known_classes(code: str, name: str) -> None:
    assert is_class(code)
    assert industries()[code].name == name


@pytest.mark.parametrize(
    ("code", "name", "level"),
    [
        ("C", "制造业", 1),
        ("34", "通用设备制造业", 2),
        ("727", "安全保护服务", 3),
        ("905", "文化体育娱乐活动与经纪代理服务", 3),
        ("194", "羽毛（绒）加工及制品制造", 3),
    ],
)
def test_names_of_known_upper_levels(code: str, name: str, level: int) -> None:
    item = industries()[code]
    assert (item.name, item.level) == (name, level)
    assert not is_class(code)


def test_names_use_full_width_brackets_and_no_stray_spaces() -> None:
    for item in industries().values():
        assert not re.search(r"[()\s]", item.name), item


@pytest.mark.parametrize("code", ["348", "34", "C", "484", "3485", "0000", "", "03484", "3484 "])
def test_is_class_rejects_what_is_not_a_4_digit_class(code: str) -> None:
    assert not is_class(code)


def test_unknown_code_has_no_lineage() -> None:
    with pytest.raises(KeyError):
        lineage("9999")


# =============================================================================================
# Ningbo divisions


def test_division_counts() -> None:
    levels = Counter(d.level for d in divisions().values())
    assert levels == {"province": 1, "city": 1, "county": 10, "township": 162}
    types = Counter(d.township_type for d in townships())
    assert types == {"街道": 73, "镇": 73, "乡": 10, "类似乡级单位": 6}


def test_fenghua_has_12_townships() -> None:
    fenghua = townships(FENGHUA)
    assert divisions()[FENGHUA].name == "奉化区"
    assert len(fenghua) == 12
    assert Counter(d.township_type for d in fenghua) == {"街道": 8, "镇": 4}
    assert {d.name for d in fenghua} >= {"锦屏街道", "岳林街道", "溪口镇", "松岙镇"}


def test_yinzhou_has_25_townships() -> None:
    yinzhou = townships(YINZHOU)
    assert divisions()[YINZHOU].name == "鄞州区"
    assert len(yinzhou) == 25
    assert Counter(d.township_type for d in yinzhou) == {"街道": 15, "镇": 10}
    assert "东钱湖镇" in {d.name for d in yinzhou}


def test_township_codes_nest_in_their_county_and_types_match_names() -> None:
    counties = {c for c, d in divisions().items() if d.level == "county"}
    for t in townships():
        assert re.fullmatch(r"\d{9}", t.code), t
        assert t.parent in counties, t
        assert t.code.startswith(t.parent or "?"), t
        assert t.gb2260 is None, t  # GB/T 2260 stops at county level
        segment = int(t.code[6:])
        if t.township_type == "街道":
            assert 1 <= segment <= 99 and t.name.endswith("街道"), t
        elif t.township_type == "镇":
            assert 100 <= segment <= 199 and t.name.endswith("镇"), t
        elif t.township_type == "乡":
            assert 200 <= segment <= 399 and t.name.endswith("乡"), t
        else:
            assert 400 <= segment <= 599, t


def test_counties_carry_their_gb2260_code() -> None:
    for d in divisions().values():
        if d.level == "county":
            assert d.gb2260 == d.code
            assert d.parent == "3302"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("溪口镇", "330213100"),
        ("溪口", "330213100"),
        ("330213100", "330213100"),
        ("锦屏街道", "330213001"),
        ("锦屏", "330213001"),
        ("330213001", "330213001"),
        ("萧王庙街道", "330213005"),
        ("萧王庙", "330213005"),
        (" 松岙镇 ", "330213108"),
    ],
)
def test_resolve_township_in_fenghua(text: str, code: str) -> None:
    assert resolve_township(text, FENGHUA) == code


@pytest.mark.parametrize("text", ["不存在镇", "锦屏路", "", "镇", "街道", "330213999", "33021310"])
def test_unknown_township_gives_none(text: str) -> None:
    assert resolve_township(text, FENGHUA) is None


def test_every_township_resolves_by_name_short_name_and_code_in_its_county() -> None:
    for t in townships():
        county = t.parent or ""
        assert resolve_township(t.name, county) == t.code
        assert resolve_township(t.code, county) == t.code
        for suffix in ("街道", "镇", "乡"):
            if t.name.endswith(suffix) and len(t.name) > len(suffix):
                assert resolve_township(t.name.removesuffix(suffix), county) == t.code, t


def test_five_xiang_town_keeps_its_own_name() -> None:
    # 五乡镇 ends in 乡镇: its short form is 五乡, not 五.
    assert resolve_township("五乡镇", YINZHOU) == resolve_township("五乡", YINZHOU)
    assert resolve_township("五", YINZHOU) is None


def test_a_township_of_another_ningbo_county_still_resolves() -> None:
    # No configured-district match: the rest of Ningbo is searched.
    assert resolve_township("东钱湖镇", FENGHUA) == resolve_township("东钱湖镇", YINZHOU)
    assert resolve_township("溪口镇", YINZHOU) == "330213100"


@pytest.fixture
def duplicated_name(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Two made-up townships of the same name in 奉化 and 鄞州 (real Ningbo has no clash)."""
    real = townships()
    fake = [
        Division("330213199", "同名镇", "township", FENGHUA, None, "镇"),
        Division("330212199", "同名镇", "township", YINZHOU, None, "镇"),
    ]
    monkeypatch.setattr(
        divisions_module,
        "townships",
        lambda county_code=None: [
            d for d in [*real, *fake] if county_code is None or d.parent == county_code
        ],
    )
    divisions_module._township_index.cache_clear()
    yield
    monkeypatch.undo()
    divisions_module._township_index.cache_clear()


@pytest.mark.usefixtures("duplicated_name")
def test_names_inside_the_configured_district_win() -> None:
    assert resolve_township("同名镇", FENGHUA) == "330213199"
    assert resolve_township("同名", FENGHUA) == "330213199"
    assert resolve_township("同名镇", YINZHOU) == "330212199"
    assert resolve_township("同名", YINZHOU) == "330212199"
