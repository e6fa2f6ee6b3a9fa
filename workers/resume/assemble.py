"""Parsed fields from the entity model's spans: the name, the headline title, experience and education entries,
locations and skills.

Entries are grouped in reading order, as a reader groups them: a job's title, company, place and dates follow each
other in some order, and a field already filled means the next entry has begun. Dates come from the exact rules
(``workers.resume.dates``), everything else from the model's spans, each with its confidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from workers.resume.dates import SINGLE_YEAR_RE, DateRange
from workers.resume.entities import Entity
from workers.resume.schema import Education, Evidence, Experience, SkillMatch
from workers.resume.skills import Taxonomy

FIELD_OF_STUDY_RE = re.compile(
    r"\b(?:in|of)\s+(?!(?:science|arts|engineering|technology|laws?|education)\b)(.+)$", re.I
)


def evidence(entity: Entity) -> Evidence:
    return Evidence(value=entity.text, start=entity.start, end=entity.end, confidence=round(entity.confidence, 3))


def of_label(entities: Iterable[Entity], label: str) -> list[Entity]:
    return [e for e in entities if e.label == label]


def best_name(entities: Sequence[Entity]) -> Evidence | None:
    """The first name span among the most confident ones (a résumé names its owner first; referees come later)."""
    names = of_label(entities, "NAME")
    if not names:
        return None
    top = max(e.confidence for e in names)
    return evidence(next(e for e in names if e.confidence >= top - 0.15))


def headline_title(entities: Sequence[Entity], header_end: int) -> Evidence | None:
    """A job title in the header, under or beside the name: what the candidate calls themself today."""
    return next((evidence(e) for e in of_label(entities, "TITLE") if e.start < header_end), None)


def unique_evidence(entities: Iterable[Entity]) -> list[Evidence]:
    """One evidence per distinct value (case and spacing aside), the first mention's."""
    seen: dict[str, Evidence] = {}
    for entity in entities:
        seen.setdefault(" ".join(entity.text.casefold().split()), evidence(entity))
    return list(seen.values())


def experience_entries(
    text: str, entities: Sequence[Entity], ranges: Sequence[DateRange], skip: Sequence[tuple[int, int]]
) -> list[Experience]:
    """Titles, companies, places and date ranges in reading order (outside ``skip``: the header and the education
    section), grouped into jobs; a job needs a title or a company."""
    items: list[tuple[int, str, object]] = [
        (e.start, e.label, e)
        for e in entities
        if e.label in ("TITLE", "COMPANY", "LOCATION") and not _in(e.start, skip)
    ]
    items += [(r.span[0], "DATES", r) for r in ranges if not _in(r.span[0], skip)]
    jobs: list[dict[str, object]] = []
    current: dict[str, object] = {}
    for _, kind, item in sorted(items, key=lambda i: i[0]):
        if kind in current:
            if kind == "LOCATION":
                continue  # a second place within one job ("Remote / New York") opens nothing
            jobs.append(current)
            current = {}
        current[kind] = item
    jobs.append(current)
    return [_experience(text, job) for job in jobs if "TITLE" in job or "COMPANY" in job]


def _experience(text: str, job: dict[str, object]) -> Experience:
    title, company, place, rng = (job.get(k) for k in ("TITLE", "COMPANY", "LOCATION", "DATES"))
    entry = Experience(
        title=evidence(title) if isinstance(title, Entity) else None,
        company=evidence(company) if isinstance(company, Entity) else None,
        location=evidence(place) if isinstance(place, Entity) else None,
    )
    if isinstance(rng, DateRange):
        entry.start = rng.start.strftime("%Y-%m")
        entry.end = rng.end.strftime("%Y-%m") if rng.end else None
        entry.current = rng.current
        entry.dates = Evidence(value=text[rng.span[0] : rng.span[1]], start=rng.span[0], end=rng.span[1])
    return entry


def education_entries(entities: Sequence[Entity]) -> list[Education]:
    """Schools, degrees and graduation years in reading order, grouped: a field already filled starts the next."""
    entries: list[Education] = []
    current = Education()
    for entity in entities:
        kind = {"COLLEGE": "institution", "DEGREE": "degree", "GRAD_YEAR": "year_span"}.get(entity.label)
        if kind is None:
            continue
        if getattr(current, kind) is not None:
            entries.append(current)
            current = Education()
        setattr(current, kind, evidence(entity))
        if kind == "degree":
            current.field = _field_of_study(current.degree)
        elif kind == "year_span" and (years := SINGLE_YEAR_RE.findall(entity.text)):
            current.graduation_year = int(years[-1])
    entries.append(current)
    return [e for e in entries if e.institution or e.degree]


def _field_of_study(degree: Evidence | None) -> Evidence | None:
    """The subject: "Bachelor of Science in Computer Science" → "Computer Science", "BA of English" → "English"."""
    match = FIELD_OF_STUDY_RE.search(degree.value) if degree else None
    if degree is None or match is None:
        return None
    start = degree.start + match.start(1)
    return Evidence(value=match.group(1), start=start, end=start + len(match.group(1)), confidence=degree.confidence)


def skill_matches(entities: Sequence[Entity], taxonomy: Taxonomy) -> list[SkillMatch]:
    """Each distinct skill as the résumé words it, with its canonical taxonomy entry where the whole span names
    one (``in_taxonomy``); otherwise ``name`` is the words themselves."""
    found: dict[str, SkillMatch] = {}
    for entity in of_label(entities, "SKILL"):
        key = " ".join(entity.text.casefold().split())
        if key in found:
            continue
        entry = taxonomy.canonical(entity.text)
        found[key] = SkillMatch(
            name=entry.name if entry else entity.text,
            category=entry.category if entry else "other",
            generic=entry.generic if entry else False,
            text=entity.text,
            start=entity.start,
            end=entity.end,
            method="model",
            score=round(entity.confidence, 3),
            in_taxonomy=entry is not None,
        )
    return list(found.values())


def _in(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= position < b for a, b in spans)
