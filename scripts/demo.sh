#!/usr/bin/env bash
# The README's first command: install into .venv and run the main job on the embedded default
# (SQLite file talentq.db, tasks run in-process, the samples shipped in samples/).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
pip install -q --disable-pip-version-check torch==2.13.0
pip install -q --disable-pip-version-check -e .
talentq run
