"""Which skill candidates a résumé parser keeps: a logistic regression over cheap, general features.

The matchers of ``workers/resume/skills.py`` propose candidates (aliases, semantic matches, and every item of the skill
section's lists, where the rules alone keep only the items of lists that name a known skill);
whether one is meant as a skill depends on where and how it is written (a list line of a skills section or a
sentence of a job entry, one word or four, capitals or not, how many skills share its line), on what the words
around it say (the skill tagger of ``workers/resume/skill_tagger.py``, per token), and on how often résumé writers mean
that taxonomy skill when its words appear ("Administration" and "Creativity" are seldom labelled skills, "Excel"
nearly always: ``NamePrior``, counts per taxonomy entry, smoothed towards the base rate).

The weights come from ``training/skill_scorer.py`` and ship as JSON in ``assets/skill_scorer.json``, beside the
tagger's ``assets/skill_tagger.safetensors``. They were fitted on candidates of the bundled encoder (its semantic
matches and section headings), so another encoder, or a missing asset, keeps every candidate: the parser's
behaviour before the scorer.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from workers import ASSETS_DIR
from workers.engine.encoder import BUNDLED_NAME, Encoder
from workers.resume.schema import SectionInfo, SkillMatch
from workers.resume.sections import HEADINGS, segments
from workers.resume.skill_tagger import SPAN_FEATURES, TAGGER_PATH, SkillTagger, TokenProbabilities
from workers.resume.skills import TAXONOMY_PATH

SCORER_PATH = ASSETS_DIR / "skill_scorer.json"
METHODS = ("alias", "semantic", "phrase")
SECTION_KINDS = ("header", *HEADINGS)
CATEGORIES = tuple(json.loads(TAXONOMY_PATH.read_text(encoding="utf-8"))["skills"])
LIST_PUNCTUATION_RE = re.compile(r"[,;/|]")
CONTEXT_FEATURES: tuple[str, ...] = (
    *(f"method={m}" for m in METHODS),
    "generic",
    *(f"category={c}" for c in CATEGORIES),
    *(f"section={k}" for k in (*SECTION_KINDS, "none")),
    "words",
    "chars",
    "upper",
    "capitalised",
    "lower",
    "surface_is_name",
    "digit",
    "before_colon",
    "first_on_line",
    "similarity",
    "line_words",
    "line_list_punctuation",
    "line_skills",
    "line_known",
    "line_share",
    "line_sentence",
    "occurrences",
    "name_candidates",
    "position",
    "doc_candidates",
    "doc_chars",
)
PRIOR_FEATURES = ("name_rate", "name_proposals")
FEATURES = (*CONTEXT_FEATURES, *SPAN_FEATURES, *PRIOR_FEATURES)
PRIOR_STRENGTH = 2.0  # a name's rate is smoothed by this many pseudo-candidates at the base rate


def prior_key(match: SkillMatch) -> str | None:
    """The taxonomy entry a candidate counts towards in ``NamePrior``; None for a free phrase."""
    return match.name.casefold() if match.in_taxonomy else None


@dataclass(frozen=True)
class NamePrior:
    """Per taxonomy entry, (labelled, proposed): how many of its candidates in the training résumés were labelled
    skills. Only entries proposed in at least two résumés are kept; the rest fall back to ``base``, the rate of all
    candidates."""

    counts: dict[str, tuple[int, int]]
    base: float

    def columns(self, keys: list[str | None]) -> np.ndarray:
        """One row of ``PRIOR_FEATURES`` per candidate key: the smoothed log-odds and log(1 + proposals)."""
        rows = np.zeros((len(keys), len(PRIOR_FEATURES)), dtype=np.float32)
        base = min(max(self.base, 1e-3), 1 - 1e-3)
        for row, key in zip(rows, keys, strict=True):
            labelled, proposed = self.counts.get(key, (0, 0)) if key else (0, 0)
            rate = (labelled + PRIOR_STRENGTH * base) / (proposed + PRIOR_STRENGTH)
            row[:] = (math.log(rate / (1 - rate)), math.log1p(proposed))
        return rows


def candidate_features(text: str, sections: list[SectionInfo], matches: list[SkillMatch]) -> np.ndarray:
    """One row of ``CONTEXT_FEATURES`` per candidate; ``text`` is the cleaned text the spans point into."""
    segs = segments(text)
    seg_starts = [s.start for s in segs]
    sec_starts = [s.start for s in sections]
    line_of = [max(0, bisect_right(seg_starts, m.start) - 1) for m in matches]
    per_line = Counter(line_of)
    known_lines = Counter(line for line, m in zip(line_of, matches, strict=True) if m.in_taxonomy)
    per_name = Counter(m.name for m in matches)
    folded = text.casefold()
    rows = np.zeros((len(matches), len(CONTEXT_FEATURES)), dtype=np.float32)
    index = {name: i for i, name in enumerate(CONTEXT_FEATURES)}
    for row, match, line in zip(rows, matches, line_of, strict=True):
        seg = segs[line] if segs else None
        k = bisect_right(sec_starts, match.start) - 1
        kind = sections[k].kind if k >= 0 and match.start < sections[k].end else "none"
        surface = match.text.strip()
        words = surface.split()
        row[index[f"method={match.method}"]] = 1
        row[index["generic"]] = match.generic
        if f"category={match.category}" in index:
            row[index[f"category={match.category}"]] = 1
        if f"section={kind}" in index:
            row[index[f"section={kind}"]] = 1
        row[index["words"]] = len(words)
        row[index["chars"]] = math.log1p(len(surface))
        row[index["upper"]] = surface.isupper()
        row[index["capitalised"]] = surface[:1].isupper() and not surface.isupper()
        row[index["lower"]] = surface.islower()
        row[index["surface_is_name"]] = " ".join(words).casefold() == match.name.casefold()
        row[index["digit"]] = any(c.isdigit() for c in surface)
        row[index["before_colon"]] = text[match.end : match.end + 2].lstrip().startswith(":")
        row[index["first_on_line"]] = seg is not None and not text[seg.start : match.start].strip(" -*•")
        row[index["similarity"]] = match.score if match.method == "semantic" else float(match.method == "alias")
        if seg is not None:
            line_words = len(seg.text.split())
            row[index["line_words"]] = math.log1p(line_words)
            row[index["line_list_punctuation"]] = len(LIST_PUNCTUATION_RE.findall(seg.text)) / max(1, line_words)
            row[index["line_share"]] = len(surface) / max(1, len(seg.text))
            row[index["line_sentence"]] = seg.text.rstrip("\"' ").endswith(".") and line_words >= 6
        row[index["line_skills"]] = math.log1p(per_line[line])
        row[index["line_known"]] = known_lines[line] > match.in_taxonomy
        row[index["occurrences"]] = math.log1p(folded.count(surface.casefold()))
        row[index["name_candidates"]] = math.log1p(per_name[match.name])
        row[index["position"]] = match.start / max(1, len(text))
        row[index["doc_candidates"]] = math.log1p(len(matches))
        row[index["doc_chars"]] = math.log1p(len(text))
    return rows


@dataclass(frozen=True)
class SkillScorer:
    """Standardised features → logistic regression; candidates scoring at least ``threshold`` are kept.

    ``tagger`` and ``prior`` compute the tagger and prior columns; without them those columns are zero.
    """

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    tagger: SkillTagger | None = None
    prior: NamePrior = NamePrior({}, 0.5)

    def features(self, text: str, sections: list[SectionInfo], matches: list[SkillMatch]) -> np.ndarray:
        """One row of ``FEATURES`` per candidate of ``text`` (cleaned)."""
        return self.columns(
            candidate_features(text, sections, matches),
            self.tagger.probabilities(text) if self.tagger else None,
            [(m.start, m.end) for m in matches],
            [prior_key(m) for m in matches],
        )

    def columns(
        self,
        context: np.ndarray,
        probs: TokenProbabilities | None,
        spans: list[tuple[int, int]],
        keys: list[str | None],
    ) -> np.ndarray:
        """``FEATURES`` rows from the context columns, the text's token probabilities, and the candidates' spans and
        prior keys. A column without evidence takes its training mean, which the weights read as neutral."""
        tagged = probs.span_features(spans) if probs else np.zeros((len(spans), len(SPAN_FEATURES)), np.float32)
        rows = np.hstack([context, tagged, self.prior.columns(keys)])
        return np.where(np.isnan(rows), self.mean, rows)  # no tagger evidence (past MAX_TAGGED_CHARS): neutral

    def scores(self, features: np.ndarray) -> np.ndarray:
        """Probability that each candidate is a labelled skill."""
        z = ((features - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def keep(self, text: str, sections: list[SectionInfo], matches: list[SkillMatch]) -> list[SkillMatch]:
        """The candidates at or above the threshold, in their order."""
        if not matches:
            return matches
        scores = self.scores(self.features(text, sections, matches))
        return [m for m, s in zip(matches, scores, strict=True) if s >= self.threshold]

    def to_json(self) -> dict[str, object]:
        return {
            "features": list(FEATURES),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "prior_base": self.prior.base,
            "prior": {name: list(counts) for name, counts in sorted(self.prior.counts.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, object], tagger: SkillTagger | None = None) -> SkillScorer:
        """The scorer of ``to_json`` with its tagger; a file written for other features is refused, not misread."""
        if data["features"] != list(FEATURES):
            raise ValueError("skill scorer was trained on other features")
        return cls(
            mean=np.asarray(data["mean"], dtype=np.float32),
            scale=np.asarray(data["scale"], dtype=np.float32),
            coef=np.asarray(data["coef"], dtype=np.float32),
            intercept=float(data["intercept"]),  # type: ignore[arg-type]
            threshold=float(data["threshold"]),  # type: ignore[arg-type]
            tagger=tagger,
            prior=NamePrior(
                {name: (int(a), int(b)) for name, (a, b) in data["prior"].items()},  # type: ignore[attr-defined]
                float(data["prior_base"]),  # type: ignore[arg-type]
            ),
        )


def every_candidate() -> SkillScorer:
    """A scorer that keeps every candidate: the parser's proposals as the trainer sees them."""
    zeros = np.zeros(len(FEATURES), dtype=np.float32)
    return SkillScorer(zeros, np.ones_like(zeros), zeros, 0.0, 0.0)


@lru_cache(maxsize=1)
def _bundled(path: Path = SCORER_PATH, tagger_path: Path = TAGGER_PATH) -> SkillScorer | None:
    if not (path.exists() and tagger_path.exists()):
        return None
    return SkillScorer.from_json(json.loads(path.read_text(encoding="utf-8")), SkillTagger.load(tagger_path))


def bundled_scorer(encoder: Encoder) -> SkillScorer | None:
    """The shipped scorer when it applies to ``encoder`` (the bundled one); None keeps every candidate."""
    return _bundled() if encoder.info.name == BUNDLED_NAME else None
