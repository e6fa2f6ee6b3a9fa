"""Forward-pass batches formed by a token budget, as text-embeddings-inference forms them.

Sequences are sorted by length and packed while ``items × longest`` (the padded batch the model
really computes) stays within the budget. A fixed count of 32 or 64 pads every short sentence
to the batch's longest one: on the CPU, short texts ran 1.6× faster with a 256–512-token budget
than in length-sorted batches of 64 (docs/benchmarks.md). A GPU wants far larger batches, so the
default budget depends on the device.

Lengths are padded to a multiple of ``PAD_MULTIPLE`` (8), as ``pad_to_multiple_of`` does in transformers: with
every length its own shape, torch's oneDNN kernels cached one plan per shape and a bf16 worker's RSS grew
~55 % over 12,000 texts; with multiples of 8 it levels off (+3 % after the first 4,000) for ~3 % more tokens.

Batches are measured here, where they are formed: every batch is reported to the observers registered with
``on_batch`` (``tasks.app`` connects the workers' Prometheus metrics), so model code knows no metrics library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from transformers import PreTrainedTokenizerBase

CPU_BATCH_TOKENS = 512
CUDA_BATCH_TOKENS = 16384
MAX_BATCH_ITEMS = 256
PAD_MULTIPLE = 8

BatchObserver = Callable[[int, int], None]  # (items, padded tokens) of one forward-pass batch
_observers: list[BatchObserver] = []


def on_batch(observer: BatchObserver) -> None:
    """Call ``observer(items, padded_tokens)`` for every forward-pass batch this process forms."""
    if observer not in _observers:
        _observers.append(observer)


def default_batch_tokens(device: torch.device) -> int:
    return CUDA_BATCH_TOKENS if device.type == "cuda" else CPU_BATCH_TOKENS


@dataclass(frozen=True)
class TokenBatch:
    """Padded token ids of some sequences; ``indices`` says which, so callers write results back in order."""

    indices: list[int]
    input_ids: np.ndarray  # int64 (items, longest)
    attention_mask: np.ndarray  # int64 (items, longest), 1 for real tokens


def token_budget_batches(
    sequences: Sequence[Sequence[int]], max_tokens: int, pad_id: int = 0, max_items: int = MAX_BATCH_ITEMS
) -> Iterator[TokenBatch]:
    """``sequences`` (token ids with their special tokens) shortest first, packed while items × longest ≤
    ``max_tokens`` and items ≤ ``max_items``; a sequence longer than the budget forms a batch alone."""
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
    batch: list[int] = []
    for i in order:
        if batch and (_padded(len(sequences[i])) * (len(batch) + 1) > max_tokens or len(batch) == max_items):
            yield _pad(sequences, batch, pad_id)
            batch = []
        batch.append(i)
    if batch:
        yield _pad(sequences, batch, pad_id)


def _pad(sequences: Sequence[Sequence[int]], indices: list[int], pad_id: int) -> TokenBatch:
    longest = _padded(max(len(sequences[i]) for i in indices))
    input_ids = np.full((len(indices), longest), pad_id, dtype=np.int64)
    attention_mask = np.zeros((len(indices), longest), dtype=np.int64)
    for row, i in enumerate(indices):
        input_ids[row, : len(sequences[i])] = sequences[i]
        attention_mask[row, : len(sequences[i])] = 1
    for observer in _observers:
        observer(len(indices), input_ids.size)
    return TokenBatch(indices, input_ids, attention_mask)


def _padded(length: int) -> int:
    """``length`` rounded up to a multiple of ``PAD_MULTIPLE``."""
    return -(-length // PAD_MULTIPLE) * PAD_MULTIPLE


def tokenized_batches(
    tokenizer: PreTrainedTokenizerBase, texts: Sequence[str], max_length: int, max_tokens: int
) -> Iterator[TokenBatch]:
    """``texts`` tokenized once (special tokens in, cut at ``max_length``) and packed by ``token_budget_batches``."""
    if not texts:  # tokenizers refuse an empty batch
        return iter(())
    ids = tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]
    return token_budget_batches(ids, max_tokens, pad_id(tokenizer))


def pad_id(tokenizer: PreTrainedTokenizerBase) -> int:
    return tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
