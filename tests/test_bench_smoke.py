"""`python -m bench.pipeline` end to end with tiny inputs: proves the benchmark runs and reports every row.

No timing thresholds: this machine's speed says nothing about talentq's. Targets live in docs/benchmarks.md.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from tests.support import run_while_progressing
from workers.engine.backends import RUNTIMES

# The benchmarks run until they stop moving (``run_while_progressing``: no output and no CPU time for
# STALL_S), however slow a busy machine makes them; this is only the backstop against a hang.
pytestmark = pytest.mark.timeout(1800)
STALL_S = 120

STAGES = [
    "raw fp32 encoder, embed only",
    "raw fp32 sentiment model, batch 1",
    "raw sentiment model, batch",
    "naive pipeline (fp32, batch 1)",
    "talentq pipeline (fp32)",
    "talentq handler in-process",
    "raw parse + embed",
]
TARGETS = ["short texts: talentq ≥ 5× naive", "short texts: talentq ≥ 0.85× raw", "résumés: talentq ≥ 0.85× raw"]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> str:
    args = ["--short", "24", "--resumes", "2", "--warmup", "8", "--warmup-resumes", "1", "--rss-tasks", "0"]
    args += ["--torch-threads", "1", "--redis-db", "6"]  # 1 thread: no spin-waiting on a busy shared box
    done = run_while_progressing(
        [sys.executable, "-m", "bench.pipeline", *args],
        tmp_path_factory.mktemp("bench"),
        STALL_S,
        env={**os.environ, "TALENTQ_BATCH_WAIT_MS": "50"},
    )
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    return done.stdout


def _rows(report: str, first_cell: str) -> list[list[str]]:
    """The table rows whose first cell is ``first_cell``, as lists of cells."""
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in report.splitlines()
        if line.startswith(f"| {first_cell} |")
    ]


def test_every_stage_of_both_workloads_is_reported(report: str) -> None:
    rows = _rows(report, "short texts") + _rows(report, "résumés")
    names = [row[1] for row in rows]
    for stage in STAGES:
        assert any(name.startswith(stage) for name in names), (stage, report)
    assert sum(name.startswith("talentq pipeline") for name in names) == 2
    for row in rows:
        items, seconds, rate, ceiling, naive = row[2:7]
        assert int(items) > 0 and float(seconds) > 0 and float(rate) > 0
        assert float(ceiling) > 0 and float(naive) > 0


def test_every_target_has_a_positive_ratio(report: str) -> None:
    for target in TARGETS:
        [row] = _rows(report, target)
        assert re.fullmatch(r"\d+\.\d+×", row[1]) and float(row[1][:-1]) > 0, row
        assert row[2] in ("met", "MISSED")
    assert "not run (--rss-tasks 0)" in report


def test_runtime_benchmark_reports_every_runtime_for_encoder_and_sentiment(tmp_path: Path) -> None:
    """`python -m bench.runtime` (docs/runtime.md) with tiny inputs: both tables, every runtime, fp32 as 1.00×."""
    done = run_while_progressing(
        [sys.executable, "-m", "bench.runtime", "--short", "16", "--resumes", "1", "--rounds", "1", "--threads", "1"],
        tmp_path,
        STALL_S,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    assert "sentiment texts/s" in done.stdout
    for runtime in RUNTIMES:
        encoder_row, sentiment_row = _rows(done.stdout, runtime)
        assert len(encoder_row) == 9 and len(sentiment_row) == 7 and encoder_row[1] == sentiment_row[1] == "512"
        if runtime == "fp32":
            assert encoder_row[5] == encoder_row[6] == sentiment_row[3] == "1.00"
        else:
            assert float(sentiment_row[3]) > 0 and float(encoder_row[7]) >= 0.99


def test_gpu_benchmark_reports_both_workloads_and_the_model_share(tmp_path: Path) -> None:
    """`python -m bench.gpu` (what bench/gpu.sh runs on a GPU machine) with tiny inputs, on the CPU here."""
    args = ["--device", "cpu", "--resumes", "4", "--short", "16", "--batch", "2"]
    done = run_while_progressing([sys.executable, "-m", "bench.gpu", *args], tmp_path, STALL_S)
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    short, resumes = _rows(done.stdout, "short texts"), _rows(done.stdout, "résumés")
    assert len(short) == 2 and len(resumes) == 4
    assert all(float(row[2]) > 0 and row[3].endswith("×") for row in short + resumes)
    share = re.search(r"\((\d+)% of its wall time in model calls\)", resumes[2][1])
    assert share and 0 < int(share.group(1)) <= 100
