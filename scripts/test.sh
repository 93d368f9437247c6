#!/usr/bin/env bash
# Quick start 2: set up and run the whole test suite (lint, types, tests on SQLite and PostgreSQL).
# Arguments are passed to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
uv sync --frozen --extra spark --quiet   # PySpark is an optional extra; the tests use it

# The PostgreSQL tests use INDUSTRY_BRAIN_TEST_PG_URL (default: postgres@127.0.0.1:5432/test).
# Start the local server if it is installed but stopped.
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
fi

uv run --frozen ruff check .
uv run --frozen mypy
uv run --frozen pytest "$@"
