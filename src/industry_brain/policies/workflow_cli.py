"""Commands of the 免申即享 workflow and the 政策沙盘 (registered on `policies`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

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
from industry_brain.core.scope import Scope
from industry_brain.policies.cli import AsOfOption, _day, _num, policies_app

MatchArg = Annotated[int, typer.Argument(help="匹配记录编号（policies matches 可查）", show_default=False)]
ReasonOption = Annotated[str | None, typer.Option("--reason", help="理由", show_default=False)]
ByUser = Annotated[str, typer.Option("--by", help="经办人", show_default=False)]


def _actor(by: str, unit: str | None = None) -> Scope:
    # The CLI is the operator's shell: it acts as the system, under the name given.
    return Scope(role="system", username=by, unit=unit)


@policies_app.command("run")
@friendly_errors
def run_command(
    policy: Annotated[str, typer.Option("--policy", help="政策 id", show_default=False)],
    by: ByUser,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """发起一次数据比对：保存符合、为零与无法判定的企业及其追溯记录，待部门确认 (start a match run)."""
    from industry_brain.policies.workflow import start_run

    settings = settings_for(db)
    with boundary(settings) as session:
        require_data(session, settings)
        run = start_run(session, policy_id=policy, as_of=_day(as_of), scope=_actor(by))
        info = {
            "run_id": run.id,
            "policy": run.policy_id,
            "as_of": run.as_of.isoformat(),
            "figures_year": run.figures_year,
        }
    if as_json:
        print_json(info)
    else:
        when = f"判定日期 {info['as_of']}（{info['figures_year']} 年数据）"
        out.print(f"比对批次 {info['run_id']}：{info['policy']}，{when}")


@policies_app.command("matches")
@friendly_errors
def matches_command(
    run: Annotated[int | None, typer.Option("--run", help="比对批次编号", show_default=False)] = None,
    code: Annotated[str | None, typer.Option("--code", help="统一社会信用代码", show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """已保存的匹配记录及其办理状态 (the stored matches and where each stands)."""
    from industry_brain.policies.workflow import matches

    with boundary(settings_for(db)) as session:
        rows = matches(session, scope=Scope.system(), run_id=run, credit_code=code)
    if as_json:
        print_json(rows)
        return
    grid = table("编号", "政策", "企业", "结果", "金额（万元）", "状态")
    for r in rows:
        grid.add_row(
            str(r["id"]),
            r["policy"],
            r["name"] or r["credit_code"],
            r["trace"]["result_name"],
            _num(r["amount_wan"]),
            r["status_name"],
        )
    out.print(grid)


def _decide(kind: str, match_id: int, reason: str | None, by: str, db: str | None) -> dict[str, Any]:
    from industry_brain.policies import workflow as wf

    with boundary(settings_for(db)) as session:
        scope = _actor(by)
        if kind in ("confirm", "remove"):
            m = wf.department_decide(
                session, match_id=match_id, confirm=kind == "confirm", reason=reason, scope=scope
            )
        else:
            m = wf.enterprise_decide(
                session, match_id=match_id, accept=kind == "accept", reason=reason, scope=scope
            )
        return {
            "id": m.id,
            "credit_code": m.credit_code,
            "status": m.status,
            "status_name": wf.STATUS_NAMES[m.status],
        }


def _report(info: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(info)
    else:
        out.print(f"匹配记录 {info['id']}（{info['credit_code']}）：{info['status_name']}")


def _decision_command(decision: str, help_text: str) -> None:
    """One of the four decisions on a match, as `policies DECISION MATCH_ID --by ...`: the same
    options for each, through `_decide`."""

    def command(
        match_id: MatchArg,
        by: ByUser,
        reason: ReasonOption = None,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        _report(_decide(decision, match_id, reason, by, db), as_json)

    command.__doc__ = help_text
    command.__name__ = f"{decision}_command"
    policies_app.command(decision)(friendly_errors(command))


_decision_command("confirm", "部门确认一家企业符合 (the department confirms).")
_decision_command("remove", "部门剔除一家企业，须写理由 (the department removes, with a reason).")
_decision_command("accept", "企业确认享受 (the enterprise accepts).")
_decision_command("decline", "企业放弃 (the enterprise declines).")


@policies_app.command("pay")
@friendly_errors
def pay_command(
    match_id: MatchArg,
    amount: Annotated[float, typer.Option("--amount", help="拨付金额（万元）", show_default=False)],
    voucher: Annotated[str, typer.Option("--voucher", help="拨付凭证号", show_default=False)],
    by: ByUser,
    paid_on: Annotated[
        str | None, typer.Option("--date", help="拨付日期 YYYY-MM-DD（默认今天）", show_default=False)
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """登记拨付 (record a payment)."""
    from industry_brain.policies.workflow import record_payment

    with boundary(settings_for(db)) as session:
        pay = record_payment(
            session,
            match_id=match_id,
            amount_wan=amount,
            paid_on=_day(paid_on),
            voucher=voucher,
            scope=_actor(by),
        )
        info = {
            "payment_id": pay.id,
            "match_id": match_id,
            "amount_wan": pay.amount_wan,
            "paid_on": pay.paid_on.isoformat(),
        }
    pay_wan = float(info["amount_wan"])  # type: ignore[arg-type]
    if as_json:
        print_json(info)
    else:
        out.print(f"已登记拨付：匹配记录 {match_id}，{_num(pay_wan)} 万元，{info['paid_on']}")


@policies_app.command("publicity")
@friendly_errors
def publicity_command(
    run: Annotated[int, typer.Option("--run", help="比对批次编号", show_default=False)],
    output: Annotated[
        Path | None,
        typer.Option("--output", help="写出公示名单 .docx、.pdf 或 .xlsx (output file)", show_default=False),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """公示名单：部门确认的企业与金额，可写出 Word、PDF 或 Excel (the list to publish)."""
    from industry_brain.policies.notice import LIST_FORMATS, publicity_list, write_list
    from industry_brain.policies.workflow import publicity

    fmt = _format(output, LIST_FORMATS)
    settings = settings_for(db)
    with boundary(settings) as session:
        if output is not None:
            got = publicity_list(session, run_id=run, scope=Scope.system())
            write_list(got, output, fmt=fmt, settings=settings, today=dt.date.today())
            out.print(f"已写出 {output}：比对批次 {run}，{len(got['rows'])} 家企业", highlight=False)
            return
        rows = publicity(session, run_id=run, scope=Scope.system())
    if as_json:
        print_json(rows)
        return
    grid = table("统一社会信用代码", "企业名称", "金额（万元）", "状态")
    for r in rows:
        grid.add_row(r["credit_code"], r["name"] or "", _num(r["amount_wan"]), r["status_name"])
    out.print(grid)


def _format(output: Path | None, formats: tuple[str, ...]) -> str:
    """The format `output`'s suffix names; refused before any work."""
    from industry_brain.core.errors import ConfigurationError

    chosen = "" if output is None else output.suffix.lstrip(".").lower()
    if output is not None and chosen not in formats:
        ends = "、".join(f".{f}" for f in formats)
        raise ConfigurationError(f"文件格式“{chosen}”未知：--output 须以 {ends} 结尾")
    return chosen


