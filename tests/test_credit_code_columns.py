"""The column-wise 统一社会信用代码 check gives the scalar checker's verdict on every code: the
shipped vectors, the bulk file, generated valid codes, and the ways people and programs spoil
them (a wrong check character, lower case, hyphens, blanks, full-width forms, wrong lengths)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from industry_brain.reference.credit_code import ALPHABET, complete, is_valid, registration_categories
from industry_brain.reference.credit_code_columns import valid, valid_series

DATA = Path(__file__).parent / "data"
VECTORS = [r["code"] for r in csv.DictReader((DATA / "uscc_test_vectors.csv").open(encoding="utf-8"))]
BULK_FILE = DATA / "uscc_bulk_valid_python_stdnum.csv"
BULK = [r["code"] for r in csv.DictReader(BULK_FILE.open(encoding="utf-8"))]
PREFIXES = sorted(d + c for d, cats in registration_categories().items() for c in cats)


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def spoiled(code: str, rng: random.Random) -> list[str]:
    wrong = code[:17] + ALPHABET[(ALPHABET.index(code[17]) + rng.randrange(1, 31)) % 31]
    return [
        code,
        wrong,
        code.lower(),
        f"{code[:6]}-{code[6:]}",
        f" {code[:9]} {code[9:]}\t",
        _fullwidth(code),
        _fullwidth(code.lower()),
        code[:17],
        code + "0",
        code[:5] + "I" + code[6:],  # a letter GB 32100 leaves out
        code[:8] + "中" + code[9:],
        code.replace(code[4], "\u2014", 1),  # an em dash, which normalisation removes
        "",
        "1" + code[1:],  # department 1 with this category, often not allowed
    ]


def verdicts(codes: list[str | None]) -> list[bool]:
    return valid_series(pl.Series("c", codes, dtype=pl.String)).to_list()


def test_the_vectors_and_the_bulk_file_get_the_scalar_verdict() -> None:
    codes = VECTORS + BULK
    assert verdicts(codes) == [is_valid(c) for c in codes]
    assert sum(verdicts(codes)) == len(BULK) + 8  # every bulk code and the 8 valid vectors


def test_spoiled_and_random_codes_get_the_scalar_verdict() -> None:
    rng = random.Random(32100)
    codes: list[str] = []
    for _ in range(400):
        first17 = rng.choice(PREFIXES) + "".join(rng.choices("0123456789", k=6))
        first17 += "".join(rng.choices(ALPHABET, k=9))
        codes += spoiled(complete(first17), rng)
    codes += ["".join(rng.choices(ALPHABET + "IOSVZabc- ", k=rng.choice([17, 18, 19]))) for _ in range(2000)]
    got = verdicts(codes)
    assert got == [is_valid(c) for c in codes]
    assert 400 < sum(got) < len(codes)  # both verdicts occur


def test_missing_codes_are_not_valid_and_the_expression_form_agrees() -> None:
    frame = pl.DataFrame({"c": [BULK[0], None, "12345", BULK[1].lower()]})
    assert frame.select(valid(pl.col("c"))).to_series().to_list() == [True, False, False, True]
    # a column with only canonical codes takes the whole-buffer path, also from a slice
    sliced = pl.Series("c", BULK).slice(3, 50)
    assert valid_series(sliced).to_list() == [True] * 50


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET + "abxyz-  Ｇ０I", min_size=16, max_size=20), max_size=30))
def test_any_text_gets_the_scalar_verdict(codes: list[str]) -> None:
    assert verdicts(list(codes)) == [is_valid(c) for c in codes]
