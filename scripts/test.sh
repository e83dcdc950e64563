#!/usr/bin/env bash
# The one command that runs all checks: set up .venv, lint, type-check, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check . || { echo "ruff format: bitte 'ruff format .' ausführen" >&2; exit 1; }
.venv/bin/mypy ingest assistant ui evals
.venv/bin/python -m pytest "$@"
