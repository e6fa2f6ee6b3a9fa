"""The model alone, laid out as a worker's pool is: ``processes`` fresh processes, each with the worker's threads.

On the CPU the layout decides the ceiling: one process with two threads leaves a core idle while Python
tokenizes and aggregates between forward passes, so two one-thread processes run the same model about
1.35× faster on two cores. A pipeline of N pool processes is therefore compared with the model in N
processes, not in one. Children are spawned (never forked from a parent holding models and thread pools),
load the models as a pool process does (``workers.registry.warm_up``), warm up, and start together.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Sequence

from config.settings import Settings

Texts = Sequence[str]
WorkFactory = Callable[[Settings, int], Callable[[Texts], object]]  # (settings, batch) -> the work on some texts


def run(work: WorkFactory, batch: int, warm: Texts, texts: Texts, processes: int) -> tuple[float, float]:
    """(wall seconds from the common start to the last process done, CPU seconds of all processes). ``work`` is
    pickled by reference (a module-level function, or a partial of one) and called in each child."""
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(processes + 1)
    results = ctx.Queue()
    children = [
        ctx.Process(target=_child, args=(work, batch, warm, texts[i::processes], start, results), daemon=True)
        for i in range(processes)
    ]
    for child in children:
        child.start()
    start.wait(timeout=600)
    started = time.perf_counter()
    done = [results.get(timeout=3600) for _ in children]
    for child in children:
        child.join()
    return max(end for end, _ in done) - started, sum(cpu for _, cpu in done)


def _child(work_factory: WorkFactory, batch: int, warm: Texts, texts: Texts, start: object, results: object) -> None:
    from config.settings import get_settings
    from workers import registry

    settings = get_settings()
    registry.warm_up(settings)
    work = work_factory(settings, batch)
    work(warm)
    start.wait(timeout=600)  # type: ignore[attr-defined]
    cpu = time.process_time()
    work(texts)
    results.put((time.perf_counter(), time.process_time() - cpu))  # type: ignore[attr-defined]
