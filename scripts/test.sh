#!/usr/bin/env bash
# Install what the tests need on a fresh Debian/Ubuntu machine, then run them (in parallel).
# LibreOffice (headless) is the real spreadsheet engine the tests recalculate with.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
python3 -m venv .venv
.venv/bin/python -m pip install -q -e '.[test]'
exec .venv/bin/python -m pytest -n auto "$@"
