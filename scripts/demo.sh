#!/usr/bin/env bash
# The README's first command: install into .venv and run the main job on the embedded default
# (SQLite file talentq.db, tasks run in-process, the samples shipped in samples/).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
step "1/3 creating .venv"
python3 -m venv .venv
. .venv/bin/activate
# pip's own progress (one line per package) instead of minutes of silence on a fresh machine.
step "2/3 installing torch (CPU wheel) and talentq's pinned dependencies: a few minutes on a fresh machine"
pip install --disable-pip-version-check --progress-bar on torch==2.13.0 | grep -E '^(Collecting|Installing|Successfully)' || true
pip install --disable-pip-version-check --progress-bar on -e . | grep -E '^(Collecting|Installing|Successfully)' || true
step "3/3 running 20 résumés and 40 comments in-process (talentq run)"
talentq run
