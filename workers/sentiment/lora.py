"""Low-rank adapters (LoRA) on a transformer's linear layers: trained small, shipped small, merged to run.

Training wraps each target ``nn.Linear`` in :class:`LoRALinear` (``W x + (alpha / r) · B A x``, ``W`` frozen), so
every layer is adapted while only ``A`` and ``B`` learn. The asset keeps ``A`` and ``B`` alone (a few hundred
kilobytes); loading adds ``(alpha / r) · B A`` into a copy of the encoder's weights (:func:`merge`), so inference
runs plain linear layers at the speed of the unadapted encoder, in torch and in an exported ONNX graph alike.
Written here rather than taken from ``peft``: the wrapper is twenty lines, and merging into our own layer copies
is all the runtime needs.
"""

from __future__ import annotations

import torch
from torch import nn

# Every linear map of a BERT layer: attention's query, key, value and output, and the feed-forward pair.
TARGETS = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense")
TARGETS += ("intermediate.dense", "output.dense")


class LoRALinear(nn.Module):
    """A frozen linear layer plus a trainable low-rank update; ``B`` starts at zero, so training starts at ``W``."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float) -> None:
        super().__init__()
        self.base = base.requires_grad_(False)
        self.scale = alpha / rank
        self.a = nn.Parameter(torch.empty(rank, base.in_features, device=base.weight.device))
        self.b = nn.Parameter(torch.zeros(base.out_features, rank, device=base.weight.device))
        nn.init.kaiming_uniform_(self.a, a=5**0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.a.T @ self.b.T) * self.scale


def wrap(layers: nn.ModuleList, rank: int, alpha: float) -> None:
    """Put a :class:`LoRALinear` around every target of every layer, in place."""
    for layer in layers:
        for target in TARGETS:
            parent_name, _, child = target.rpartition(".")
            parent = layer.get_submodule(parent_name)
            setattr(parent, child, LoRALinear(getattr(parent, child), rank, alpha))


def adapters(layers: nn.ModuleList) -> dict[str, torch.Tensor]:
    """The trained ``A`` and ``B`` of wrapped ``layers``, keyed ``{layer}.{target}.a|b``."""
    out = {}
    for i, layer in enumerate(layers):
        for target in TARGETS:
            module = layer.get_submodule(target)
            out[f"{i}.{target}.a"], out[f"{i}.{target}.b"] = module.a, module.b
    return out


@torch.no_grad()
def merge(layers: nn.ModuleList, tensors: dict[str, torch.Tensor], rank: int, alpha: float) -> None:
    """Add each saved adapter's ``(alpha / r) · B A`` into the plain linear layers of ``layers``, in place."""
    for i, layer in enumerate(layers):
        for target in TARGETS:
            linear = layer.get_submodule(target)
            delta = tensors[f"{i}.{target}.b"].float() @ tensors[f"{i}.{target}.a"].float()
            linear.weight += delta.to(linear.weight.device) * (alpha / rank)
