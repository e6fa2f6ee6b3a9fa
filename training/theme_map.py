"""Fit the sentiment network's theme map: its pooled state → the shared encoder's sentence embedding.

Themes (``workers.sentiment.themes``) compare sentences with theme descriptions in the encoder's embedding space.
The adapted network's own pooled state has drifted towards sentiment (sentences of one polarity look alike), so a
linear map, fitted by ridge least squares on training sentences, brings it back; the network's one forward pass
then gives both the logit and the theme vector, and no second encoder pass is needed.
"""

from __future__ import annotations

import numpy as np
import torch

from workers.engine.encoder import Encoder
from workers.sentiment.network import SentimentNet

RIDGE = 1.0


@torch.no_grad()
def pooled_states(net: SentimentNet, texts: list[str], max_tokens: int, batch_size: int = 64) -> np.ndarray:
    net.eval()
    rows = [
        net.pooled(**net.tokenize(texts[i : i + batch_size], max_tokens)).float().cpu().numpy()
        for i in range(0, len(texts), batch_size)
    ]
    return np.concatenate(rows).astype(np.float64)


def fit_theme_map(net: SentimentNet, encoder: Encoder, texts: list[str], max_tokens: int) -> None:
    """Set ``net.theme_map`` to the ridge fit of the encoder's embeddings of ``texts`` on the pooled states,
    shrunk towards the identity (exact where the layers are not adapted), not towards zero."""
    x = _with_bias(pooled_states(net, texts, max_tokens))
    y = encoder.embed(texts).astype(np.float64)
    prior = np.eye(x.shape[1], y.shape[1])  # (hidden + 1, embedding): the identity, no bias
    solution = np.linalg.solve(x.T @ x + RIDGE * np.eye(x.shape[1]), x.T @ y + RIDGE * prior)
    with torch.no_grad():
        net.theme_map.weight.copy_(torch.from_numpy(solution[:-1].T).float())
        net.theme_map.bias.copy_(torch.from_numpy(solution[-1]).float())


def theme_cosine(net: SentimentNet, encoder: Encoder, texts: list[str], max_tokens: int) -> float:
    """Mean cosine of the network's theme vectors to the encoder's embeddings of ``texts`` (1 = the same)."""
    with torch.no_grad():
        mapped = net.theme_map(torch.from_numpy(pooled_states(net, texts, max_tokens)).float())
    vectors = torch.nn.functional.normalize(mapped, dim=-1).numpy()
    return float(np.mean(np.sum(vectors * encoder.embed(texts), axis=1)))


def _with_bias(x: np.ndarray) -> np.ndarray:
    return np.hstack([x, np.ones((len(x), 1))])
