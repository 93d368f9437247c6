"""Commands: raise, list, show and move 涉企问题 cases; the classification; reminders; 晾晒.

Without --as the command acts as the operator (the system, with the admin's rights in the state
machine); a step only a unit or an enterprise takes (签收, 答复, 评价 ...) names the user it is
taken as with --as USERNAME, so the history says who did it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from industry_brain.cli.support import (
    DbOption,
    JsonOption,
    boundary,
    engine_for,
    friendly_errors,
    out,
    print_json,
    settings_for,
    table,
)
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.scope import Scope

requests_app = typer.Typer(
    help="涉企问题：受理、交办、办理、答复、评价、办结与晾晒 (enterprise requests)", no_args_is_help=True
)

AsOption = Annotated[
    str | None,
    typer.Option("--as", help="以此用户身份办理（用户名）；默认以系统管理员身份", show_default=False),
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="按此日期计算时限 YYYY-MM-DD（默认今天）", show_default=False)
]


def _scope(session: Any, username: str | None) -> Scope:
    if not username:
        return Scope.system()
    from industry_brain.core.auth import get_user, scope_of

    user = get_user(session, username)
    if user.disabled:
        raise ConfigurationError(f"用户“{username}”已停用")
    return scope_of(user)


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(f"日期“{text}”无效（YYYY-MM-DD）") from None


def _moment(text: str | None, option: str) -> dt.datetime | None:
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(f"{option}“{text}”不是时间（如 2024-03-04T09:30，北京时间）") from None


@requests_app.command("open")
@friendly_errors
def open_command(
    code: Annotated[str, typer.Option("--code", help="企业统一社会信用代码（须在企业主档中）")],
    category: Annotated[str, typer.Option("--category", help="问题分类：代码或名称，见 requests categories")],
    text: Annotated[str, typer.Option("--text", help="问题描述")],
    priority: Annotated[str, typer.Option("--priority", help="优先级：普通 或 紧急")] = "普通",
    opened_at: Annotated[
        str | None, typer.Option("--opened-at", help="受理时间 ISO（北京时间），默认现在", show_default=False)
    ] = None,
    as_user: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """登记一件涉企问题，按规则分派主办、协办单位并计算时限 (raise a problem)."""
    from industry_brain.requests.service import open_request

    settings = settings_for(db)
    with boundary(settings) as session:
        case = open_request(
            session,
            scope=_scope(session, as_user),
            settings=settings,
            credit_code=code,
            category=category,
            text=text,
            priority=priority,
            opened_at=_moment(opened_at, "--opened-at"),
        )
        answer: dict[str, Any] = {
            "request_id": case.id,
            "lead_unit": case.lead_unit,
            "co_units": [u for u in case.co_units.split("、") if u],
            "due": case.due.isoformat(),
            "state": case.state,
            "category": case.category,
            "chain_id": case.chain_id,
        }
    if as_json:
        print_json(answer)
        return
    co = "、".join(answer["co_units"]) or "无"
    number, lead, due = answer["request_id"], answer["lead_unit"], answer["due"]
    out.print(f"已登记第 {number} 号涉企问题：主办 {lead}，协办 {co}，办结时限 {due}")


@requests_app.command("list")
@friendly_errors
def list_command(
    state: Annotated[
        str | None, typer.Option("--state", help="只列此状态，如 办理中", show_default=False)
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="只列此单位主办或协办的", show_default=False)
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列已逾期的")] = False,
    credit_code: Annotated[
        str | None, typer.Option("--credit-code", help="只列这家企业的", show_default=False)
    ] = None,
    as_of: AsOfOption = None,
    as_user: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """涉企问题清单 (list cases: state, lead unit, 办结 deadline, overdue)."""
    from industry_brain.requests.views import list_requests

    settings = settings_for(db)
    with boundary(settings) as session:
        rows = list_requests(
            session,
            scope=_scope(session, as_user),
            settings=settings,
            state=state,
            unit=unit,
            overdue=overdue,
            as_of=_day(as_of),
            credit_code=credit_code,
        )
    if as_json:
        keys = ("request_id", "credit_code", "category", "state", "lead_unit", "opened_at", "due", "overdue")
        print_json([{k: r[k] for k in keys} | {"overdue_clocks": r["overdue_clocks"]} for r in rows])
        return
    grid = table("编号", "统一社会信用代码", "分类", "状态", "主办单位", "受理时间", "办结时限", "逾期")
    for r in rows:
        grid.add_row(
            str(r["request_id"]),
            r["credit_code"],
            r["category_name"],
            r["state"],
            r["lead_unit"],
            r["opened_at"].replace("T", " "),
            r["due"],
            "[red]逾期[/red]" if r["overdue"] else "",
        )
    out.print(grid)
    out.print(f"共 {len(rows)} 件，逾期 {sum(r['overdue'] for r in rows)} 件")


@requests_app.command("categories")
@friendly_errors
def categories_command(as_json: JsonOption = False) -> None:
    """问题分类及主办、协办单位和时限 (the classification, units and clocks)."""
    from industry_brain.core.settings import get_settings
    from industry_brain.requests.service import rules_for

    rules = rules_for(get_settings())
    rows: list[dict[str, Any]] = [
        {
            "category": c.code,
            "name": c.name,
            "group": c.group,
            "lead_unit": c.lead_unit,
            "co_units": list(c.co_units),
            "working_days": c.clock("普通", "close")
            if "普通" in c.clocks
            else next(iter(c.clocks.values()))["close"],
            "clocks": c.clocks,
        }
        for c in rules.classification.categories.values()
    ]
    if as_json:
        print_json(rows)
        return
    grid = table("代码", "分类", "主办单位", "协办单位", "受理/答复/办结（工作日，普通｜紧急）")
    for r in rows:
        spans = "｜".join(f"{v['accept']}/{v['reply']}/{v['close']}" for v in r["clocks"].values())
        grid.add_row(
            r["category"], f"{r['group']}·{r['name']}", r["lead_unit"], "、".join(r["co_units"]) or "—", spans
        )
    out.print(grid)


@requests_app.command("show")
@friendly_errors
def show_command(
    request_id: Annotated[int, typer.Argument(help="问题编号")],
    as_of: AsOfOption = None,
    as_user: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """一件问题的详情：时限、提醒督办、办理记录 (one case with its deadlines and history)."""
    from industry_brain.requests.views import show_request

    settings = settings_for(db)
    with boundary(settings) as session:
        case = show_request(
            session,
            scope=_scope(session, as_user),
            settings=settings,
            request_id=request_id,
            as_of=_day(as_of),
        )
    if as_json:
        print_json(case)
        return
    _print_case(case)


def _print_case(case: dict[str, Any]) -> None:
    who = case["enterprise_name"] or case["credit_code"]
    out.print(f"[bold]第 {case['request_id']} 号[/bold] {who}：{case['text']}")
    co = "、".join(case["co_units"]) or "无"
    kind = f"{case['category_name']}（{case['priority']}）"
    out.print(f"分类 {kind}，状态 {case['state']}，主办 {case['lead_unit']}，协办 {co}")
    if group := case.get("common_problem"):
        out.print(f"已归入共性问题：{group['title']}（{group['state']}）")
    for d in case["deadlines"]:
        out.print(f"  {d['label']} {d['due']}{'  [red]已逾期[/red]' if d['late'] else ''}")
    for a in case["alerts"]:
        out.print(f"  [yellow]{a['level']}[/yellow]：{a['clock_name']} {a['due']}，报 {a['to']}")
    grid = table("#", "时间", "办理人", "身份", "单位", "操作", "状态", "内容")
    for e in case["history"]:
        grid.add_row(
            str(e["seq"]),
            e["at"].replace("T", " "),
            e["actor"],
            e["role_name"],
            e["unit"] or "",
            e["action_name"],
            e["to_state"],
            e["text"] or e["detail"].get("reason") or "",
        )
    out.print(grid)


@requests_app.command("reminders")
@friendly_errors
def reminders_command(
    as_of: AsOfOption = None, as_user: AsOption = None, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """到期提醒与督办清单 (reminders and 督办 due)."""
    from industry_brain.requests.views import reminders

    settings = settings_for(db)
    with boundary(settings) as session:
        rows = reminders(session, scope=_scope(session, as_user), settings=settings, as_of=_day(as_of))
    if as_json:
        print_json(rows)
        return
    grid = table("级别", "编号", "时限", "到期日", "逾期工作日", "承办单位", "报送")
    for r in rows:
        grid.add_row(
            r["level"],
            str(r["request_id"]),
            r["clock_name"],
            r["due"],
            str(r["late_workdays"]),
            r["unit"],
            r["to"],
        )
    out.print(grid)


PerUnitOption = Annotated[int, typer.Option("--per-unit", min=1, help="回访抽样：每个承办单位抽取的件数")]
SeedOption = Annotated[int, typer.Option("--seed", help="回访抽样批号：同一批号抽取结果相同")]


@requests_app.command("stats")
@friendly_errors
def stats_command(
    period: Annotated[str, typer.Option("--period", help="期间：YYYY-MM（月）或 YYYY-Qn（季度）")],
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="另存为 Excel 文件", show_default=False)] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", help="另存为晾晒报告：.xlsx、.docx（Word）或 .pdf，按扩展名", show_default=False
        ),
    ] = None,
    per_unit: PerUnitOption = 3,
    seed: SeedOption = 0,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """晾晒：各承办单位、各镇街的受理、按期、逾期、用时、满意率、重办率 (league table)."""
    from industry_brain.requests.report import format_of, write_report
    from industry_brain.requests.stats import request_stats, write_stats_xlsx

    fmt = format_of(output) if output else None
    settings = settings_for(db)
    with boundary(settings) as session:
        day, scope = _day(as_of), Scope.system()
        if output and fmt:
            stats = write_report(
                session,
                scope=scope,
                settings=settings,
                period=period,
                path=output,
                fmt=fmt,
                as_of=day,
                per_unit=per_unit,
                seed=seed,
            )
        else:
            stats = request_stats(session, scope=scope, settings=settings, period=period, as_of=day)
    if xlsx:
        write_stats_xlsx(stats, xlsx)
    if as_json:
        print_json(stats)
        return
    _print_stats(stats)
    if output:
        out.print(f"已生成晾晒报告：{output}")


def _print_stats(stats: dict[str, Any]) -> None:
    from industry_brain.requests.stats import stats_rows

    for part, title in (("units", "按承办单位"), ("townships", "按镇街")):
        headers, rows = stats_rows(stats, part)
        grid = table(*headers, title=f"{title}（{stats['from']} 至 {stats['to']} 受理）")
        for row in rows:
            grid.add_row(*map(str, row))
        out.print(grid)


@requests_app.command("followups")
@friendly_errors
def followups_command(
    period: Annotated[str, typer.Option("--period", help="期间：YYYY-MM（月）或 YYYY-Qn（季度）")],
    per_unit: PerUnitOption = 3,
    seed: SeedOption = 0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """回访抽样：本期受理并已办结的问题，每个承办单位随机抽取几件 (follow-up call sample)."""
    from industry_brain.requests.report import followups

    settings = settings_for(db)
    with boundary(settings) as session:
        rows = followups(
            session, scope=Scope.system(), settings=settings, period=period, per_unit=per_unit, seed=seed
        )
    if as_json:
        print_json(rows)
        return
    grid = table("承办单位", "编号", "企业名称", "统一社会信用代码", "分类", "办结日期", "评价")
    for r in rows:
        grid.add_row(
            r["lead_unit"],
            str(r["request_id"]),
            r["enterprise_name"] or "—",
            r["credit_code"],
            r["category_name"],
            r["closed_at"] or "—",
            r["rating"] or "—",
        )
    out.print(grid)
    out.print(f"共抽取 {len(rows)} 件（每单位至多 {per_unit} 件，批号 {seed}）")


def _step_command(action: str, help_text: str) -> None:
    @friendly_errors
    def command(
        request_id: Annotated[int, typer.Argument(help="问题编号")],
        text: Annotated[
            str | None, typer.Option("--text", help="办理内容、答复或补充说明", show_default=False)
        ] = None,
        reason: Annotated[str | None, typer.Option("--reason", help="理由", show_default=False)] = None,
        unit: Annotated[
            str | None, typer.Option("--unit", help="交办或改派的单位", show_default=False)
        ] = None,
        days: Annotated[int | None, typer.Option("--days", help="延期工作日数", show_default=False)] = None,
        rating: Annotated[
            str | None, typer.Option("--rating", help="评价：满意、基本满意、不满意", show_default=False)
        ] = None,
        of: Annotated[
            int | None, typer.Option("--of", help="重复的是哪一件（编号）", show_default=False)
        ] = None,
        at: Annotated[
            str | None, typer.Option("--at", help="办理时间 ISO（北京时间），默认现在", show_default=False)
        ] = None,
        as_user: AsOption = None,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        from industry_brain.requests.schemas import ACTION_NAMES, Step
        from industry_brain.requests.service import act, with_retry

        settings = settings_for(db)
        step = Step(action, text=text, reason=reason, unit=unit, days=days, rating=rating, of=of)
        moment = _moment(at, "--at")
        engine = engine_for(settings)

        def work(session: Any) -> dict[str, Any]:
            case = act(
                session,
                scope=_scope(session, as_user),
                settings=settings,
                request_id=request_id,
                step=step,
                at=moment,
            )
            return {
                "request_id": case.id,
                "state": case.state,
                "lead_unit": case.lead_unit,
                "due": case.due.isoformat(),
            }

        try:
            answer = with_retry(engine, work)
        finally:
            engine.dispose()
        if as_json:
            print_json(answer)
            return
        out.print(
            f"第 {request_id} 号：{ACTION_NAMES[action]}，现为“{answer['state']}”，办结时限 {answer['due']}"
        )

    command.__doc__ = help_text
    requests_app.command(action.replace("_", "-"))(command)


STEP_HELP = {
    "accept": "受理 (accept a raised problem)",
    "refuse": "不予受理，须写理由 (refuse, with a reason)",
    "duplicate": "作为重复件结案，须写理由和 --of (close as a duplicate)",
    "assign": "交办主办单位；--unit 可改交他单位 (assign to the lead unit)",
    "not-ours": "非职责结案，须写理由 (close: no unit answerable)",
    "dispute": "主办单位对交办提出异议，须在异议期内并写理由 (dispute an assignment)",
    "start": "主办单位签收办理 (the lead unit starts)",
    "reassign": "改派，须写 --unit 和理由 (reassign with a reason)",
    "request-info": "请企业补充材料，时限暂停 (ask the enterprise; the clocks pause)",
    "supply": "企业补充材料，时限恢复 (the enterprise supplies; the clocks resume)",
    "co-reply": "协办单位提交协办意见 (a co-unit's opinion)",
    "extend": "主办单位在办结时限前申请延期 --days (ask for an extension before the deadline)",
    "approve-extension": "批准延期 (approve the extension)",
    "reject-extension": "不批准延期，须写理由 (refuse the extension)",
    "reply": "主办单位答复企业 (the lead unit replies)",
    "rate": "企业评价 --rating (the enterprise rates the reply)",
    "close": "办结（企业满意或基本满意） (close)",
    "redo": "重办：退回原主办单位，须写理由 (reopen to the same unit)",
    "note": "备注 (a note on the case)",
}
for _name, _help in STEP_HELP.items():
    _step_command(_name.replace("-", "_"), _help)


def _add_common() -> None:
    from industry_brain.requests.common_cli import common_app

    requests_app.add_typer(common_app, name="common")


_add_common()
