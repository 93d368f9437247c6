"""`industry-brain demo`: build the synthetic demo district, import it, summarise, serve."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from industry_brain.cli.support import err, friendly_errors, out, print_json


@friendly_errors
def demo_command(
    directory: Annotated[Path, typer.Option("--dir", help="演示数据目录")] = Path("./demo"),
    seed: Annotated[int, typer.Option("--seed", help="随机种子：同一种子生成同一演示区")] = 2020,
    scale: Annotated[float, typer.Option("--scale", help="企业数量倍数（1.0 为按奉化区2020年校准）")] = 1.0,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="只生成与导入，不启动网页平台")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以JSON输出摘要")] = False,
    host: Annotated[
        str | None, typer.Option("--host", help="网页平台监听地址；默认 127.0.0.1 或 INDUSTRY_BRAIN_HOST")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", help="网页平台端口；默认 8000 或 INDUSTRY_BRAIN_PORT", min=1, max=65535),
    ] = None,
) -> None:
    """生成并导入一个合成的演示区（按奉化区公开数据校准）(build the demo district)."""
    from industry_brain.demo.build import build_demo

    # progress goes to stderr, so the summary on stdout stays clean; none with --json or a pipe
    shown = err if err.is_terminal and not as_json else None
    summary = build_demo(directory=directory, seed=seed, scale=scale, progress=shown)
    if as_json:
        print_json(summary)
    else:
        out.print(
            f"演示区已建成：{summary['enterprises']} 户企业，{summary['batches']} 个导入批次，"
            f"拒收 {summary['rejected_rows']} 行；数据库 {summary['database']}"
        )
        ev = summary["evaluation"]
        out.print(
            f"{ev['year']} 年亩均评价已公示（批次 {ev['run_id']}）；项目库 {summary['projects']} 个项目；"
            f"标准地承诺 {summary.get('commitments', 0)} 块（已达产复核）"
        )
        _print_accounts(summary["accounts"])
    if not no_serve:
        from industry_brain.web.cli import serve_command

        serve_command(db=summary["database"], host=host, port=port)


def _print_accounts(accounts: list[dict[str, Any]]) -> None:
    from industry_brain.core.labels import ROLES, label
    from industry_brain.reference.divisions import township_name

    table = Table("用户名", "密码", "角色", "范围")
    for a in accounts:
        scope = a["scope"]
        shown = "，".join(
            text
            for text in (
                f"镇街 {township_name(scope['township_code'])}" if scope.get("township_code") else "",
                f"单位 {scope['unit']}" if scope.get("unit") else "",
                f"企业 {scope['credit_code']}" if scope.get("credit_code") else "",
            )
            if text
        )
        table.add_row(a["username"], a["password"], label(a["role"], ROLES), shown or "全区")
    out.print("演示账号（每次运行生成新密码）：")
    out.print(table)
