#!/usr/bin/env bash
# Quick start 2: set up and run the whole test suite (lint, types, tests on SQLite and PostgreSQL).
# Arguments are passed to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
uv sync --frozen --extra spark --quiet   # PySpark is an optional extra; the tests use it

# The browser tests drive Debian's chromium (never a downloaded browser) and need CJK fonts to
# render Chinese; the PDF tests need pango (WeasyPrint) and harfbuzz's subsetter (without it a
# PDF takes ~12 s instead of ~0.3 s). Install them from Debian's packages when missing.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto.*CJK" \
   || ! ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0" \
   || ! ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset"; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "Installing chromium, fonts-noto-cjk, pango and harfbuzz-subset ..." >&2
    $SUDO apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null
  fi
fi

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
