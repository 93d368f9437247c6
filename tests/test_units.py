"""The unit parser of departmental headers and the factors to canonical units
(money 万元, land 亩, electricity 万千瓦时, energy 吨标准煤, mass 吨)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from industry_brain.core.text import normalise_code, squash, to_halfwidth
from industry_brain.core.units import CANONICAL, Dimension, factor, known_units, split_header

# The size of every known unit in a base unit, stated independently of units.py:
# money in 元, land in m², electricity in kWh, energy in kgce, mass in kg.
MU_M2 = 10000 / 15  # 1 亩 = 1/15 hectare = 666.67 m²
BASE: dict[Dimension, tuple[str, dict[str, float]]] = {
    Dimension.money: ("元", {"元": 1, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8}),
    Dimension.land: (
        "m²",
        {
            "亩": MU_M2,
            "平方米": 1,
            "m2": 1,
            "m²": 1,
            "㎡": 1,
            "公顷": 1e4,
            "hm2": 1e4,
            "hm²": 1e4,
            "万平方米": 1e4,
            "平方公里": 1e6,
            "km2": 1e6,
            "km²": 1e6,
        },
    ),
    Dimension.electricity: (
        "kWh",
        {
            "千瓦时": 1,
            "千瓦·时": 1,
            "kwh": 1,
            "kw·h": 1,
            "kw.h": 1,
            "度": 1,
            "兆瓦时": 1000,
            "mwh": 1000,
            "万千瓦时": 1e4,
            "万kwh": 1e4,
            "万kw·h": 1e4,
            "万度": 1e4,
            "亿千瓦时": 1e8,
        },
    ),
    Dimension.energy: (
        "kgce",
        {
            "吨标准煤": 1e3,
            "tce": 1e3,
            "吨标煤": 1e3,
            "万吨标准煤": 1e7,
            "万吨标煤": 1e7,
            "万tce": 1e7,
            "千克标准煤": 1,
            "kgce": 1,
        },
    ),
    Dimension.mass: ("kg", {"吨": 1e3, "t": 1e3, "千克": 1, "kg": 1, "公斤": 1, "万吨": 1e7}),
}
MEASURED = list(BASE)
BRACKETS = [("(", ")"), ("（", "）"), ("【", "】"), ("[", "]"), ("［", "］")]


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# ---------------------------------------------------------------------------------------------
# strategies

# Header terms as departments write them: Chinese, ASCII letters and digits, full-width digits and
# letters (which come back half-width), never brackets or white space.
term_chars = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
    st.sampled_from("０１２３４５６７８９ＡＢＣＲＤｋｗｈ"),
)
terms = st.text(term_chars, min_size=1, max_size=12)
units_by_dimension = st.sampled_from(list(Dimension)).flatmap(
    lambda d: st.tuples(st.just(d), st.sampled_from(known_units(d)))
)


@st.composite
def typed_units(draw: st.DrawFn, unit: str) -> str:
    """A unit as it might be typed: ASCII letters in any case, half- or full-width."""
    out = []
    for ch in unit:
        if ch.isascii() and ch.isalnum():
            ch = draw(st.sampled_from([ch, ch.upper()]))
            ch = draw(st.sampled_from([ch, _fullwidth(ch)]))
        out.append(ch)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# split_header


@given(
    term=terms,
    dim_unit=units_by_dimension,
    brackets=st.sampled_from(BRACKETS),
    label=st.sampled_from(["", "单位:", "单位：", "单位："]),
    pad=st.sampled_from(["", " ", "\u3000", "  "]),
)
def test_split_header_returns_the_term_and_any_known_unit(
    term: str, dim_unit: tuple[Dimension, str], brackets: tuple[str, str], label: str, pad: str
) -> None:
    dimension, unit = dim_unit
    opening, closing = brackets
    header = f"{pad}{term}{pad}{opening}{label}{unit}{closing}{pad}"
    got_term, got_unit = split_header(header)
    assert got_term == to_halfwidth(term)
    assert got_unit == unit
    assert factor(dimension, got_unit) == factor(dimension, unit)


@given(data=st.data(), term=terms, dim_unit=units_by_dimension, brackets=st.sampled_from(BRACKETS))
def test_units_typed_in_any_case_or_width_get_the_same_factor(
    data: st.DataObject, term: str, dim_unit: tuple[Dimension, str], brackets: tuple[str, str]
) -> None:
    dimension, unit = dim_unit
    typed = data.draw(typed_units(unit))
    _, got_unit = split_header(f"{term}{brackets[0]}{typed}{brackets[1]}")
    assert got_unit is not None
    assert got_unit.lower() == unit.lower()
    assert factor(dimension, got_unit) == factor(dimension, unit)
    assert factor(dimension, typed) == factor(dimension, unit)


@given(term=terms)
def test_a_header_without_brackets_has_no_unit(term: str) -> None:
    assert split_header(term) == (to_halfwidth(term), None)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("工业总产值（万元）", ("工业总产值", "万元")),
        ("工业总产值(亿元)", ("工业总产值", "亿元")),
        ("用电量【万kWh】", ("用电量", "万kWh")),
        ("用地面积[平方米]", ("用地面积", "平方米")),
        ("用地面积［公顷］", ("用地面积", "公顷")),
        ("实缴税金（单位：万元）", ("实缴税金", "万元")),
        (" 工业 总产值 （ 亿元 ） ", ("工业总产值", "亿元")),
        ("综合能耗（ｔｃｅ）", ("综合能耗", "tce")),
        ("销售收入(含税)(万元)", ("销售收入(含税)", "万元")),
        ("企业名称", ("企业名称", None)),
        ("工业总产值（）", ("工业总产值", None)),
        ("工业总产值（万元）合计", ("工业总产值(万元)合计", None)),
    ],
)
def test_split_header_examples(header: str, expected: tuple[str, str | None]) -> None:
    assert split_header(header) == expected


# ---------------------------------------------------------------------------------------------
# factor


def test_every_known_unit_has_an_independently_stated_size() -> None:
    """A unit added to units.py must be added to BASE here, with its size, to be checked."""
    for dimension, (_, sizes) in BASE.items():
        assert set(known_units(dimension)) == set(sizes), dimension


@pytest.mark.parametrize("dimension", list(Dimension))
def test_canonical_unit_and_missing_unit_have_factor_one(dimension: Dimension) -> None:
    assert factor(dimension, CANONICAL[dimension]) == 1.0
    assert factor(dimension, None) == 1.0


def test_canonical_units_are_those_of_the_glossary() -> None:
    assert CANONICAL[Dimension.money] == "万元"
    assert CANONICAL[Dimension.land] == "亩"
    assert CANONICAL[Dimension.electricity] == "万千瓦时"
    assert CANONICAL[Dimension.energy] == "吨标准煤"
    assert CANONICAL[Dimension.mass] == "吨"


@given(dimension=st.sampled_from(MEASURED), data=st.data())
def test_factors_agree_with_the_stated_sizes(dimension: Dimension, data: st.DataObject) -> None:
    _, sizes = BASE[dimension]
    u1 = data.draw(st.sampled_from(sorted(sizes)))
    u2 = data.draw(st.sampled_from(sorted(sizes)))
    f1, f2 = factor(dimension, u1), factor(dimension, u2)
    assert f1 is not None and f2 is not None
    assert f1 > 0 and f2 > 0
    assert f1 / f2 == pytest.approx(sizes[u1] / sizes[u2], rel=1e-12)


@given(
    dimension=st.sampled_from(MEASURED),
    value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
    data=st.data(),
)
def test_to_canonical_and_back_is_consistent(dimension: Dimension, value: float, data: st.DataObject) -> None:
    units = known_units(dimension)
    u1, u2 = data.draw(st.sampled_from(units)), data.draw(st.sampled_from(units))
    f1, f2 = factor(dimension, u1), factor(dimension, u2)
    assert f1 is not None and f2 is not None
    canonical = value * f1
    in_u2 = canonical / f2
    # Through the canonical unit to u2 and back to u1 gives the value again ...
    assert in_u2 * f2 / f1 == pytest.approx(value, rel=1e-9, abs=1e-9)
    # ... and u2 expressed canonically is the same quantity.
    assert in_u2 * f2 == pytest.approx(canonical, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize(
    ("dimension", "amount", "unit", "canonical_amount", "other_unit"),
    [
        (Dimension.money, 1, "亿元", 10000, "万元"),
        (Dimension.money, 10000, "元", 1, "万元"),
        (Dimension.money, 1, "百万元", 100, "万元"),
        (Dimension.land, 1, "公顷", 15, "亩"),
        (Dimension.land, 10000, "平方米", 15, "亩"),
        (Dimension.land, 1, "亩", 10000 / 15, "平方米"),
        (Dimension.electricity, 1, "万千瓦时", 10000, "千瓦时"),
        (Dimension.electricity, 1, "亿千瓦时", 10000, "万千瓦时"),
        (Dimension.electricity, 1, "万kWh", 10000, "kWh"),
        (Dimension.electricity, 250, "度", 250, "千瓦时"),
        (Dimension.energy, 1, "万吨标准煤", 10000, "吨标准煤"),
        (Dimension.energy, 1000, "kgce", 1, "tce"),
        (Dimension.mass, 1, "万吨", 10000, "吨"),
        (Dimension.mass, 1000, "公斤", 1, "t"),
    ],
)
def test_known_conversions(
    dimension: Dimension, amount: float, unit: str, canonical_amount: float, other_unit: str
) -> None:
    f_unit, f_other = factor(dimension, unit), factor(dimension, other_unit)
    assert f_unit is not None and f_other is not None
    assert amount * f_unit / f_other == pytest.approx(canonical_amount, rel=1e-12)


def test_a_mu_is_666_67_square_metres() -> None:
    f = factor(Dimension.land, "平方米")
    assert f is not None
    assert 666.67 * f == pytest.approx(1.0, abs=1e-5)
    assert 6666.7 * f == pytest.approx(10.0, abs=1e-4)


@pytest.mark.parametrize(
    ("dimension", "unit"),
    [
        (Dimension.money, "美元"),
        (Dimension.money, "亩"),
        (Dimension.money, "元/亩"),
        (Dimension.land, "万元"),
        (Dimension.land, "平方千米每年"),
        (Dimension.electricity, "tce"),
        (Dimension.energy, "kg"),
        (Dimension.energy, "吨"),
        (Dimension.mass, "吨标准煤"),
        (Dimension.money, "现价,万元"),
        (Dimension.money, "%"),
        (Dimension.money, ""),
    ],
)
def test_unknown_units_give_none(dimension: Dimension, unit: str) -> None:
    assert factor(dimension, unit) is None


@given(dim_unit=units_by_dimension, other=st.sampled_from(MEASURED))
def test_a_unit_of_another_dimension_gives_none(dim_unit: tuple[Dimension, str], other: Dimension) -> None:
    dimension, unit = dim_unit
    if other is not dimension:
        assert factor(other, unit) is None


# ---------------------------------------------------------------------------------------------
# core.text helpers the parser relies on


def test_to_halfwidth_and_squash() -> None:
    assert to_halfwidth("（万元）") == "(万元)"
    assert to_halfwidth("ＡＢＣ１２３\u3000ｘ") == "ABC123 x"
    assert to_halfwidth("【万元】") == "【万元】"  # not full-width ASCII: kept
    assert squash(" a\tb\u3000c\u00a0d\u200be\ufeff\n") == "abcde"
    assert normalise_code(" ９１ａ\u3000b ") == "91AB"
