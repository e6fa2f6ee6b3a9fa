"""How labelled résumés are read: which entity labels are skills, and the key a text is compared by.

Shared by the evaluation (``evaluation.resumes``) and the training of the skill scorer (``training.skill_scorer``),
which the evaluation's cross-validation calls: kept apart so neither imports the other both ways.
"""

from __future__ import annotations

import re

SKILL_LABELS = ("Tech Tools", "Job Specific Skills", "Soft Skills")


def normalize(text: str) -> str:
    """Casefold, collapse whitespace, strip punctuation at the edges."""
    return re.sub(r"^[\W_]+|[\W_]+$", "", " ".join(text.casefold().split()))
