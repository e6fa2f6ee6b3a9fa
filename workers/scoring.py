"""Candidate scoring: 0–100 from documented components, with reasons a recruiter can read.

score = 100 × fit × (1 − QUALIFICATION_SHARE + QUALIFICATION_SHARE × qualification), where each factor is the
weighted mean Σ wᵢ·cᵢ / Σ wᵢ of its components that apply:

- fit, how well the candidate's field matches the posting:
  - ``semantic`` (w 0.50): cosine of résumé and posting embeddings, mapped from [0.15, 0.75] onto [0, 1];
  - ``required_skills`` (w 0.35): share of the posting's required skills the résumé has;
  - ``nice_skills`` (w 0.10): share of its nice-to-have skills (skipped if it lists none);
- qualification, how far the candidate meets the stated bar:
  - ``experience`` (w 0.15): years of experience / years required, capped at 1 (skipped if the posting states
    none, or if the résumé has no dated jobs: unknown years are not zero years);
  - ``education`` (w 0.05): 1 when the highest degree meets the stated level, 0.5 one level below, else 0.

Qualification scales fit by at most ``QUALIFICATION_SHARE`` (20 %): it orders candidates of the same field, but
years or a degree in another field cannot lift an unrelated candidate above a fitting one. On 591 Google postings
× 113 categorised résumés (``evaluation.ranking``), scorer-1's plain weighted sum of all five components, which
let experience compensate for the wrong field, ranked worse than cosine similarity alone.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from workers.engine.encoder import Encoder
from workers.resume.skills import extract_skills

SCORER_VERSION = "scorer-3"  # 3: requirements come from a posting's requirement sections only
WEIGHTS = {"semantic": 0.50, "required_skills": 0.35, "nice_skills": 0.10, "experience": 0.15, "education": 0.05}
SEMANTIC_RANGE = (0.15, 0.75)
FIT = ("semantic", "required_skills", "nice_skills")
QUALIFICATION = ("experience", "education")
QUALIFICATION_SHARE = 0.2

EDUCATION_LEVELS = {"high_school": 1, "associate": 2, "bachelor": 3, "master": 4, "doctorate": 5}
_DEGREE_PATTERNS = [
    ("doctorate", r"\b(ph\.?\s?d|doctor(ate)?|d\.?phil)\b"),
    ("master", r"\b(master'?s?|m\.?sc?|m\.?eng|mba|m\.?a\.?|ma[eî]trise|m[áa]ster)\b"),
    (
        "bachelor",
        r"\b(bachelor'?s?|b\.?sc?|b\.?eng|b\.?tech|b\.?a\.?|b\.?e\.?|undergraduate degree|licenciatura|licence)\b",
    ),
    ("associate", r"\bassociate'?s? degree\b"),
    ("high_school", r"\b(high school|secondary school|ged)\b"),
]
_NICE_HEADING = re.compile(r"^\W*(nice[- ]to[- ]have|preferred|bonus|pluses|desirable)\b", re.I | re.M)
# A heading: a Markdown heading, or a short line of its own ending in ":" or in bold ("**What you bring**").
_HEADING = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]+(?P<md>[^\n]+)|\*\*(?P<bold>[^*\n]{2,60})\*\*:?|(?P<colon>[^\n:.]{2,60}):)[ \t]*$", re.M
)
_REQUIRED_HEADING = re.compile(
    r"requirement|qualification|must[- ]have|skills|experience|what you(?:'ll| will)? (?:bring|need|have)|"
    r"you have|about you|who you are|looking for|profile|competenc",
    re.I,
)
_YEARS = re.compile(r"(\d{1,2})\s*\+?\s*(?:-\s*\d{1,2}\s*)?years?(?:'|’)?\s+(?:of\s+)?(?:\w+\s+){0,4}?experience", re.I)


class Requirements(BaseModel):
    """What a posting asks for, extracted from its text with the same skills taxonomy as résumés."""

    required_skills: list[str]
    nice_skills: list[str]
    min_years: float | None
    education: str | None


class Explanation(BaseModel):
    """Why a candidate got their score (``score_results.explanation``; its JSON Schema is published)."""

    matched_skills: list[str] = Field(description="required skills the résumé has")
    missing_required_skills: list[str] = Field(description="required skills the résumé lacks")
    matched_nice_skills: list[str] = Field(description="nice-to-have skills the résumé has")
    years_experience: float | None = Field(description="the résumé's years of experience; null when unknown")
    years_required: float | None = Field(description="the posting's minimum years; null when it states none")
    experience_gap_years: float | None = Field(description="years missing to the minimum; null when unknown")
    education: str | None = Field(description="the résumé's highest degree level")
    education_required: str | None = Field(description="the posting's degree level")
    cosine: float = Field(description="cosine of the résumé and posting embeddings")
    fit: float = Field(description="weighted mean of the fit components, 0-1")
    qualification: float | None = Field(description="weighted mean of the qualification components, 0-1")


class Score(BaseModel):
    score: float
    components: dict[str, Any]
    explanation: dict[str, Any]


def education_level(text: str) -> str | None:
    """The highest degree named in ``text``, as a key of ``EDUCATION_LEVELS``."""
    for level, pattern in _DEGREE_PATTERNS:
        if re.search(pattern, text, re.I):
            return level
    return None


def requirement_texts(text: str) -> tuple[str, str]:
    """(required, nice-to-have) text of a posting: its requirement sections ("Requirements", "Minimum
    qualifications", "What you bring") and its "Nice to have"/"Preferred" sections. The company description,
    responsibilities and benefits name words of the business ("clinical", "insurance"), not what a candidate
    must know. A posting without requirement headings keeps everything before its "Nice to have" heading."""
    start = len(text) - len(text.lstrip())
    headings = [m for m in _HEADING.finditer(text) if m.start() > start]  # the first line is the posting's title
    sections = [
        (next(g for g in m.groups() if g), text[m.end() : nxt.start() if nxt else len(text)])
        for m, nxt in pairwise([*headings, None])  # a posting without headings has no sections
    ]
    nice = "\n".join(body for title, body in sections if _NICE_HEADING.match(title))
    required = "\n".join(
        body for title, body in sections if _REQUIRED_HEADING.search(title) and not _NICE_HEADING.match(title)
    )
    if required.strip():
        return required, nice
    split = _NICE_HEADING.search(text)
    return (text[: split.start()], text[split.start() :]) if split else (text, "")


def extract_requirements(text: str, encoder: Encoder) -> Requirements:
    """Skills of the requirement sections are required, of the "Nice to have"/"Preferred" ones nice-to-have."""
    required_text, nice_text = requirement_texts(text)
    required = _skill_names(required_text, encoder)
    nice = [s for s in _skill_names(nice_text, encoder) if s not in required] if nice_text else []
    years = [int(m.group(1)) for m in _YEARS.finditer(required_text)]
    return Requirements(
        required_skills=required,
        nice_skills=nice,
        min_years=float(min(years)) if years else None,
        education=education_level(required_text),
    )


def _skill_names(text: str, encoder: Encoder) -> list[str]:
    return list(dict.fromkeys(match.name for match in extract_skills(text, encoder)))


def score(
    resume: dict[str, Any], resume_vector: np.ndarray, requirements: Requirements, posting_vector: np.ndarray
) -> Score:
    """Score a parsed résumé (``ParsedResume`` as JSON) against a posting's requirements."""
    skills = {s.casefold() for s in resume_skill_names(resume)}
    cosine = float(np.dot(resume_vector, posting_vector))
    low, high = SEMANTIC_RANGE
    components: dict[str, float] = {"semantic": float(np.clip((cosine - low) / (high - low), 0, 1))}
    matched = [s for s in requirements.required_skills if s.casefold() in skills]
    missing = [s for s in requirements.required_skills if s.casefold() not in skills]
    if requirements.required_skills:
        components["required_skills"] = len(matched) / len(requirements.required_skills)
    nice_matched = [s for s in requirements.nice_skills if s.casefold() in skills]
    if requirements.nice_skills:
        components["nice_skills"] = len(nice_matched) / len(requirements.nice_skills)
    years = resume.get("years_experience")
    if requirements.min_years and years is not None:
        components["experience"] = min(1.0, years / requirements.min_years)
    degree = _highest_degree(resume)
    if requirements.education:
        gap = EDUCATION_LEVELS[requirements.education] - EDUCATION_LEVELS.get(degree or "", 0)
        components["education"] = 1.0 if gap <= 0 else 0.5 if gap == 1 else 0.0
    fit = _weighted_mean(components, FIT) or 0.0
    qualification = _weighted_mean(components, QUALIFICATION)
    total = fit * (1 - QUALIFICATION_SHARE + QUALIFICATION_SHARE * (1.0 if qualification is None else qualification))
    explanation = Explanation(
        matched_skills=matched,
        missing_required_skills=missing,
        matched_nice_skills=nice_matched,
        years_experience=years,
        years_required=requirements.min_years,
        experience_gap_years=_experience_gap(years, requirements.min_years),
        education=degree,
        education_required=requirements.education,
        cosine=round(cosine, 4),
        fit=round(fit, 4),
        qualification=None if qualification is None else round(qualification, 4),
    ).model_dump(mode="json")
    return Score(
        score=round(100 * total, 1), components={k: round(v, 4) for k, v in components.items()}, explanation=explanation
    )


def _weighted_mean(components: dict[str, float], keys: tuple[str, ...]) -> float | None:
    present = [k for k in keys if k in components]
    if not present:
        return None
    return sum(WEIGHTS[k] * components[k] for k in present) / sum(WEIGHTS[k] for k in present)


def _experience_gap(years: float | None, required: float | None) -> float | None:
    """Years missing to the posting's minimum; 0 when none is stated, None when the résumé's years are unknown."""
    if not required:
        return 0.0
    return None if years is None else max(0.0, required - years)


def resume_skill_names(resume: dict[str, Any]) -> list[str]:
    return [skill["name"] for skill in resume.get("skills", [])]


def _highest_degree(resume: dict[str, Any]) -> str | None:
    """Highest level among the résumé's education entries (their degree and field evidence)."""
    texts = [
        " ".join((entry.get(key) or {}).get("value", "") for key in ("degree", "field"))
        for entry in resume.get("education", [])
    ]
    known = [level for level in map(education_level, texts) if level]
    return max(known, key=EDUCATION_LEVELS.__getitem__) if known else None
