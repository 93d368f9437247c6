"""CLI commands (stub: to be filled by its owner)."""

from __future__ import annotations

import typer

projects_app = typer.Typer(help="项目库：阶段、投资、节点、预警 (project pool)", no_args_is_help=True)
