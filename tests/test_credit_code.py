"""统一社会信用代码 (GB 32100-2015): the checker, its reasons, normalisation and its error-detection
guarantees. Rules: docs/reference-data.md; spec: shared/data/reference/uscc_gb32100_spec.md."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from industry_brain.reference.credit_code import (
    ALPHABET,
    ORG_WEIGHTS,
    WEIGHTS,
    check_character,
    complete,
    is_valid,
    normalise,
    org_check_character,
    problem,
    registration_categories,
)

DATA = Path(__file__).parent / "data"
VECTORS = list(csv.DictReader((DATA / "uscc_test_vectors.csv").open(encoding="utf-8")))
BULK = [
    r["code"] for r in csv.DictReader((DATA / "uscc_bulk_valid_python_stdnum.csv").open(encoding="utf-8"))
]
VALID_VECTORS = [r["code"] for r in VECTORS if r["expected"] == "valid"]
REAL_VALID = sorted(set(VALID_VECTORS) | set(BULK))  # 205 distinct codes
HUAWEI = "914403001922038216"

PREFIXES = sorted(d + c for d, cats in registration_categories().items() for c in cats)


def _value(ch: str) -> int:
    return ALPHABET.index(ch)


def _weighted_sum(code18: str) -> int:
    """Σ value×weight over all 18 positions, the check character weighing 1: 0 mod 31 iff the
    check character is right."""
    return sum(_value(c) * w for c, w in zip(code18, (*WEIGHTS, 1), strict=True))


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# ---------------------------------------------------------------------------------------------
# strategies

first17s = st.builds(
    lambda prefix, area, subject: prefix + area + subject,
    st.sampled_from(PREFIXES),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(ALPHABET, min_size=9, max_size=9),
)
generated_codes = first17s.map(complete)
any_valid_code = st.one_of(generated_codes, st.sampled_from(REAL_VALID))


# ---------------------------------------------------------------------------------------------
# the shipped vectors


def test_vector_files_have_the_documented_sizes() -> None:
    assert len(VECTORS) == 14
    assert sum(r["expected"] == "valid" for r in VECTORS) == 8
    assert len(BULK) == 200
    assert len(set(BULK)) == 200
    assert len(REAL_VALID) == 205  # three vectors also appear in the bulk file


@pytest.mark.parametrize("row", VECTORS, ids=[r["code"] for r in VECTORS])
def test_every_vector_gives_its_expected_verdict(row: dict[str, str]) -> None:
    assert is_valid(row["code"]) is (row["expected"] == "valid")
    reason = problem(row["code"])
    if row["expected"] == "valid":
        assert reason is None
        return
    assert reason is not None
    kind = row["failure_reason"]
    if kind.startswith("length"):
        assert "18位" in reason
    elif kind.startswith("charset"):
        assert "非法字符" in reason
    else:
        # 'checksum', and 'format per python-stdnum' (A is a legal department code under
        # GB 32100, so that code fails on its check character, not its format).
        assert "校验码" in reason


@pytest.mark.parametrize("code", BULK)
def test_every_bulk_code_is_valid(code: str) -> None:
    assert problem(code) is None
    assert is_valid(code)


# ---------------------------------------------------------------------------------------------
# the worked examples of the spec


def test_weights_are_powers_of_three_mod_31() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert ORG_WEIGHTS == (3, 7, 9, 10, 5, 8, 4, 2)
    assert ALPHABET == "0123456789ABCDEFGHJKLMNPQRTUWXY"
    assert not set("IOSVZ") & set(ALPHABET)


def test_huawei_worked_example() -> None:
    terms = [_value(c) * w for c, w in zip(HUAWEI[:17], WEIGHTS, strict=True)]
    assert terms == [9, 3, 36, 108, 0, 78, 0, 0, 20, 261, 50, 26, 0, 72, 80, 60, 28]
    assert sum(terms) == 831
    assert 831 % 31 == 25
    assert check_character(HUAWEI[:17]) == "6"
    assert complete(HUAWEI[:17]) == HUAWEI


def test_org_code_worked_examples() -> None:
    assert org_check_character("19220382") == "1"  # Huawei 19220382-1
    assert HUAWEI[8:17] == "192203821"
    assert org_check_character("MA1K3BTP") == "2"  # from 91310115MA1K3BTP2B
    assert "91310115MA1K3BTP2B"[8:17] == "MA1K3BTP2"


def test_org_check_maps_ten_to_x_and_eleven_to_zero() -> None:
    assert org_check_character("00000000") == "0"  # Σ = 0: 11 - 0 = 11 → 0
    assert org_check_character("00000006") == "X"  # Σ = 6×2 = 12 ≡ 1: 11 - 1 = 10 → X
    assert org_check_character("00000005") == "1"  # Σ = 10: 11 - 10 = 1


def test_a_zero_remainder_gives_check_character_zero() -> None:
    # The pitfall of the spec: 31 - S % 31 without the final % 31 would give 31 here.
    assert check_character("0" * 17) == "0"
    first17 = next(
        f"9133020071119203{c}" for c in ALPHABET if _weighted_sum(f"9133020071119203{c}0") % 31 == 0
    )
    assert check_character(first17) == "0"
    assert is_valid(first17 + "0")


# ---------------------------------------------------------------------------------------------
# reasons name the problem


def test_reason_for_wrong_length() -> None:
    assert problem("12345") == "统一社会信用代码应为18位，实为5位"
    assert "实为19位" in (problem(HUAWEI + "0") or "")
    assert "实为0位" in (problem("") or "")


def test_reason_for_illegal_characters_names_them() -> None:
    reason = problem("9111000060003IOZSV")
    assert reason is not None
    assert "非法字符" in reason
    assert "IOSVZ" in reason


def test_reason_for_wrong_check_character_gives_the_expected_one() -> None:
    assert problem("91110000600037341N") == "校验码错误：第18位应为 L，实为 N"
    assert problem(HUAWEI[:17] + "7") == "校验码错误：第18位应为 6，实为 7"


def test_reason_for_unknown_department_and_category() -> None:
    assert "登记管理部门代码 B" in (problem(complete("B1440300192203821")) or "")
    # 9 (market regulation) has categories 1, 2, 3 only.
    assert "机构类别代码 4" in (problem(complete("94440300192203821")) or "")


def test_reason_for_letters_in_the_area_code() -> None:
    assert "行政区划码" in (problem(complete("9144A300192203821")) or "")


@pytest.mark.parametrize("dept", ["A", "N", "Y"])
def test_letter_department_codes_are_legal(dept: str) -> None:
    # python-stdnum rejects these; GB 32100 does not.
    code = complete(dept + "1440300192203821")
    assert problem(code) is None


def test_problem_expects_a_normalised_code() -> None:
    assert problem(_fullwidth(HUAWEI)) is not None
    assert problem("9144030071526726xg") is not None
    assert is_valid("9144030071526726xg")


# ---------------------------------------------------------------------------------------------
# normalisation


@pytest.mark.parametrize(
    "typed",
    [
        " 914403001922038216 ",
        "9144 0300 1922 0382 16",
        "914403001922038216\n",
        "\t914403001922038216\u00a0",
        "９１４４０３００１９２２０３８２１６",
        "９１４４０３００\u3000１９２２０３８２１６",
        "9144030019\u200b22038216",
    ],
)
def test_spaces_and_full_width_digits_are_normalised(typed: str) -> None:
    assert normalise(typed) == HUAWEI
    assert is_valid(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "9144030071526726xg",
        "９１４４０３００７１５２６７２６ｘｇ",
        "９１４４０３００７１５２６７２６ＸＧ",
        "91310115ma1k3btp2b",
        " 91310115 MA1K3BTP 2B\u3000",
    ],
)
def test_lower_case_and_full_width_letters_are_normalised(typed: str) -> None:
    assert normalise(typed) in {"9144030071526726XG", "91310115MA1K3BTP2B"}
    assert is_valid(typed)


@given(
    code=any_valid_code,
    shapes=st.lists(st.sampled_from(["same", "lower", "full", "full_lower"]), min_size=18, max_size=18),
    gaps=st.lists(st.sampled_from(["", "", " ", "\u3000", "\t", "\u00a0"]), min_size=19, max_size=19),
)
def test_any_typing_of_a_valid_code_normalises_back(code: str, shapes: list[str], gaps: list[str]) -> None:
    def shape(ch: str, how: str) -> str:
        if "lower" in how:
            ch = ch.lower()
        return _fullwidth(ch) if how.startswith("full") else ch

    typed = gaps[0] + "".join(shape(c, h) + g for c, h, g in zip(code, shapes, gaps[1:], strict=True))
    assert normalise(typed) == code
    assert is_valid(typed)


# ---------------------------------------------------------------------------------------------
# completing and detecting errors (properties)


@given(first17=first17s)
def test_complete_yields_a_valid_code(first17: str) -> None:
    code = complete(first17)
    assert len(code) == 18
    assert code[:17] == first17
    assert code[17] in ALPHABET
    assert is_valid(code)
    assert _weighted_sum(code) % 31 == 0


def test_weights_are_distinct_and_nonzero_mod_31() -> None:
    """Why the check character catches errors: 31 is prime and no weight is 0 mod 31, so
    (a-b)·w ≢ 0 for a ≠ b (every single substitution is caught). 3 has order 30 mod 31, so the
    17 weights 3^0..3^16 are distinct: swapping two positions changes Σ by (a-b)(w_i-w_j) ≢ 0,
    except that the check character itself weighs 1 = w_1."""
    assert all(w % 31 for w in WEIGHTS)
    assert len(set(WEIGHTS)) == 17
    assert sorted(pow(3, k, 31) for k in range(30)) == list(range(1, 31))  # primitive root
    all_weights = (*WEIGHTS, 1)
    same = [(i, j) for i in range(18) for j in range(i + 1, 18) if all_weights[i] == all_weights[j]]
    assert same == [(0, 17)]


@given(code=any_valid_code, position=st.integers(0, 17), replacement=st.sampled_from(ALPHABET))
def test_every_single_substitution_is_detected(code: str, position: int, replacement: str) -> None:
    assume(code[position] != replacement)
    wrong = code[:position] + replacement + code[position + 1 :]
    assert not is_valid(wrong)
    assert _weighted_sum(wrong) % 31 != 0  # caught by the check character itself


@pytest.mark.parametrize("code", VALID_VECTORS)
def test_every_single_substitution_of_the_vectors_is_detected(code: str) -> None:
    for position in range(18):
        for replacement in ALPHABET:
            if replacement != code[position]:
                assert not is_valid(code[:position] + replacement + code[position + 1 :])


@given(code=any_valid_code, position=st.integers(0, 16))
def test_every_adjacent_transposition_is_detected(code: str, position: int) -> None:
    a, b = code[position], code[position + 1]
    assume(a != b)
    swapped = code[:position] + b + a + code[position + 2 :]
    assert not is_valid(swapped)
    assert _weighted_sum(swapped) % 31 != 0


def test_every_adjacent_transposition_of_real_codes_is_detected() -> None:
    missed = [
        (code, i)
        for code in REAL_VALID
        for i in range(17)
        if code[i] != code[i + 1] and is_valid(code[:i] + code[i + 1] + code[i] + code[i + 2 :])
    ]
    assert missed == []


@given(code=any_valid_code, i=st.integers(0, 17), j=st.integers(0, 17))
def test_every_transposition_except_first_with_last_is_detected(code: str, i: int, j: int) -> None:
    i, j = min(i, j), max(i, j)
    assume(code[i] != code[j] and (i, j) != (0, 17))
    swapped = list(code)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    assert not is_valid("".join(swapped))


@given(code=any_valid_code)
def test_swapping_first_and_last_characters_keeps_the_check_sum(code: str) -> None:
    """The one blind spot: position 1 and the check character both weigh 1."""
    swapped = code[17] + code[1:17] + code[0]
    assert _weighted_sum(swapped) % 31 == 0
    assert check_character(swapped[:17]) == swapped[17]


def test_a_first_last_swap_of_a_real_code_can_be_another_valid_code() -> None:
    # 12 (事业单位) ... 6 → 62 is 旅游/港澳台代表机构: structurally legal, so the swap passes.
    assert is_valid("121200004013590816")
    assert is_valid("621200004013590811")
    undetected = [c for c in BULK if c[0] != c[17] and is_valid(c[17] + c[1:17] + c[0])]
    assert len(undetected) == 40


# ---------------------------------------------------------------------------------------------
# the embedded GB 11714 organisation-code check is not enforced


def test_real_codes_also_pass_the_embedded_org_check() -> None:
    failing = [code for code in REAL_VALID if org_check_character(code[8:16]) != code[16]]
    assert failing == []


def test_embedded_org_check_failure_does_not_reject() -> None:
    # 宁波银行 91330200711192037M: subject id 71119203-7. Break the 7, fix the mod-31 check.
    good = "91330200711192037M"
    assert org_check_character(good[8:16]) == "7"
    broken = complete(good[:16] + "5")
    assert org_check_character(broken[8:16]) != broken[16]
    assert problem(broken) is None
    assert is_valid(broken)


def test_hyphens_are_stripped_as_the_spec_recipe_says() -> None:
    assert normalise("91440300192203821-6") == "914403001922038216"
    assert is_valid("91440300-192203821-6")
