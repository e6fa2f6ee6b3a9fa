"""Fit the skill-candidate scorer (``workers/skill_scorer.py``) on the span-labelled résumés; write its JSON asset.

Every candidate of the parser with the scorer off is an example, labelled by the evaluation's matching rule
(``evaluation/resumes.py``): positive when its surface text or canonical name is a labelled skill of its résumé.
The threshold is the one that maximises the set's skills F1 as the evaluation counts it, on out-of-fold scores of
the training documents (so it is not tuned to in-sample scores, which are optimistic). The labelled set is also the
evaluation set: ``python -m evaluation.resumes --cv 5`` reports the cross-validated number this file cannot.

    python -m training.skill_scorer --data ../shared/data/resumes-dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import logging
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from evaluation.resumes import SKILL_LABELS, normalize
from workers.encoder import Encoder
from workers.resume_parser import parse_resume
from workers.sections import clean
from workers.skill_scorer import SCORER_PATH, SkillScorer, candidate_features, every_candidate

log = logging.getLogger(__name__)
C = 0.3  # inverse L2 strength: ~70 features, a few thousand candidates
THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.01), 2)
INNER_FOLDS = 5


@dataclass(frozen=True)
class LabelledResume:
    """A résumé's candidates: features, the keys the evaluation matches on, and its labelled skills."""

    features: np.ndarray
    keys: list[frozenset[str]]
    gold: frozenset[str]

    @property
    def labels(self) -> np.ndarray:
        return np.array([bool(k & self.gold) for k in self.keys], dtype=bool)


def labelled_resume(text: str, entities: list[dict[str, object]], encoder: Encoder) -> LabelledResume:
    """Every skill candidate of ``text`` with its features and label."""
    parsed = parse_resume(text, encoder, skill_scorer=every_candidate())
    return LabelledResume(
        features=candidate_features(clean(text), parsed.sections, parsed.skills),
        keys=[frozenset({normalize(s.text), normalize(s.name)}) for s in parsed.skills],
        gold=frozenset(normalize(str(e["text"])) for e in entities if e["label"] in SKILL_LABELS),
    )


def skill_counts(resumes: list[LabelledResume], kept: list[np.ndarray]) -> tuple[int, int, int, int]:
    """(correct, predicted, found, support) of the kept candidates, counted as ``evaluation.resumes`` counts."""
    correct = predicted = found = support = 0
    for resume, mask in zip(resumes, kept, strict=True):
        distinct = {k for k, keep in zip(resume.keys, mask, strict=True) if keep}
        predicted += len(distinct)
        correct += sum(1 for k in distinct if k & resume.gold)
        found += len(resume.gold & set().union(*distinct))
        support += len(resume.gold)
    return correct, predicted, found, support


def f1(counts: tuple[int, int, int, int]) -> float:
    correct, predicted, found, support = counts
    p, r = correct / max(1, predicted), found / max(1, support)
    return 2 * p * r / (p + r) if p + r else 0.0


def document_folds(n: int, k: int, seed: int) -> list[list[int]]:
    """``k`` document-level folds of ``range(n)``, shuffled with ``seed``."""
    order = random.Random(seed).sample(range(n), n)
    return [sorted(order[i::k]) for i in range(k)]


def _fit_weights(resumes: list[LabelledResume]) -> tuple[np.ndarray, np.ndarray, LogisticRegression]:
    x = np.concatenate([r.features for r in resumes])
    y = np.concatenate([r.labels for r in resumes])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=2000).fit((x - mean) / scale, y)
    return mean, scale, model


def _scorer(resumes: list[LabelledResume], threshold: float) -> SkillScorer:
    mean, scale, model = _fit_weights(resumes)
    return SkillScorer(mean, scale, model.coef_[0].astype(np.float32), float(model.intercept_[0]), threshold)


def fit_scorer(resumes: list[LabelledResume], seed: int = 13) -> SkillScorer:
    """Weights from every résumé given; the threshold from their out-of-fold scores (inner document folds)."""
    scores: list[np.ndarray] = [np.empty(0)] * len(resumes)
    for fold in document_folds(len(resumes), INNER_FOLDS, seed):
        held = set(fold)
        inner = _scorer([r for i, r in enumerate(resumes) if i not in held], 0.5)
        for i in fold:
            scores[i] = inner.scores(resumes[i].features)
    best = max(THRESHOLDS, key=lambda t: f1(skill_counts(resumes, [s >= t for s in scores])))
    return _scorer(resumes, float(best))


def train_skill_scorer(data: Path, out: Path = SCORER_PATH, seed: int = 13) -> dict[str, object]:
    """Fit on every labelled résumé of ``data`` and write the asset and its metrics beside it."""
    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line.strip()]
    encoder = Encoder()
    resumes = [labelled_resume(row["text"], row["entities"], encoder) for row in rows]
    scorer = fit_scorer(resumes, seed)
    every = skill_counts(resumes, [np.ones(len(r.keys), dtype=bool) for r in resumes])
    kept = skill_counts(resumes, [scorer.scores(r.features) >= scorer.threshold for r in resumes])
    metrics: dict[str, object] = {
        "data": data.name,
        "resumes": len(resumes),
        "candidates": every[1],
        "threshold": scorer.threshold,
        "C": C,
        "seed": seed,
        "in_sample_f1_all_candidates": round(f1(every), 4),
        "in_sample_f1_kept": round(f1(kept), 4),
        "note": "in-sample numbers; the cross-validated F1 is python -m evaluation.resumes --cv 5",
    }
    out.write_text(json.dumps(scorer.to_json()) + "\n", encoding="utf-8")
    out.with_name("skill_scorer_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    log.info("skill scorer trained: %s", metrics)
    return metrics


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/resumes-dev.jsonl"))
    parser.add_argument("--out", type=Path, default=SCORER_PATH)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    print(json.dumps(train_skill_scorer(args.data, args.out, args.seed), indent=2))


if __name__ == "__main__":
    main()
