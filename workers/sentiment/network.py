"""The bundled sentiment network: the shared encoder's embeddings, adapted transformer layers and a head.

Two asset formats, told apart by the file's metadata: ``lora`` (the bundled one,
``workers/assets/sentiment_lora.safetensors``, fp16): low-rank adapters on every layer (``workers.sentiment.lora``),
merged at load into copies of the encoder's layers; ``layers``: the top ``trained_layers`` layers themselves. Either
way the embeddings (and any untrained lower layers) are the shared ``Encoder``'s own modules, referenced, not copied.

One forward pass reads a sentence twice: its logit and its theme vector (``workers.sentiment.themes``), the pooled
state through a linear map fitted to the encoder's sentence embeddings (``training.theme_map``), so themes need
no second encoder pass.

It runs through the engine's one switch (``workers.engine.backends.load_backend``) under the encoder's
runtime: in torch on the shared modules, or, under ``onnx`` and ``onnx-int8``, the whole network (shared
layers, trained top, head and theme map) exported as one graph and run by ONNX Runtime; the torch model is then never
loaded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from safetensors.torch import load_file, safe_open, save_file
from torch import nn
from transformers import AutoModel, PreTrainedModel, PreTrainedTokenizerBase

from workers import ASSETS_DIR
from workers.engine.backends import Backend, ModelSpec, load_backend, source_fingerprint
from workers.engine.batching import CPU_BATCH_TOKENS, tokenized_batches
from workers.engine.encoder import Encoder
from workers.engine.torch_backend import TorchBackend
from workers.sentiment import lora

BUNDLED_HEAD = ASSETS_DIR / "sentiment_lora.safetensors"
MAX_TOKENS = 128  # a sentence's cut at inference


@dataclass(frozen=True)
class Adapter:
    """How a saved network differs from its encoder: ``lora`` adapters on the top ``trained_layers`` (all of them
    in the bundled asset) or those ``layers`` outright."""

    kind: Literal["lora", "layers"] = "lora"
    trained_layers: int = 6
    rank: int = 8
    alpha: float = 16.0


class SentimentNet(nn.Module):
    """Mean-pooled BERT with the top ``trained_layers`` copied (then trained or adapted), a one-logit head, a
    temperature and a theme map.

    ``sigmoid(logit / temperature)`` is the calibrated probability that a text is positive; the theme map takes the
    pooled state to the encoder's embedding space (identity until fitted: exact for unadapted layers).
    """

    def __init__(
        self,
        base: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        encoder_name: str,
        trained_layers: int,
        temperature: float = 1.0,
        autocast_dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        self.autocast_dtype = autocast_dtype  # inference under the encoder's runtime (bf16, fp16 on CUDA)
        config = base.config
        layers = base.encoder.layer
        self.first_trained = len(layers) - trained_layers
        self.encoder_name = encoder_name
        self.tokenizer = tokenizer
        self.top = nn.ModuleList(
            type(layers[i])(config, layer_idx=i) for i in range(self.first_trained, len(layers))
        ).to(base.device)
        for layer, source in zip(self.top, layers[self.first_trained :], strict=True):
            layer.load_state_dict(source.state_dict())
        self.head = nn.Sequential(nn.Dropout(config.hidden_dropout_prob), nn.Linear(config.hidden_size, 1))
        self.head.to(base.device)
        self.theme_map = nn.Linear(config.hidden_size, config.hidden_size).to(base.device)
        with torch.no_grad():
            self.theme_map.weight.copy_(torch.eye(config.hidden_size))
            self.theme_map.bias.zero_()
        self.temperature = temperature
        # A BERT shell on the meta device (no memory) whose parts are the shared modules and our top.
        with torch.device("meta"):
            self.body = AutoModel.from_config(config, add_pooling_layer=False)
        self.body.embeddings = base.embeddings
        self.body.encoder.layer = nn.ModuleList([*layers[: self.first_trained], *self.top])
        self.eval()

    @classmethod
    def on(cls, encoder: Encoder, trained_layers: int, temperature: float = 1.0) -> SentimentNet:
        """A network sharing ``encoder``'s fp32 embeddings and lower layers, run under its autocast type."""
        return cls(
            encoder.model, encoder.tokenizer, encoder.info.name, trained_layers, temperature, encoder.autocast_dtype
        )

    @property
    def device(self) -> torch.device:
        return self.head[1].weight.device

    def frozen_modules(self) -> list[nn.Module]:
        """The shared encoder's parts: never trained, never in train mode."""
        return [self.body.embeddings, *self.body.encoder.layer[: self.first_trained]]

    def tokenize(self, texts: list[str], max_tokens: int) -> dict[str, torch.Tensor]:
        batch = self.tokenizer(texts, truncation=True, max_length=max_tokens, padding=True, return_tensors="pt")
        return {k: v.to(self.device) for k, v in batch.items()}

    def pooled(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **extra: torch.Tensor) -> torch.Tensor:
        """Mean of the last hidden states over the real tokens, one row per text."""
        hidden = self.body(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)

    def logit(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **extra: torch.Tensor) -> torch.Tensor:
        """Uncalibrated logit of "positive", one per row (what training optimises)."""
        return self.head(self.pooled(input_ids, attention_mask, **extra)).squeeze(-1)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """What every backend returns, one row per text: the uncalibrated logit, then the unit theme vector."""
        pooled = self.pooled(input_ids, attention_mask)
        theme = nn.functional.normalize(self.theme_map(pooled), dim=-1)
        return torch.cat([self.head(pooled), theme], dim=-1)

    def logits(
        self, texts: list[str], max_tokens: int = MAX_TOKENS, batch_tokens: int = CPU_BATCH_TOKENS
    ) -> np.ndarray:
        """Uncalibrated logits, one per text, in token-budget batches (``workers.engine.batching``)."""
        backend = TorchBackend(self, self.device, self.autocast_dtype)
        return batched_readings(backend, self.tokenizer, texts, max_tokens, batch_tokens)[:, 0]

    def save(self, path: Path, adapter: Adapter, extra_metadata: dict[str, object]) -> None:
        """Write the adapters (or the top layers), head and theme map in fp16, with what rebuilds them in the
        metadata."""
        if adapter.kind == "lora":
            tensors = {f"lora.{k}": v for k, v in lora.adapters(self.top).items()}
        else:
            tensors = {f"top.{k}": v for k, v in self.top.state_dict().items()}
        tensors |= {f"head.{k}": v for k, v in self.head.state_dict().items()}
        tensors |= {f"theme_map.{k}": v for k, v in self.theme_map.state_dict().items()}
        metadata = {
            "encoder": self.encoder_name,
            "adapter": json.dumps(asdict(adapter)),
            "temperature": repr(self.temperature),
            "extra": json.dumps(extra_metadata, sort_keys=True),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        save_file({k: v.detach().half().contiguous().cpu() for k, v in tensors.items()}, str(path), metadata)
        path.chmod(0o644)  # safetensors writes 0600; the asset is package data every worker user must read

    @classmethod
    def load(cls, encoder: Encoder, path: Path = BUNDLED_HEAD) -> SentimentNet:
        """Rebuild the network on top of ``encoder``, which must be the encoder it was trained on."""
        adapter, temperature = _read_metadata(path, encoder.info.name)
        return cls.on(encoder, adapter.trained_layers, temperature)._load_weights(path, adapter)

    def _load_weights(self, path: Path, adapter: Adapter) -> SentimentNet:
        tensors = {k: v.float() for k, v in load_file(str(path), device=str(self.device)).items()}
        if adapter.kind == "lora":
            adapters = {k[5:]: v for k, v in tensors.items() if k.startswith("lora.")}
            lora.merge(self.top, adapters, adapter.rank, adapter.alpha)
        else:
            self.top.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("top.")})
        self.head.load_state_dict({k[5:]: v for k, v in tensors.items() if k.startswith("head.")})
        self.theme_map.load_state_dict({k[10:]: v for k, v in tensors.items() if k.startswith("theme_map.")})
        return self.eval()


