"""Commands on an evaluation's results: explain one enterprise, differentiated-policy amounts,
the evaluation of towns and zones, grade movement between two runs, and the result notices
(`notice`, from evaluation.notice_cli).

`report_app` is registered under the `evaluation` group (industry-brain evaluation explain ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.table import Table

from industry_brain.cli.support import (
    DbOption,
    JsonOption,
    boundary,
    friendly_errors,
    out,
    print_json,
    settings_for,
)
from industry_brain.evaluation.notice_cli import notice_command

report_app = typer.Typer(help="评价结果的解释、差别化政策、镇街园区评价与档次变动", no_args_is_help=True)

OutputOption = Annotated[Path | None, typer.Option("--output", help="写出为 .xlsx、.csv 或 .parquet")]


def write_sheets(path: Path, sheets: dict[str, pl.DataFrame], *, title: str | None = None) -> Path:
    """Several frames as sheets of one .xlsx (frozen headers, an optional title row); text stays
    text (core/cells.py)."""
    from industry_brain.core.cells import XlsxCells, xlsx_workbook
    from industry_brain.reports.tables import readable

    sheets = {name: readable(frame) for name, frame in sheets.items()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with xlsx_workbook(tmp) as book:
        cells = XlsxCells(book)
        bold = book.add_format({"bold": True})
        for name, frame in sheets.items():
            ws = book.add_worksheet(name[:31])
            row = 0
            if title:
                cells.write(ws, 0, 0, title, bold)
                row = 1
            cells.write_row(ws, row, 0, frame.columns, bold)
            ws.freeze_panes(row + 1, 0)
            for i, values in enumerate(frame.iter_rows(), start=row + 1):
                cells.write_row(ws, i, 0, values)
    tmp.replace(path)
    return path


def _write(path: Path, sheets: dict[str, pl.DataFrame], *, title: str) -> None:
    """.xlsx gets every sheet; .csv and .parquet get the first (the per-row table)."""
    from industry_brain.reports.tables import write_table

    if path.suffix.lower() == ".xlsx":
        write_sheets(path, sheets, title=title)
    else:
        write_table(next(iter(sheets.values())), path)


def _money(value: Any) -> str:
    return "" if value is None else f"{value:,.2f}"


@report_app.command("explain")
@friendly_errors
def explain_command(
    run_id: Annotated[int, typer.Argument(help="评价批次号")],
    credit_code: Annotated[str, typer.Argument(help="统一社会信用代码")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """解释一户企业的评价结果 (explain one enterprise's result in plain Chinese)."""
    from industry_brain.evaluation.explain import explain_enterprise

    with boundary(settings_for(db)) as session:
        exp = explain_enterprise(session, run_id=run_id, credit_code=credit_code)
    if as_json:
        print_json(exp.to_json())
        return
    out.print(exp.text, highlight=False, soft_wrap=True)


@report_app.command("policy")
@friendly_errors
def policy_command(
    run_id: Annotated[int, typer.Argument(help="评价批次号")],
    output: OutputOption = None,
    land_tax_base: Annotated[
        float | None,
        typer.Option(
            "--land-tax-base", help="城镇土地使用税基数（元/亩/年）；给出时计算调整金额", show_default=False
        ),
    ] = None,
    water: Annotated[
        Path | None,
        typer.Option(
            "--water", help="用水量文件（csv/xlsx/parquet，列 credit_code、water_t 吨）", show_default=False
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """差别化政策测算：每户企业的加价金额与能耗指标变化，及各镇街合计 (policy amounts)."""
    from industry_brain.evaluation.policies import policy_report

    water_frame = _read_water(water, settings_for(db)) if water is not None else None
    with boundary(settings_for(db)) as session:
        report = policy_report(
            session, run_id=run_id, land_tax_base_yuan_per_mu=land_tax_base, water=water_frame
        )
    title = f"{report.year}年度差别化政策测算（评价批次 {report.run_id}，方法 {report.method_id}）"
    if output is not None:
        _write(output, {"企业明细": report.amounts, "镇街合计": report.towns}, title=title)
    if as_json:
        print_json(report.to_json())
        return
    out.print(title, highlight=False)
    if report.source:
        out.print(f"费率来源：{report.source}", highlight=False, soft_wrap=True)
    prev = "，".join(f"{y} 年：{'批次 ' + str(r) if r else '无'}" for y, r in report.previous_runs.items())
    out.print(f"认定连续三年D类所用的往年批次：{prev}", highlight=False)
    for note in report.notes:
        out.print(f"注：{note}", highlight=False)
    a = report.amounts
    charged = a.filter(pl.col("electricity_surcharge_yuan").fill_null(0) != 0).sort(
        "electricity_surcharge_yuan", "credit_code", descending=[True, False]
    )
    table = Table(
        "企业",
        "档次",
        "连续三年D",
        "用电量(万千瓦时)",
        "加价(元/千瓦时)",
        "电价加价(元)",
        "能耗指标变化(吨标准煤)",
    )
    for r in charged.iter_rows(named=True):
        table.add_row(
            r["name"] or r["credit_code"],
            r["grade"],
            "是" if r["d_three_years"] else "",
            _money(r["electricity_wan_kwh"]),
            f"{r['electricity_rate_yuan_per_kwh']:g}",
            _money(r["electricity_surcharge_yuan"]),
            _money(r["energy_quota_change_tce"]),
        )
    out.print(table)
    towns = Table(
        "镇街", "企业", "A", "B", "C", "D", "T", "连续三年D", "电价加价(元)", "能耗指标变化(吨标准煤)"
    )
    for r in report.towns.iter_rows(named=True):
        towns.add_row(
            r["township_name"],
            str(r["enterprises"]),
            *(str(r[g]) for g in "ABCDT"),
            str(r["d_three_years"]),
            _money(r["electricity_surcharge_yuan"]),
            _money(r["energy_quota_change_tce"]),
        )
    out.print(towns)
    total = a["electricity_surcharge_yuan"].sum()
    out.print(f"电价加价合计 {_money(total)} 元，{charged.height} 户企业", highlight=False)
    if output is not None:
        out.print(f"已写出到 {output}")


WATER_HEADERS = {
    "credit_code": ("credit_code", "统一社会信用代码"),
    "water_t": ("water_t", "用水量", "用水量（吨）", "用水量(吨)"),
}


def _read_water(path: Path, settings: Any) -> pl.DataFrame:
    """A water-use file: credit_code (统一社会信用代码) and water_t (用水量, tonnes a year)."""
    from industry_brain.core.errors import FileRejected

    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            raw = pl.read_csv(path, infer_schema=False)
        elif suffix in (".xlsx", ".xls"):
            from industry_brain.ingest.reader import read_first_sheet

            raw = read_first_sheet(path, settings)
        elif suffix == ".parquet":
            raw = pl.read_parquet(path)
        else:
            raise FileRejected(path.name, f"不支持的格式 {suffix}：请用 .csv、.xlsx 或 .parquet")
    except FileRejected:
        raise
    except Exception as exc:
        raise FileRejected(path.name, f"无法读取用水量文件：{exc}") from exc
    found = {}
    for name, headers in WATER_HEADERS.items():
        column = next((c for c in raw.columns if c.strip() in headers), None)
        if column is None:
            raise FileRejected(path.name, f"缺少列 {name}（或 {'、'.join(headers[1:])}）")
        found[name] = pl.col(column).cast(pl.String).str.strip_chars()
    text = raw.select(**found)
    typed = text.with_columns(pl.col("water_t").cast(pl.Float64, strict=False))
    bad = typed.with_row_index().filter(pl.col("water_t").is_null() & text["water_t"].is_not_null())
    if bad.height:
        raise FileRejected(path.name, f"第 {bad['index'][0] + 2} 行 water_t 列：不是数字")
    return typed


@report_app.command("areas")
@friendly_errors
def areas_command(
    year: Annotated[int, typer.Option("--year", help="评价年度（数据年份）", show_default=False)],
    by: Annotated[str, typer.Option("--by", help="township（镇街）或 zone（园区）")] = "township",
    method: Annotated[str, typer.Option("--method", help="方法名或 .yaml 文件")] = "huangyan-2022",
    land: Annotated[
        str,
        typer.Option("--land", help="用地口径：own（自有用地）或 evaluated（参评用地，含租赁企业的租用地）"),
    ] = "own",
    output: OutputOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """镇街、园区亩均效益评价：成员企业合计后计算指标、得分与排名 (evaluate towns or zones)."""
    from industry_brain.evaluation.areas import areas_for_year
    from industry_brain.evaluation.explain import INDICATOR_LABELS, points
    from industry_brain.evaluation.method import load_method
    from industry_brain.reports.tables import write_table

    chosen = load_method(method)
    settings = settings_for(db)
    with boundary(settings) as session:
        frame, missing = areas_for_year(
            session, year=year, method=chosen, settings=settings, by=by, land=land
        )
    if output is not None:
        write_table(frame, output, sheet=f"{year}年{'镇街' if by == 'township' else '园区'}亩均评价")
    if as_json:
        print_json(
            {
                "year": year,
                "by": by,
                "method": chosen.id,
                "land": land,
                "unassigned": missing,
                "areas": frame.to_dicts(),
            }
        )
        return
    first = chosen.sets["above_scale"][0].indicator
    table = Table("排名", "区域", "参评企业", "用地(亩)", INDICATOR_LABELS[first][0], "总分")
    for r in frame.iter_rows(named=True):
        table.add_row(
            str(r["rank"]),
            r["area_name"],
            str(r["members"]),
            f"{r['land_mu']:.2f}",
            "—" if r[first] is None else f"{r[first]:.2f}",
            points(r["score"]),
        )
    out.print(table)
    out.print("各项指标、基准值与得分见 --json 或 --output", highlight=False)
    if missing:
        what = "镇街" if by == "township" else "园区"
        out.print(f"注：{missing} 户企业的主数据没有所属{what}，未计入", highlight=False)
    if output is not None:
        out.print(f"已写出到 {output}")


@report_app.command("movement")
@friendly_errors
def movement_command(
    from_run: Annotated[int, typer.Option("--from", help="较早的评价批次号", show_default=False)],
    to_run: Annotated[int, typer.Option("--to", help="较晚的评价批次号", show_default=False)],
    output: OutputOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """两次评价之间的档次变动：转移矩阵与升降档企业 (grade movement between two runs)."""
    from industry_brain.evaluation.areas import MOVE_LABELS, movement_between

    with boundary(settings_for(db)) as session:
        result = movement_between(session, from_run=from_run, to_run=to_run)
    matrix: pl.DataFrame = result["matrix"]
    moves: pl.DataFrame = result["moves"]
    a, b = result["from"], result["to"]
    title = f"档次变动：批次 {a['run_id']}（{a['year']} 年）→ 批次 {b['run_id']}（{b['year']} 年）"
    if output is not None:
        _write(output, {"变动企业": moves, "转移矩阵": matrix}, title=title)
    if as_json:
        print_json({"from": a, "to": b, "matrix": matrix.to_dicts(), "moves": moves.to_dicts()})
        return
    out.print(title, highlight=False)
    labels = {"new": "新增", "left": "退出"}
    table = Table("原档次 \\ 新档次", *[labels.get(c, c) for c in matrix.columns[1:]])
    for cells in matrix.iter_rows():
        table.add_row(labels.get(cells[0], cells[0]), *[str(v) for v in cells[1:]])
    out.print(table)
    counts = dict(moves.group_by("move").len().iter_rows())
    out.print(
        "；".join(f"{MOVE_LABELS[k]} {counts[k]} 户" for k in MOVE_LABELS if k in counts) or "档次无变动"
    )
    listing = Table("企业", "原档次", "新档次", "变动")
    for r in moves.filter(pl.col("move").is_in(["up", "down"])).iter_rows(named=True):
        listing.add_row(
            r["name"] or r["credit_code"],
            r["from_grade"],
            r["to_grade"],
            f"{MOVE_LABELS[r['move']]} {abs(r['steps'])} 档",
        )
    if listing.row_count:
        out.print(listing)
    if output is not None:
        out.print(f"已写出到 {output}")


# `evaluation notice` is written in its own module; registering it here puts it in the group.
report_app.command("notice")(notice_command)
