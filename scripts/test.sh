#!/usr/bin/env bash
# The README's test command: install into .venv (torch pinned to the CPU wheel), lint, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
pip install -q --disable-pip-version-check torch==2.13.0
pip install -q --disable-pip-version-check -e '.[dev]'
ruff check .
ruff format --check .
pytest "$@"
