"""Any Hugging Face sequence-classification directory as a sentiment scorer.

Models label their classes in many ways (POSITIVE/NEGATIVE, LABEL_0/1, "1 star"…"5 stars",
negative/neutral/positive). Each label gets a polarity on a 0–1 scale, and the scorer's
output is the expected polarity, ``sum(p_label * polarity)``: for a two-class model that
is exactly P(positive); for a three-way or star model it is the expected rating scaled to
0–1, so the same neutral band applies to every model.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from workers.engine.batching import CPU_BATCH_TOKENS, tokenized_batches

_NAMED = {"neg": 0.0, "bad": 0.0, "neu": 0.5, "pos": 1.0, "good": 1.0}
_INDEXED = re.compile(r"label_(\d+)")
_STARS = re.compile(r"(\d+)\s*stars?")


def label_polarities(id2label: dict[int, str]) -> np.ndarray:
    """Polarity (0 = negative … 1 = positive) of each class id, or ValueError for unknown label schemes."""
    n = len(id2label)
    if n < 2:
        raise ValueError("a sentiment model needs at least two labels")
    polarities = np.zeros(n, dtype=np.float32)
    for i in range(n):
        polarities[i] = _polarity(id2label[i].strip().lower(), n)
    return polarities


def _polarity(label: str, n: int) -> float:
    stars = _STARS.fullmatch(label)
    if stars:
        return (int(stars.group(1)) - 1) / (n - 1)
    indexed = _INDEXED.fullmatch(label)
    if indexed and n in (2, 3):  # the common conventions: neg/pos and neg/neu/pos (e.g. cardiffnlp)
        return int(indexed.group(1)) / (n - 1)
    for prefix, polarity in _NAMED.items():
        if label.startswith(prefix):
            return polarity
    raise ValueError(f"cannot map sentiment label {label!r} onto negative/neutral/positive")


class HFSentimentScorer:
    """Expected polarity of each text under a local sequence-classification model."""

    def __init__(self, model_dir: str | Path, device: torch.device, max_tokens: int = 256) -> None:
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        self.model = AutoModelForSequenceClassification.from_pretrained(model_dir).eval().to(device)
        self.polarities = torch.from_numpy(label_polarities(self.model.config.id2label)).to(device)
        self.max_tokens = min(max_tokens, self.tokenizer.model_max_length)
        self.device = device

    @torch.inference_mode()
    def positive_probability(self, texts: list[str], batch_tokens: int = CPU_BATCH_TOKENS) -> np.ndarray:
        """Expected polarity per text (P(positive) for two-class models)."""
        out = np.zeros(len(texts), dtype=np.float32)
        for batch in tokenized_batches(self.tokenizer, texts, self.max_tokens, batch_tokens):
            ids = torch.from_numpy(batch.input_ids).to(self.device)
            mask = torch.from_numpy(batch.attention_mask).to(self.device)
            probabilities = self.model(input_ids=ids, attention_mask=mask).logits.float().softmax(-1)
            out[batch.indices] = (probabilities @ self.polarities).cpu().numpy()
        return out
