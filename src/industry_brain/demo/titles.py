"""Titles (称号) the demo enterprises hold: 专精特新, 小巨人, 单项冠军, 隐形冠军, 高新技术企业.

The stock at the end of 2020 matches seed 004 一(一)2-3 (see calibration.TARGETS); later years
add titles at the pace the seed's 2025 goal needs (from 9 重点企业 to 50 or more).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from industry_brain.demo.calibration import scaled
from industry_brain.demo.clusters import GROUP_BY_KEY
from industry_brain.demo.evolution import History
from industry_brain.demo.population import BASE_YEAR, Firm


@dataclass(frozen=True)
class Award:
    title: str
    level: str
    first_year: int  # earliest year for the base-year stock


STOCK_2020 = (
    Award("高新技术企业", "国家级", 2014),
    Award("专精特新", "市级", 2017),
    Award("小巨人", "国家级", 2019),
    Award("隐形冠军", "省级", 2018),
    Award("单项冠军", "市级", 2018),
)
ADDED_PER_YEAR = (
    (Award("高新技术企业", "国家级", 0), 40.0),
    (Award("专精特新", "市级", 0), 20.0),
    (Award("专精特新", "省级", 0), 10.0),
    (Award("小巨人", "国家级", 0), 4.0),
    (Award("隐形冠军", "省级", 0), 2.0),
    (Award("单项冠军", "市级", 0), 2.0),
    (Award("单项冠军", "国家级", 0), 0.3),
)
TitleRow = dict[str, str | int]
KEY_TITLES = {("小巨人", "国家级"), ("隐形冠军", "省级")}


def _score(rng: random.Random, f: Firm, history: History, year: int) -> float:
    fy = history[year][f.idx]
    intensity = fy.rd / fy.revenue if fy.revenue else 0.0
    return (
        GROUP_BY_KEY[f.group].rd
        * (1 + 25 * intensity)
        * math.log10(max(fy.output, 10))
        * rng.uniform(0.6, 1.4)
    )


def _candidates(
    award: Award, firms: list[Firm], history: History, year: int, held: dict[str, set[tuple[str, str]]]
) -> list[Firm]:
    out = []
    for f in firms:
        fy = history[year].get(f.idx)
        mine = held.get(f.code, set())
        if fy is None or f.established.year > year - 2 or (award.title, award.level) in mine:
            continue
        if award.title == "高新技术企业" and fy.rd <= 0:
            continue
        if award.title != "高新技术企业" and (not fy.above or fy.rd <= 0):
            continue
        if (award.title, award.level) in KEY_TITLES and mine & KEY_TITLES:
            continue
        out.append(f)
    return out


def _prefer(award: Award, f: Firm, held: dict[str, set[tuple[str, str]]]) -> float:
    """Higher titles go to enterprises already on the lower lists."""
    mine = held.get(f.code, set())
    if award.title == "小巨人" or (award.title == "专精特新" and award.level == "省级"):
        return 3.0 if any(t == "专精特新" for t, _ in mine) else 1.0
    return 1.0


def _award(
    rng: random.Random,
    award: Award,
    n: int,
    firms: list[Firm],
    history: History,
    year: int,
    held: dict[str, set[tuple[str, str]]],
    stock: bool,
) -> list[TitleRow]:
    pool = _candidates(award, firms, history, year, held)
    ranked = sorted(pool, key=lambda f: (-_score(rng, f, history, year) * _prefer(award, f, held), f.idx))
    rows: list[TitleRow] = []
    for f in ranked[:n]:
        when = year
        if stock:
            when = rng.randint(min(max(award.first_year, f.established.year + 2), year), year)
        held.setdefault(f.code, set()).add((award.title, award.level))
        rows.append(
            {
                "credit_code": f.code,
                "name": f.name,
                "title": award.title,
                "title_level": award.level,
                "title_year": when,
            }
        )
    return rows


def assign_titles(
    rng: random.Random, firms: list[Firm], history: History, scale: float, last_year: int
) -> list[TitleRow]:
    held: dict[str, set[tuple[str, str]]] = {}
    rows: list[TitleRow] = []
    for award in STOCK_2020:
        n = int(scaled(f"title:{award.title}:{award.level}", scale))
        rows += _award(rng, award, n, firms, history, BASE_YEAR, held, stock=True)
    for year in range(BASE_YEAR + 1, last_year + 1):
        for award, per_year in ADDED_PER_YEAR:
            expected = per_year * scale
            n = int(expected) + (rng.random() < expected - int(expected))
            rows += _award(rng, award, n, firms, history, year, held, stock=False)
    return sorted(rows, key=lambda r: (r["title_year"], r["title"], r["credit_code"]))
