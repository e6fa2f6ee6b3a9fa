"""Embeddings of short phrases (headings, skill-list items), cached per worker process.

The same few thousand phrases ("Professional Experience", "Communication") recur across résumés, and an
``embed`` call costs far more than a dictionary lookup, so only unseen phrases reach the encoder: one batched
call, or none.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from workers.engine.encoder import Encoder

MAX_PHRASES = 50_000
_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()


def embed_phrases(encoder: Encoder, phrases: list[str]) -> np.ndarray:
    """One unit-length row per phrase, computing only the phrases this process has not embedded yet."""
    version = encoder.info.version
    missing = list(dict.fromkeys(p for p in phrases if (version, p) not in _cache))
    if missing:
        for phrase, vector in zip(missing, encoder.embed(missing), strict=True):
            _cache[(version, phrase)] = vector
    rows = []
    for phrase in phrases:
        _cache.move_to_end((version, phrase))
        rows.append(_cache[(version, phrase)])
    while len(_cache) > MAX_PHRASES:
        _cache.popitem(last=False)
    if not rows:
        return np.zeros((0, encoder.info.dim), dtype=np.float32)
    return np.stack(rows)
