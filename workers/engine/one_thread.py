"""Small recurrent networks on one CPU thread.

An LSTM steps token by token through matrix products too small to share between threads: a second thread only adds
a hand-off to every step. Under ``OMP_WAIT_POLICY=PASSIVE``, which ``talentq worker`` sets, the waiting thread
sleeps and each hand-off wakes it: on a 2-core machine the skill tagger took 138 ms a résumé on two threads and
8 ms on one (``bench.parse_resumes`` shows the whole parse).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def one_thread() -> Iterator[None]:
    """Torch's CPU work inside runs on one thread; the process's thread count comes back after."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
