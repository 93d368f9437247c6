"""The departments' files of the demo district, as tables (before imperfections and writing).

Most files use the standard template headers (ingest/templates.py). Some years use what real
departments send instead: alias headers, a unit in the title line, money in 元 or 亿元, land in
平方米, electricity in 千瓦时, industry codes stored as numbers, a GBK CSV and an .xls. Which
year gets which variant is fixed by its position in the generated years (`variant`), so
docs/demo.md can list them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from industry_brain.demo.evolution import FirmYear, History
from industry_brain.demo.population import Firm
from industry_brain.demo.power import Reading
from industry_brain.demo.table import Column, Row, Table
from industry_brain.demo.titles import TitleRow
from industry_brain.ingest.templates import FIELD_BY_NAME

if TYPE_CHECKING:
    from industry_brain.demo.monthly import MonthlyWorld

DISTRICT = "奉化区"
SQM_PER_MU = 10000 / 15


@dataclass
class World:
    firms: list[Firm]
    history: History
    readings: dict[int, list[Reading]]
    titles: list[TitleRow]
    years: tuple[int, ...]
    monthly: MonthlyWorld | None = None  # the monthly reports' events and shapes (monthly.py)


def std(field: str, **kw: object) -> Column:
    return Column(FIELD_BY_NAME[field].template_header, field, **kw)  # type: ignore[arg-type]


def variant(years: tuple[int, ...], year: int, k: int) -> bool:
    """Whether `year` gets the k-th variant (the k-th year; the last when there are fewer)."""
    return years.index(year) == min(k, len(years) - 1)


def rows_of(world: World, year: int) -> list[tuple[Firm, FirmYear]]:
    """Active enterprises of `year`, in the order departments list them (township, code)."""
    figures = world.history[year]
    firms = [f for f in world.firms if f.idx in figures]
    return [(f, figures[f.idx]) for f in sorted(firms, key=lambda f: (f.township, f.code))]


def _money(v: float, c: Column) -> float:
    return round(v * c.factor, c.decimals)


def registry(world: World, rng: random.Random) -> Table:
    columns = [
        std("credit_code"),
        std("name"),
        std("industry_code"),
        Column("所属乡镇街道", "township_code"),
        std("zone"),
        std("established"),
        Column("注册资本（万元）", None),
        Column("登记状态", None),
    ]
    last = world.years[-1]
    rows: list[Row] = []
    for f in sorted(world.firms, key=lambda f: f.established):
        capital = _capital(rng, f)
        state = "注销" if f.exit_year is not None and f.exit_year <= last else "存续"
        rows.append(
            [f.code, f.name, f.industry, f.township, f.zone, f.established.isoformat(), capital, state]
        )
    return Table(
        f"registry_{DISTRICT}企业登记信息",
        "registry",
        "registry",
        None,
        "xlsx",
        [f"{DISTRICT}工业企业登记信息（截至{last}年12月31日）"],
        columns,
        rows,
    )


def _capital(rng: random.Random, f: Firm) -> float:
    if f.output >= 20_000:
        return float(round(f.output * rng.uniform(0.03, 0.12), -2))
    return float(rng.choice((10, 30, 50, 50, 100, 100, 200, 300, 500, 1000)))


def stats(world: World, year: int, rng: random.Random) -> tuple[Table, list[dict[str, object]]]:
    """All industrial enterprises, above and below scale, with the 是否规上 flag. A few above-
    scale rows report a tax figure that differs from the tax bureau's (a visible conflict)."""
    ys = world.years
    alias = variant(ys, year, 2)
    bare = variant(ys, year, 3) and not alias
    columns = [
        Column("社会信用代码", "credit_code") if alias else std("credit_code"),
        std("name"),
        std("industry_code", numeric_codes=variant(ys, year, 1)),
        std("township_code"),
        std("year"),
        std("above_scale"),
        _stats_money("output_wan", None, alias, bare),
        _stats_money("value_added_wan", None, alias, bare),
        _stats_money("revenue_wan", "主营业务收入", alias, bare),
        _stats_money("rd_spend_wan", None, alias, bare),
        Column("年平均从业人员（人）", "employees", decimals=0) if alias else std("employees", decimals=0),
        std("energy_tce"),
        _stats_money("tax_wan", None, alias, bare),
    ]
    rows: list[Row] = []
    conflicts: list[dict[str, object]] = []
    for f, fy in rows_of(world, year):
        tax: float | None = fy.tax if fy.above else None
        if fy.above and rng.random() < 0.02:
            tax = round(fy.tax * rng.choice((rng.uniform(1.03, 1.10), rng.uniform(0.90, 0.97))), 2)
            conflicts.append(
                {"credit_code": f.code, "year": year, "field": "tax_wan", "stats": tax, "tax": fy.tax}
            )
        rows.append(
            [
                f.code,
                f.name,
                f.industry,
                f.township,
                year,
                "是" if fy.above else "否",
                fy.output,
                fy.value_added,
                fy.revenue,
                fy.rd,
                fy.employees,
                fy.energy,
                tax,
            ]
        )
    titles = [f"{year}年{DISTRICT}工业企业主要经济指标"] + (["单位：万元"] if bare else [])
    table = Table(
        f"{year}_stats_工业企业主要经济指标",
        "stats",
        "stats",
        str(year),
        "xlsx",
        titles,
        columns,
        rows,
        totals=True,
        footer="数据来源：奉化区统计局",
    )
    table.blank_after = [len(rows) // 3] if rows else []
    return table, conflicts


def _stats_money(field: str, alias_header: str | None, alias: bool, bare: bool) -> Column:
    if bare:  # the unit is in the title line (单位：万元)
        return Column(FIELD_BY_NAME[field].header, field)
    if alias and alias_header:
        return Column(f"{alias_header}（万元）", field)
    return std(field)


def tax(world: World, year: int) -> Table:
    ys = world.years
    fmt, unit_title = "xlsx", None
    code, name, value = std("credit_code"), std("name"), std("tax_wan")
    if variant(ys, year, 1):
        fmt = "csv-gbk"
        value = Column("实缴税金（元）", "tax_wan", factor=10_000, decimals=0, text_numbers=True)
    elif variant(ys, year, 3):
        value = Column("税收（亿元）", "tax_wan", factor=1e-4, decimals=6)
    elif variant(ys, year, 4):
        unit_title = "单位：元"
        code, name = Column("纳税人识别号", "credit_code"), Column("纳税人名称", "name")
        value = Column("实缴税金合计", "tax_wan", factor=10_000, decimals=2)
    columns = [code, name, std("year"), value]
    rows: list[Row] = [[f.code, f.name, year, _money(fy.tax, value)] for f, fy in rows_of(world, year)]
    titles = [f"{year}年度{DISTRICT}企业纳税情况"] + ([unit_title] if unit_title else [])
    return Table(
        f"{year}_tax_企业纳税情况", "tax", "tax", str(year), fmt, titles, columns, rows, totals=fmt == "xlsx"
    )


def land(world: World, year: int) -> Table:
    sqm = variant(world.years, year, 2)
    if sqm:
        area = Column("宗地面积（平方米）", "land_mu", factor=SQM_PER_MU)
        rented = Column("租赁面积（平方米）", "rented_mu", factor=SQM_PER_MU)
        parcel = Column("不动产权证号", "parcel_id")
    else:
        area, rented, parcel = std("land_mu"), std("rented_mu"), std("parcel_id")
    columns = [std("credit_code"), std("name"), parcel, std("year"), area, rented]
    rows: list[Row] = []
    for f, fy in rows_of(world, year):
        for p in fy.parcels:
            rows.append([f.code, f.name, p.pid, year, _money(p.area, area), 0])
        if fy.rented:
            rows.append([f.code, f.name, None, year, 0, _money(fy.rented, rented)])
    return Table(
        f"{year}_land_企业用地情况",
        "land",
        "land",
        str(year),
        "xlsx",
        [f"{year}年{DISTRICT}工业企业用地情况表"],
        columns,
        rows,
        totals=True,
        footer="注：自有用地按宗地逐行列出，租赁用地不填地块编号。",
    )


def environment(world: World, year: int) -> Table:
    ys = world.years
    flags = variant(ys, year, 3)
    violation = Column("环境违法行为", "env_violation") if flags else std("env_violation", decimals=0)
    columns = [std("credit_code"), std("name"), std("year"), std("emission_t", decimals=3), violation]
    rows: list[Row] = []
    for f, fy in rows_of(world, year):
        v: Row = ["是" if fy.violation else "否"] if flags else [fy.violation]
        rows.append([f.code, f.name, year, fy.emission, *v])
    fmt = "xls" if variant(ys, year, 2) else "xlsx"
    return Table(
        f"{year}_environment_企业排污与环境违法情况",
        "environment",
        "environment",
        str(year),
        fmt,
        [f"{year}年{DISTRICT}企业主要污染物排放及环境违法情况"],
        columns,
        rows,
    )


def safety(world: World, year: int) -> Table:
    count = (
        Column("事故起数", "safety_accident")
        if variant(world.years, year, 1)
        else std("safety_accident", decimals=0)
    )
    columns = [std("credit_code"), std("name"), std("year"), count]
    rows: list[Row] = [[f.code, f.name, year, 1] for f, fy in rows_of(world, year) if fy.accident]
    return Table(
        f"{year}_safety_企业安全生产事故情况",
        "safety",
        "safety",
        str(year),
        "xlsx",
        [f"{year}年{DISTRICT}工业企业生产安全事故名单"],
        columns,
        rows,
    )


def power(world: World, year: int) -> Table:
    ys = world.years
    kwh = variant(ys, year, 2)
    value = (
        Column("用电量（千瓦时）", "electricity_wan_kwh", factor=10_000, decimals=0, text_numbers=True)
        if kwh
        else std("electricity_wan_kwh", decimals=4)
    )
    compact = variant(ys, year, 1)
    month = Column("抄表月份" if compact else "电费年月", "month")
    columns = [std("account_no"), Column("户名", "name"), month, value]
    rows: list[Row] = []
    for r in world.readings[year]:
        m = r.month.replace("-", "") if compact else r.month
        rows.append([r.account, r.name, m, r.kwh if kwh else round(r.kwh / 10_000, 4)])
    return Table(f"{year}_power_企业月度用电量", "power", "power", str(year), "csv", [], columns, rows)


def power_accounts(world: World) -> Table:
    columns = [Column("用电户号", "account_no"), std("credit_code"), Column("户名", "name")]
    rows: list[Row] = [[acc, f.code, f.name] for f in world.firms for acc, _ in f.accounts]
    rows.sort(key=lambda r: str(r[0]))
    return Table(
        "power_用电户号与企业对应关系",
        "power",
        "power_accounts",
        None,
        "xlsx",
        ["国网宁波市奉化区供电公司 用电户号与统一社会信用代码对应表"],
        columns,
        rows,
    )


def titles(world: World) -> Table:
    columns = [std("credit_code"), std("name"), std("title"), std("title_level"), std("title_year")]
    rows: list[Row] = [
        [t["credit_code"], t["name"], t["title"], t["title_level"], t["title_year"]] for t in world.titles
    ]
    return Table(
        "titles_企业荣誉称号认定名单",
        "titles",
        "titles",
        None,
        "xlsx",
        [f"{DISTRICT}企业荣誉称号认定名单（截至{world.years[-1]}年）"],
        columns,
        rows,
    )


def established_text(d: dt.date, style: int) -> str:
    return (
        d.strftime("%Y/") + f"{d.month}/{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        d.strftime("%Y%m%d"),
    )[style % 3]
