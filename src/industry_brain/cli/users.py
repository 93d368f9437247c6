"""`industry-brain users ...`: accounts, API tokens and the audit log, for administrators with
shell access. Every change is audited as the system user. A password is printed only when it
was generated here (once, at creation or reset); one typed or given is never echoed."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from industry_brain.cli.support import (
    DbOption,
    JsonOption,
    boundary,
    friendly_errors,
    out,
    print_json,
    settings_for,
)
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.scope import ROLES, Scope

users_app = typer.Typer(help="用户与权限 (users and roles)", no_args_is_help=True)

PasswordOption = Annotated[
    str | None,
    typer.Option(
        "--password", help="密码 (password); 省略时交互输入，非交互时自动生成并显示一次", show_default=False
    ),
]
GenerateOption = Annotated[
    bool, typer.Option("--generate", help="自动生成密码并显示一次 (generate a password)")
]


def _password(given: str | None, generate: bool) -> tuple[str, bool]:
    """(password, generated): given, typed at a prompt, or generated when there is no terminal."""
    from industry_brain.core.auth import new_password

    if given:
        return given, False
    if generate or not sys.stdin.isatty():
        return new_password(), True
    return typer.prompt("密码 (password)", hide_input=True, confirmation_prompt=True), False


def _audit(session: Session, action: str, target: str, detail: dict[str, object] | None = None) -> None:
    from industry_brain.core.auth import audit

    audit(session, scope=Scope.system(), action=action, target=target, detail=detail, address="cli")


@users_app.command("add")
@friendly_errors
def add_command(
    username: Annotated[str, typer.Argument(help="用户名 (username)")],
    role: Annotated[str, typer.Option("--role", help=f"角色 (role): {', '.join(ROLES)}")],
    township: Annotated[
        str | None, typer.Option("--township", help="镇街代码，角色 town 必填 (9-digit township code)")
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="责任单位，角色 department 必填 (responsible unit)")
    ] = None,
    credit_code: Annotated[
        str | None, typer.Option("--credit-code", help="统一社会信用代码，角色 enterprise 必填")
    ] = None,
    chain: Annotated[
        str | None,
        typer.Option("--chain", help="产业链代码，角色 chain_chief（链长）必填，如 fenghua-auto-parts"),
    ] = None,
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="显示名称 (display name)")
    ] = None,
    password: PasswordOption = None,
    generate: GenerateOption = False,
    db: DbOption = None,
) -> None:
    """新增用户 (add a user)."""
    from industry_brain.core.auth import create_user
    from industry_brain.reference.credit_code import problem

    if credit_code and (why := problem(credit_code)) is not None:
        raise ConfigurationError(f"统一社会信用代码“{credit_code}”无效：{why}")
    if role == "chain_chief" and chain:
        from industry_brain.clusters.chains import get_chain

        get_chain(chain)  # an unknown chain is refused with the list of chains
        unit = chain  # a chain chief's scope column holds its chain (core.auth.scope_of)
    secret, generated = _password(password, generate)
    with boundary(settings_for(db), creates=True) as session:
        user = create_user(
            session,
            username=username,
            role=role,
            password=secret,
            display_name=display_name,
            township_code=township,
            unit=unit,
            credit_code=credit_code,
        )
        _audit(session, "users.add", username, {"role": role})
    out.print(f"已新增用户 {user.username}（{user.role}）", highlight=False)
    if generated:
        out.print(f"初始密码 (password, shown once): {secret}", highlight=False)


@users_app.command("disable")
@friendly_errors
def disable_command(
    username: Annotated[str, typer.Argument(help="用户名 (username)")], db: DbOption = None
) -> None:
    """停用用户：不能再登录，会话立即失效 (disable a user)."""
    from industry_brain.core.auth import disable_user

    with boundary(settings_for(db)) as session:
        disable_user(session, username=username)
        _audit(session, "users.disable", username)
    out.print(f"已停用用户 {username}", highlight=False)


@users_app.command("reset")
@friendly_errors
def reset_command(
    username: Annotated[str, typer.Argument(help="用户名 (username)")],
    password: PasswordOption = None,
    generate: GenerateOption = False,
    db: DbOption = None,
) -> None:
    """重置密码，结束该用户的会话 (reset a password)."""
    from industry_brain.core.auth import reset_password

    secret, generated = _password(password, generate)
    with boundary(settings_for(db)) as session:
        reset_password(session, username=username, password=secret)
        _audit(session, "users.reset", username)
    out.print(f"已重置用户 {username} 的密码", highlight=False)
    if generated:
        out.print(f"新密码 (password, shown once): {secret}", highlight=False)


@users_app.command("list")
@friendly_errors
def list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """列出用户 (list users)."""
    from rich.table import Table

    from industry_brain.core.auth import list_users

    with boundary(settings_for(db)) as session:
        users = list_users(session)
    if as_json:
        print_json(users)
        return
    table = Table("用户名", "角色", "镇街", "单位", "信用代码", "状态")
    for u in users:
        state = "停用" if u["disabled"] else "启用"
        table.add_row(u["username"], u["role"], u["township_code"], u["unit"], u["credit_code"], state)
    out.print(table)


@users_app.command("token")
@friendly_errors
def token_command(
    username: Annotated[str, typer.Argument(help="用户名 (username)")],
    name: Annotated[str, typer.Option("--name", help="令牌名称，如对接系统名 (token name)")],
    revoke: Annotated[bool, typer.Option("--revoke", help="吊销该名称的令牌 (revoke instead)")] = False,
    db: DbOption = None,
) -> None:
    """签发长期 API 令牌（只显示一次）或吊销 (issue a long-lived API token, shown once; or revoke)."""
    from industry_brain.core.auth import issue_token, revoke_token

    with boundary(settings_for(db)) as session:
        if revoke:
            count = revoke_token(session, username=username, name=name)
            _audit(session, "users.token.revoke", username, {"name": name, "revoked": count})
        else:
            token = issue_token(session, username=username, name=name)
            _audit(session, "users.token.issue", username, {"name": name})
    if revoke:
        out.print(f"已吊销 {count} 个令牌", highlight=False)
    else:
        sys.stdout.write(token + "\n")


def _since(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(f"--since “{text}”：应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM") from None
    return when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when


@users_app.command("audit")
@friendly_errors
def audit_command(
    user: Annotated[str | None, typer.Option("--user", help="操作者用户名 (who)")] = None,
    action: Annotated[str | None, typer.Option("--action", help="操作，前缀匹配 (action prefix)")] = None,
    target: Annotated[str | None, typer.Option("--target", help="对象，如信用代码 (target)")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="起始时间 UTC (since), YYYY-MM-DD[THH:MM]")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多条数 (most entries)", min=1)] = 200,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """查询审计日志，新的在前 (search the audit log, newest first)."""
    from rich.table import Table

    from industry_brain.core.auth import search_audit

    with boundary(settings_for(db)) as session:
        entries = search_audit(
            session, username=user, action=action, target=target, since=_since(since), limit=limit
        )
    if as_json:
        print_json(entries)
        return
    table = Table("时间 (UTC)", "用户", "角色", "操作", "对象", "地址", "详情")
    for e in entries:
        table.add_row(e["at"], e["username"], e["role"], e["action"], e["target"], e["address"], e["detail"])
    out.print(table)
