#!/usr/bin/env bash
# Shared set-up: make sure uv is on PATH (installing it from PyPI if missing).
# Sourced by scripts/demo.sh and scripts/test.sh.
set -euo pipefail
export PATH="$HOME/.local/bin:$PATH"
if ! command -v uv >/dev/null 2>&1; then
  echo "Installing uv ..." >&2
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
  hash -r
fi
uv --version >&2
