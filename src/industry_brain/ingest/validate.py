"""From a located sheet to accepted rows, rejects and skipped rows, in canonical units."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from industry_brain.core.errors import FileRejected
from industry_brain.ingest import checks, parse
from industry_brain.ingest.header import Column, Layout
from industry_brain.ingest.reader import Grid
from industry_brain.ingest.templates import FIELD_BY_NAME, Kind, PeriodRule

ROW = "__row"
TOTAL_MARKS = ("合计", "总计", "小计", "总合计", "全区合计")
FOOTER_MARKS = ("注", "说明", "备注", "填表人", "制表", "审核人", "负责人", "数据来源")
# Fields that are not record columns: they only decide a row's period.
PERIOD_FIELDS = ("year", "month")
# Below this many rows, parsing every cell costs less than finding a column's distinct values.
DISTINCT_MIN_ROWS = 10_000


@dataclass
class Parsed:
    accepted: pl.DataFrame  # __row, period and record fields
    rejects: list[dict[str, object]]  # row, column, value, reason, raw
    rows_read: int
    rows_skipped: int
    period: str
    warnings: list[dict[str, object]] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return len({r["row"] for r in self.rejects})


def _data_frame(grid: Grid, layout: Layout) -> pl.DataFrame:
    start = layout.header_offset + 1
    body = grid.frame.slice(start)
    first = grid.first_row + start
    body = body.with_columns(pl.int_range(first, first + body.height, dtype=pl.Int64).alias(ROW))
    cells = [c for c in body.columns if c != ROW]
    body = parse.unquote(body, cells)
    # Blank once stripped (polars strips U+3000 too), without the full-width pass of clean().
    blank = pl.all_horizontal([pl.col(c).str.strip_chars().replace("", None).is_null() for c in cells])
    return body.filter(~blank)


def _is_total_or_footer(frame: pl.DataFrame, layout: Layout) -> pl.Series:
    """A mask of the totals and notes rows, computed once and only on the rows whose lead cells
    hold a mark's characters (blanks or colons between them, which the test removes): no other
    row can be one, and the full test (clean() of every cell) costs ~16 s a million rows."""
    cells = [c for c in frame.columns if c != ROW]
    gap = r"[\s:：]*"
    marks = "|".join(gap.join(re.escape(ch) for ch in m) for m in (*TOTAL_MARKS, *FOOTER_MARKS))
    maybe = frame.select(
        pl.any_horizontal([pl.col(c).str.contains(marks).fill_null(False) for c in cells[:4]])
    ).to_series()
    mask = pl.Series("mask", [False] * frame.height, dtype=pl.Boolean)
    if maybe.any():
        found = frame.filter(maybe).select(_total_or_footer(frame, layout)).to_series()
        mask = mask.scatter(maybe.arg_true(), found.fill_null(False))
    return mask


def _total_or_footer(frame: pl.DataFrame, layout: Layout) -> pl.Expr:
    """A totals row: a lead cell that is exactly 合计/总计/小计 (a name merely starting with
    总计… is an enterprise) on a row with no credit code. A notes row: one filled cell that
    starts with 注/说明/填表人…"""
    cells = [c for c in frame.columns if c != ROW]
    lead = [parse.clean(pl.col(c)).str.replace_all(r"[\s:：]", "") for c in cells[:4]]
    total = pl.any_horizontal([e.is_in(list(TOTAL_MARKS)).fill_null(False) for e in lead])
    code_column = layout.by_field().get("credit_code")
    if code_column is not None:
        code = parse.code_text(pl.col(f"c{code_column.index}"))
        total = total & ~code.str.contains(r"^[0-9A-Z]{18}$").fill_null(False)
    filled = pl.sum_horizontal([parse.clean(pl.col(c)).is_not_null().cast(pl.Int32) for c in cells])
    footer = (filled == 1) & pl.any_horizontal(
        [lead[0].str.starts_with(m).fill_null(False) for m in FOOTER_MARKS]
    )
    return total | footer


def _parsers(kind: Kind, county: str) -> Any:
    return {
        Kind.code: lambda e: (parse.code_text(e), pl.lit(None, dtype=pl.String)),
        Kind.text: parse.text_value,
        Kind.industry: parse.industry,
        Kind.township: lambda e: parse.township(e, county),
        Kind.date: parse.date,
        Kind.flag: parse.flag,
        Kind.year: parse.year,
        Kind.month: parse.month,
    }.get(kind)


def _distinct_sources(frame: pl.DataFrame, roots: list[str]) -> pl.DataFrame | None:
    """The distinct source cells of a field when they are few enough to be worth parsing alone
    (行业代码 has ~600 values in 1M rows, 所属镇街 12, 月份 12, 是否规上 2); None otherwise. In a
    small frame, finding them costs more than it saves."""
    if frame.height < DISTINCT_MIN_ROWS:
        return None
    keys = frame.select(roots).unique()
    return keys if keys.height <= frame.height // 4 else None


def _typed(
    frame: pl.DataFrame,
    layout: Layout,
    county: str,
    *,
    distinct: Callable[[pl.DataFrame, list[str]], pl.DataFrame | None] = _distinct_sources,
) -> pl.DataFrame:
    """Adds v_<field> (value) and e_<field> (error) for every mapped column.

    A parser is a row-wise function of its source cells, so a column that repeats is parsed once
    per distinct value (or pair, for a month read with its year) and joined back: the same values
    for a fraction of the work. The other columns are parsed together in one lazy query."""
    by_field = layout.by_field()
    out = frame
    wide: list[str] = []
    for name, column in by_field.items():
        roots = _sources(name, column, by_field)
        keys = distinct(frame, roots)
        if keys is None:
            wide.append(name)
            continue
        table = _checked(keys.with_columns(_field(name, column, by_field, county)), name, column)
        out = out.join(table, on=roots, how="left", nulls_equal=True, maintain_order="left")
    if wide:
        exprs = [e for name in wide for e in _field(name, by_field[name], by_field, county)]
        out = out.lazy().with_columns(exprs).collect()
        for name in wide:  # on the materialised value: in the expression, the parser would run again
            out = _checked(out, name, by_field[name])
    order = [*frame.columns, *[f"{p}_{n}" for n in by_field for p in ("v", "e")]]
    return out.select(order)


def _sources(name: str, column: Column, by_field: dict[str, Column]) -> list[str]:
    """The frame columns a field's value is read from."""
    if name == "month" and "year" in by_field:
        return [f"c{column.index}", f"c{by_field['year'].index}"]
    return [f"c{column.index}"]


