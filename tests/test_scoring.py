"""Candidate scoring on the real encoder: requirements extraction and the documented components."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import Settings
from workers import registry, scoring

POSTING = Path(__file__).resolve().parent.parent / "samples" / "postings" / "backend-python-engineer.md"

STRONG = """Alex Strong
alex@example.com
EXPERIENCE
Senior Backend Engineer, Payments Co, Jan 2016 - Present
Python, Django and FastAPI services on PostgreSQL; Celery and Redis job queues; Docker; CI/CD; Kubernetes.
EDUCATION
BSc Computer Science, University of Leeds, 2015
SKILLS
Python, Django, FastAPI, PostgreSQL, Redis, Celery, Docker, Kubernetes, AWS, Terraform
"""

WEAK = """Sam Weak
sam@example.com
EXPERIENCE
Pastry Chef, Le Petit Four, 2024 - Present
Baking, cake decoration, kitchen hygiene, stock ordering.
EDUCATION
Diploma in Culinary Arts, City College, 2020
SKILLS
Baking, Food safety, Customer service
"""


@pytest.fixture(scope="module")
def requirements(encoder) -> scoring.Requirements:
    return scoring.extract_requirements(POSTING.read_text(encoding="utf-8"), encoder)


def test_posting_requirements_are_extracted(requirements: scoring.Requirements):
    required = {s.casefold() for s in requirements.required_skills}
    assert {"python", "postgresql", "redis", "celery", "docker"} <= required
    assert "apache kafka" in {s.casefold() for s in requirements.nice_skills}
    assert "apache kafka" not in required
    assert requirements.min_years == 5
    assert requirements.education == "bachelor"


def test_matching_candidate_outscores_unrelated_one_with_reasons(encoder, requirements):
    posting_vec = encoder.embed([POSTING.read_text(encoding="utf-8")])[0]
    results = {}
    for name, text in {"strong": STRONG, "weak": WEAK}.items():
        parsed = registry.resume_parser(Settings()).parse(text).model_dump(mode="json")
        results[name] = scoring.score(parsed, encoder.embed([text])[0], requirements, posting_vec)
    strong, weak = results["strong"], results["weak"]
    assert strong.score > weak.score + 30
    assert 0 <= weak.score <= strong.score <= 100
    assert set(strong.components) == {"semantic", "required_skills", "nice_skills", "experience", "education"}
    assert strong.components["experience"] == 1.0 and strong.components["education"] == 1.0
    assert "PostgreSQL".casefold() in {s.casefold() for s in strong.explanation["matched_skills"]}
    assert {s.casefold() for s in weak.explanation["missing_required_skills"]} >= {"python", "postgresql"}
    assert weak.explanation["experience_gap_years"] > 0


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("PhD in Physics", "doctorate"),
        ("M.Sc. Data Science", "master"),
        ("Bachelor of Arts", "bachelor"),
        ("MBA, 2019", "master"),
        ("High School Diploma", "high_school"),
        ("Diploma in Culinary Arts", None),
    ],
)
def test_education_levels(text, level):
    assert scoring.education_level(text) == level


def test_a_posting_without_headings_is_all_requirements():
    """A one-paragraph posting (no heading after its title) used to fail every score of its applications."""
    text = "Backend engineer\n\nWe need Python, Django and PostgreSQL, 3+ years.\n"
    assert scoring.requirement_texts(text) == (text, "")
