"""CLI commands (stub: to be filled by its owner)."""

from __future__ import annotations

import typer

plans_app = typer.Typer(help="规划指标：列表、详情、进度、报告、抽取 (plans as data)", no_args_is_help=True)
actuals_app = typer.Typer(help="指标实绩：导入与查看 (indicator actuals)", no_args_is_help=True)
