"""How labelled résumés are read: the file, which entity labels are skills, and the key a text is compared by.

Shared by the evaluation (``evaluation.resumes``) and the training of the skill scorer and the entity model
(``training/``), which the evaluation's cross-validation calls: kept apart so neither imports the other both ways.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

SKILL_LABELS = ("Tech Tools", "Job Specific Skills", "Soft Skills")


def normalize(text: str) -> str:
    """Casefold, collapse whitespace, strip punctuation at the edges."""
    return re.sub(r"^[\W_]+|[\W_]+$", "", " ".join(text.casefold().split()))


def read_rows(path: Path, limit: int | None = None) -> list[dict]:
    """The labelled résumés of a JSONL file (``text``, ``entities``), or its first ``limit``."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[:limit] if limit is not None else rows