@policies_app.command("notice")
@friendly_errors
def notice_command(
    match_id: MatchArg,
    output: Annotated[
        Path, typer.Option("--output", help="写出的文件 .docx 或 .pdf (output file)", show_default=False)
    ],
    db: DbOption = None,
) -> None:
    """政策兑现告知书：一家企业的条件比对、核定金额与办理状态 (one enterprise's notice)."""
    from industry_brain.policies.notice import FORMATS, notice_row, write_notices

    fmt = _format(output, FORMATS)
    settings = settings_for(db)
    with boundary(settings) as session:
        row = notice_row(session, match_id=match_id, scope=Scope.system())
    write_notices([row], output, fmt=fmt, settings=settings, today=dt.date.today())
    out.print(f"已写出 {output}：{row['policy_name']}，{row['name'] or row['credit_code']}", highlight=False)


@policies_app.command("ledger")
@friendly_errors
def ledger_command(
    by: Annotated[
        str, typer.Option("--by", help="按 policy（政策）、enterprise（企业）或 township（镇街）汇总")
    ] = "policy",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """兑现台账：已核定与已拨付金额，对照政策预算 (the ledger)."""
    from industry_brain.policies.workflow import ledger

    with boundary(settings_for(db)) as session:
        rows = ledger(session, scope=Scope.system(), by=by)
    if as_json:
        print_json(rows)
        return
    grid = table("汇总", "企业数", "已核定（万元）", "已拨付（万元）", "预算（万元）", "预算余额（万元）")
    for r in rows:
        grid.add_row(
            str(r.get("name") or r[by]),
            str(r["enterprises"]),
            _num(r["committed_wan"]),
            _num(r["paid_wan"]),
            _num(r.get("budget_wan")),
            _num(r.get("remaining_wan")),
        )
    out.print(grid)


@policies_app.command("sandbox")
@friendly_errors
def sandbox_command(
    draft: Annotated[
        Path, typer.Argument(help="政策草案文件（YAML，id 与现行政策相同）", show_default=False)
    ],
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """政策沙盘：草案与现行政策相比，谁新增符合、谁不再符合、成本变化 (what a draft changes)."""
    from industry_brain.policies.format import read_policy
    from industry_brain.policies.sandbox import sandbox

    p = read_policy(draft)
    settings = settings_for(db)
    with boundary(settings) as session:
        require_data(session, settings)
        got = sandbox(session, draft=p, as_of=_day(as_of), scope=Scope.system())
    if as_json:
        print_json(got)
        return
    c = got["cost"]
    versions = f"现行第 {got['live_version']} 版 → 草案第 {got['draft_version']} 版"
    out.print(f"政策 {got['policy']}：{versions}，判定日期 {got['as_of']}")
    money = f"金额 {_num(c['live_wan'])} → {_num(c['draft_wan'])} 万元（{c['delta_wan']:+,.2f}）"
    out.print(f"新增符合 {len(got['gained'])} 家，不再符合 {len(got['lost'])} 家；{money}")
    names = {"cluster": "产业集群", "township": "镇（街道）", "tier": "规模", "mu_grade": "亩均等级"}
    for dim, rows in got["by"].items():
        grid = table(names[dim], "新增符合", "不再符合", "金额变化（万元）", title=f"按{names[dim]}")
        for r in rows:
            grid.add_row(str(r["group"]), str(r["gained"]), str(r["lost"]), f"{r['delta_wan']:+,.2f}")
        out.print(grid)


@policies_app.command("figures")
@friendly_errors
def figures_command(
    file: Annotated[
        Path, typer.Argument(help="CSV：统一社会信用代码、技术改造设备投资额（万元）", show_default=False)
    ],
    year: Annotated[int, typer.Option("--year", help="数据年度", show_default=False)],
    by: ByUser,
    department: Annotated[
        str, typer.Option("--department", help="提供数据的部门")
    ] = "区经信局（技改项目备案）",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """导入政策所需的申报数据（技改设备投资额）；有一行不合格则整份拒收 (import declared figures)."""
    from industry_brain.policies.figures import import_figures

    with boundary(settings_for(db), creates=True) as session:
        n = import_figures(session, path=file, year=year, department=department, scope=_actor(by))
    if as_json:
        print_json({"file": file.name, "year": year, "rows": n})
    else:
        out.print(f"{file.name}：导入 {year} 年技改设备投资额 {n} 行")