def _field(name: str, column: Column, by_field: dict[str, Column], county: str) -> list[pl.Expr]:
    """v_<name> and e_<name> of one field, in canonical units (the sign check is _sign_error's)."""
    spec = FIELD_BY_NAME[name]
    src = pl.col(f"c{column.index}")
    if name == "month" and "year" in by_field:
        # A bare month number (3, 03, 3月) goes with the row's 年份.
        year_col = parse.clean(pl.col(f"c{by_field['year'].index}")).str.replace(r"(年|\.0+)$", "")
        bare = parse.clean(src).str.replace(r"(月|\.0+)$", "")
        src = pl.when(bare.str.contains(r"^\d{1,2}$")).then(parse.say("{}-{}", year_col, bare)).otherwise(src)
    if spec.kind is Kind.quantity:
        value, error = (parse.count if spec.unit == "次" else parse.number)(src)
        value = value * column.factor
    else:
        value, error = _parsers(spec.kind, county)(src)
    return [value.alias(f"v_{name}"), error.alias(f"e_{name}")]


def _checked(frame: pl.DataFrame, name: str, column: Column) -> pl.DataFrame:
    """e_<name> with the checks of ingest/checks.py, then the sign check. A cheap mask finds the
    few rows a check can fail on; only those get the message built (a 5M-row file has none)."""
    spec = FIELD_BY_NAME[name]
    src, value, error = pl.col(f"c{column.index}"), pl.col(f"v_{name}"), f"e_{name}"
    # Kept text is searched for control characters in every row; a parsed kind's control
    # character makes the cell unparseable, so only its rows with an error need the search.
    kept = spec.kind in (Kind.text, Kind.township, Kind.code)
    masks = [src.str.contains(checks.CONTROL) if kept else pl.col(error).is_not_null()]
    reasons = [checks.control_error(src), pl.col(error)]
    if spec.kind is Kind.quantity and spec.bounds:
        low, high = spec.bounds
        masks.append(~value.is_finite() | (value > high) | (value < low) & pl.lit(not spec.nonnegative))
        reasons.append(checks.figure_error(value, src, spec, column))
    elif spec.kind is Kind.date and spec.window:
        today = dt.date.today()
        masks.append((value < spec.window.earliest) | (value > today) & pl.lit(not spec.window.future))
        reasons.append(checks.date_error(value, spec, today))
    suspect = frame.select(pl.any_horizontal(masks).fill_null(False)).to_series()
    if suspect.any():
        found = frame.filter(suspect).select(pl.coalesce(reasons)).to_series()
        frame = frame.with_columns(frame[error].scatter(suspect.arg_true(), found))
    if spec.kind is not Kind.quantity or not spec.nonnegative:
        return frame
    negative = pl.when(value < 0).then(pl.lit(f"{spec.header}不能为负数"))
    return frame.with_columns(pl.coalesce(pl.col(error), negative).alias(error))


