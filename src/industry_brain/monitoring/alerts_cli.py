"""Commands of enterprise alerts, added to the `monitoring` app: alerts, ack, dismiss, silence,
rules list (docs/cli-monitoring-alerts.md)."""

from __future__ import annotations

import datetime as dt
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
    settings_for,
)
from industry_brain.core.scope import Scope

ALERT_KEYS = (
    "alert_id",
    "credit_code",
    "rule",
    "severity",
    "state",
    "first_month",
    "month",
    "observed",
    "expected",
    "explanation",
    "sources",
)
MonthOption = Annotated[str, typer.Option("--month", help="月份 YYYY-MM", show_default=False)]
AlertArg = Annotated[int, typer.Argument(help="预警编号 (alert_id)")]
ByOption = Annotated[str, typer.Option("--by", help="经办人 (who)")]


def _scope(by: str) -> Scope:
    return Scope(role="system", username=by)


def _num(v: Any) -> str:
    return "-" if v is None else f"{v:,.2f}" if isinstance(v, float) else str(v)


def alerts_command(
    month: MonthOption,
    state: Annotated[
        str | None, typer.Option("--state", help="只列此状态：pending、firing、resolved、no_data")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="按当时已知的数据重算（YYYY-MM-DD），不保存", show_default=False),
    ] = None,
    evaluate: Annotated[
        bool, typer.Option("--evaluate", help="用当前数据重新计算并保存该月（已计算的月份默认只列出）")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """某月的企业预警 (a month's enterprise alerts, evaluated and stored)."""
    from industry_brain.monitoring import alerts

    with boundary(settings_for(db)) as session:
        if as_of:
            when = _moment(as_of, "--as-of")
            rows = [
                {**r, "alert_id": None, "sources": r["trace"]["sources"]}
                for r in alerts.replay(session, month=month, as_of=when)
            ]
            rows = [r for r in rows if state is None or r["state"] == state]
        else:
            # A month already evaluated is listed as stored, so what officials were shown stays
            # as it was; --evaluate computes it again with the data as known now.
            if evaluate or not alerts.evaluated(session, month=month):
                alerts.evaluate(session, month=month, scope=Scope.system())
            rows = alerts.list_alerts(session, month=month, scope=Scope.system(), state=state)
    if as_json:
        print_json({"month": month, "alerts": [{k: r[k] for k in ALERT_KEYS} for r in rows]})
        return
    from industry_brain.monitoring.explain import STATES
    from industry_brain.monitoring.rules import SEVERITIES

    table = Table("编号", "统一社会信用代码", "规则", "级别", "状态", "起始月", "说明")
    for r in rows:
        table.add_row(
            _num(r["alert_id"]),
            r["credit_code"],
            r["trace"]["rule_name"],
            SEVERITIES[r["severity"]],
            STATES[r["state"]],
            r["first_month"],
            r["explanation"],
        )
    out.print(f"{month} 企业预警 {len(rows)} 条")
    out.print(table)


def ack_command(
    alert_id: AlertArg,
    comment: Annotated[str, typer.Option("--comment", help="处理说明", show_default=False)],
    by: ByOption = "system",
    db: DbOption = None,
) -> None:
    """确认预警并填写说明 (acknowledge an alert)."""
    from industry_brain.monitoring import alerts

    with boundary(settings_for(db)) as session:
        alerts.ack(session, alert_id=alert_id, comment=comment, scope=_scope(by))
    out.print(f"预警 {alert_id} 已确认")


def dismiss_command(
    alert_id: AlertArg,
    reason: Annotated[
        str, typer.Option("--reason", help="驳回原因：检修、季节性、搬迁、数据错误、其他", show_default=False)
    ],
    comment: Annotated[str, typer.Option("--comment", help="说明（原因为“其他”时必填）")] = "",
    by: ByOption = "system",
    db: DbOption = None,
) -> None:
    """驳回预警（误报），计入规则的准确率 (dismiss an alert with a reason code)."""
    from industry_brain.monitoring import alerts

    with boundary(settings_for(db)) as session:
        alerts.dismiss(session, alert_id=alert_id, reason=reason, comment=comment, scope=_scope(by))
    out.print(f"预警 {alert_id} 已驳回")


def silence_command(
    alert_id: AlertArg,
    until: Annotated[str, typer.Option("--until", help="静默至（含）YYYY-MM-DD", show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help="说明")] = "",
    by: ByOption = "system",
    db: DbOption = None,
) -> None:
    """在某日前不再提示该企业的这条规则 (silence an enterprise's rule until a date)."""
    from industry_brain.monitoring import alerts

    day = _moment(until, "--until").date()
    with boundary(settings_for(db)) as session:
        alerts.silence(
            session,
            alert_id=alert_id,
            until=day,
            reason=reason,
            scope=_scope(by),
        )
    out.print(f"预警 {alert_id} 的企业与规则已静默至 {until}")


def rules_list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """预警规则及其准确率 (the alert rules in force, with raised, dismissed and precision)."""
    from industry_brain.monitoring import alerts
    from industry_brain.monitoring.rules import KIND_NAMES, SEVERITIES

    with boundary(settings_for(db)) as session:
        stats = alerts.rule_stats(session)
    if as_json:
        print_json({"rules": stats})
        return
    table = Table("规则", "名称", "类型", "级别", "持续月数", "接收方", "预警数", "驳回数", "准确率")
    for r in stats:
        precision = "-" if r["precision"] is None else f"{r['precision'] * 100:.1f}%"
        table.add_row(
            r["rule"],
            r["name"],
            KIND_NAMES[r["kind"]],
            SEVERITIES[r["severity"]],
            str(r["min_months"]),
            "、".join(r["receivers"]),
            str(r["raised"]),
            str(r["dismissed"]),
            precision,
        )
    out.print(table)


def alerts_commands(app: typer.Typer) -> None:
    """Add the alert commands to the `monitoring` app (and its `rules` group)."""
    app.command("alerts")(friendly_errors(alerts_command))
    app.command("ack")(friendly_errors(ack_command))
    app.command("dismiss")(friendly_errors(dismiss_command))
    app.command("silence")(friendly_errors(silence_command))
    rules_app = typer.Typer(help="预警规则 (alert rules)", no_args_is_help=True)
    rules_app.command("list")(friendly_errors(rules_list_command))
    app.add_typer(rules_app, name="rules")


def _moment(text: str, option: str) -> dt.datetime:
    """An ISO date or date-time typed on the command line, or a Chinese error naming the option."""
    from industry_brain.core.errors import IndustryBrainError

    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise IndustryBrainError(
            f"{option} 须为日期 YYYY-MM-DD（或日期时间 YYYY-MM-DDTHH:MM），收到“{text}”"
        ) from None
