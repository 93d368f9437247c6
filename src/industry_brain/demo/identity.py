"""Identities of synthetic enterprises: credit codes, names, parcel numbers, power accounts.

Everything here is drawn from a `random.Random` the caller owns, so a seed fixes it. Names are
made up from common trade-name characters; any likeness to a real enterprise is chance.
"""

from __future__ import annotations

import datetime as dt
import random

from industry_brain.reference.credit_code import ALPHABET, complete, org_check_character

# GB/T 2260: 奉化市 until the 2016 change to 奉化区; codes issued before carry the old area.
AREA_BEFORE_2016 = "330283"
AREA_DISTRICT = "330213"
DISTRICT_FROM = dt.date(2016, 10, 1)

_TRADE_CHARS = (
    "恒瑞鑫达华盛宏泰丰诚信佳锦源海天宇明光新永昌隆兴富德和利安康博凯腾越精益金力通"
    "亚星汇鸿嘉润晟弘远创展豪旭科凯辰骏帆舜禾茂顺森峰泓睿邦卓铭耀晨翔奥澳伟"
)


def credit_code(rng: random.Random, established: dt.date, taken: set[str]) -> str:
    """A valid 统一社会信用代码 for an enterprise (91...) registered in 奉化.

    Before the district existed the organisation-code body is 8 digits (codes converted from
    old organisation codes); after, it is the 'MA' series. The 9th character is the GB 11714
    check character of the 8-character body, the 18th the GB 32100 check character.
    """
    while True:
        if established < DISTRICT_FROM:
            area = AREA_BEFORE_2016
            body8 = rng.choice(("14", "25", "70", "72", "74", "76", "78")) + "".join(
                rng.choice("0123456789") for _ in range(6)
            )
        else:
            area = AREA_DISTRICT
            body8 = "MA2" + "".join(rng.choice(ALPHABET) for _ in range(5))
        code = complete("91" + area + body8 + org_check_character(body8))
        if code not in taken:
            taken.add(code)
            return code


def enterprise_name(rng: random.Random, words: tuple[str, ...], big: bool, old: bool, taken: set[str]) -> str:
    """A unique enterprise name such as 宁波恒瑞气动科技有限公司."""
    for _ in range(1000):
        trade = rng.choice(_TRADE_CHARS) + rng.choice(_TRADE_CHARS)
        if trade[0] == trade[1]:
            continue
        word = rng.choice(words)
        if big:
            prefix, suffix = rng.choice(
                (("浙江", "股份有限公司"), ("宁波", "股份有限公司"), ("宁波", "集团有限公司"))
            )
        elif old and rng.random() < 0.25:
            prefix, suffix = "奉化市", rng.choice(("厂", "有限公司"))
        else:
            prefix = rng.choice(("宁波", "宁波", "宁波市奉化区", "宁波奉化"))
            suffix = rng.choice(("有限公司", "有限公司", "科技有限公司"))
        if word.endswith("科技") and suffix == "科技有限公司":
            suffix = "有限公司"
        name = f"{prefix}{trade}{word}{suffix}"
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("could not make a unique enterprise name")


def parcel_id(rng: random.Random, year: int, taken: set[str]) -> str:
    """A land title number: 不动产权证号 from 2016, 国有土地使用证号 before."""
    while True:
        serial = rng.randrange(1, 99999)
        if year >= 2016:
            pid = f"浙（{year}）宁波市奉化区不动产权第{serial:07d}号"
        else:
            pid = f"奉国用（{year}）第{serial:05d}号"
        if pid not in taken:
            taken.add(pid)
            return pid


def account_no(rng: random.Random, taken: set[str]) -> str:
    """A 10-digit State Grid 用电户号."""
    while True:
        acc = "33" + f"{rng.randrange(10**8):08d}"
        if acc not in taken:
            taken.add(acc)
            return acc


def established_date(rng: random.Random, first: int, last: int) -> dt.date:
    """A date in [first, last] years, more recent years likelier."""
    span = last - first
    year = last - int(span * (1 - rng.random() ** 0.8))
    start = dt.date(year, 1, 1)
    return start + dt.timedelta(days=rng.randrange(365))


class Taken:
    """Identifiers already handed out in one district (all must stay unique)."""

    def __init__(self) -> None:
        self.codes: set[str] = set()
        self.names: set[str] = set()
        self.parcels: set[str] = set()
        self.accounts: set[str] = set()
