"""Token-budget batches: every sequence once, padded correctly, within the budget; results independent of it."""

from __future__ import annotations

import numpy as np
import torch

from workers.engine.batching import (
    CPU_BATCH_TOKENS,
    CUDA_BATCH_TOKENS,
    PAD_MULTIPLE,
    default_batch_tokens,
    on_batch,
    token_budget_batches,
)
from workers.engine.encoder import Encoder

SEQUENCES = [[101, *range(1, n), 102] for n in (3, 40, 7, 7, 120, 2, 15, 300, 9, 60, 33, 4)]


def test_batches_cover_every_sequence_once_within_the_budget() -> None:
    batches = list(token_budget_batches(SEQUENCES, max_tokens=128, pad_id=0, max_items=4))

    seen = sorted(i for batch in batches for i in batch.indices)
    assert seen == list(range(len(SEQUENCES)))
    for batch in batches:
        items, longest = batch.input_ids.shape
        assert items <= 4
        assert items * longest <= 128 or items == 1  # the 300-token sequence stands alone
        real = max(len(SEQUENCES[i]) for i in batch.indices)
        assert longest % PAD_MULTIPLE == 0 and real <= longest < real + PAD_MULTIPLE
    lengths = [len(SEQUENCES[i]) for batch in batches for i in batch.indices]
    assert lengths == sorted(lengths), "shortest first, so neighbours in a batch have similar lengths"


def test_padding_and_mask() -> None:
    """Padded to a multiple of 8: the model sees a few dozen shapes, so oneDNN's per-shape kernel cache stops
    growing (worker RSS) and kernels get aligned tiles."""
    (batch,) = token_budget_batches([[101, 5, 102], [101, 7, 8, 9, 102]], max_tokens=64, pad_id=0)

    assert batch.indices == [0, 1]
    assert batch.input_ids.dtype == np.int64 and batch.attention_mask.dtype == np.int64
    assert batch.input_ids.tolist() == [[101, 5, 102, 0, 0, 0, 0, 0], [101, 7, 8, 9, 102, 0, 0, 0]]
    assert batch.attention_mask.tolist() == [[1, 1, 1, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 0, 0, 0]]


def test_default_budget_follows_the_device() -> None:
    assert default_batch_tokens(torch.device("cpu")) == CPU_BATCH_TOKENS
    assert default_batch_tokens(torch.device("cuda")) == CUDA_BATCH_TOKENS


def test_embeddings_do_not_depend_on_the_budget() -> None:
    texts = ["short one", "a somewhat longer sentence about a data engineer in Berlin", "ok", "x " * 300]
    small = Encoder(device="cpu", batch_tokens=16).embed(texts)  # every text alone
    large = Encoder(device="cpu", batch_tokens=100_000).embed(texts)  # all windows in one batch

    np.testing.assert_allclose((small * large).sum(1), 1.0, atol=1e-5)


def test_every_batch_is_reported_where_it_is_formed() -> None:
    """The hook ``tasks.app`` connects to Prometheus: items and padded tokens of each forward-pass batch."""
    seen: list[tuple[int, int]] = []
    on_batch(lambda items, tokens: seen.append((items, tokens)))
    batches = list(token_budget_batches([[1] * 5, [1] * 9, [1] * 30], max_tokens=64))
    assert seen[-len(batches) :] == [(len(b.indices), b.input_ids.size) for b in batches]
