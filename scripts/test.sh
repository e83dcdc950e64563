#!/usr/bin/env bash
# The one command that runs all checks: set up .venv (and Chromium for the browser test),
# lint, type-check, run every test (the slow real-embedder and browser tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/install_browser.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check . || { echo "ruff format: bitte '.venv/bin/ruff format .' ausführen" >&2; exit 1; }
.venv/bin/mypy ingest assistant ui evals
.venv/bin/python -m pytest "$@"
