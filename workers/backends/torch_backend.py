"""The ``fp32`` runtime: the transformers model run by torch, under fp16 autocast on CUDA."""

from __future__ import annotations

import numpy as np
import torch


def autocast_dtype_for(device: torch.device) -> torch.dtype | None:
    """Half precision where the hardware gains from it (CUDA tensor cores); none on the CPU."""
    return torch.float16 if device.type == "cuda" else None


class TorchBackend:
    def __init__(self, model: torch.nn.Module, device: torch.device, autocast_dtype: torch.dtype | None = None) -> None:
        self.model = model
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
        dtype = self.autocast_dtype
        with torch.autocast(self.device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
            hidden = self.model(input_ids=ids, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).to(torch.float32)
        pooled = (hidden.float() * weights).sum(1) / weights.sum(1).clamp(min=1)
        return pooled.cpu().numpy()
