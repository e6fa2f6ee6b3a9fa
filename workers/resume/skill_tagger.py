"""Which tokens of a résumé are part of a skill: a small BiLSTM over the bundled encoder's token embeddings.

The skill-candidate scorer (``skill_scorer.py``) judges a candidate by its line and section; what the words
around it say is beyond its features. This tagger reads the whole résumé, token by token: the encoder's input
embedding of each word piece (what the word is) and its shape (capitals, punctuation, the gap before it: how the
line is laid out), through a bidirectional LSTM, to the probability that the token lies inside a labelled skill.
The scorer then sees, per candidate, how sure the tagger is of its tokens and of the tokens just outside it (a
candidate inside a longer skill, "marketing" of "marketing techniques", has a neighbour the tagger marks).

It costs no encoder pass: the input embeddings are a table lookup, and the LSTM is small (0.15 M weights): about
10 ms per résumé of 1,100 tokens on one CPU core (tokens and shapes 4 ms, the LSTM 6 ms). The encoder's contextual
states tagged a little better when tried during development (token ROC AUC 0.937 against 0.931, 5-fold by
document) but would cost a full encoder pass over every résumé, several times the whole parse.

The weights come from ``training/skill_tagger.py`` and ship in ``assets/skill_tagger.safetensors``; they belong to
the bundled encoder's vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from workers import ASSETS_DIR
from workers.engine.encoder import bundled_model_dir
from workers.engine.model_clock import model_work
from workers.engine.one_thread import one_thread
from workers.resume.token_shapes import SHAPES, token_shapes

TAGGER_PATH = ASSETS_DIR / "skill_tagger.safetensors"
SPAN_FEATURES = ("tagger_mean", "tagger_max", "tagger_min", "tagger_before", "tagger_after")
PROJECTION, HIDDEN, DROPOUT = 128, 64, 0.2
MAX_TAGGED_CHARS = 100_000  # bounds time and memory on huge texts; the longest labelled résumé has 63,241


class TaggerNet(nn.Module):
    """Token inputs → projection → BiLSTM → one logit per token."""

    def __init__(self, inputs: int) -> None:
        super().__init__()
        self.drop = nn.Dropout(DROPOUT)
        self.project = nn.Linear(inputs, PROJECTION)
        self.lstm = nn.LSTM(PROJECTION, HIDDEN, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * HIDDEN, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden, _ = self.lstm(torch.relu(self.project(self.drop(x))))
        return self.out(self.drop(hidden)).squeeze(-1)


@dataclass(frozen=True)
class TokenInputs:
    """A text's word pieces (of its first ``tagged_chars`` characters): their character spans and input rows."""

    starts: np.ndarray
    ends: np.ndarray
    x: torch.Tensor
    tagged_chars: int


@dataclass(frozen=True)
class TokenProbabilities:
    starts: np.ndarray
    ends: np.ndarray
    probs: np.ndarray
    tagged_chars: int

    def span_features(self, spans: list[tuple[int, int]]) -> np.ndarray:
        """One row of ``SPAN_FEATURES`` per character span: the tokens inside it, and the one before and after.
        A span past the tagged characters has a row of NaN: no evidence either way."""
        rows = np.zeros((len(spans), len(SPAN_FEATURES)), dtype=np.float32)
        n = len(self.probs)
        for row, (start, end) in zip(rows, spans, strict=True):
            if end > self.tagged_chars:
                row[:] = np.nan
                continue
            first = int(np.searchsorted(self.ends, start, side="right"))
            stop = int(np.searchsorted(self.starts, end, side="left"))
            inside = self.probs[first:stop] if stop > first else np.zeros(1, dtype=np.float32)
            before = self.probs[first - 1] if first > 0 else 0.0
            after = self.probs[stop] if stop < n else 0.0
            row[:] = (inside.mean(), inside.max(), inside.min(), before, after)
        return rows


class TokenFeaturizer:
    """Text → ``TokenInputs`` with the bundled encoder's tokenizer and input-embedding table (read from its
    weights file, so the transformer itself need not be loaded)."""

    def __init__(self, model_dir: Path | None = None) -> None:
        model_dir = model_dir or bundled_model_dir()
        self.tokenizer: PreTrainedTokenizerBase = AutoTokenizer.from_pretrained(model_dir)
        with safe_open(str(model_dir / "model.safetensors"), "pt") as weights:
            self.embeddings = weights.get_tensor("embeddings.word_embeddings.weight").float()

    @property
    def inputs(self) -> int:
        return self.embeddings.shape[1] + len(SHAPES)

    def __call__(self, text: str) -> TokenInputs:
        tagged = text[:MAX_TAGGED_CHARS]
        encoded = self.tokenizer(tagged, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        offsets = np.asarray(encoded["offset_mapping"], dtype=np.int64).reshape(-1, 2)
        shapes = token_shapes(text, offsets, lone_break_is_wide=False)
        ids = torch.as_tensor(encoded["input_ids"], dtype=torch.long)
        x = torch.cat([self.embeddings[ids], torch.from_numpy(shapes)], dim=1)
        return TokenInputs(offsets[:, 0], offsets[:, 1], x, len(tagged))


class SkillTagger:
    """A trained ``TaggerNet`` with its featurizer."""

    def __init__(self, net: TaggerNet, featurizer: TokenFeaturizer) -> None:
        self.net = net.eval()
        self.featurizer = featurizer

    def probabilities(self, text: str) -> TokenProbabilities:
        return self.probabilities_of(self.featurizer(text))

    def probabilities_of(self, inputs: TokenInputs) -> TokenProbabilities:
        if len(inputs.starts) == 0:
            return TokenProbabilities(inputs.starts, inputs.ends, np.zeros(0, dtype=np.float32), inputs.tagged_chars)
        with torch.inference_mode(), model_work(), one_thread():
            probs = torch.sigmoid(self.net(inputs.x[None]))[0].numpy()
        return TokenProbabilities(inputs.starts, inputs.ends, probs, inputs.tagged_chars)

    def save(self, path: Path) -> None:
        save_file({k: v.contiguous() for k, v in self.net.state_dict().items()}, str(path))
        path.chmod(0o644)  # safetensors writes 0600; the asset is package data every worker user must read

    @classmethod
    def load(cls, path: Path = TAGGER_PATH, featurizer: TokenFeaturizer | None = None) -> SkillTagger:
        featurizer = featurizer or bundled_featurizer()
        net = TaggerNet(featurizer.inputs)
        net.load_state_dict(load_file(str(path)))
        return cls(net, featurizer)


@lru_cache(maxsize=1)
def bundled_featurizer() -> TokenFeaturizer:
    return TokenFeaturizer()
