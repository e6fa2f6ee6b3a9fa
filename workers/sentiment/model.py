"""Sentiment of HR texts (reviews, survey answers, feedback), sentence by sentence, with themes.

Every text is split into sentences (``workers.sentiment.sentences``) and all sentences of a call are scored in
one batched pass: a calibrated P(positive) and a theme vector each, from the bundled network
(``workers.sentiment.network``, under the encoder's runtime), or P(positive) from any Hugging Face classifier
directory (``workers.sentiment.hf``), whose sentences' theme vectors then take one pass of the shared encoder.

What the fields mean (``SentimentResult``, stored in ``sentiment_results.detail``; ``label`` and ``score`` also as
columns):

- ``positive_probability`` (p): the calibrated probability that the text's opinion is positive. For a sentence,
  the network's; a sentence that voices no opinion (``workers.sentiment.opinion``: no opinion word, network not
  near-certain) is pulled towards 0.5 (``0.5 + (p − 0.5) / 4``), so it is always neutral. For a text, the
  length-weighted mean over its opinion sentences (over all of them when none voices an opinion), so a long
  complaint outweighs a short pleasantry and a factual sentence beside an opinion does not dilute it. A negated
  complaint ("no complaints") counts as positive, at least ``NEGATED_COMPLAINT_P``.
- ``label``: ``positive`` when p > 0.65, ``negative`` when p < 0.35, ``neutral`` in between (the binary training
  data has no neutral class: a coin flip means no clear polarity), and ``mixed`` when the text has both a positive
  and a negative opinion sentence; ``mixed`` then lists both in ``detail.mixed``.
- ``score``: how confident the reading is of the text's leaning, ``max(p, 1 − p)``, for every label: the
  probability of the label for positive and negative, at most 0.65 for neutral (low, by design), and for mixed
  the leaning of the whole.

``detail.themes`` holds one entry per theme (``workers.sentiment.themes``) with the sentences that raise it and
their aggregate, computed as for a text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from workers.engine.encoder import Encoder
from workers.sentiment.hf import HFSentimentScorer
from workers.sentiment.network import BUNDLED_HEAD, BundledSentiment
from workers.sentiment.opinion import is_opinion, negated_complaint
from workers.sentiment.sentences import split_sentences
from workers.sentiment.themes import BUNDLED_THEMES, ThemeTagger

Label = Literal["negative", "neutral", "positive", "mixed"]
NEUTRAL_BAND = (0.35, 0.65)
NEGATED_COMPLAINT_P = 0.8
LOGIC_VERSION = "2"  # of the rules around the network (opinion, mixed, themes): bumped, stored rows re-score
WARM_UP_TOKENS = 128  # the shortest cut a scorer makes (the bundled network's); HF models cut at 256 or more


class SentenceSentiment(BaseModel):
    start: int = Field(description="offset of the sentence's first character in the text")
    end: int = Field(description="offset just past its last character")
    label: Label
    score: float = Field(description="max(p, 1 − p): confidence of the leaning")
    positive_probability: float
    opinion: bool = Field(description="whether the sentence voices an opinion")
    themes: list[str] = Field(default_factory=list, description="themes it raises, the closest first")


class Mixed(BaseModel):
    positive: list[int] = Field(description="indexes of the positive sentences")
    negative: list[int] = Field(description="indexes of the negative sentences")


class ThemeSentiment(BaseModel):
    theme: str
    label: Label
    score: float
    positive_probability: float
    sentences: list[int] = Field(description="indexes of the sentences that raise the theme")


class SentimentResult(BaseModel):
    label: Label
    score: float = Field(description="max(p, 1 − p): confidence of the leaning (module docstring)")
    positive_probability: float = Field(description="length-weighted mean of the opinion sentences' P(positive)")
    sentences: list[SentenceSentiment]
    mixed: Mixed | None = None
    themes: list[ThemeSentiment] = Field(default_factory=list)


# P(positive) per text and its unit theme vector (None when there are no themes to tag).
Reader = Callable[[list[str], int], tuple[np.ndarray, np.ndarray | None]]


def label_for(positive_probability: float) -> tuple[Label, float]:
    """The label of a calibrated P(positive) and its score, ``max(p, 1 − p)`` (see the module docstring)."""
    p = float(positive_probability)
    low, high = NEUTRAL_BAND
    label: Label = "positive" if p > high else "negative" if p < low else "neutral"
    return label, max(p, 1.0 - p)


class SentimentModel:
    """Per-sentence and per-text sentiment; knows nothing of queues or storage."""

    def __init__(self, encoder: Encoder, model_dir: str | None = None, themes_file: Path | None = None) -> None:
        self.encoder = encoder
        self._read: Reader
        if model_dir is None:
            bundled = BundledSentiment(encoder)
            self._read = bundled.read
            self.themes = ThemeTagger(bundled.theme_vectors, themes_file or BUNDLED_THEMES)
            self.name = "talentq-sentiment"
            self.version = f"{self.name}@{_digest([BUNDLED_HEAD])}+{self._rules()}+{encoder.info.version}"
        else:
            self._read = self._classifier_reader(HFSentimentScorer(model_dir, encoder.device, encoder.max_tokens))
            self.themes = ThemeTagger(encoder.embed, themes_file or BUNDLED_THEMES)
            self.name = f"hf:{Path(model_dir).resolve().name}"
            files = sorted(f for f in Path(model_dir).iterdir() if f.is_file())
            self.version = f"{self.name}@{_digest(files)}+{self._rules()}"

    def _rules(self) -> str:
        return f"rules-{LOGIC_VERSION}+themes-{self.themes.themes.digest}"

    def _classifier_reader(self, scorer: HFSentimentScorer) -> Reader:
        """A replacement classifier has no theme map: its sentences' theme vectors are the shared encoder's."""

        def read(texts: list[str], batch_tokens: int) -> tuple[np.ndarray, np.ndarray | None]:
            vectors = self.encoder.embed(texts) if self.themes.active else None
            return scorer.positive_probability(texts, batch_tokens), vectors

        return read

    def warm_up(self) -> None:
        """Full batches of texts at the scorer's token limit: the largest shape it forms (the batch token budget,
        with the longest sequences), so a worker holds its steady-state memory and has paid its one-time kernel
        set-up before the first job: its RSS then stays flat (docs/benchmarks.md) instead of climbing with the
        first long batches."""
        budget = self.encoder.batch_tokens
        self._read(["word " * 512] * max(1, budget // WARM_UP_TOKENS), budget)

    def analyze(self, texts: list[str]) -> list[SentimentResult]:
        """One result per text. Raises ValueError naming the first empty or blank text."""
        for i, text in enumerate(texts):
            if not text.strip():
                raise ValueError(f"text {i} is empty or whitespace: there is no sentiment to analyse")
        if not texts:
            return []
        spans = [split_sentences(text) for text in texts]
        sentences = [
            text[start:end] for text, text_spans in zip(texts, spans, strict=True) for start, end in text_spans
        ]
        p, vectors = self._read(sentences, self.encoder.batch_tokens)
        probabilities = iter(p.tolist())
        themes = iter(self.themes.tag(vectors, len(sentences)))
        sentence_texts = iter(sentences)
        return [
            _text_result(
                [
                    _sentence(start, end, next(sentence_texts), next(probabilities), next(themes))
                    for start, end in text_spans
                ]
            )
            for text_spans in spans
        ]


def _digest(files: list[Path]) -> str:
    """Short content hash: results of a retrained or replaced model get a new version (read once per process)."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def _sentence(start: int, end: int, text: str, p: float, themes: list[str]) -> SentenceSentiment:
    """A sentence's reading: negated complaints positive, sentences without an opinion pulled to neutral."""
    opinion = is_opinion(text, p)
    if negated_complaint(text):
        p = max(p, NEGATED_COMPLAINT_P)
    elif not opinion:
        p = 0.5 + (p - 0.5) / 4
    label, score = label_for(p)
    return SentenceSentiment(
        start=start, end=end, label=label, score=score, positive_probability=p, opinion=opinion, themes=themes
    )


