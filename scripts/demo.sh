#!/usr/bin/env bash
# Quick start 1: set up and run the demo platform on the embedded default (SQLite, no server).
# Arguments are passed to `industry-brain demo` (e.g. --dir DIR, --seed N, --no-serve, --json).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

# The PDF downloads (result notices, plan reviews) need a CJK font and pango; install them from
# Debian's packages when missing. Without them the platform runs and the PDF buttons say why.
if ! fc-list 2>/dev/null | grep -qi "Noto.*CJK" || ! ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0"; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "Installing fonts-noto-cjk and pango for PDF downloads ..." >&2
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
        fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; } >/dev/null 2>&1 \
      || echo "Could not install them; PDF downloads will be unavailable (Word works)." >&2
  fi
fi
uv sync --frozen --no-dev --quiet
exec uv run --frozen --no-dev industry-brain demo "$@"
