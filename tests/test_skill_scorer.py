"""The skill-candidate scorer: the shipped weights load and decide, hand-set weights act as documented, and
training on synthetic labelled candidates round-trips through the JSON asset."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np

from training.skill_scorer import LabelledResume, fit_scorer
from workers.encoder import Encoder
from workers.resume_parser import parse_resume
from workers.skill_scorer import FEATURES, SkillScorer, bundled_scorer, every_candidate

RESUME = """Dana Kowalski
dana.kowalski@example.com

SKILLS
Python, Docker, Kubernetes, Widget Polishing
Gardening, Birdwatching

EXPERIENCE
Data Engineer, Acme Corp
Jan 2019 - Dec 2022
Built pipelines in Python and kept the team's training material up to date.
"""


def _names(skills: list) -> set[str]:
    return {s.name for s in skills}


def test_bundled_scorer_judges_every_candidate(encoder: Encoder) -> None:
    assert bundled_scorer(encoder) is not None
    proposed = parse_resume(RESUME, encoder, skill_scorer=every_candidate()).skills
    kept = parse_resume(RESUME, encoder).skills
    rules = parse_resume(RESUME, encoder, skill_scorer=None).skills
    assert {"Python", "Docker", "Kubernetes"} <= _names(kept) <= _names(proposed)
    # with a scorer, items of a list without any known skill are candidates too; the rules alone never keep them
    assert "Birdwatching" in _names(proposed) and "Birdwatching" not in _names(rules)


def test_hand_set_weights_drop_free_phrases(encoder: Encoder) -> None:
    coef = np.zeros(len(FEATURES), dtype=np.float32)
    coef[FEATURES.index("method=phrase")] = -10.0
    scorer = SkillScorer(np.zeros_like(coef), np.ones_like(coef), coef, 0.0, 0.5)
    kept = parse_resume(RESUME, encoder, skill_scorer=scorer).skills
    assert kept and all(s.in_taxonomy for s in kept)
    assert "Python" in _names(kept)


def test_another_encoder_keeps_the_rule_candidates() -> None:
    assert bundled_scorer(SimpleNamespace(info=SimpleNamespace(name="some/other-encoder"))) is None  # type: ignore[arg-type]


def test_training_round_trips_through_json() -> None:
    rng = np.random.default_rng(0)
    resumes = []
    for _ in range(12):
        features = rng.normal(size=(8, len(FEATURES))).astype(np.float32)
        good = features[:, 0] > 0  # the label follows one feature, so the fit has something to learn
        keys = [frozenset({f"s{i}"}) for i in range(8)]
        gold = frozenset(f"s{i}" for i in range(8) if good[i])
        resumes.append(LabelledResume(features, keys, gold))
    scorer = fit_scorer(resumes)
    loaded = SkillScorer.from_json(json.loads(json.dumps(scorer.to_json())))
    features = resumes[0].features
    np.testing.assert_allclose(loaded.scores(features), scorer.scores(features), rtol=1e-6)
    assert loaded.threshold == scorer.threshold
    assert ((scorer.scores(features) >= scorer.threshold) == resumes[0].labels).mean() >= 0.75
