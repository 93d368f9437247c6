"""CLI commands (stub: to be filled by its owner)."""

from __future__ import annotations

import typer

users_app = typer.Typer(help="用户与权限 (users and roles)", no_args_is_help=True)
