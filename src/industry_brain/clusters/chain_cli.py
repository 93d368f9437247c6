"""CLI commands (stub: to be filled by its owner)."""

from __future__ import annotations

import typer

chains_app = typer.Typer(
    help="产业链：节点、企业、链主、缺链补链、招商 (industrial chains)", no_args_is_help=True
)
