"""The bundled sentiment network: the shared encoder's lower layers plus fine-tuned top layers and a head.

Only the top layers and the head differ from the encoder, so only they are shipped
(``workers/assets/sentiment_top.safetensors``, fp16); the embeddings and lower layers
are the shared ``Encoder``'s own modules, referenced, not copied, so a worker holds
the encoder weights once.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, safe_open, save_file
from torch import nn
from transformers import AutoModel

from workers.batching import length_sorted_batches
from workers.encoder import Encoder

ASSETS_DIR = Path(__file__).parent / "assets"
BUNDLED_HEAD = ASSETS_DIR / "sentiment_top.safetensors"


class SentimentNet(nn.Module):
    """Mean-pooled BERT with the top ``trained_layers`` replaced, a one-logit head and a temperature.

    ``sigmoid(logit / temperature)`` is the calibrated probability that a text is positive.
    """

    def __init__(self, encoder: Encoder, trained_layers: int, temperature: float = 1.0) -> None:
        super().__init__()
        shared = encoder.model
        config = shared.config
        layers = shared.encoder.layer
        self.first_trained = len(layers) - trained_layers
        self.encoder_name = encoder.info.name
        self.tokenizer = encoder.tokenizer
        self.top = nn.ModuleList(
            type(layers[i])(config, layer_idx=i) for i in range(self.first_trained, len(layers))
        ).to(encoder.device)
        self.head = nn.Sequential(nn.Dropout(config.hidden_dropout_prob), nn.Linear(config.hidden_size, 1))
        self.head.to(encoder.device)
        self.temperature = temperature
        # A BERT shell on the meta device (no memory) whose parts are the shared modules and our top.
        with torch.device("meta"):
            self.body = AutoModel.from_config(config, add_pooling_layer=False)
        self.body.embeddings = shared.embeddings
        self.body.encoder.layer = nn.ModuleList([*layers[: self.first_trained], *self.top])
        self.eval()

    @property
    def device(self) -> torch.device:
        return self.head[1].weight.device

    def frozen_modules(self) -> list[nn.Module]:
        """The shared encoder's parts: never trained, never in train mode."""
        return [self.body.embeddings, *self.body.encoder.layer[: self.first_trained]]

    def tokenize(self, texts: list[str], max_tokens: int) -> dict[str, torch.Tensor]:
        batch = self.tokenizer(texts, truncation=True, max_length=max_tokens, padding=True, return_tensors="pt")
        return {k: v.to(self.device) for k, v in batch.items()}

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **extra: torch.Tensor) -> torch.Tensor:
        """Uncalibrated logit of "positive", one per row."""
        hidden = self.body(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
        return self.head(pooled).squeeze(-1)

    @torch.inference_mode()
    def logits(self, texts: list[str], max_tokens: int = 128, batch_size: int = 64) -> np.ndarray:
        """Uncalibrated logits, one per text."""
        out = np.zeros(len(texts), dtype=np.float32)
        for idx in length_sorted_batches(texts, batch_size):
            out[idx] = self(**self.tokenize([texts[i] for i in idx], max_tokens)).float().cpu().numpy()
        return out

    def positive_probability(self, texts: list[str], max_tokens: int = 128) -> np.ndarray:
        """Calibrated P(positive) per text."""
        return 1.0 / (1.0 + np.exp(-self.logits(texts, max_tokens) / self.temperature))

    def save(self, path: Path, extra_metadata: dict[str, object]) -> None:
        """Write the top layers and head in fp16, with what is needed to rebuild them in the metadata."""
        tensors = {f"top.{k}": v for k, v in self.top.state_dict().items()}
        tensors |= {f"head.{k}": v for k, v in self.head.state_dict().items()}
        metadata = {
            "encoder": self.encoder_name,
            "trained_layers": str(len(self.top)),
            "temperature": repr(self.temperature),
            "extra": json.dumps(extra_metadata, sort_keys=True),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        save_file({k: v.detach().half().contiguous().cpu() for k, v in tensors.items()}, str(path), metadata)
        path.chmod(0o644)  # safetensors writes 0600; the asset is package data every worker user must read

    @classmethod
    def load(cls, encoder: Encoder, path: Path = BUNDLED_HEAD) -> SentimentNet:
        """Rebuild the network on top of ``encoder``, which must be the encoder it was trained on."""
        with safe_open(str(path), framework="pt") as f:
            metadata = f.metadata()
        if metadata["encoder"] != encoder.info.name:
            raise ValueError(
                f"{path.name} was trained on top of {metadata['encoder']}, not {encoder.info.name}; "
                "use the bundled encoder or configure a sentiment model directory"
            )
        net = cls(encoder, int(metadata["trained_layers"]), float(metadata["temperature"]))
        tensors = {k: v.float() for k, v in load_file(str(path), device=str(net.device)).items()}
        net.top.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("top.")})
        net.head.load_state_dict({k[5:]: v for k, v in tensors.items() if k.startswith("head.")})
        return net.eval()
