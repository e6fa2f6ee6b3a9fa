"""The sentiment TSV and its fixed, hash-based split, shared by training and evaluation.

Each text's bucket comes from a hash of the text itself, so the split never depends on
row order or a seed, and duplicate texts always land on the same side.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

BUCKETS = 20
HELDOUT_BUCKETS = frozenset({0, 1})  # 10 %: the test split, never trained or calibrated on
CALIBRATION_BUCKETS = frozenset({2})  # 5 %: early stopping and temperature scaling, from the training side
FULL_SENTENCE_WORDS = 10  # rows this long read like real comments; most shorter SST-2 rows are phrases


@dataclass(frozen=True)
class Example:
    text: str
    label: int  # 1 = positive, 0 = negative


@dataclass(frozen=True)
class Split:
    train: list[Example]
    calibration: list[Example]
    heldout: list[Example]


def read_sentiment_tsv(path: Path) -> list[Example]:
    """Rows of a ``text<TAB>label`` file with a header; the texts hold quotes, so quoting is off."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header != ["text", "label"]:
            raise ValueError(f"{path}: expected header text<TAB>label, got {header}")
        return [Example(text, int(label)) for text, label in reader]


def bucket(text: str) -> int:
    return int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:8], "big") % BUCKETS


def split_examples(examples: list[Example]) -> Split:
    """Held-out 10 %, calibration 5 % and training 85 % by hash of the text."""
    parts: dict[str, list[Example]] = {"train": [], "calibration": [], "heldout": []}
    for example in examples:
        b = bucket(example.text)
        side = "heldout" if b in HELDOUT_BUCKETS else "calibration" if b in CALIBRATION_BUCKETS else "train"
        parts[side].append(example)
    return Split(**parts)
