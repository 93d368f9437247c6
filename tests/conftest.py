"""Fixtures shared by the tests: databases (SQLite and the PostgreSQL server), settings, files.

Every database test runs on both engines. PostgreSQL is the server named by
INDUSTRY_BRAIN_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/test); the tests make
a scratch database on it and drop it afterwards. Outside CI, an unreachable server skips those
tests; under CI (CI=true) it fails them, so PostgreSQL is never silently untested.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from industry_brain.core.db import Base
from industry_brain.core.settings import Settings, get_settings
from industry_brain.registry import load_all_models, open_database

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def _pg_base() -> str:
    return os.environ.get("INDUSTRY_BRAIN_TEST_PG_URL", DEFAULT_PG)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    base = _pg_base().replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"ib_test_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server is not there
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {base} is required under CI: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {base}: {exc}")
    url = base.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate(engine: Engine) -> None:
    load_all_models()
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    url = request.getfixturevalue("pg_url")
    engine = open_database(url)
    _truncate(engine)
    engine.dispose()
    yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(db_url: str) -> Settings:
    return get_settings(environ={}, database_url=db_url)


# Debian's chromium, never a downloaded browser (scripts/test.sh installs it)
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One chromium per test module, for the tests that walk the pages as their users do."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM))
        yield b
        b.close()
