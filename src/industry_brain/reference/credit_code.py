"""统一社会信用代码 (GB 32100-2015): normalising, checking and completing codes.

Layout: 1 registration-department code, 1 entity-category code, 6 digits of the registering
authority's GB/T 2260 area, 9 characters of the GB 11714 organisation code, 1 check character.
The rules and their sources are in docs/reference-data.md (from shared/data/reference/
uscc_gb32100_spec.md).
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from industry_brain.core.text import normalise_code

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# W_i = 3^(i-1) mod 31 for positions 1..17.
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@cache
def registration_categories() -> dict[str, frozenset[str]]:
    """Department code -> the entity-category codes GB 32100 allows after it."""
    allowed: dict[str, set[str]] = {}
    path = resources.files(__package__) / "data" / "uscc_registration_codes.csv"
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            allowed.setdefault(row["dept_code"], set()).add(row["category_code"])
    return {k: frozenset(v) for k, v in allowed.items()}


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (which must be in the 31-symbol alphabet)."""
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_character(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation-code body."""
    # GB 11714 values letters A=10 .. Z=35, which is int(ch, 36).
    total = sum(int(ch, 36) * w for ch, w in zip(body8, ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def problem(code: str) -> str | None:
    """Why `code` (already normalised) is not a valid credit code, in Chinese; None if valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实为{len(code)}位"
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        return f"统一社会信用代码含非法字符 {''.join(bad)}（不使用 I、O、S、V、Z）"
    categories = registration_categories()
    if code[0] not in categories:
        return f"登记管理部门代码 {code[0]} 不存在"
    if code[1] not in categories[code[0]]:
        return f"机构类别代码 {code[1]} 不属于登记管理部门 {code[0]}"
    if not code[2:8].isdigit():
        return "第3-8位行政区划码应为数字"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"校验码错误：第18位应为 {expected}，实为 {code[17]}"
    return None


def is_valid(code: str) -> bool:
    return problem(normalise_code(code)) is None


def normalise(code: str) -> str:
    """Canonical form of a code as typed: no spaces, upper case, half-width."""
    return normalise_code(code)


def complete(first17: str) -> str:
    """A full code from its first 17 characters (used by the demo generator and tests)."""
    return first17 + check_character(first17)