def _read_metadata(path: Path, encoder_name: str) -> tuple[Adapter, float]:
    """Adapter and temperature of a saved network; ValueError if it was trained on another encoder."""
    with safe_open(str(path), framework="pt") as f:
        metadata = f.metadata()
    if metadata["encoder"] != encoder_name:
        raise ValueError(
            f"{path.name} was trained on top of {metadata['encoder']}, not {encoder_name}; "
            "use the bundled encoder or configure a sentiment model directory"
        )
    return Adapter(**json.loads(metadata["adapter"])), float(metadata["temperature"])


def positive_probability(logits: np.ndarray, temperature: float) -> np.ndarray:
    """Calibrated P(positive) from uncalibrated logits."""
    return 1.0 / (1.0 + np.exp(-logits / temperature))


def batched_readings(
    backend: Backend, tokenizer: PreTrainedTokenizerBase, texts: list[str], max_tokens: int, batch_tokens: int
) -> np.ndarray:
    """One row per text from ``backend`` (logit, theme vector), in token-budget batches, in input order."""
    out: np.ndarray | None = None
    for batch in tokenized_batches(tokenizer, texts, max_tokens, batch_tokens):
        rows = backend(batch.input_ids, batch.attention_mask)
        if out is None:
            out = np.zeros((len(texts), rows.shape[1]), dtype=np.float32)
        out[batch.indices] = rows
    return out if out is not None else np.zeros((0, 1), dtype=np.float32)


