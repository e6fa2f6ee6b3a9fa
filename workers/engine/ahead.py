"""Model work one chunk ahead of the Python that reads it.

``ahead(fn, items, chunk)`` yields ``fn``'s results item by item while one background thread already runs ``fn``
on the next chunk. torch and ONNX Runtime release the GIL inside their kernels, so on a GPU worker the caller's
Python (a résumé's sections, rules and skills) runs while the next résumés' forward passes do. One thread, one
chunk ahead: results come in input order, and memory holds at most two chunks' outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def ahead(fn: Callable[[Sequence[T]], list[R]], items: Sequence[T], chunk: int) -> Iterator[R]:
    """``fn(items[i:i + chunk])`` for each chunk, in order, flattened; the next chunk's call runs while the
    caller consumes the current one."""
    chunks = [items[i : i + chunk] for i in range(0, len(items), chunk)]
    if not chunks:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="model-ahead") as pool:
        pending = pool.submit(fn, chunks[0])
        for following in chunks[1:]:
            current, pending = pending.result(), pool.submit(fn, following)
            yield from current
        yield from pending.result()
