"""Command: write a plan's 对表对标 review (registered by the lead as `plans report`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from industry_brain.cli.support import DbOption, boundary, friendly_errors, out, settings_for, working


@friendly_errors
def report_command(
    plan_id: Annotated[str, typer.Argument(help="规划编号 (plan id), 见 plans list", show_default=False)],
    as_of: Annotated[
        str, typer.Option("--as-of", help="截至期间 YYYY 或 YYYY-MM (as of)", show_default=False)
    ],
    output: Annotated[Path, typer.Option("--output", help="写出的文件 (output file)", show_default=False)],
    fmt: Annotated[
        str | None, typer.Option("--format", help="xlsx、docx 或 pdf；默认按 --output 的后缀 (file format)")
    ] = None,
    db: DbOption = None,
) -> None:
    """对表对标评估报告：概况、分类指标、滞后单位、集群效益 (write the progress review)."""
    from industry_brain.core.scope import Scope
    from industry_brain.plans.report import write_review

    suffix = output.suffix.lstrip(".").lower()
    chosen = fmt or (suffix if suffix in ("docx", "pdf") else "xlsx")
    settings = settings_for(db)
    with working(f"正在生成 {plan_id} 对表对标报告…"), boundary(settings) as session:
        review = write_review(
            session,
            plan_id=plan_id,
            as_of=as_of,
            path=output,
            fmt=chosen,
            settings=settings,
            scope=Scope.system(),
        )
    behind = sum(review.counts.get(s, 0) for s in ("behind", "off_track"))
    units = len(review.units)
    out.print(f"已写出 {output}：{len(review.indicators)} 项指标，滞后 {behind} 项，{units} 个单位待跟进")
