"""`python -m bench.priority` end to end with tiny sizes: proves the benchmark runs and reports both layouts.

No timing thresholds: this machine's speed says nothing about talentq's. Results live in docs/benchmarks.md.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from tests.support import run_while_progressing

pytestmark = pytest.mark.timeout(1800)  # only the backstop: the run is stopped when it stops moving
STALL_S = 120


def test_priority_benchmark_reports_before_and_after_and_their_ratio(tmp_path: Path) -> None:
    args = ["--bulk", "20", "--events", "2", "--interval", "0.5", "--redis-db", "4"]
    done = run_while_progressing(
        [sys.executable, "-m", "bench.priority", *args], tmp_path, STALL_S, env=dict(os.environ)
    )
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith(("| before", "| after"))]
    assert len(rows) == 2, done.stdout
    for row in rows:
        events, p50, p95, longest = (cell.strip() for cell in row.strip("|").split("|")[1:5])
        assert events == "2" and 0 < float(p50) <= float(p95) <= float(longest), row
    assert re.search(r"before/after: p50 \d+\.\d×, p95 \d+\.\d×", done.stdout), done.stdout
