"""Length-sorted batching: texts of similar length share a batch, so little of each forward pass is padding."""

from __future__ import annotations

from collections.abc import Iterator


def length_sorted_batches(texts: list[str], batch_size: int) -> Iterator[list[int]]:
    """Indices into ``texts``, shortest first, ``batch_size`` at a time; callers write results back by index."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]
