"""Fit the skill-candidate scorer (``workers/resume/skill_scorer.py``) and its tagger (``skill_tagger.py``) on the
span-labelled résumés; write their assets.

Every candidate of the parser with the scorer off is an example, labelled by the evaluation's matching rule
(``evaluation/resumes.py``): positive when its surface text or canonical name is a labelled skill of its résumé.
A candidate's tagger and name-prior columns come from models that did not see its résumé (taggers trained on the
other ``TAGGER_FOLDS`` − 1 folds, prior counts without the résumé), so the weights learn how far to trust them on a
new one. The threshold is the one that maximises the set's skills F1 as the evaluation counts it, on out-of-fold
scores of the training documents (so it is not tuned to in-sample scores, which are optimistic). The labelled set is
also the evaluation set: ``python -m evaluation.resumes --cv 5`` reports the cross-validated number this file cannot.

    python -m training.skill_scorer --data ../shared/data/resumes-dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import logging
import random
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from config.settings import get_settings
from evaluation.labels import SKILL_LABELS, normalize
from training.skill_tagger import TaggedText, tagged_text, train_tagger
from workers import registry
from workers.resume.parser import ResumeParser
from workers.resume.sections import clean
from workers.resume.skill_scorer import (
    SCORER_PATH,
    NamePrior,
    SkillScorer,
    candidate_features,
    every_candidate,
    prior_key,
)
from workers.resume.skill_tagger import TAGGER_PATH, bundled_featurizer

log = logging.getLogger(__name__)
C = 0.3  # inverse L2 strength: ~70 features, a few thousand candidates
THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.01), 2)
INNER_FOLDS = 5
TAGGER_FOLDS = 3


@dataclass(frozen=True)
class LabelledResume:
    """A résumé's candidates (context features, spans, prior keys, the keys the evaluation matches on), its
    labelled skills, and its tokens labelled for the tagger."""

    features: np.ndarray
    spans: list[tuple[int, int]]
    names: list[str | None]
    keys: list[frozenset[str]]
    gold: frozenset[str]
    tagged: TaggedText

    @property
    def labels(self) -> np.ndarray:
        return np.array([bool(k & self.gold) for k in self.keys], dtype=bool)


def labelled_resume(text: str, entities: list[dict[str, Any]], parser: ResumeParser) -> LabelledResume:
    """Every skill candidate of ``text`` (as ``parser`` finds them, its scorer aside) with its features and label."""
    parsed = parser.with_models(parser.entity_model, every_candidate()).parse(text)
    skills = [e for e in entities if e["label"] in SKILL_LABELS]
    cleaned = clean(text)
    return LabelledResume(
        features=candidate_features(cleaned, parsed.sections, parsed.skills),
        spans=[(s.start, s.end) for s in parsed.skills],
        names=[prior_key(s) for s in parsed.skills],
        keys=[frozenset({normalize(s.text), normalize(s.name)}) for s in parsed.skills],
        gold=frozenset(normalize(e["text"]) for e in skills),
        tagged=tagged_text(bundled_featurizer(), cleaned, [(e["start"], e["end"]) for e in skills]),
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


def _name_counts(resume: LabelledResume) -> tuple[Counter[str], Counter[str]]:
    labelled, proposed = Counter(), Counter()
    for name, label in zip(resume.names, resume.labels, strict=True):
        if name:
            labelled[name] += int(label)
            proposed[name] += 1
    return labelled, proposed


def fit_prior(resumes: list[LabelledResume], leave_out: int | None = None) -> NamePrior:
    """Label counts per taxonomy entry over ``resumes`` (less the one at ``leave_out``), entries of 2+ résumés."""
    labelled, proposed, documents = Counter(), Counter(), Counter()
    for i, resume in enumerate(resumes):
        if i != leave_out:
            good, seen = _name_counts(resume)
            labelled.update(good)
            proposed.update(seen)
            documents.update(seen.keys())
    base = sum(labelled.values()) / max(1, sum(proposed.values()))
    return NamePrior({n: (labelled[n], proposed[n]) for n in proposed if documents[n] >= 2}, base)


def _training_matrices(resumes: list[LabelledResume], seed: int) -> list[np.ndarray]:
    """Each résumé's full feature rows, its tagger and prior columns from models that did not see it."""
    tagged = [np.empty((0, 0), dtype=np.float32)] * len(resumes)
    for fold in document_folds(len(resumes), TAGGER_FOLDS, seed):
        held = set(fold)
        tagger = train_tagger([r.tagged for i, r in enumerate(resumes) if i not in held], bundled_featurizer(), seed)
        for i in fold:
            tagged[i] = tagger.probabilities_of(resumes[i].tagged.inputs).span_features(resumes[i].spans)
    return [np.hstack([r.features, tagged[i], fit_prior(resumes, i).columns(r.names)]) for i, r in enumerate(resumes)]


def _fit_weights(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, LogisticRegression]:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=2000).fit((x - mean) / scale, y)
    return mean, scale, model


def _scorer(resumes: list[LabelledResume], matrices: list[np.ndarray], threshold: float) -> SkillScorer:
    x, y = np.concatenate(matrices), np.concatenate([r.labels for r in resumes])
    mean, scale, model = _fit_weights(x, y)
    return SkillScorer(mean, scale, model.coef_[0].astype(np.float32), float(model.intercept_[0]), threshold)


def fit_scorer(resumes: list[LabelledResume], seed: int = 13) -> SkillScorer:
    """Tagger and prior from every résumé given; weights from their out-of-sample columns (see the module
    docstring); the threshold from out-of-fold scores (inner document folds)."""
    matrices = _training_matrices(resumes, seed)
    scores: list[np.ndarray] = [np.empty(0)] * len(resumes)
    for fold in document_folds(len(resumes), INNER_FOLDS, seed):
        kept = [i for i in range(len(resumes)) if i not in set(fold)]
        inner = _scorer([resumes[i] for i in kept], [matrices[i] for i in kept], 0.5)
        for i in fold:
            scores[i] = inner.scores(matrices[i])
    best = max(THRESHOLDS, key=lambda t: f1(skill_counts(resumes, [s >= t for s in scores])))
    tagger = train_tagger([r.tagged for r in resumes], bundled_featurizer(), seed)
    return replace(_scorer(resumes, matrices, float(best)), tagger=tagger, prior=fit_prior(resumes))


def train_skill_scorer(data: Path, out: Path = SCORER_PATH, seed: int = 13) -> dict[str, object]:
    """Fit on every labelled résumé of ``data`` and write the asset and its metrics beside it."""
    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line.strip()]
    parser = registry.resume_parser(get_settings())
    resumes = [labelled_resume(row["text"], row["entities"], parser) for row in rows]
    scorer = fit_scorer(resumes, seed)
    every = skill_counts(resumes, [np.ones(len(r.keys), dtype=bool) for r in resumes])
    assert scorer.tagger is not None
    kept = skill_counts(
        resumes,
        [
            scorer.scores(scorer.columns(r.features, scorer.tagger.probabilities_of(r.tagged.inputs), r.spans, r.names))
            >= scorer.threshold
            for r in resumes
        ],
    )
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
    scorer.tagger.save(out.with_name(TAGGER_PATH.name))
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
