"""Commands of 共性问题 (`industry-brain requests common ...`): list the groups with their
counts, create one from cases, link a case, move a group's state, and the suggestions. They act
as the operator (the system, with the admin's rights) unless --as names a user."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from industry_brain.cli.support import (
    DbOption,
    JsonOption,
    boundary,
    friendly_errors,
    out,
    print_json,
    settings_for,
    table,
)
from industry_brain.core.scope import Scope

common_app = typer.Typer(
    help="共性问题：把同一原因的涉企问题归集，报政策研究 (common problems)", no_args_is_help=True
)
AsOption = Annotated[
    str | None,
    typer.Option("--as", help="以此用户身份操作（用户名）；默认以系统管理员身份", show_default=False),
]
CasesOption = Annotated[list[int], typer.Option("--case", help="问题编号（可多次给出）")]


def _scope(session: Any, username: str | None) -> Scope:
    from industry_brain.requests.cli import _scope as scope_of

    return scope_of(session, username)


@common_app.command("list")
@friendly_errors
def list_command(as_user: AsOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """共性问题清单：件数、企业数、未办结件数、涉及镇街数 (the groups with their counts)."""
    from industry_brain.requests.common import list_common

    settings = settings_for(db)
    with boundary(settings) as session:
        rows = list_common(session, scope=_scope(session, as_user), settings=settings)
    if as_json:
        print_json(rows)
        return
    grid = table("编号", "标题", "分类", "状态", "件数", "企业", "未办结", "镇街", "共性原因")
    for r in rows:
        counts = (r["cases"], r["enterprises"], r["open_cases"], r["townships"])
        grid.add_row(
            str(r["id"]), r["title"], r["category_name"], r["state"], *map(str, counts), r["description"]
        )
    out.print(grid)
    out.print(f"共 {len(rows)} 个共性问题")


@common_app.command("create")
@friendly_errors
def create_command(
    title: Annotated[str, typer.Option("--title", help="共性问题标题")],
    category: Annotated[str, typer.Option("--category", help="问题分类：代码或名称")],
    text: Annotated[str, typer.Option("--text", help="共性原因")],
    cases: CasesOption,
    as_user: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """归集共性问题：给出标题、分类、共性原因和所含问题 (create a group from cases)."""
    from industry_brain.requests.common import create_common

    settings = settings_for(db)
    with boundary(settings) as session:
        group = create_common(
            session,
            scope=_scope(session, as_user),
            settings=settings,
            title=title,
            category=category,
            description=text,
            request_ids=cases,
        )
        result = {"id": group.id, "title": group.title, "state": group.state, "request_ids": cases}
    if as_json:
        print_json(result)
        return
    out.print(f"已建共性问题第 {result['id']} 号“{result['title']}”，归入 {len(cases)} 件问题")


def _membership_command(name: str, help_text: str, done: str) -> None:
    """`common link` / `common unlink`: the same arguments, one service call per case."""

    def command(
        group_id: Annotated[int, typer.Argument(help="共性问题编号")],
        cases: CasesOption,
        as_user: AsOption = None,
        db: DbOption = None,
    ) -> None:
        from industry_brain.requests import common

        step = getattr(common, name)
        settings = settings_for(db)
        with boundary(settings) as session:
            scope = _scope(session, as_user)
            for request_id in cases:
                step(session, scope=scope, common_id=group_id, request_id=request_id)
        out.print(done.format(n=len(cases), group=group_id))

    command.__doc__ = help_text
    common_app.command(name)(friendly_errors(command))


_membership_command(
    "link",
    "把问题归入共性问题（一件问题只能归入一个） (link cases to a group).",
    "已将 {n} 件问题归入共性问题第 {group} 号",
)
_membership_command(
    "unlink", "把问题移出共性问题 (unlink cases from a group).", "已将 {n} 件问题移出共性问题第 {group} 号"
)


@common_app.command("state")
@friendly_errors
def state_command(
    group_id: Annotated[int, typer.Argument(help="共性问题编号")],
    state: Annotated[str, typer.Option("--state", help="在办、已提交政策研究 或 已解决")],
    reason: Annotated[str, typer.Option("--reason", help="理由")],
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """改变共性问题的状态，须写明理由 (move a group's state)."""
    from industry_brain.requests.common import set_state

    settings = settings_for(db)
    with boundary(settings) as session:
        set_state(session, scope=_scope(session, as_user), common_id=group_id, state=state, reason=reason)
    out.print(f"共性问题第 {group_id} 号已改为“{state}”")


@common_app.command("suggest")
@friendly_errors
def suggest_command(
    within: Annotated[
        int | None,
        typer.Option(
            "--within", help="只看近 N 个工作日内提出的（默认按分派规则的窗口）", show_default=False
        ),
    ] = None,
    as_user: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """建议归集：同一产业链或同一镇街两家以上企业近期提出的同类未办结、未归集问题 (suggestions)."""
    from industry_brain.requests.common import suggest

    settings = settings_for(db)
    with boundary(settings) as session:
        found = suggest(session, scope=_scope(session, as_user), settings=settings, within_workdays=within)
    if as_json:
        print_json(found)
        return
    grid = table("依据", "分类", "企业数", "问题编号")
    for s in found:
        basis = ("产业链：" if s["basis"] == "chain" else "镇街：") + s["basis_name"]
        ids = "、".join(map(str, s["request_ids"]))
        grid.add_row(basis, s["category_name"], str(len(s["credit_codes"])), ids)
    out.print(grid)
    out.print(f"共 {len(found)} 条建议")
