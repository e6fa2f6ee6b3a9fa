#!/usr/bin/env bash
# The README's first command: install into .venv and run the main job on the embedded default
# (SQLite file talentq.db, tasks run in-process, the samples shipped in samples/).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
step "1/3 creating .venv"
python3 -m venv .venv
. .venv/bin/activate
# One line per package pip fetches and installs, instead of minutes of silence on a fresh machine.
step "2/3 installing torch (CPU wheel) and talentq's pinned dependencies: a few minutes on a fresh machine"
packages() { sed -nE '/^(Collecting|Installing|Successfully)/p'; }  # pip's status is the pipeline's (pipefail)
pip install --disable-pip-version-check torch==2.13.0 | packages
pip install --disable-pip-version-check -e . | packages
step "3/3 running 20 résumés and 40 comments in-process (talentq run)"
talentq run
