"""What every command shares: the database option, the transaction boundary, errors, JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from industry_brain.core.db import open_database, transaction
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.settings import Settings, get_settings

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="数据库URL (database URL); 默认取 INDUSTRY_BRAIN_DATABASE_URL 或 sqlite:///./industry_brain.db",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="以JSON输出 (print JSON)")]

err = Console(stderr=True)
out = Console()
F = TypeVar("F", bound=Callable[..., Any])


def settings_for(db: str | None) -> Settings:
    return get_settings(database_url=db)


@contextmanager
def boundary(settings: Settings) -> Iterator[Session]:
    """One command, one transaction: committed once if the command succeeds."""
    engine = engine_for(settings)
    try:
        with transaction(engine) as session:
            yield session
    finally:
        engine.dispose()


def engine_for(settings: Settings) -> Engine:
    return open_database(settings.database_url)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def friendly_errors(fn: F) -> F:
    """A known error becomes one line on stderr and exit status 2; nothing else is printed."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except IndustryBrainError as exc:
            err.print(f"[red]错误[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]
