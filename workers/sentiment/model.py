"""Sentiment of HR texts (reviews, survey answers, feedback), sentence by sentence.

Every text is split into sentences (``workers.sentiment.sentences``) and all sentences of a call are
scored in one batched pass. Each sentence gets a calibrated P(positive); the text's
P(positive) is the **length-weighted mean** of its sentences' (weights = characters), so
a long complaint outweighs a short pleasantry and an HR reader can see which sentence
pulled the result down.

Labels come from that probability. The training data is binary, so **neutral is the
band 0.35 ≤ p ≤ 0.65**: probabilities this close to a coin flip mean the model sees no
clear polarity. Known limit: SST-2 (movie reviews, neutral phrases removed) never shows
the bundled model a factual sentence, so it is often confident on them: of 12 factual HR
sentences, 5 land in the band ("The office is on the third floor." 0.56) and the rest do
not ("The meeting is on Tuesday." 0.77, "The interview lasted forty minutes." 0.09). Where
neutral matters, configure a three-way model directory (its neutral class maps to 0.5).
``score`` is the probability of the label: p for positive, 1 − p for negative, and for
neutral 1 − |2p − 1| (1 at p = 0.5, 0.3 at the band's edges), so it falls as either
side becomes likely.

Backends: by default the bundled network (``workers.sentiment.network``) on top of the shared
encoder, under the encoder's runtime (torch for ``fp32``, ONNX Runtime for ``onnx`` and
``onnx-int8``); with ``model_dir``, any Hugging Face sequence-classification directory
(``workers.sentiment.hf``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
from pydantic import BaseModel, Field

from workers.engine.encoder import Encoder
from workers.sentiment.hf import HFSentimentScorer
from workers.sentiment.network import BUNDLED_HEAD, BundledSentiment
from workers.sentiment.sentences import split_sentences

Label = Literal["negative", "neutral", "positive"]
NEUTRAL_BAND = (0.35, 0.65)
WARM_UP_TOKENS = 128  # the shortest cut a scorer makes (the bundled network's); HF models cut at 256 or more


class SentenceSentiment(BaseModel):
    start: int = Field(description="offset of the sentence's first character in the text")
    end: int = Field(description="offset just past its last character")
    label: Label
    score: float = Field(description="probability of the label")
    positive_probability: float


class SentimentResult(BaseModel):
    label: Label
    score: float = Field(description="probability of the label")
    positive_probability: float = Field(description="length-weighted mean of the sentences' P(positive)")
    sentences: list[SentenceSentiment]


class Scorer(Protocol):
    def positive_probability(self, texts: list[str], batch_tokens: int) -> np.ndarray: ...


def label_for(positive_probability: float) -> tuple[Label, float]:
    """The label of a calibrated P(positive) and its score (see the module docstring)."""
    p = float(positive_probability)
    low, high = NEUTRAL_BAND
    if p > high:
        return "positive", p
    if p < low:
        return "negative", 1.0 - p
    return "neutral", 1.0 - abs(2.0 * p - 1.0)


class SentimentModel:
    """Per-sentence and per-text sentiment; knows nothing of queues or storage."""

    def __init__(self, encoder: Encoder, model_dir: str | None = None) -> None:
        self.encoder = encoder
        self._scorer: Scorer
        if model_dir is None:
            self._scorer = BundledSentiment(encoder)
            self.name = "talentq-sentiment"
            self.version = f"{self.name}@{_digest([BUNDLED_HEAD])}+{encoder.info.version}"
        else:
            self._scorer = HFSentimentScorer(model_dir, encoder.device, encoder.max_tokens)
            self.name = f"hf:{Path(model_dir).resolve().name}"
            self.version = f"{self.name}@{_digest(sorted(f for f in Path(model_dir).iterdir() if f.is_file()))}"

    def warm_up(self) -> None:
        """Full batches of texts at the scorer's token limit: the largest shape it forms (the batch token budget,
        with the longest sequences), so a worker holds its steady-state memory and has paid its one-time kernel
        set-up before the first job: its RSS then stays flat (docs/benchmarks.md) instead of climbing with the
        first long batches."""
        budget = self.encoder.batch_tokens
        self._scorer.positive_probability(["word " * 512] * max(1, budget // WARM_UP_TOKENS), batch_tokens=budget)

    def analyze(self, texts: list[str]) -> list[SentimentResult]:
        """One result per text. Raises ValueError naming the first empty or blank text."""
        for i, text in enumerate(texts):
            if not text.strip():
                raise ValueError(f"text {i} is empty or whitespace: there is no sentiment to analyse")
        spans = [split_sentences(text) for text in texts]
        sentences = [
            text[start:end] for text, text_spans in zip(texts, spans, strict=True) for start, end in text_spans
        ]
        probabilities = iter(
            self._scorer.positive_probability(sentences, batch_tokens=self.encoder.batch_tokens).tolist()
        )
        return [_aggregate([(start, end, next(probabilities)) for start, end in text_spans]) for text_spans in spans]


def _digest(files: list[Path]) -> str:
    """Short content hash: results of a retrained or replaced model get a new version (read once per process)."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def _sentence(start: int, end: int, p: float) -> SentenceSentiment:
    label, score = label_for(p)
    return SentenceSentiment(start=start, end=end, label=label, score=score, positive_probability=p)


def _aggregate(scored: list[tuple[int, int, float]]) -> SentimentResult:
    sentences = [_sentence(*s) for s in scored]
    weights = np.array([end - start for start, end, _ in scored], dtype=np.float64)
    p = float(np.average([p for _, _, p in scored], weights=weights))
    label, score = label_for(p)
    return SentimentResult(label=label, score=score, positive_probability=p, sentences=sentences)
