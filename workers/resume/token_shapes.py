"""How each word piece of a résumé is written and laid out: what the uncased encoder cannot see (capitals, digits,
the gap before it), read beside its states by the entity model's head and the skill tagger."""

from __future__ import annotations

import numpy as np

SHAPES = ("capitalised", "upper", "punctuation", "digit", "glued", "one_space", "wide_gap", "position")


def token_shapes(text: str, offsets: np.ndarray, *, lone_break_is_wide: bool) -> np.ndarray:
    """Float32 rows of ``SHAPES`` per token (``offsets``: its character spans in ``text``): its capitals, punctuation
    and digits, whether it is glued to the previous token, one character after it, or after a wider gap, and where
    it sits in the text. ``lone_break_is_wide``: a single line break counts as a wide gap, as a run of spaces does
    on a page flattened to one line (the entity model); otherwise as one character (the skill tagger, trained so)."""
    rows = []
    previous_end = 0
    for start, end in offsets.tolist():
        piece, gap = text[start:end], start - previous_end
        wide = gap >= 2 or (lone_break_is_wide and gap == 1 and text[start - 1] == "\n")
        rows.append(
            (
                piece[:1].isupper(),
                piece.isupper() and len(piece) > 1,
                not piece[:1].isalnum(),
                piece[:1].isdigit(),
                gap == 0,
                gap > 0 and not wide,
                wide,
                start / max(1, len(text)),
            )
        )
        previous_end = end
    return np.asarray(rows, dtype=np.float32).reshape(-1, len(SHAPES))