def model_spec(encoder: Encoder, path: Path = BUNDLED_HEAD) -> ModelSpec:
    """The network for ``load_backend``: on the encoder's shared modules in torch; for ONNX, the whole network
    (encoder layers, trained top, head) rebuilt from the files as one graph."""
    adapter, temperature = _read_metadata(path, encoder.info.name)

    def export_module() -> nn.Module:
        base = AutoModel.from_pretrained(encoder.source, attn_implementation="eager").eval()
        net = SentimentNet(base, encoder.tokenizer, encoder.info.name, adapter.trained_layers, temperature)
        return net._load_weights(path, adapter)  # forward(input_ids, attention_mask) -> logit and theme vector

    return ModelSpec(
        name=f"talentq-sentiment-{path.stem}",
        identity="|".join([source_fingerprint(encoder.source), hashlib.sha256(path.read_bytes()).hexdigest()]),
        source=encoder.source,
        torch_module=lambda: SentimentNet.load(encoder, path),
        export_module=export_module,
        output="reading",
        output_axes={0: "batch"},
    )


class BundledSentiment:
    """The bundled network under the encoder's runtime: calibrated P(positive) and theme vector per text, from
    one pass."""

    def __init__(self, encoder: Encoder, path: Path = BUNDLED_HEAD) -> None:
        _, self.temperature = _read_metadata(path, encoder.info.name)
        self.tokenizer = encoder.tokenizer
        self.backend = load_backend(
            model_spec(encoder, path), encoder.runtime, encoder.device, cache_dir=encoder.cache_dir
        )

    def read(self, texts: list[str], batch_tokens: int = CPU_BATCH_TOKENS) -> tuple[np.ndarray, np.ndarray]:
        """P(positive) per text and its unit theme vector (a row each)."""
        readings = batched_readings(self.backend, self.tokenizer, texts, MAX_TOKENS, batch_tokens)
        return positive_probability(readings[:, 0], self.temperature), readings[:, 1:]

    def theme_vectors(self, texts: list[str]) -> np.ndarray:
        """Unit theme vectors alone (the theme descriptions', once)."""
        return self.read(texts)[1]
