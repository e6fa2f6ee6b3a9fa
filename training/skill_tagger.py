"""Train the skill tagger (``workers/resume/skill_tagger.py``): a token is positive if it lies inside a labelled skill.

Résumés are cut into windows of ``WINDOW`` tokens for training (the LSTM reads a whole résumé at parse time);
the loss is binary cross-entropy per token. Seeded, so the same documents give the same weights.
``training/skill_scorer.py`` trains it, with the scorer that reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from workers.resume.skill_tagger import SkillTagger, TaggerNet, TokenFeaturizer, TokenInputs

WINDOW, BATCH, EPOCHS = 512, 16, 6
LEARNING_RATE, WEIGHT_DECAY = 2e-3, 1e-2


@dataclass(frozen=True)
class TaggedText:
    """A text's token inputs and, per token, whether it lies inside a labelled skill."""

    inputs: TokenInputs
    labels: torch.Tensor


def tagged_text(featurizer: TokenFeaturizer, text: str, skill_spans: list[tuple[int, int]]) -> TaggedText:
    inputs = featurizer(text)
    inside = np.zeros(len(inputs.starts), dtype=np.float32)
    for start, end in skill_spans:
        inside[(inputs.starts >= start) & (inputs.ends <= end)] = 1.0
    return TaggedText(inputs, torch.from_numpy(inside))


def _padded(windows: list[tuple[torch.Tensor, torch.Tensor]]) -> tuple[torch.Tensor, ...]:
    length = max(len(y) for _, y in windows)
    x = torch.zeros(len(windows), length, windows[0][0].shape[1])
    y = torch.zeros(len(windows), length)
    mask = torch.zeros(len(windows), length)
    for k, (xs, ys) in enumerate(windows):
        x[k, : len(ys)], y[k, : len(ys)], mask[k, : len(ys)] = xs, ys, 1.0
    return x, y, mask


def train_tagger(texts: list[TaggedText], featurizer: TokenFeaturizer, seed: int = 13) -> SkillTagger:
    """A tagger fitted on ``texts`` (``EPOCHS`` passes over their windows, in a seeded order)."""
    torch.manual_seed(seed)
    windows = [
        (t.inputs.x[a : a + WINDOW], t.labels[a : a + WINDOW]) for t in texts for a in range(0, len(t.labels), WINDOW)
    ]
    net = TaggerNet(featurizer.inputs)
    optimiser = torch.optim.AdamW(net.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    net.train()
    for epoch in range(EPOCHS):
        order = np.random.RandomState(seed + epoch).permutation(len(windows))
        for first in range(0, len(order), BATCH):
            x, y, mask = _padded([windows[i] for i in order[first : first + BATCH]])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(net(x), y, reduction="none")
            optimiser.zero_grad()
            ((loss * mask).sum() / mask.sum()).backward()
            optimiser.step()
    return SkillTagger(net, featurizer)
