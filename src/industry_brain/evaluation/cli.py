"""Commands: evaluate a year; list and show the evaluation methods."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from industry_brain.cli.support import (
    DbOption,
    JsonOption,
    boundary,
    friendly_errors,
    out,
    print_json,
    require_data,
    settings_for,
    working,
)
from industry_brain.evaluation.engines import ENGINES
from industry_brain.evaluation.method import load_method, shipped_methods

methods_app = typer.Typer(help="评价方法 (evaluation methods)", no_args_is_help=True)
GRADE_NAMES = {
    "A": "A类 优先支持",
    "B": "B类 鼓励提升",
    "C": "C类 帮扶转型",
    "D": "D类 倒逼整治",
    "T": "T 不参评",
}


@friendly_errors
def evaluate_command(
    year: Annotated[int, typer.Option("--year", help="评价年度（数据年份）", show_default=False)],
    method: Annotated[str, typer.Option("--method", help="方法名或 .yaml 文件")] = "huangyan-2022",
    input_file: Annotated[
        Path | None, typer.Option("--input", help="事实表文件（csv/xlsx/parquet）；给出时不使用数据库")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", help="结果写出为 csv/xlsx/parquet")] = None,
    engine: Annotated[str, typer.Option("--engine", help="计算引擎: " + ", ".join(ENGINES))] = "duckdb",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """亩均效益综合评价 (evaluate the enterprises of a year)."""
    from industry_brain.evaluation.files import evaluate_file
    from industry_brain.evaluation.service import run_evaluation
    from industry_brain.reports.tables import write_table

    chosen = load_method(method)
    settings = settings_for(db)
    summary: dict[str, Any]
    if input_file is not None:
        # the year's rows, as run_evaluation uses: the same facts give the same input_hash
        done = evaluate_file(input_file, chosen, year=year, settings=settings, engine=engine, output=output)
        summary = {
            "run_id": None,
            "year": year,
            "method": chosen.id,
            "method_fingerprint": chosen.fingerprint(),
            "input_hash": done.input_hash,
            "engine": engine,
            "enterprises": done.enterprises,
            "grades": done.grades,
            "pools": done.pools,
        }
    else:
        with working(f"正在评价 {year} 年…", quiet=as_json), boundary(settings) as session:
            require_data(session, settings, year=year)
            run, results = run_evaluation(session, year=year, method=chosen, settings=settings, engine=engine)
        summary = run.to_json()
        if output is not None:
            write_table(results, output, sheet=f"{year}年亩均评价")
    if as_json:
        print_json(summary)
        return
    head = f"评价批次 {summary['run_id']}（草稿）" if summary["run_id"] else "评价结果（未保存）"
    out.print(f"{head}：{year} 年，方法《{chosen.title}》，{summary['enterprises']} 户企业")
    for grade, count in summary["grades"].items():
        out.print(f"  {GRADE_NAMES.get(grade, grade)}：{count} 户")
    if output is not None:
        out.print(f"结果已写出到 {output}")


@methods_app.command("list")
@friendly_errors
def methods_list_command(as_json: JsonOption = False) -> None:
    """列出已提供的评价方法 (list the shipped methods)."""
    methods = [load_method(m) for m in shipped_methods()]
    if as_json:
        print_json(
            [
                {"id": m.id, "title": m.title, "version": m.version, "fingerprint": m.fingerprint()}
                for m in methods
            ]
        )
        return
    table = Table("方法", "名称", "版本")
    for m in methods:
        table.add_row(m.id, m.title, str(m.version))
    out.print(table)


@methods_app.command("show")
@friendly_errors
def methods_show_command(
    method: Annotated[str, typer.Argument(help="方法名或 .yaml 文件")],
    as_json: JsonOption = False,
) -> None:
    """显示方法的全部参数及其来源 (every parameter of a method and its source)."""
    m = load_method(method)
    if as_json:
        print_json({**dataclasses.asdict(m), "fingerprint": m.fingerprint()})
        return
    out.print(f"[bold]{m.id}[/bold] {m.title}（第 {m.version} 版）")
    for iset, items in m.sets.items():
        table = Table("指标", "权重", "基准值规则", "基准值", "倍数", "封顶", "来源", title=iset)
        for i in items:
            table.add_row(
                i.indicator,
                f"{i.weight:g}",
                i.benchmark.rule,
                "" if i.benchmark.value is None else f"{i.benchmark.value:g}",
                f"{i.benchmark.multiple:g}",
                "" if i.cap is None else f"{i.cap:g}",
                i.source or "",
            )
        out.print(table)
    for pool, g in m.grades.items():
        out.print(f"分档 {pool}: A < {g.A:.0%}，B < {g.B:.0%}，C < {g.C:.0%}，其余 D")
    out.print(f"一票否决: {m.vetoes}")
    out.print(
        f"不参评: 行业大类 {', '.join(m.utility_divisions)}；成立不满 {m.new_enterprise_years} 年；"
        f"规下以 {m.below_scale_split_mu:g} 亩分池；缺项赋值 {m.imputation}"
    )
    out.print(f"差别化政策: {dataclasses.asdict(m.policy)}")
    for key, text in m.sources.items():
        out.print(f"  [{key}] {text}", highlight=False)
