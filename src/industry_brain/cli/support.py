"""What every command shares: the database option, the transaction boundary, errors, JSON,
the refusal of a missing or empty database, and progress on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from industry_brain.core.db import transaction
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.settings import Settings, get_settings
from industry_brain.registry import open_database

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help=(
            "数据库URL (database URL)，如演示区 sqlite:///./demo/industry_brain.db；"
            "默认取 INDUSTRY_BRAIN_DATABASE_URL 或 sqlite:///./industry_brain.db"
        ),
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="以JSON输出 (print JSON)")]

err = Console(stderr=True)
out = Console()
F = TypeVar("F", bound=Callable[..., Any])


def settings_for(db: str | None) -> Settings:
    return get_settings(database_url=db)


DEMO_DB = "sqlite:///./demo/industry_brain.db"


class NoDatabase(IndustryBrainError):
    """The database a reading command was pointed at is missing or holds no data."""


def _where(settings: Settings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)


def _hint() -> str:
    return (
        f"请用 --db 指定数据库（如演示区 --db {DEMO_DB}），或设置环境变量 INDUSTRY_BRAIN_DATABASE_URL；"
        "新库请先用 industry-brain import 导入部门文件"
    )


def missing_sqlite_file(settings: Settings) -> Path | None:
    """The SQLite file the URL names, if it does not exist (a server database is never 'missing')."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database).expanduser()
    return None if path.exists() else path


@contextmanager
def boundary(settings: Settings, *, creates: bool = False) -> Iterator[Session]:
    """One command, one transaction: committed once if the command succeeds. A command that
    only reads (`creates=False`) refuses a SQLite file that does not exist instead of silently
    creating an empty one; import, users and the like create it."""
    if not creates and (path := missing_sqlite_file(settings)) is not None:
        raise NoDatabase(f"数据库文件 {path.resolve()} 不存在。{_hint()}")
    engine = engine_for(settings)
    try:
        with transaction(engine) as session:
            yield session
    finally:
        engine.dispose()


def require_data(
    session: Session, settings: Settings, *, year: int | None = None, actuals: bool = False
) -> None:
    """Refuse (exit 2, naming --db) when the database holds no imported figures (nor, with
    `actuals`, any reported plan actual), or none for `year`: a reading command on the wrong
    database must not answer with an empty result."""
    from industry_brain.ingest.models import ImportBatch, Record

    empty = session.scalar(select(func.count()).select_from(ImportBatch)) == 0
    if empty and actuals:
        from industry_brain.plans.models import IndicatorActual

        empty = session.scalar(select(func.count()).select_from(IndicatorActual)) == 0
    if empty:
        raise NoDatabase(f"数据库 {_where(settings)} 中还没有导入任何数据。{_hint()}")
    if year is not None:
        found = session.scalar(
            select(func.count()).select_from(Record).where(Record.period.like(f"{year}%")).limit(1)
        )
        if not found:
            raise NoDatabase(
                f"数据库 {_where(settings)} 中没有 {year} 年的数据。请检查 --year，或用 --db 指定其他数据库"
            )


@contextmanager
def working(message: str, *, quiet: bool = False) -> Iterator[None]:
    """A spinner with `message` on stderr while long work runs; none with --json or when stderr
    is not a terminal (a pipe or a log file gets only the result)."""
    show = not quiet and err.is_terminal
    with err.status(message, spinner="dots") if show else nullcontext():
        yield


def table(*headers: str, title: str | None = None) -> Table:
    """A terminal table whose cells wrap (CJK text has no spaces to break at, and Rich's default
    cuts it with "…" on an 80-column terminal)."""
    grid = Table(title=title)
    for head in headers:
        grid.add_column(head, overflow="fold")
    return grid


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
