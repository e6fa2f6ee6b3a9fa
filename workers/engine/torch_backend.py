"""The torch runtimes: ``fp32`` (fp16 autocast on CUDA) and ``bf16`` (bfloat16 autocast on any device).

On a CPU with AMX or AVX-512 BF16 (Intel Sapphire Rapids and later, AMD Zen 4 and later), oneDNN
runs bfloat16 matrix multiplications natively: measured 2.0-2.7x the fp32 rate at the same batches, one
thread, with embeddings at cosine 1.0000 to fp32 (docs/runtime.md). Elsewhere bfloat16 is emulated and slower
than fp32.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import numpy as np
import torch

from workers.engine.model_clock import model_work

log = logging.getLogger(__name__)
CPU_FLAGS = Path("/proc/cpuinfo")


def autocast_dtype_for(device: torch.device, runtime: str = "fp32") -> torch.dtype | None:
    """The autocast type of a torch runtime: bfloat16 for ``bf16``; for ``fp32``, half precision where the
    hardware gains from it (CUDA tensor cores) and none on the CPU."""
    if runtime == "bf16":
        if device.type == "cpu" and not native_cpu_bf16():
            _warn_emulated_bf16()
        return torch.bfloat16
    return torch.float16 if device.type == "cuda" else None


@cache
def _warn_emulated_bf16() -> None:
    """Once per process, however many models run under bf16."""
    log.warning("runtime bf16 on a CPU without AMX or AVX-512 BF16 is emulated: expect it slower than fp32")


def native_cpu_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (Linux's ``amx_bf16`` or ``avx512_bf16`` flag)."""
    try:
        flags = CPU_FLAGS.read_text()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


class TorchBackend:
    """The output of a torch module (in eval mode, on ``device``) under ``autocast_dtype`` (None: plain fp32)."""

    def __init__(
        self, module: torch.nn.Module, device: torch.device, autocast_dtype: torch.dtype | None = None
    ) -> None:
        self.module = module
        self.device = device
        self.autocast_dtype = autocast_dtype

    @torch.inference_mode()
    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        # Pinned host memory lets the copies to the GPU run asynchronously.
        pin = self.device.type == "cuda"
        ids = torch.from_numpy(input_ids)
        mask = torch.from_numpy(attention_mask)
        if pin:
            ids, mask = ids.pin_memory(), mask.pin_memory()
        ids, mask = ids.to(self.device, non_blocking=pin), mask.to(self.device, non_blocking=pin)
        with model_work(), autocast(self.device, self.autocast_dtype):
            out = self.module(ids, mask)
            return out.float().cpu().numpy()


def autocast(device: torch.device, dtype: torch.dtype | None) -> torch.autocast:
    """Autocast to ``dtype`` on ``device``; a no-op context when ``dtype`` is None."""
    return torch.autocast(device.type, dtype=dtype or torch.float32, enabled=dtype is not None)
