"""Generate the two benchmark files of the importer benchmark (bench/bench_import.py).

    uv run python bench/make_files.py [--rows-xlsx N] [--rows-csv N] [--seed S] [--out DIR] [--force]

- stats_<N>.xlsx: one 统计 sheet of N enterprises (规模以上工业企业主要经济指标, 2024), 11 columns,
  a title row above the header row, as the 统计局 sends it;
- power_<N>.csv: N monthly readings of 2024 (户号 × 12 months), UTF-8, as the 供电公司 sends it.
  Accounts belong to enterprises (most have one account, some up to six), so accounts share an
  enterprise's credit code and name; a few accounts have no credit code.

Everything is drawn from generators seeded with --seed, so the same arguments give the same
bytes. A small manifest (<file>.json) beside each file records the arguments; a file whose
manifest matches is reused, so a second run costs nothing (--force writes anew).

A tiny share of rows (--bad-rate, default 1 in 10,000) carry an error the importer must reject
(a wrong check character, a figure that is not a number), so the reject path is exercised too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

import numpy as np
import polars as pl

from industry_brain.reference.credit_code import ALPHABET, complete

OUT = Path(__file__).resolve().parent / "out" / "import"
GENERATOR_VERSION = 1
YEAR = 2024

TOWNSHIPS = (
    "锦屏街道",
    "岳林街道",
    "江口街道",
    "西坞街道",
    "萧王庙街道",
    "方桥街道",
    "尚田街道",
    "莼湖街道",
    "溪口镇",
    "裘村镇",
    "大堰镇",
    "松岙镇",
)
_TRADE = (
    "恒瑞鑫达华盛宏泰丰诚信佳锦源海天宇明光新永昌隆兴富德和利安康博凯腾越精益金力通"
    "亚星汇鸿嘉润晟弘远创展豪旭科辰骏帆舜禾茂顺森峰泓睿邦卓铭耀晨翔奥澳伟"
)
_WORDS = (
    "机械",
    "电器",
    "塑料",
    "五金",
    "模具",
    "汽配",
    "气动",
    "服饰",
    "纺织",
    "电子",
    "轴承",
    "紧固件",
    "新材料",
    "智能科技",
    "精密",
    "包装",
    "家具",
    "食品",
    "化工",
    "光电",
)
_PREFIX = ("宁波", "宁波", "宁波市奉化区", "宁波奉化", "浙江")
_SUFFIX = ("有限公司", "有限公司", "科技有限公司", "股份有限公司", "制造有限公司")

STATS_HEADERS = (
    "统一社会信用代码",
    "企业名称",
    "行业代码",
    "所属镇街",
    "是否规上",
    "工业总产值（万元）",
    "工业增加值（万元）",
    "营业收入（万元）",
    "研发经费（万元）",
    "从业人员（人）",
    "综合能耗（吨标准煤）",
)
POWER_HEADERS = ("户号", "统一社会信用代码", "企业名称", "月份", "用电量（万千瓦时）")

# Enterprise i gets organisation body (i * _MULT + _ADD) mod 31^9: unique, and not sequential.
_SPAN = 31**9
_MULT = 1_000_000_007  # prime, not 31: a bijection of [0, 31^9)
_ADD = 123_456_789


def credit_code(i: int) -> str:
    """The valid 统一社会信用代码 of synthetic enterprise i (same i, same code, in both files)."""
    n = (i * _MULT + _ADD) % _SPAN
    body = []
    for _ in range(9):
        n, r = divmod(n, 31)
        body.append(ALPHABET[r])
    return complete("91330213" + "".join(reversed(body)))


def wrong_check(code: str) -> str:
    """The same code with a wrong 18th character (rejected by the importer)."""
    return code[:17] + ALPHABET[(ALPHABET.index(code[17]) + 1) % 31]


def enterprise_names(n: int, seed: int) -> list[str]:
    """Names of enterprises 0..n-1 (seeded; not unique, as real lists are not quite either)."""
    rng = np.random.default_rng([seed, 7])
    p = rng.integers(0, len(_PREFIX), n)
    t1 = rng.integers(0, len(_TRADE), n)
    t2 = rng.integers(0, len(_TRADE), n)
    w = rng.integers(0, len(_WORDS), n)
    s = rng.integers(0, len(_SUFFIX), n)
    return [
        _PREFIX[a] + _TRADE[b] + _TRADE[c] + _WORDS[d] + _SUFFIX[e]
        for a, b, c, d, e in zip(p.tolist(), t1.tolist(), t2.tolist(), w.tolist(), s.tolist(), strict=True)
    ]


def manufacturing_classes() -> list[str]:
    from industry_brain.reference.industries import class_codes

    return sorted(c for c in class_codes() if 13 <= int(c[:2]) <= 43)


def _manifest_ok(path: Path, params: dict[str, object]) -> bool:
    meta = path.with_suffix(path.suffix + ".json")
    if not path.is_file() or not meta.is_file():
        return False
    try:
        saved = json.loads(meta.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return saved.get("params") == params and saved.get("bytes") == path.stat().st_size


def _write_manifest(path: Path, params: dict[str, object], seconds: float) -> None:
    meta = path.with_suffix(path.suffix + ".json")
    meta.write_text(
        json.dumps(
            {"params": params, "bytes": path.stat().st_size, "seconds_to_write": round(seconds, 1)},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )


# --- the 统计 file (.xlsx) ---------------------------------------------------------------------


def make_stats_xlsx(rows: int, seed: int, bad_rate: float, out: Path, force: bool = False) -> Path:
    import xlsxwriter

    path = out / f"stats_{rows}.xlsx"
    params = {
        "kind": "stats_xlsx",
        "rows": rows,
        "seed": seed,
        "bad_rate": bad_rate,
        "version": GENERATOR_VERSION,
    }
    if not force and _manifest_ok(path, params):
        print(f"reusing {path} ({path.stat().st_size / 1e6:.1f} MB)")
        return path
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rng = np.random.default_rng([seed, 1])
    classes = manufacturing_classes()
    names = enterprise_names(rows, seed)
    industry = rng.integers(0, len(classes), rows)
    town = rng.integers(0, len(TOWNSHIPS), rows)
    above = rng.random(rows) < 0.35
    output = np.round(np.exp(rng.normal(8.0, 1.4, rows)), 2)  # 万元, median about 3,000
    value_added = np.round(output * rng.uniform(0.15, 0.35, rows), 2)
    revenue = np.round(output * rng.uniform(0.85, 1.1, rows), 2)
    rd = np.round(revenue * rng.uniform(0.0, 0.06, rows), 2)
    rd_blank = rng.random(rows) < 0.15
    employees = np.maximum(3, np.round(output / rng.uniform(60, 150, rows))).astype(np.int64)
    energy = np.round(output * rng.uniform(0.01, 0.3, rows), 2)
    bad = rng.random(rows) < bad_rate
    bad_kind = rng.integers(0, 2, rows)

    tmp = path.with_suffix(".xlsx.part")
    workbook = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    # A fixed creation time (the zip members' times are fixed already): the same bytes every run.
    workbook.set_properties({"created": dt.datetime(YEAR + 1, 1, 15, 9, 0, 0)})
    sheet = workbook.add_worksheet("规上工业")
    sheet.write_row(0, 0, [f"{YEAR}年规模以上工业企业主要经济指标"])
    sheet.write_row(1, 0, STATS_HEADERS)
    cols = (
        industry.tolist(),
        town.tolist(),
        above.tolist(),
        output.tolist(),
        value_added.tolist(),
        revenue.tolist(),
        rd.tolist(),
        rd_blank.tolist(),
        employees.tolist(),
        energy.tolist(),
        bad.tolist(),
        bad_kind.tolist(),
    )
    write = sheet.write_row
    for i, (ind, tw, ab, out_, va, rev, r, r_blank, emp, en, is_bad, kind) in enumerate(
        zip(*cols, strict=True)
    ):
        code = credit_code(i)
        row: list[object] = [
            code,
            names[i],
            classes[ind],
            TOWNSHIPS[tw],
            "是" if ab else "否",
            out_,
            va,
            rev,
            None if r_blank else r,
            emp,
            en,
        ]
        if is_bad:
            if kind == 0:
                row[0] = wrong_check(code)
            else:
                row[5] = "约" + str(out_)
        write(i + 2, 0, row)
        if i and i % 200_000 == 0:
            print(f"  stats xlsx: {i:,} rows, {time.perf_counter() - started:.0f} s", flush=True)
    workbook.close()
    tmp.replace(path)
    seconds = time.perf_counter() - started
    _write_manifest(path, params, seconds)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) in {seconds:.1f} s")
    return path


# --- the 电力 file (.csv) ----------------------------------------------------------------------


def _accounts_per_enterprise(rng: np.random.Generator, accounts: int) -> np.ndarray:
    """How many accounts each enterprise holds, adding up to `accounts`."""
    draw = rng.choice([1, 2, 3, 4, 5, 6], size=accounts, p=[0.70, 0.18, 0.07, 0.03, 0.01, 0.01])
    cum = np.cumsum(draw)
    n = int(np.searchsorted(cum, accounts)) + 1
    per = draw[:n].copy()
    per[-1] -= int(cum[n - 1] - accounts)
    return per


def make_power_csv(rows: int, seed: int, bad_rate: float, out: Path, force: bool = False) -> Path:
    path = out / f"power_{rows}.csv"
    params = {
        "kind": "power_csv",
        "rows": rows,
        "seed": seed,
        "bad_rate": bad_rate,
        "version": GENERATOR_VERSION,
    }
    if not force and _manifest_ok(path, params):
        print(f"reusing {path} ({path.stat().st_size / 1e6:.1f} MB)")
        return path
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rng = np.random.default_rng([seed, 2])
    accounts = -(-rows // 12)
    per = _accounts_per_enterprise(rng, accounts)
    enterprises = len(per)
    owner = np.repeat(np.arange(enterprises), per)  # account -> enterprise index
    codes = [credit_code(i) for i in range(enterprises)]
    names = enterprise_names(enterprises, seed)
    no_code = rng.random(accounts) < 0.02  # accounts the 供电公司 has not matched to a code
    account_no = [f"33{n:08d}" for n in np.sort(rng.choice(10**8, accounts, replace=False)).tolist()]
    acc_code = [None if nc else codes[o] for o, nc in zip(owner.tolist(), no_code.tolist(), strict=True)]
    acc_name = [names[o] for o in owner.tolist()]

    base = np.exp(rng.normal(1.0, 1.5, accounts))  # 万千瓦时 a month, median about 2.7
    season = np.array([0.92, 0.55, 1.02, 0.98, 1.0, 1.04, 1.12, 1.14, 1.04, 1.0, 1.0, 1.03])
    kwh = np.round(
        np.repeat(base, 12) * np.tile(season, accounts) * np.exp(rng.normal(0.0, 0.08, accounts * 12)), 4
    )[:rows]
    index = np.repeat(np.arange(accounts), 12)[:rows]
    months = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
    frame = pl.DataFrame(
        {
            POWER_HEADERS[0]: pl.Series(account_no).gather(index),
            POWER_HEADERS[1]: pl.Series(acc_code, dtype=pl.String).gather(index),
            POWER_HEADERS[2]: pl.Series(acc_name).gather(index),
            POWER_HEADERS[3]: pl.Series(months).gather(np.tile(np.arange(12), accounts)[:rows]),
            POWER_HEADERS[4]: pl.Series(kwh).cast(pl.String),
        }
    )
    bad = np.flatnonzero(rng.random(rows) < bad_rate)
    if len(bad):
        frame = (
            frame.with_row_index("__i")
            .with_columns(
                pl.when(pl.col("__i").is_in(pl.Series(bad, dtype=pl.UInt32).implode()))
                .then(pl.lit("待核"))
                .otherwise(pl.col(POWER_HEADERS[4]))
                .alias(POWER_HEADERS[4])
            )
            .drop("__i")
        )
    tmp = path.with_suffix(".csv.part")
    frame.write_csv(tmp)
    tmp.replace(path)
    seconds = time.perf_counter() - started
    _write_manifest(path, {**params}, seconds)
    print(
        f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, {accounts:,} accounts of "
        f"{enterprises:,} enterprises) in {seconds:.1f} s"
    )
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows-xlsx", type=int, default=1_000_000)
    ap.add_argument("--rows-csv", type=int, default=5_000_000)
    ap.add_argument("--seed", type=int, default=20240101)
    ap.add_argument("--bad-rate", type=float, default=1e-4)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--force", action="store_true", help="write the files even if present")
    args = ap.parse_args(argv)
    if args.rows_xlsx:
        make_stats_xlsx(args.rows_xlsx, args.seed, args.bad_rate, args.out, args.force)
    if args.rows_csv:
        make_power_csv(args.rows_csv, args.seed, args.bad_rate, args.out, args.force)


if __name__ == "__main__":
    main()
