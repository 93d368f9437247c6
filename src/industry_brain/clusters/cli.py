"""Commands: list the clusters the plans define; show one cluster's figures for a year."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from industry_brain.cli.support import (
    DbOption,
    JsonOption,
    boundary,
    err,
    friendly_errors,
    missing_sqlite_file,
    out,
    print_json,
    settings_for,
)
from industry_brain.clusters.chain_cli import AreaOption, AttractOutputOption, LevelOption, ReferenceOption

clusters_app = typer.Typer(help="产业集群：产值、增加值、企业、增速、区位熵 (clusters)", no_args_is_help=True)

MEASURE_NAMES = {
    "output": "规上工业总产值",
    "value_added": "规上工业增加值",
    "employees": "从业人员",
    "enterprises": "企业数",
    "revenue": "营业收入",
}
STATUS_NAMES = {
    "achieved": "已达成",
    "on_track": "符合序时",
    "behind": "滞后",
    "off_track": "严重滞后",
    "no_data": "无数据",
    "no_baseline": "无基期",
    "check_data": "口径待核",
}


@clusters_app.command("list")
@friendly_errors
def clusters_list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """列出各规划当前版本定义的产业集群 (list the clusters of the plans' current versions)."""
    from industry_brain.clusters.service import cluster_catalogue

    settings = settings_for(db)
    if missing_sqlite_file(settings) is not None:  # no database yet: the shipped packs, said so
        clusters, note = cluster_catalogue(None)
    else:
        with boundary(settings) as session:
            clusters, note = cluster_catalogue(session)
    if as_json:  # each cluster says whether it was read from the database (from_database)
        print_json([c.to_json() for c in clusters])
        if note:
            err.print(f"注 {note}", highlight=False)
        return
    table = Table("集群", "名称", "所属", "级别", "行业代码 (GB/T 4754)", "规划版本")
    for c in clusters:
        version = "" if c.plan_version is None else f"第 {c.plan_version} 版"
        table.add_row(c.id, c.name, c.group, c.level or "", " ".join(c.industries), version)
    out.print(table)
    if note:
        out.print(f"[yellow]注[/yellow] {note}", highlight=False)


@clusters_app.command("show")
@friendly_errors
def clusters_show_command(
    cluster_id: Annotated[str, typer.Argument(help="集群编号，如 yinzhou-154/auto (cluster id)")],
    year: Annotated[int, typer.Option("--year", help="数据年份 (data year)", show_default=False)],
    reference: Annotated[
        str | None,
        typer.Option(
            "--reference",
            help="参照区域：已提供参照的名称（如 ningbo-2020，见 clusters references）"
            "或 CSV 文件（year, industry_code, value），用于计算区位熵",
        ),
    ] = None,
    measure: Annotated[
        str, typer.Option("--measure", help="区位熵口径: " + ", ".join(MEASURE_NAMES))
    ] = "output",
    engine: Annotated[
        str, typer.Option("--engine", help="计算引擎: duckdb, sqlite, postgres, pyspark")
    ] = "duckdb",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """集群某年的产值、增加值、企业数、增速、占比、区位熵与目标进度 (a cluster's figures for a year)."""
    from industry_brain.clusters.service import cluster_figures
    from industry_brain.core.scope import Scope

    settings = settings_for(db)
    with boundary(settings) as session:
        figures = cluster_figures(
            session,
            cluster_id=cluster_id,
            year=year,
            scope=Scope.system(),
            settings=settings,
            reference=reference,
            measure=measure,
            engine=engine,
        )
    if as_json:
        print_json(figures.to_json())
        return
    _print_figures(figures)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _print_figures(f: Any) -> None:
    c = f.cluster
    out.print(f"[bold]{c.name}[/bold]（{c.id}，{c.group} {c.level or ''}）{f.year} 年")
    table = Table("指标", "数值")
    table.add_row("规上工业总产值（亿元）", _num(f.output))
    table.add_row("规上工业增加值（亿元）", _num(f.value_added))
    table.add_row("企业数（家）", f"{f.enterprises}（其中规上 {f.enterprises_above_scale}）")
    table.add_row("产值增速", _pct(f.growth))
    table.add_row("占全区规上产值比重", _pct(f.share))
    lq = f.location_quotient
    if lq is not None:
        table.add_row(
            f"区位熵（{MEASURE_NAMES.get(lq.measure, lq.measure)}，参照 {lq.reference}）", _num(lq.lq, 3)
        )
        if lq.source:
            table.add_row("参照来源", lq.source)
    out.print(table)
    if f.targets:
        targets = Table("目标", "单位", "目标值", "实际", "进度", "状态", "责任单位")
        for t in f.targets:
            target = t.get("target")
            target_text = _num(target.get("value") if isinstance(target, dict) else target)
            actual = t.get("actual")
            actual_text = _num(actual.get("value") if isinstance(actual, dict) else actual)
            targets.add_row(
                str(t.get("name", "")),
                str(t.get("unit", "")),
                target_text,
                actual_text,
                _pct(t.get("progress")),
                STATUS_NAMES.get(str(t.get("status")), str(t.get("status", ""))),
                "、".join(t.get("responsible") or []),
            )
        out.print(targets)
    for note in f.notes:
        out.print(f"[yellow]注[/yellow] {note}")


@clusters_app.command("references")
@friendly_errors
def clusters_references_command(as_json: JsonOption = False) -> None:
    """已提供的参照区域（区位熵用）及其来源与覆盖 (the shipped reference areas)."""
    from industry_brain.clusters.references import shipped_references

    refs = shipped_references()
    if as_json:
        print_json([r.to_json() for r in refs])
        return
    for r in refs:
        out.print(
            f"[bold]{r.id}[/bold] {r.area}，{MEASURE_NAMES.get(r.measure, r.measure)}（{r.unit}），"
            f"来源：{r.source.get('document', '')}（{r.source.get('seed', '')}）",
            highlight=False,
        )
        table = Table("年份", "集群", "数值", "原文")
        for f in r.figures:
            table.add_row(str(f.year), f.cluster, f"{f.value:,.1f}", f.quote)
        out.print(table)
        for n in r.not_used:
            out.print(f"[yellow]未采用[/yellow] “{n.get('quote', '')}”：{n.get('why', '')}", highlight=False)


@clusters_app.command("attract")
@friendly_errors
def clusters_attract_command(
    cluster_id: Annotated[str, typer.Argument(help="集群编号，如 fenghua-14th/pneumatic (cluster id)")],
    year: Annotated[
        int | None, typer.Option("--year", help="数据年度；默认取最新导入年度", show_default=False)
    ] = None,
    reference: ReferenceOption = None,
    area: AreaOption = None,
    level: LevelOption = 4,
    output: AttractOutputOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """集群的招商清单：集群行业中本地缺少者按关联密度排序 (whom to attract for a cluster)."""
    from industry_brain.clusters.attract import attract_cluster
    from industry_brain.clusters.chain_cli import render_attraction
    from industry_brain.clusters.chain_service import latest_year
    from industry_brain.core.scope import Scope

    settings = settings_for(db)
    with boundary(settings) as session:
        frame, inputs = attract_cluster(
            session,
            cluster_id=cluster_id,
            year=year if year is not None else latest_year(session),
            scope=Scope.system(),
            settings=settings,
            reference=reference,
            area=area,
            level=level,
        )
    label = f"{inputs['cluster_name']}（{inputs['cluster_id']}）"
    render_attraction(frame, inputs, label=label, output=output, as_json=as_json)
