"""CLI commands (stub: to be filled by its owner)."""

from __future__ import annotations

import typer


def serve_command() -> None:
    """启动网页平台 (start the web platform) — stub."""
    raise typer.Exit(2)
