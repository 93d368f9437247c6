"""`industry-brain demo`: build the synthetic demo district, import it, summarise, serve."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from industry_brain.cli.support import err, friendly_errors, out, print_json


@friendly_errors
def demo_command(
    directory: Annotated[Path, typer.Option("--dir", help="演示数据目录")] = Path("./demo"),
    seed: Annotated[int, typer.Option("--seed", help="随机种子：同一种子生成同一演示区")] = 2020,
    scale: Annotated[float, typer.Option("--scale", help="企业数量倍数（1.0 为按奉化区2020年校准）")] = 1.0,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="只生成与导入，不启动网页平台")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以JSON输出摘要")] = False,
) -> None:
    """生成并导入一个合成的演示区（按奉化区公开数据校准）(build the demo district)."""
    from industry_brain.demo.build import build_demo

    summary = build_demo(directory=directory, seed=seed, scale=scale, progress=None if as_json else out)
    if as_json:
        print_json(summary)
    else:
        out.print(
            f"演示区已建成：{summary['enterprises']} 户企业，{summary['batches']} 个导入批次，"
            f"拒收 {summary['rejected_rows']} 行；数据库 {summary['database']}"
        )
    if not no_serve:
        err.print("网页平台尚未提供（见 issue 5）；数据已就绪，可用 --db 访问。", style="yellow")
