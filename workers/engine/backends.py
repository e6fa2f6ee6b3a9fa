"""Encoder backends: the forward pass behind ``workers.engine.encoder.Encoder``.

A backend takes one padded batch of token ids and returns the mean-pooled last hidden
states. Tokenization, chunking, batching and normalisation stay in the encoder, so
every backend embeds exactly the same windows.

=============  ==========================================================  ==========
runtime        what runs                                                   device
=============  ==========================================================  ==========
``fp32``       the transformers model in torch (fp16 autocast on CUDA)     CPU, CUDA
``bf16``       the same under bfloat16 autocast (AMX / AVX-512 BF16 CPUs)  CPU, CUDA
``onnx``       ONNX Runtime, fp32, BERT fusions (attention, GELU, LN)       CPU
``onnx-int8``  ``onnx`` with int8 weights (dynamic, per-channel) on every   CPU
               projection except the FFN outputs
=============  ==========================================================  ==========

``int8`` is an alias of ``onnx-int8``. It used to be torch dynamic int8 on every Linear, whose
embeddings are only ~0.93 cosine to fp32; ``info.version`` names the runtime that really
runs, so vectors stored under the old ``@int8`` version are not mixed with the new ones.

The ONNX files are derived artifacts, built on first use into a cache directory
(see ``workers.engine.onnx_backend``).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

RUNTIMES = ("fp32", "bf16", "onnx", "onnx-int8")
TORCH_RUNTIMES = frozenset({"fp32", "bf16"})
ALIASES = {"int8": "onnx-int8"}
CPU_ONLY = frozenset({"onnx", "onnx-int8"})


class Backend(Protocol):
    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """Mean-pooled last hidden states of a padded batch: float32 ``(batch, dim)``, not normalised."""
        ...


def mean_pool(hidden: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """Average of the hidden states of the real (unpadded) tokens."""
    mask = attention_mask[..., None].astype(hidden.dtype)
    return (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1.0)
