"""Which sheets of a workbook hold a source's data, and reading them as one file.

A department's workbook may open with a 说明 or 封面 sheet, or hold a sheet per township. The
data sheets are those whose header has every required column of one of the source's templates;
`--sheet` names one explicitly. Several matching sheets are one import, one batch: each row
keeps its sheet (record.sheet, reject.sheet), and a key repeated on two sheets is a duplicate
as it would be on one. docs/importing.md states the rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from industry_brain.core.errors import FileRejected
from industry_brain.core.settings import Settings
from industry_brain.ingest.header import Column, Layout, fits_template, locate
from industry_brain.ingest.header_block import fill_down
from industry_brain.ingest.reader import Grid, read_sheets
from industry_brain.ingest.templates import templates_for
from industry_brain.ingest.validate import ROW, Parsed, _batch_period, validate

SHEET_HEADER = "工作表"  # the sheet's column in the rejects sent back


class SheetsParsed(Parsed):
    """Rows of several sheets: a rejected row is a sheet and a row number."""

    @property
    def rows_rejected(self) -> int:
        return len({(r.get("sheet"), r["row"]) for r in self.rejects})


@dataclass
class Found:
    layout: Layout
    parsed: Parsed
    sheets: list[str]  # the sheets read, in workbook order (empty for a CSV)

    @property
    def sheet_label(self) -> str | None:
        return "、".join(self.sheets)[:200] or None


def read_and_check(
    path: Path, *, source: str, settings: Settings, period: str | None, sheet: str | None
) -> Found:
    """Read the file, choose its data sheets, locate and validate each; nothing is written."""
    file = path.name
    grids = read_sheets(path, settings, sheet=sheet)
    chosen = choose_sheets(grids, source, settings.header_scan_rows, file)
    named = len(grids) > 1  # in a workbook of several sheets, every error names its sheet
    parts = [_check_one(grid, source, settings, period, file, named) for grid in chosen]
    if len(parts) == 1:
        grid, layout, parsed = parts[0]
        _tag(parsed, grid.sheet, raw=False)
        return Found(layout, parsed, [grid.sheet] if grid.sheet else [])
    return _combine(parts, period, file)


def choose_sheets(grids: list[Grid], source: str, scan_rows: int, file: str) -> list[Grid]:
    """The sheets whose header fits one of the source's templates; a lone sheet is taken as it
    is (locate then says what is wrong with it)."""
    if len(grids) == 1:
        return grids
    matching = [g for g in grids if fits_template(g, source, scan_rows)]
    if not matching:
        titles = "、".join(t.title for t in templates_for(source))
        names = "、".join(f"“{g.sheet}”" for g in grids)
        raise FileRejected(
            file,
            f"没有一个工作表的表头符合{titles}模板（工作簿中的工作表：{names}）；"
            "请用 --sheet 指定工作表，或参照标准模板",
        )
    others = [str(g.sheet) for g in grids if g not in matching]
    if others:
        matching[0].notes.append("未导入表头不符合模板的工作表：" + "、".join(others))
    return matching


def _check_one(
    grid: Grid, source: str, settings: Settings, period: str | None, file: str, named: bool
) -> tuple[Grid, Layout, Parsed]:
    try:
        layout = locate(grid, source, settings.header_scan_rows, file)
        if grid.merged:
            fill_down(grid, layout.header_offset + 1, file)
        grid.notes.extend(layout.notes)
        layout.notes = grid.notes
        parsed = validate(grid, layout, period, settings.district_code, file)
    except FileRejected as exc:
        if named:
            raise FileRejected(file, f"工作表“{grid.sheet}”：{exc.reason}") from exc
        raise
    return grid, layout, parsed


def _tag(parsed: Parsed, sheet: str | None, *, raw: bool) -> None:
    """Every reject and row warning says its sheet; with several sheets, so does the row sent
    back (the 工作表 column of the rejects file)."""
    for r in parsed.rejects:
        r["sheet"] = sheet
        if raw:
            r["raw"] = json.dumps({SHEET_HEADER: sheet, **json.loads(str(r["raw"]))}, ensure_ascii=False)
    for w in parsed.warnings:
        if w.get("row") is not None:
            w["sheet"] = sheet
        else:
            w["sheet"] = None
            if raw and sheet and not str(w.get("message", "")).startswith("工作表“"):
                # a note about the whole sheet (栏次 row, formulas) names it when there are several
                w["message"] = f"工作表“{sheet}”：{w['message']}"


def _combine(parts: list[tuple[Grid, Layout, Parsed]], period_arg: str | None, file: str) -> Found:
    names = {layout.template.name for _, layout, _ in parts}
    if len(names) > 1:
        which = "、".join(f"“{g.sheet}”按{lay.template.title}" for g, lay, _ in parts)
        raise FileRejected(file, f"各工作表的模板不同（{which}）：请分开导入，或用 --sheet 指定")
    first = parts[0][1]
    frames, rejects, warnings = [], [], []
    for grid, _, parsed in parts:
        _tag(parsed, grid.sheet, raw=True)
        frames.append(parsed.accepted.with_columns(pl.lit(grid.sheet, dtype=pl.String).alias("sheet")))
        rejects += parsed.rejects
        warnings += parsed.warnings
    accepted = pl.concat(frames, how="diagonal_relaxed")
    accepted, dup_rejects, dup_notes = _across_sheets(accepted, parts)
    rule = first.template.period
    # The rows' periods of every sheet together, as if they were one sheet: a sheet with no
    # rows has no period, and a sheet of one month sits inside another sheet's year.
    if "period" in accepted.columns:
        periods = set(accepted["period"].drop_nulls().to_list())
    else:
        periods = {p.period for _, _, p in parts}
    period = _batch_period(sorted(periods - {""}), period_arg, file, rule)
    layout = Layout(first.header_row, first.header_offset, first.template, _columns(parts), first.notes)
    parsed = SheetsParsed(
        accepted,
        rejects + dup_rejects,
        sum(p.rows_read for _, _, p in parts),
        sum(p.rows_skipped for _, _, p in parts) + len(dup_notes),
        period,
        warnings + dup_notes,
    )
    return Found(layout, parsed, [str(g.sheet) for g, _, _ in parts])


def _columns(parts: list[tuple[Grid, Layout, Parsed]]) -> list[Column]:
    """The sheets' columns, each header once, after a 工作表 column (what the batch records
    and the rejects file shows)."""
    out = [Column(-1, SHEET_HEADER, None)]
    seen = {SHEET_HEADER}
    for _, layout, _ in parts:
        for c in layout.columns:
            if c.header and c.header not in seen:
                seen.add(c.header)
                out.append(c)
    return out


def _across_sheets(
    accepted: pl.DataFrame, parts: list[tuple[Grid, Layout, Parsed]]
) -> tuple[pl.DataFrame, list[dict[str, object]], list[dict[str, object]]]:
    """A key on two sheets: identical rows keep the first, differing rows are all rejected
    (within a sheet, validate has done the same)."""
    template = parts[0][1].template
    present = [k for k in template.key if k in accepted.columns]
    if not present or (template.additive and len(present) < len(template.key)):
        return accepted, [], []
    key = [*present, "period"]
    values = [c for c in accepted.columns if c not in (ROW, "sheet", "period")]
    numbered = accepted.with_row_index("__i")
    dup = numbered.filter(pl.len().over(key) > 1)
    if dup.is_empty():
        return accepted, [], []
    groups = dup.group_by(key, maintain_order=True).agg(
        pl.struct(values).n_unique().alias("__n"), pl.col("__i"), pl.col("sheet"), pl.col(ROW)
    )
    by_sheet = {g.sheet: (g, lay) for g, lay, _ in parts}
    drop: list[int] = []
    rejects: list[dict[str, object]] = []
    notes: list[dict[str, object]] = []
    for g in groups.iter_rows(named=True):
        where = list(zip(g["sheet"], g[ROW], strict=True))
        drop += g["__i"][1:] if g["__n"] == 1 else g["__i"]
        if g["__n"] == 1:
            sheet0, row0 = where[0]
            notes += [
                {
                    "row": r,
                    "sheet": s,
                    "column": None,
                    "value": None,
                    "message": f"与工作表“{sheet0}”第 {row0} 行完全相同，已跳过",
                }
                for s, r in where[1:]
            ]
            continue
        rows = "、".join(f"工作表“{s}”第 {r} 行" for s, r in where)
        reason = f"“{g[present[0]]}”在本文件中出现多次且数据不同（{rows}）"
        for s, r in where:
            grid, layout = by_sheet[s]
            rejects.append(
                {
                    "row": r,
                    "sheet": s,
                    "column": None,
                    "value": None,
                    "reason": reason,
                    "raw": _raw(grid, layout, r),
                }
            )
    kept = numbered.filter(~pl.col("__i").is_in(drop)).drop("__i")
    return kept, rejects, notes


def _raw(grid: Grid, layout: Layout, row: int) -> str:
    """A row as the department sent it, keyed by its headers (as validate keeps a reject)."""
    cells = grid.frame.row(row - grid.first_row)
    raw: dict[str, object] = {SHEET_HEADER: grid.sheet}
    for c in layout.columns:
        if c.index >= 0 and cells[c.index] is not None:
            raw[c.header or f"c{c.index}"] = cells[c.index]
    return json.dumps(raw, ensure_ascii=False)
