"""Command: write 评价结果告知书 (registered in evaluation.report_cli as `evaluation notice`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from industry_brain.cli.support import DbOption, boundary, friendly_errors, out, settings_for


@friendly_errors
def notice_command(
    run_id: Annotated[int, typer.Argument(help="评价批次号")],
    output: Annotated[
        Path, typer.Option("--output", help="写出的文件 .docx 或 .pdf (output file)", show_default=False)
    ],
    credit_code: Annotated[
        str | None,
        typer.Argument(help="统一社会信用代码；省略时为批次内全部企业，每户一页起", show_default=False),
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="docx 或 pdf；默认按 --output 的后缀", show_default=False)
    ] = None,
    township: Annotated[
        str | None,
        typer.Option("--township", help="只写该镇街（9 位代码）的企业（未给企业代码时）", show_default=False),
    ] = None,
    db: DbOption = None,
) -> None:
    """评价结果告知书：企业的等级、得分、排名、各项指标、差别化政策与申诉方式 (result notice)."""
    from industry_brain.core.errors import ConfigurationError
    from industry_brain.core.scope import Scope
    from industry_brain.evaluation.notice import enterprise_notice, scope_notices
    from industry_brain.evaluation.notice_render import FORMATS, write_notices

    chosen = (fmt or output.suffix.lstrip(".")).lower()
    if chosen not in FORMATS:  # before any work, so a wrong name costs nothing
        raise ConfigurationError(
            f"告知书格式“{chosen}”未知：--output 须以 .docx 或 .pdf 结尾，或给出 --format"
        )
    settings = settings_for(db)
    today = dt.date.today()
    with boundary(settings) as session:
        if credit_code:
            notices = [
                enterprise_notice(
                    session, run_id=run_id, credit_code=credit_code, scope=Scope.system(), today=today
                )
            ]
        else:
            notices = scope_notices(
                session, run_id=run_id, scope=Scope.system(), today=today, township_code=township
            )
    write_notices(notices, output, fmt=chosen, settings=settings)
    who = notices[0].name or notices[0].credit_code if len(notices) == 1 else f"{len(notices)} 户企业"
    out.print(f"已写出 {output}：评价批次 {run_id}，{who}", highlight=False)
