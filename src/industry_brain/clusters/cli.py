"""CLI commands (stub: to be filled by its owner)."""

from __future__ import annotations

import typer

clusters_app = typer.Typer(help="产业集群：产值、增加值、企业、增速、区位熵 (clusters)", no_args_is_help=True)
