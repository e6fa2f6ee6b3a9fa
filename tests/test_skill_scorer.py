"""The skill-candidate scorer and its tagger: the shipped weights load and decide, hand-set weights act as
documented, the name prior counts only what it may, and training on small labelled résumés round-trips through
the assets."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from config.settings import Settings
from training.skill_scorer import fit_prior, fit_scorer, labelled_resume
from workers import registry
from workers.engine.encoder import Encoder
from workers.resume.parser import ResumeParser
from workers.resume.sections import clean
from workers.resume.skill_scorer import FEATURES, NamePrior, SkillScorer, bundled_scorer, every_candidate
from workers.resume.skill_tagger import MAX_TAGGED_CHARS, SkillTagger, TokenProbabilities

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


def _parser(skill_scorer: SkillScorer | str | None = "bundled") -> ResumeParser:
    """The configured parser, as shipped or with another skill scorer (None: the rules' candidates alone)."""
    parser = registry.resume_parser(Settings())
    return parser if skill_scorer == "bundled" else parser.with_models(parser.entity_model, skill_scorer)


def _names(skills: list) -> set[str]:
    return {s.name for s in skills}


def test_bundled_scorer_judges_every_candidate(encoder: Encoder) -> None:
    assert bundled_scorer(encoder) is not None
    proposed = _parser(every_candidate()).parse(RESUME).skills
    kept = _parser().parse(RESUME).skills
    rules = _parser(None).parse(RESUME).skills
    assert {"Python", "Docker", "Kubernetes"} <= _names(kept) <= _names(proposed)
    # with a scorer, items of a list without any known skill are candidates too; the rules alone never keep them
    assert "Birdwatching" in _names(proposed) and "Birdwatching" not in _names(rules)


def test_hand_set_weights_drop_free_phrases(encoder: Encoder) -> None:
    coef = np.zeros(len(FEATURES), dtype=np.float32)
    coef[FEATURES.index("method=phrase")] = -10.0
    scorer = SkillScorer(np.zeros_like(coef), np.ones_like(coef), coef, 0.0, 0.5)
    kept = _parser(scorer).parse(RESUME).skills
    assert kept and all(s.in_taxonomy for s in kept)
    assert "Python" in _names(kept)


def test_another_encoder_keeps_the_rule_candidates() -> None:
    assert bundled_scorer(SimpleNamespace(info=SimpleNamespace(name="some/other-encoder"))) is None  # type: ignore[arg-type]


def _labelled(text: str, skills: list[str]) -> dict[str, object]:
    """A dev-set style row: ``text`` with each of ``skills`` labelled where it first appears."""
    entities = [
        {"label": "Tech Tools", "start": text.index(s), "end": text.index(s) + len(s), "text": s} for s in skills
    ]
    return {"text": text, "entities": entities}


def test_bundled_tagger_marks_listed_skills_not_names_or_duties(encoder: Encoder) -> None:
    scorer = bundled_scorer(encoder)
    assert scorer is not None and scorer.tagger is not None
    text = clean(RESUME)
    probs = scorer.tagger.probabilities(text)
    listed, prose = text.index("Python"), text.rindex("Python")
    words = [(text.index(w), text.index(w) + len(w)) for w in ("Kubernetes", "Dana Kowalski", "kept the team")]
    kubernetes, name, duty = probs.span_features(words)[:, 0]  # mean probability over each span's tokens
    assert kubernetes > 4 * max(name, duty)
    in_list, in_sentence = probs.span_features([(listed, listed + 6), (prose, prose + 6)])[:, 0]
    assert in_list > 3 * in_sentence  # the same word, read in its context


def test_span_features_read_inside_before_and_after() -> None:
    probs = TokenProbabilities(
        starts=np.array([0, 4, 10, 16]),
        ends=np.array([3, 9, 15, 20]),
        probs=np.array([0.1, 0.8, 0.6, 0.2]),
        tagged_chars=20,
    )
    (mean, high, low, before, after), edge, untagged = probs.span_features([(4, 15), (0, 3), (22, 30)])
    assert (mean, high, low, before, after) == pytest.approx((0.7, 0.8, 0.6, 0.1, 0.2))
    assert edge[3] == 0.0  # nothing before the first token
    assert np.isnan(untagged).all()  # past the tagged text: no evidence


def test_a_huge_text_is_tagged_only_up_to_its_cap(encoder: Encoder) -> None:
    scorer = bundled_scorer(encoder)
    assert scorer is not None and scorer.tagger is not None
    filler = "Reviewed quarterly reports with the regional team. " * (MAX_TAGGED_CHARS // 40)
    text = clean(f"{RESUME}\n{filler}\nSKILLS\nTerraform, Ansible, Jenkins\n")
    assert scorer.tagger.featurizer(text).tagged_chars == MAX_TAGGED_CHARS
    parsed = _parser(every_candidate()).parse(text)
    late = [s for s in parsed.skills if s.start > MAX_TAGGED_CHARS]
    assert late  # the skills list after the filler is proposed ...
    features = scorer.features(text, parsed.sections, late)
    assert not np.isnan(features).any()  # ... and judged, its tagger columns at their neutral training means
    np.testing.assert_allclose(features[:, FEATURES.index("tagger_mean")], scorer.mean[FEATURES.index("tagger_mean")])


def test_name_prior_counts_names_of_two_resumes_and_can_leave_one_out(encoder: Encoder) -> None:
    rows = [
        _labelled("SKILLS\nPython, Docker\n", ["Python"]),
        _labelled("SKILLS\nPython, Docker, Kubernetes\n", ["Python", "Docker"]),
        _labelled("SKILLS\nPython, Kubernetes\n", ["Python"]),
    ]
    resumes = [labelled_resume(r["text"], r["entities"], _parser()) for r in rows]  # type: ignore[arg-type]
    prior = fit_prior(resumes)
    assert (
        prior.counts["python"] == (3, 3) and prior.counts["docker"] == (1, 2) and prior.counts["kubernetes"] == (0, 2)
    )
    without_last = fit_prior(resumes, leave_out=2)
    assert "kubernetes" not in without_last.counts  # proposed in one remaining résumé only
    rate, proposals = NamePrior({}, 0.25).columns([None])[0]
    assert rate == pytest.approx(np.log(0.25 / 0.75)) and proposals == 0.0  # unknown names get the base rate


def test_training_round_trips_through_the_assets(encoder: Encoder, tmp_path: Path) -> None:
    languages = ["Python", "Docker", "Kubernetes", "Terraform", "Go", "Rust"]
    rows = [
        _labelled(f"Jo Doe\n\nSKILLS\n{a}, {b}, Gardening\n\nEXPERIENCE\nWrote reports for the {b} team.\n", [a, b])
        for a, b in zip(languages, languages[1:] + languages[:1], strict=True)
    ]
    resumes = [labelled_resume(r["text"], r["entities"], _parser()) for r in rows]  # type: ignore[arg-type]
    scorer = fit_scorer(resumes)
    assert scorer.tagger is not None
    scorer.tagger.save(tmp_path / "tagger.safetensors")
    loaded = SkillScorer.from_json(
        json.loads(json.dumps(scorer.to_json())), SkillTagger.load(tmp_path / "tagger.safetensors")
    )
    assert loaded.threshold == scorer.threshold and loaded.prior == scorer.prior
    parsed = _parser(every_candidate()).parse(rows[0]["text"])  # type: ignore[arg-type]
    text = clean(rows[0]["text"])  # type: ignore[arg-type]
    np.testing.assert_allclose(
        loaded.scores(loaded.features(text, parsed.sections, parsed.skills)),
        scorer.scores(scorer.features(text, parsed.sections, parsed.skills)),
        rtol=1e-5,
    )
