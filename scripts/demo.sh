#!/usr/bin/env bash
# Quick start 1: set up and run the demo platform on the embedded default (SQLite, no server).
# Arguments are passed to `industry-brain demo` (e.g. --dir DIR, --seed N, --no-serve, --json).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
uv sync --frozen --no-dev --quiet
exec uv run --frozen --no-dev industry-brain demo "$@"
