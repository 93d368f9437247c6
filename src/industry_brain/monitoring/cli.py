"""Commands of 经济运行监测: area indicators of a month, the nowcast of the year and its
backtest, the monthly bulletin (docs/cli-monitoring.md). The alerts' commands are attached to
the same app by monitoring.alerts_cli."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from industry_brain.cli.support import (
    DbOption,
    JsonOption,
    boundary,
    friendly_errors,
    out,
    print_json,
    require_data,
    settings_for,
    table,
)

monitoring_app = typer.Typer(
    help="经济运行监测：月度指标、预计全年、运行月报 (monthly monitoring)", no_args_is_help=True
)

EngineOption = Annotated[str, typer.Option("--engine", help="计算引擎: duckdb, sqlite, postgres, pyspark")]
IndicatorOption = Annotated[
    str, typer.Option("--indicator", help="预计的指标: output（工业总产值）, sales, export, electricity, tax")
]
SCALE_CHOICES = {"above": "above", "all": "all", "both": None}


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


@monitoring_app.command("indicators")
@friendly_errors
def indicators_command(
    month: Annotated[str, typer.Option("--month", help="月份 YYYY-MM (month)", show_default=False)],
    area: Annotated[
        str | None,
        typer.Option(
            "--area",
            help="区域类型: district 全区, township 镇街, cluster 集群与产业链, division 门类与大类",
        ),
    ] = None,
    scale: Annotated[
        str, typer.Option("--scale", help="口径: above（规上）, all（全部工业）, both")
    ] = "above",
    engine: EngineOption = "duckdb",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """某月各区域的当月、累计、同比增速与拉动 (area indicators of a month)."""
    from industry_brain.core.errors import IndustryBrainError
    from industry_brain.core.scope import Scope
    from industry_brain.monitoring.indicators import SCALE_NAMES, indicators

    if scale not in SCALE_CHOICES:
        raise IndustryBrainError(f"口径“{scale}”未知；可用：above, all, both")
    settings = settings_for(db)
    with boundary(settings) as session:
        require_data(session, settings)
        rows = indicators(
            session,
            month=month,
            scope=Scope.system(),
            settings=settings,
            area=area,
            scale=SCALE_CHOICES[scale],
            engine=engine,
        )
    if as_json:
        print_json(rows)
        return
    scale_name = "规上与全部工业" if scale == "both" else SCALE_NAMES[scale]
    grid = table(
        "区域",
        "指标",
        "当月",
        "累计",
        "同比%",
        "累计同比%",
        "拉动",
        "口径",
        title=f"{month} {scale_name}运行指标",
    )
    for r in rows:
        basis = "同口径" if r["comparable"] else "简单口径"
        if scale == "both":
            basis = f"{SCALE_NAMES[r['scale']]}{basis}"
        grid.add_row(
            r["area"] if r["period"] == f"{int(month[5:])}月" else f"{r['area']}（{r['period']}）",
            f"{r['indicator_name']}（{r['unit']}）",
            _num(r["month_value"]),
            _num(r["ytd_value"]),
            _num(r["yoy_pct"]),
            _num(r["ytd_yoy_pct"]),
            _num(r["contribution_pp"]),
            basis,
        )
    out.print(grid)


@monitoring_app.command("nowcast")
@friendly_errors
def nowcast_command(
    year: Annotated[int, typer.Option("--year", help="预计的年份 (year)", show_default=False)],
    indicator: IndicatorOption = "output",
    engine: EngineOption = "duckdb",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """由已有月份与用电趋势预计全年的总量与增速 (the nowcast of the year)."""
    from industry_brain.core.scope import Scope
    from industry_brain.monitoring.indicators import INDICATOR_NAMES
    from industry_brain.monitoring.nowcast import nowcast

    settings = settings_for(db)
    with boundary(settings) as session:
        require_data(session, settings)
        result = nowcast(
            session, year=year, scope=Scope.system(), settings=settings, indicator=indicator, engine=engine
        )
    if as_json:
        print_json(result)
        return
    title = f"{year}年{INDICATOR_NAMES[indicator]}预计全年（截至{result['month']}月）"
    grid = table("区域", "本年累计", "上年全年", "预计全年", "预计增速%", "基准：沿用上年增速%", title=title)
    for r in result["rows"]:
        grid.add_row(
            r["area"],
            _num(r["ytd_value"]),
            _num(r["last_year_value"]),
            _num(r["projected_value"]),
            _num(r["projected_growth_pct"]),
            _num(r["baseline_growth_pct"]),
        )
    out.print(grid)


KIND_NAMES = {"district": "全区", "cluster": "产业集群", "township": "镇街"}


@monitoring_app.command("backtest")
@friendly_errors
def backtest_command(
    indicator: IndicatorOption = "output",
    engine: EngineOption = "duckdb",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """逐月回放历史，打印预计全年的平均绝对百分比误差 (MAPE) 与基准对比 (the nowcast's backtest)."""
    from industry_brain.monitoring.nowcast import backtest

    settings = settings_for(db)
    with boundary(settings) as session:
        require_data(session, settings)
        result = backtest(session, settings=settings, indicator=indicator, engine=engine)
    if as_json:
        print_json(result)
        return
    years = "、".join(str(y) for y in result["years"])
    grid = table("区域", "截至月份", "样本数", "预计 MAPE%", "基准 MAPE%", title=f"预计全年回测（{years}年）")
    for r in result["rows"]:
        grid.add_row(
            KIND_NAMES[r["area_kind"]],
            f"{r['month']}月",
            str(r["cases"]),
            _num(r["mape"]),
            _num(r["baseline_mape"]),
        )
    for r in result["overall"]:
        grid.add_row(
            KIND_NAMES[r["area_kind"]], "合计", str(r["cases"]), _num(r["mape"]), _num(r["baseline_mape"])
        )
    out.print(grid)


@monitoring_app.command("report")
@friendly_errors
def report_command(
    month: Annotated[str, typer.Option("--month", help="月份 YYYY-MM (month)", show_default=False)],
    output: Annotated[Path, typer.Option("--output", help="输出文件：.docx 或 .pdf", show_default=False)],
    db: DbOption = None,
) -> None:
    """生成工业经济运行月报（Word 或 PDF）(the monthly bulletin)."""
    from industry_brain.core.scope import Scope
    from industry_brain.monitoring.bulletin import write_bulletin

    settings = settings_for(db)
    with boundary(settings) as session:
        require_data(session, settings)
        path = write_bulletin(session, month=month, scope=Scope.system(), settings=settings, output=output)
    out.print(f"月报已生成：{path}")


def _with_alerts() -> None:
    """The alert commands (monitoring/alerts_cli.py) join this group: `monitoring alerts`,
    `ack`, `dismiss`, `silence` and `rules list`."""
    from industry_brain.monitoring.alerts_cli import alerts_commands

    alerts_commands(monitoring_app)


_with_alerts()


@monitoring_app.command("overview")
@friendly_errors
def overview_command(
    month: Annotated[
        str | None,
        typer.Option("--month", help="月份 YYYY-MM，默认最新有数据的月份 (month)", show_default=False),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """驾驶舱的经济运行：规上工业当月、累计及同比与未解除的预警数 (the cockpit's figures)."""
    from industry_brain.core.scope import Scope
    from industry_brain.monitoring.overview import economy_overview

    settings = settings_for(db)
    with boundary(settings) as session:
        require_data(session, settings)
        result = economy_overview(session, scope=Scope.system(), settings=settings, month=month)
    if as_json:
        print_json(result)
        return
    if not result["available"]:
        out.print(result["message"])
    else:
        title = f"{result['area']} {result['month'][:4]}年{int(result['month'][5:])}月，规上工业"
        grid = table("指标", "单位", "当月", "当月同比%", f"{result['period']}累计", "累计同比%", title=title)
        for f in result["figures"]:
            grid.add_row(
                f["name"],
                f["unit"],
                _num(f["month_value"], 2),
                _num(f["yoy_pct"]),
                _num(f["ytd_value"], 2),
                _num(f["ytd_yoy_pct"]),
            )
        out.print(grid)
    alerts = result["alerts"]
    if alerts["month"] is not None:
        out.print(f"{alerts['month']} 未解除的企业预警 {alerts['open']} 条")
