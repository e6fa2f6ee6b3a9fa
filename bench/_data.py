"""Benchmark texts: short HR-like texts and résumé-length texts, from the shared data sets when present.

Short texts are 10-60-word phrases of the sentiment training set (the size of a survey answer);
résumés are the 400-1,000-word texts of the résumé dev set. Without ``../shared`` the samples
shipped in the repository stand in (fewer, so short texts are cycled and résumés capped).
"""

from __future__ import annotations

import csv
import json
import random
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
SHORT_WORDS = (10, 60)
RESUME_WORDS = (400, 1000)


def _within(text: str, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= len(text.split()) <= bounds[1]


def _shared_short() -> list[str]:
    with (SHARED_DATA / "sentiment-train.tsv").open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        return [row[0] for row in rows if row and _within(row[0], SHORT_WORDS)]


def _sample_short() -> list[str]:
    with (ROOT / "samples" / "comments.csv").open(newline="", encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle) if row["text"].strip()]


def short_texts(n: int, seed: int = 0) -> list[str]:
    """``n`` short texts in a fixed shuffled order (cycled when the source has fewer)."""
    pool = _shared_short() if (SHARED_DATA / "sentiment-train.tsv").exists() else _sample_short()
    random.Random(seed).shuffle(pool)
    return list(islice(cycle(pool), n))


def resume_texts(n: int) -> list[str]:
    """Up to ``n`` distinct résumé texts (documents are unique by content, so they are never repeated)."""
    path = SHARED_DATA / "resumes-dev.jsonl"
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            texts = [json.loads(line)["text"] for line in handle if line.strip()]
        return [t for t in texts if _within(t, RESUME_WORDS)][:n]
    files = sorted((ROOT / "samples" / "resumes").glob("*.txt"))
    return [f.read_text(encoding="utf-8") for f in files][:n]
