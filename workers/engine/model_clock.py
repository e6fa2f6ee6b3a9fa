"""Time this process spends inside model forward passes, so a benchmark can split a job's cost into model work and
the Python around it (``bench.parse_resumes``, ``bench.pipeline``). Two clock reads per forward pass: always on."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

_local = threading.local()
_lock = threading.Lock()


@dataclass
class ModelTime:
    """Process CPU seconds (every thread, torch's included) and wall seconds spent in model calls so far."""

    cpu_s: float = 0.0
    wall_s: float = 0.0


_total = ModelTime()


@contextmanager
def model_work() -> Iterator[None]:
    """Count the enclosed forward pass; nested model calls count once."""
    depth = getattr(_local, "depth", 0)
    _local.depth = depth + 1
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        yield
    finally:
        _local.depth = depth
        if depth == 0:
            with _lock:
                _total.cpu_s += time.process_time() - cpu
                _total.wall_s += time.perf_counter() - wall


def model_time() -> ModelTime:
    """A copy of the running totals: take one before and one after the work to measure."""
    with _lock:
        return ModelTime(_total.cpu_s, _total.wall_s)
