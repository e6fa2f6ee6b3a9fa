"""The ranking evaluation on a slice of ../shared/data: talentq's ranking beats chance, and the category map holds."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from evaluation import ranking
from tests.support import SHARED_DATA

RESUMES = SHARED_DATA / "resumes-categories.csv"
JOBS = SHARED_DATA / "jobs.csv"
needs_data = pytest.mark.skipif(not (RESUMES.exists() and JOBS.exists()), reason="needs ../shared/data")


def _categories(path, column: str = "Category") -> set[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return {row[column] for row in csv.DictReader(f)}


@needs_data
def test_every_resume_category_is_mapped_or_a_distractor():
    resume_categories, job_categories = _categories(RESUMES), _categories(JOBS)
    assert resume_categories == ranking.CATEGORY_MAP.keys() | ranking.DISTRACTORS
    assert not ranking.CATEGORY_MAP.keys() & ranking.DISTRACTORS
    assert set(ranking.CATEGORY_MAP.values()) <= job_categories


def test_precision_at_k_counts_ties_as_their_expected_share():
    relevant = np.array([True, False, True, False])
    assert ranking.precision_at_k(np.array([4.0, 3.0, 2.0, 1.0]), relevant, 2) == 0.5
    assert ranking.precision_at_k(np.array([1.0, 0.0, 1.0, 0.0]), relevant, 2) == 1.0
    assert ranking.precision_at_k(np.zeros(4), relevant, 2) == 0.5  # all tied: the base rate
    assert ranking.precision_at_k(np.array([2.0, 1.0, 1.0, 1.0]), relevant, 2) == pytest.approx(0.5 + 0.5 / 3)


def test_mojibake_is_repaired_and_clean_text_kept():
    assert ranking.fix_mojibake("â\x80¢ NaÃ¯ve Bayes") == "• Naïve Bayes"
    assert ranking.fix_mojibake("• already fine") == "• already fine"


def test_posting_text_puts_preferred_qualifications_under_nice_to_have(encoder):
    from workers.scoring import extract_requirements

    row = {
        "Title": "Backend Engineer",
        "Responsibilities": "Build services.",
        "Minimum Qualifications": "BS degree.\nExperience with Python and PostgreSQL.",
        "Preferred Qualifications": "Experience with Kubernetes.",
    }
    requirements = extract_requirements(ranking.posting_text(row), encoder)
    assert {"python", "postgresql"} <= {s.casefold() for s in requirements.required_skills}
    assert "kubernetes" in {s.casefold() for s in requirements.nice_skills}


@needs_data
def test_talentq_ranks_same_category_candidates_well_above_chance(encoder):
    report = ranking.evaluate_ranking(RESUMES, JOBS, postings_per_category=2, k=10, seed=13, encoder=encoder)
    resumes = ranking.load_resumes(RESUMES)
    assert report.resumes == len(resumes) == 113
    assert report.distractor_resumes == sum(category in ranking.DISTRACTORS for category, _ in resumes)
    assert {c.category for c in report.categories} == set(ranking.CATEGORY_MAP.values())
    assert report.postings == 2 * len(report.categories)
    overall = report.overall
    assert overall["talentq"] >= 2 * overall["random"]
    assert overall["talentq"] - overall["random"] >= 0.05
    assert overall["talentq"] <= report.ideal
