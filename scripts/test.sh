#!/usr/bin/env bash
# The README's test command: install into .venv (torch pinned to the CPU wheel), lint, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
# On CI, Debian's docker-compose (v1) lets tests/test_compose.py validate the compose file without
# a Docker engine; elsewhere that check is skipped when the command is missing.
if [ "${CI:-}" = true ] && ! command -v docker-compose >/dev/null && command -v apt-get >/dev/null; then
    timeout 300 apt-get install -y -qq docker-compose >/dev/null 2>&1 || echo "docker-compose not installed: its check will be skipped"
fi
python3 -m venv .venv
. .venv/bin/activate
pip install -q --disable-pip-version-check torch==2.13.0
pip install -q --disable-pip-version-check -e '.[dev]'
ruff check .
ruff format --check .
pytest "$@"
