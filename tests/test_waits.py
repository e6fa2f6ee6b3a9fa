"""The suite's waits follow progress: a slow command that keeps moving is waited for however long it takes;
one that stops moving is given up on after the stall window, not at a fixed wall time."""

from __future__ import annotations

import sys
import time

import pytest

from tests.support import run_while_progressing, wait_for

STALL_S = 3


def test_a_command_that_keeps_moving_outlasts_the_stall_window(tmp_path):
    ticking = "import time\nfor i in range(8):\n    print(i, flush=True)\n    time.sleep(1)"
    started = time.monotonic()
    done = run_while_progressing([sys.executable, "-c", ticking], tmp_path, STALL_S)
    assert done.returncode == 0 and done.stdout.split() == [str(i) for i in range(8)]
    assert time.monotonic() - started > STALL_S * 2  # a fixed wall time of STALL_S would have failed it


def test_a_command_that_stops_moving_is_stopped_after_the_stall_window(tmp_path):
    started = time.monotonic()
    with pytest.raises(AssertionError, match="nothing moved"):
        run_while_progressing([sys.executable, "-c", "import time; time.sleep(600)"], tmp_path, STALL_S)
    assert time.monotonic() - started < 60


def test_a_wait_without_progress_keeps_its_fixed_timeout():
    with pytest.raises(AssertionError, match="timed out after 1s"):
        wait_for(lambda: False, 1, interval=0.1, what="never")
