"""统一社会信用代码 checks over a whole column at once: `credit_code.is_valid` for millions of
codes without a Python call per code (a facts file of 5M enterprise-years is checked in well
under a second).

The rule and its tables are credit_code's (the alphabet, the weights 3^(i-1) mod 31, the
department and category codes); tests/test_credit_code_columns.py holds the two to the same
verdict on the shipped vectors and on random codes.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import polars as pl

from industry_brain.reference.credit_code import ALPHABET, WEIGHTS, is_valid, registration_categories

# Printable ASCII without blanks: a code written so is normalised (hyphens out, upper case)
# exactly as core.text.normalise_code does it; anything else takes normalise_code itself.
_PLAIN = r"^[\x21-\x7e]*$"


def valid(codes: pl.Expr) -> pl.Expr:
    """True where the code is valid (as is_valid says), False where not or missing."""
    return codes.map_batches(valid_series, return_dtype=pl.Boolean)


def valid_series(codes: pl.Series) -> pl.Series:
    codes = codes.cast(pl.String)
    # A code already in canonical form is its own normalisation: checked as it is. Only the
    # others (wrong, hyphenated, lower case, full-width; few in a file a program wrote) are
    # normalised first.
    verdict = _canonical_valid(codes)
    rest = np.flatnonzero(~verdict & codes.is_not_null().to_numpy())
    if rest.size:
        verdict[rest] = _normalised_valid(codes.gather(rest))
    return pl.Series(codes.name, verdict)


def _canonical_valid(codes: pl.Series) -> np.ndarray:
    """True where the code, exactly as written, is a valid code in canonical form."""
    verdict = np.zeros(len(codes), dtype=bool)
    at = np.flatnonzero((codes.str.len_bytes() == 18).fill_null(False).to_numpy())
    if at.size == len(codes):
        verdict[:] = _check(_bytes(codes).reshape(-1, 18))
    elif at.size:
        joined = codes.gather(at).str.join("").item().encode("utf-8")
        verdict[at] = _check(np.frombuffer(joined, dtype=np.uint8).reshape(-1, 18))
    return verdict


def _bytes(codes: pl.Series) -> np.ndarray:
    """The UTF-8 bytes of a column without nulls, end to end (Arrow's own buffer, no copy)."""
    arr = codes.to_arrow()
    if arr.type != "large_string":  # not polars' usual export: take the slow, sure way
        return np.frombuffer(codes.str.join("").item().encode("utf-8"), dtype=np.uint8)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    return np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]


def _normalised_valid(codes: pl.Series) -> np.ndarray:
    plain = codes.str.contains(_PLAIN).fill_null(False)
    normal = codes.str.replace_all("-", "", literal=True).str.to_uppercase()
    verdict = _canonical_valid(normal) & plain.to_numpy()
    odd = codes.filter(~plain & codes.is_not_null())
    if odd.len():
        # full-width forms, blanks, other dashes: the scalar rule, once per distinct code
        distinct = odd.unique()
        good = distinct.filter(pl.Series([is_valid(c) for c in distinct], dtype=pl.Boolean))
        verdict |= codes.is_in(good.implode()).fill_null(False).to_numpy()
    return verdict


def _check(chars: np.ndarray) -> np.ndarray:
    """GB 32100 on an (n, 18) array of ASCII bytes: alphabet, department and category, area
    digits, check character."""
    value = _values()[chars]
    ok = (value >= 0).all(axis=1) & _pairs()[chars[:, 0], chars[:, 1]]
    ok &= ((chars[:, 2:8] >= ord("0")) & (chars[:, 2:8] <= ord("9"))).all(axis=1)
    total = np.zeros(len(chars), dtype=np.int32)
    for i, weight in enumerate(WEIGHTS):
        total += value[:, i].astype(np.int32) * weight
    return ok & (value[:, 17] == (31 - total % 31) % 31)


@cache
def _values() -> np.ndarray:
    """Byte -> its value in the code alphabet, -1 outside it."""
    table = np.full(256, -1, dtype=np.int8)
    for i, ch in enumerate(ALPHABET):
        table[ord(ch)] = i
    return table


@cache
def _pairs() -> np.ndarray:
    """[department byte, category byte] -> allowed by GB 32100."""
    table = np.zeros((256, 256), dtype=bool)
    for dept, categories in registration_categories().items():
        for cat in categories:
            table[ord(dept), ord(cat)] = True
    return table