def _aggregate(sentences: list[SentenceSentiment], indexes: list[int]) -> tuple[Label, float, float, Mixed | None]:
    """Label, score, P(positive) and the mixed parts of the sentences at ``indexes`` (module docstring)."""
    voiced = [i for i in indexes if sentences[i].opinion] or indexes
    weights = np.array([sentences[i].end - sentences[i].start for i in voiced], dtype=np.float64)
    p = float(np.average([sentences[i].positive_probability for i in voiced], weights=weights))
    label, score = label_for(p)
    sides = {side: [i for i in voiced if sentences[i].label == side] for side in ("positive", "negative")}
    if all(sides.values()):
        return "mixed", score, p, Mixed(**sides)
    return label, score, p, None


def _text_result(sentences: list[SentenceSentiment]) -> SentimentResult:
    label, score, p, mixed = _aggregate(sentences, list(range(len(sentences))))
    themes = []
    for theme in dict.fromkeys(t for s in sentences for t in s.themes):
        indexes = [i for i, s in enumerate(sentences) if theme in s.themes]
        t_label, t_score, t_p, _ = _aggregate(sentences, indexes)
        themes.append(
            ThemeSentiment(theme=theme, label=t_label, score=t_score, positive_probability=t_p, sentences=indexes)
        )
    return SentimentResult(
        label=label, score=score, positive_probability=p, sentences=sentences, mixed=mixed, themes=themes
    )
