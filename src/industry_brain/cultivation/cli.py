"""CLI commands (stub: to be filled by its owner)."""

from __future__ import annotations

import typer

tiers_app = typer.Typer(help="企业梯队 (enterprise tiers)", no_args_is_help=True)
pools_app = typer.Typer(help="培育库：候选、入库、出库、一企一档 (cultivation pools)", no_args_is_help=True)
