"""The one backend switch: every model (the encoder, the sentiment network, the résumé entity model) runs
through ``load_backend(spec, runtime, device)``.

A ``ModelSpec`` says how to build the model's torch module, how to build the module to export to ONNX, and
what its graph returns; a backend takes one padded batch of token ids and returns that output as numpy.
Tokenization, chunking, batching and post-processing stay with each model, so every backend sees exactly
the same batches.

=============  ==========================================================  ==========
runtime        what runs                                                   device
=============  ==========================================================  ==========
``fp32``       the transformers model in torch (fp16 autocast on CUDA)     CPU, CUDA
``bf16``       the same under bfloat16 autocast (AMX / AVX-512 BF16 CPUs)  CPU, CUDA
``onnx``       ONNX Runtime, fp32, BERT fusions (attention, GELU, LN)       CPU
``onnx-int8``  ``onnx`` with int8 weights (dynamic, per-channel) on every   CPU
               projection except the FFN outputs
=============  ==========================================================  ==========

``int8`` is an alias of ``onnx-int8``, resolved once, in ``config.settings``. It used to be torch dynamic
int8 on every Linear, whose embeddings are only ~0.93 cosine to fp32; ``info.version`` names the runtime that
really runs, so vectors stored under the old ``@int8`` version are not mixed with the new ones.

The ONNX files are derived artifacts, built on first use into a cache directory
(see ``workers.engine.onnx_backend``). ``TALENTQ_RUNTIME`` reaches the model call as
``config.settings.Settings.runtime`` → ``workers.registry`` → ``Encoder(runtime=...)`` → ``load_backend``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, get_args

import numpy as np
import torch

from config.settings import Runtime
from workers.engine.torch_backend import TorchBackend, autocast_dtype_for

RUNTIMES: tuple[str, ...] = get_args(Runtime)
TORCH_RUNTIMES = frozenset({"fp32", "bf16"})
CPU_ONLY = frozenset({"onnx", "onnx-int8"})


@dataclass(frozen=True)
class ModelSpec:
    """A model any backend can run: ``forward(input_ids, attention_mask)`` returns the tensor named ``output``."""

    name: str  # readable part of its ONNX file's name
    identity: str  # what identifies its weights: in the ONNX cache key, so a changed model never meets a stale file
    source: str  # the transformers directory or hub name its config (heads, hidden size) comes from
    torch_module: Callable[[], torch.nn.Module]  # the module torch runs (it may share weights already loaded)
    export_module: Callable[[], torch.nn.Module]  # fp32 with eager attention: the graph ORT's BERT fusions recognise
    output: str
    output_axes: dict[int, str]


class Backend(Protocol):
    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """The model's output for one padded batch, float32 numpy."""
        ...


def source_fingerprint(source: str) -> str:
    """A local directory by its path and files (name, size, mtime); a hub name by itself."""
    path = Path(source)
    if not path.is_dir():
        return source
    files = sorted(p for p in path.iterdir() if p.is_file())
    return "|".join([str(path.resolve()), *(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)])


def check_runtime(runtime: str, device: torch.device) -> None:
    """ValueError for a runtime that does not exist or cannot run on ``device``."""
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown runtime {runtime!r}; choose one of {', '.join(RUNTIMES)}")
    if runtime in CPU_ONLY and device.type != "cpu":
        raise ValueError(f"runtime {runtime!r} runs on the CPU only; use fp32 on {device}")


def load_backend(
    spec: ModelSpec, runtime: str, device: torch.device, threads: int | None = None, cache_dir: Path | None = None
) -> Backend:
    """``spec`` under ``runtime``: torch for ``fp32`` and ``bf16`` (under their autocast type), ONNX Runtime with
    this process's ``threads`` otherwise (its file built into ``cache_dir``, default TALENTQ_CACHE_DIR)."""
    check_runtime(runtime, device)
    if runtime in TORCH_RUNTIMES:
        return TorchBackend(spec.torch_module(), device, autocast_dtype_for(device, runtime))
    from workers.engine.onnx_backend import OnnxBackend  # onnxruntime loads only where it runs

    return OnnxBackend(spec, runtime, threads or torch.get_num_threads(), cache_dir)
