"""Hostile files (tests/hostile_corpus.py): each is refused with its reason, quickly, and leaves
nothing in the database: through the import service, the CLI (exit 2) and the API over real
HTTP (400). And the read budget itself: a read that overruns its time or memory is stopped."""

from __future__ import annotations

import time

import httpx
import pytest
from typer.testing import CliRunner

from helpers import counts, run_import
from hostile_corpus import CASES, MB, Case, nested_bomb
from industry_brain.cli.main import build_app
from industry_brain.core.errors import FileRejected
from industry_brain.core.settings import get_settings
from industry_brain.ingest.budget import run_bounded
from web_fixtures import Live, live_fixture, web_db_fixture  # noqa: F401

EMPTY = {"import_batch": 0, "record": 0, "reject": 0, "batch_warning": 0}
BY_NAME = {c.name: c for c in CASES}


def _env(case: Case) -> dict[str, str]:
    return {f"INDUSTRY_BRAIN_{k.upper()}": str(v) for k, v in case.settings.items()}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_hostile_file_is_refused_with_its_reason_and_writes_nothing(engine, settings, tmp_path, case):
    path = case.build(tmp_path)
    with pytest.raises(FileRejected) as info:
        run_import(engine, settings.replace(**case.settings), path, "tax", "2024")
    assert info.value.file == path.name
    for words in case.expect:
        assert words in info.value.reason, info.value.reason
    assert "Traceback" not in info.value.reason
    assert counts(engine) == EMPTY


CLI_CASES = [
    "lying-directory-small",
    "far-column-AAAA1",
    "cells-without-r",
    "rows-without-r",
    "ods-repeated-rows",
    "zip-magic-garbage",
]


@pytest.mark.parametrize("name", CLI_CASES)
def test_the_cli_refuses_with_one_line_and_exit_2(db_url, engine, tmp_path, name):
    case = BY_NAME[name]
    path = case.build(tmp_path)
    args = ["import", str(path), "--source", "tax", "--period", "2024", "--db", db_url]
    result = CliRunner().invoke(build_app(), args, env=_env(case))
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and path.name in lines[0]
    assert all(words in lines[0] for words in case.expect), lines[0]
    assert counts(engine) == EMPTY


def test_the_api_answers_400_with_the_reason_and_adds_no_batch(live: Live, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with live.client("analyst") as c:
        before = c.get("/api/v1/imports/batches").json()
        for name in ("lying-directory-small", "far-column-AAAA1", "cells-without-r"):
            case = BY_NAME[name]
            path = case.build(tmp_path)
            response = c.post(
                "/api/v1/imports",
                data={"source": "tax", "period": "2024"},
                files={"file": (path.name, path.read_bytes())},
            )
            assert response.status_code == 400, response.text
            detail = response.json()["detail"]
            assert path.name in detail and all(words in detail for words in case.expect), detail
        assert c.get("/api/v1/imports/batches").json() == before
        assert httpx.get(f"{live.base}/api/v1/health").json()["status"] == "ok"


def test_a_bomb_nested_inside_a_good_workbook_is_never_opened(engine, settings, tmp_path):
    result = run_import(engine, settings, nested_bomb(tmp_path), "tax", "2024")
    assert result.rows_accepted == 1 and result.rows_rejected == 0


def test_a_read_over_its_time_budget_is_stopped_and_refused():
    settings = get_settings(environ={}, import_read_seconds=1)
    started = time.monotonic()
    with pytest.raises(FileRejected) as info:
        run_bounded(time.sleep, 60, settings=settings, file="慢.xlsx")
    assert info.value.file == "慢.xlsx"
    assert "超过时间预算 1 秒" in info.value.reason and "import_read_seconds" in info.value.reason
    assert time.monotonic() - started < 30  # stopped, not waited for


def test_a_read_over_its_memory_budget_is_stopped_and_refused():
    settings = get_settings(environ={}, import_read_memory_mb=1024)
    with pytest.raises(FileRejected) as info:
        run_bounded(bytearray, 4096 * MB, settings=settings, file="大.xlsx")
    assert "内存超过预算 1024 MB" in info.value.reason and "import_read_memory_mb" in info.value.reason


def test_a_memory_budget_too_small_for_any_read_is_refused_at_once(engine, settings, tmp_path):
    """A budget below what the reading process itself maps: refused as too small, with the
    setting named, at once (not after the time budget), nothing written."""
    path = nested_bomb(tmp_path)
    with pytest.raises(FileRejected) as info:
        run_import(engine, settings.replace(import_read_memory_mb=16), path, "tax", "2024")
    assert info.value.file == path.name
    assert "内存预算 16 MB (import_read_memory_mb) 过小" in info.value.reason
    assert counts(engine) == EMPTY
