"""A small, hand-worked district for the chain tests (docs/chains.md walks through it).

Chain fenghua-pneumatics, year 2024 (2023 for growth). Outputs in 万元:

| code | name | class | township | 2024 | 2023 | nodes |
|---|---|---|---|---|---|---|
| 1 | 宁波甲气动自动化有限公司 | 3446 | 溪口镇 | 6000 | 5000 | components (class), systems (keyword 自动化) |
| 2 | 乙阀门有限公司 | 3443 | 溪口镇 | 3000 | 3000 | components (class) |
| 3 | 丙气动元件厂 | 3489 | 锦屏街道 | 1000 | — | components (keyword 气动) |
| 4 | 丁铸造有限公司 | 3392 | 锦屏街道 | 2000 | 1600 | castings (class) |
| 5 | 戊空压机有限公司 | 3442 | 溪口镇 | 500 | 500 | compressors, removed by the analyst |
| 6 | 己服装有限公司 | 1819 | 锦屏街道 | 9999 | 9000 | none |
| 7 | 庚机械有限公司 | 3484 | 溪口镇 | 800 | — | seals, added by the analyst |
| 8 | 辛密封件有限公司 | 3481 | 锦屏街道 | 100 | — | seals (class) |

Worked: components 3 enterprises, output 10000, last year 8000 → growth 25%, shares .6/.3/.1 →
HHI .46, top-3 share 1; castings 2000 (1 enterprise, weak); seals 900, HHI (8/9)²+(1/9)² =
65/81 (2 enterprises, weak); compressors missing (the only match removed); systems 6000 from
enterprise 1 alone (weak). Chain output counts enterprise 1 once: 10000 + 2000 + 900 = 12900.
链主: 1 (6000, 46.5%), 2 (3000, 23.3%), 4 (2000, 15.5%).
"""

from __future__ import annotations

import polars as pl

from helpers import code

YEAR = 2024
XIKOU, JINPING = "330213100", "330213001"
TOWN_NAMES = {XIKOU: "溪口镇", JINPING: "锦屏街道"}
ROWS = [
    (1, "宁波甲气动自动化有限公司", "3446", XIKOU, 6000.0, 5000.0),
    (2, "乙阀门有限公司", "3443", XIKOU, 3000.0, 3000.0),
    (3, "丙气动元件厂", "3489", JINPING, 1000.0, None),
    (4, "丁铸造有限公司", "3392", JINPING, 2000.0, 1600.0),
    (5, "戊空压机有限公司", "3442", XIKOU, 500.0, 500.0),
    (6, "己服装有限公司", "1819", JINPING, 9999.0, 9000.0),
    (7, "庚机械有限公司", "3484", XIKOU, 800.0, None),
    (8, "辛密封件有限公司", "3481", JINPING, 100.0, None),
]
OVERRIDES = [("seals", 7, "add"), ("compressors", 5, "remove")]


def facts() -> pl.DataFrame:
    rows = []
    for n, name, cls, town, now, before in ROWS:
        rows.append((code(n), name, cls, town, YEAR, now))
        if before is not None:
            rows.append((code(n), name, cls, town, YEAR - 1, before))
    return pl.DataFrame(
        rows,
        schema={
            "credit_code": pl.String,
            "name": pl.String,
            "industry_code": pl.String,
            "township_code": pl.String,
            "year": pl.Int32,
            "output_wan": pl.Float64,
        },
        orient="row",
    )


def overrides() -> pl.DataFrame:
    return pl.DataFrame(
        [(node, code(n), action) for node, n, action in OVERRIDES],
        schema={"node_id": pl.String, "credit_code": pl.String, "action": pl.String},
        orient="row",
    )


def registry_rows() -> list[list[object]]:
    head = ["统一社会信用代码", "企业名称", "行业代码", "所属镇街"]
    return [head, *[[code(n), name, cls, TOWN_NAMES[town]] for n, name, cls, town, _, _ in ROWS]]


def stats_rows(year: int) -> list[list[object]]:
    head = ["统一社会信用代码", "企业名称", "行业代码", "工业总产值（万元）"]
    body = []
    for n, name, cls, _, now, before in ROWS:
        value = now if year == YEAR else before
        if value is not None:
            body.append([code(n), name, cls, value])
    return [head, *body]