def _code_errors(frame: pl.DataFrame) -> pl.DataFrame:
    """The check character of each distinct code, once (5M power rows name 280k codes)."""
    if "v_credit_code" not in frame.columns:
        return frame
    codes = frame.select(pl.col("v_credit_code").drop_nulls().unique())
    wrong = codes.filter(~parse.credit_code_check(pl.col("v_credit_code")).fill_null(False))
    from industry_brain.reference.credit_code import problem

    reasons = {c: problem(c) or "统一社会信用代码无效" for c in wrong["v_credit_code"].to_list()}
    code = pl.col("v_credit_code")
    return frame.with_columns(
        pl.when(code.is_in(wrong["v_credit_code"].implode()).fill_null(False))
        .then(code.replace_strict(reasons, default=None, return_dtype=pl.String))
        .otherwise(pl.col("e_credit_code"))
        .alias("e_credit_code")
    )


def _required_errors(frame: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    exprs = []
    for name in layout.template.required:
        if name in PERIOD_FIELDS:
            continue
        header = FIELD_BY_NAME[name].header
        exprs.append(
            pl.coalesce(
                pl.col(f"e_{name}"),
                pl.when(pl.col(f"v_{name}").is_null()).then(pl.lit(f"缺少必填项：{header}")),
            ).alias(f"e_{name}")
        )
    return frame.with_columns(exprs)


def _row_period(frame: pl.DataFrame, layout: Layout, period_arg: str | None, file: str) -> pl.DataFrame:
    rule = layout.template.period
    present = layout.by_field()
    if rule is PeriodRule.none:  # a snapshot has no period, whatever --period says
        return frame.with_columns(pl.lit("").alias("period"))
    if "month" in present:
        own = pl.col("v_month")
    elif "year" in present and rule is PeriodRule.year:
        own = pl.col("v_year").cast(pl.String)
    else:
        own = pl.lit(None, dtype=pl.String)
    if rule is PeriodRule.month and "month" not in present and (period_arg or "").count("-") != 1:
        raise FileRejected(file, "月度数据需要“月份”列，或用 --period YYYY-MM 指定月份")
    if "month" not in present and "year" not in present and not period_arg:
        raise FileRejected(file, "无法确定数据期间：请用 --period 指定（如 2024），或在文件中提供“年份”列")
    period = pl.coalesce(own, pl.lit(period_arg, dtype=pl.String))
    frame = frame.with_columns(period.alias("period"))
    if period_arg:
        fits = (pl.col("period") == period_arg) | pl.col("period").str.starts_with(period_arg + "-")
        mismatch = pl.when(own.is_not_null() & ~fits).then(
            parse.say("数据期间 {} 与导入期间 {} 不符", pl.col("period"), pl.lit(period_arg))
        )
        frame = frame.with_columns(mismatch.alias("e_period"))
    return frame


def _batch_period(periods: list[str], period_arg: str | None, file: str, rule: PeriodRule) -> str:
    if rule is PeriodRule.none:
        return ""
    if period_arg is not None:
        return period_arg
    distinct = sorted(set(periods))
    if len(distinct) <= 1:
        return distinct[0] if distinct else ""
    years = {p[:4] for p in distinct}
    if len(years) == 1 and all(len(p) == 7 for p in distinct):
        return years.pop()
    raise FileRejected(
        file, f"文件包含多个期间（{'、'.join(distinct[:5])}）：请按期间拆分文件，或用 --period 指定"
    )


def _duplicates(frame: pl.DataFrame, layout: Layout) -> tuple[pl.DataFrame, list[dict[str, object]]]:
    """Same key twice: identical rows are skipped, differing rows are all rejected."""
    present = [k for k in layout.template.key if f"v_{k}" in frame.columns]
    key = [f"v_{k}" for k in present] + ["period"]
    values = [c for c in frame.columns if c.startswith("v_")]
    # Rows of an additive template (land parcels) all count when the file gives no parcel id.
    additive = layout.template.additive and len(present) < len(layout.template.key)
    dup = frame.filter(pl.len().over(key) > 1) if not additive else frame.clear()
    if dup.is_empty():
        return frame.with_columns(
            pl.lit(None, dtype=pl.String).alias("e_duplicate"), pl.lit(False).alias("__skip")
        ), []
    variants = dup.group_by(key).agg(
        pl.struct(values).n_unique().alias("__variants"), pl.col(ROW).sort().alias("__rows")
    )
    frame = frame.join(variants, on=key, how="left", nulls_equal=True)
    code = pl.col("v_credit_code") if "v_credit_code" in frame.columns else pl.col(key[0])
    rows_text = pl.col("__rows").cast(pl.List(pl.String)).list.join("、")
    differing = pl.col("__variants") > 1
    frame = frame.with_columns(
        pl.when(differing)
        .then(parse.say("“{}”在本文件中出现多次且数据不同（第 {} 行）", code, rows_text))
        .alias("e_duplicate"),
        (~differing & (pl.col(ROW) != pl.col("__rows").list.first())).fill_null(False).alias("__skip"),
    )
    skipped = frame.filter(pl.col("__skip") & pl.col("e_duplicate").is_null() & ~_has_error(frame))
    notes = [
        {"row": r, "column": None, "value": None, "message": f"与第 {first} 行完全相同，已跳过"}
        for r, first in zip(skipped[ROW], skipped["__rows"].list.first(), strict=True)
    ]
    return frame.drop("__variants", "__rows"), notes


def _has_error(frame: pl.DataFrame) -> pl.Expr:
    errors = [c for c in frame.columns if c.startswith("e_")]
    return pl.any_horizontal([pl.col(e).is_not_null() for e in errors])


def validate(grid: Grid, layout: Layout, period_arg: str | None, county: str, file: str) -> Parsed:
    frame = _data_frame(grid, layout)
    rows_read = frame.height
    is_total = _is_total_or_footer(frame, layout)
    totals = frame.filter(is_total)
    frame = frame.filter(~is_total)
    frame = _code_errors(_typed(frame, layout, county))
    frame = _required_errors(frame, layout)
    frame = _row_period(frame, layout, period_arg, file)
    frame, dup_notes = _duplicates(frame, layout)
    errors = [c for c in frame.columns if c.startswith("e_")]
    frame = frame.with_columns(_has_error(frame).alias("__rejected"))
    # A rejected copy of another row counts once, as rejected: read = accepted + rejected + skipped.
    frame = frame.with_columns((pl.col("__skip") & ~pl.col("__rejected")).alias("__skip"))
    rejects = _rejects(frame.filter(pl.col("__rejected")), layout, errors)
    accepted = frame.filter(~pl.col("__rejected") & ~pl.col("__skip"))
    periods = frame["period"].drop_nulls().unique().to_list()
    period = _batch_period(periods, period_arg, file, layout.template.period)
    fields = [n for n in layout.by_field() if n not in PERIOD_FIELDS]
    accepted = accepted.select(ROW, "period", *[pl.col(f"v_{n}").alias(n) for n in fields])
    warnings: list[dict[str, object]] = [
        {"row": None, "column": None, "value": None, "message": n} for n in layout.notes
    ]
    warnings += [
        {"row": r, "column": None, "value": None, "message": "合计/说明行，已跳过"}
        for r in totals[ROW].to_list()
    ]
    warnings += dup_notes + _township_warnings(frame, layout) + _date_warnings(frame, layout)
    skipped = totals.height + len(dup_notes)
    return Parsed(accepted, _visible(rejects), rows_read, skipped, period, _visible(warnings))


def _visible(notes: list[dict[str, object]]) -> list[dict[str, object]]:
    """Rejects and warnings as stored: a control character in a header or a cell shown as a
    mark (PostgreSQL refuses NUL in text; SQLite would keep it invisible). A reject's raw row
    stays as sent, in JSON, which escapes control characters: exported, then sent back
    unfixed, the row is rejected again rather than accepted with a mark in its name."""
    return [{k: v if k == "raw" else checks.visible(v) for k, v in n.items()} for n in notes]


def _date_warnings(frame: pl.DataFrame, layout: Layout) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for name, column in layout.by_field().items():
        spec = FIELD_BY_NAME[name]
        if spec.kind is not Kind.date or spec.window is None:
            continue
        src = f"c{column.index}"
        notes = frame.filter(~pl.col("__rejected")).select(
            ROW, src, checks.date_warning(pl.col(f"v_{name}"), spec).alias("__note")
        )
        notes = notes.filter(pl.col("__note").is_not_null())
        out += [
            {"row": r, "column": column.header, "value": v, "message": m}
            for r, v, m in zip(notes[ROW], notes[src], notes["__note"], strict=True)
        ]
    return out


def _township_warnings(frame: pl.DataFrame, layout: Layout) -> list[dict[str, object]]:
    column = layout.by_field().get("township_code")
    if column is None:
        return []
    src = f"c{column.index}"
    unknown = frame.filter(
        pl.col("v_township_code").is_null() & parse.clean(pl.col(src)).is_not_null() & ~pl.col("__rejected")
    )
    return [
        {"row": r, "column": column.header, "value": v, "message": f"所属镇街“{v}”不在区划表中，未记录镇街"}
        for r, v in zip(unknown[ROW], unknown[src], strict=True)
    ]


def _rejects(bad: pl.DataFrame, layout: Layout, errors: list[str]) -> list[dict[str, object]]:
    if bad.is_empty():
        return []
    by_field = layout.by_field()
    headers = {c.index: c.header for c in layout.columns}
    out: list[dict[str, object]] = []
    cells = [c for c in bad.columns if c.startswith("c") and c[1:].isdigit()]
    for row in bad.iter_rows(named=True):
        raw = {headers.get(int(c[1:])) or c: row[c] for c in cells if row[c] is not None}
        raw_json = json.dumps(raw, ensure_ascii=False)
        for e in errors:
            if row[e] is None:
                continue
            name = e[2:]
            column = by_field.get(name) or (
                (by_field.get("month") or by_field.get("year")) if name == "period" else None
            )
            out.append(
                {
                    "row": row[ROW],
                    "column": column.header if column else None,
                    "value": row[f"c{column.index}"] if column else None,
                    "reason": row[e],
                    "raw": raw_json,
                }
            )
    return out
