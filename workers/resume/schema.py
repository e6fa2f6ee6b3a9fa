"""The parsed-résumé schema: every extracted value carries the span of ``text`` it came from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SkillMatch(BaseModel):
    """One skill found in a text: the taxonomy entry, and the evidence span ``text[start:end]``."""

    name: str
    category: str
    generic: bool
    text: str
    start: int
    end: int
    method: Literal["alias", "semantic", "phrase"]
    score: float
    in_taxonomy: bool = True  # False for a free phrase of a skill list: ``name`` is then the phrase as written


class Evidence(BaseModel):
    """A value and where it was found: ``text[start:end]`` of the parsed text."""

    value: str
    start: int
    end: int
    confidence: float = 1.0  # the entity model's mean probability over the span; 1 for exact rules


class Phone(Evidence):
    raw: str  # as written; ``value`` is E.164


class Link(Evidence):
    kind: str  # linkedin | github | portfolio


class Education(BaseModel):
    institution: Evidence | None = None
    degree: Evidence | None = None
    field: Evidence | None = None
    graduation_year: int | None = None
    year_span: Evidence | None = None
    level: Literal["secondary", "higher"] = "higher"  # secondary: a high school, sixth form, GED, A-levels


class Experience(BaseModel):
    title: Evidence | None = None
    company: Evidence | None = None
    location: Evidence | None = None
    start: str | None = None  # YYYY-MM; a year without a month is recorded as July
    end: str | None = None
    current: bool = False
    dates: Evidence | None = None


class SectionInfo(BaseModel):
    kind: str
    heading: str
    start: int
    end: int


class ParsedResume(BaseModel):
    parser_version: str
    name: Evidence | None = None
    current_title: Evidence | None = None  # the headline title under the name
    emails: list[Evidence] = Field(default_factory=list)
    phones: list[Phone] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    location: Evidence | None = None  # the candidate's own, from the header
    locations: list[Evidence] = Field(default_factory=list)  # every place mentioned (jobs, schools)
    summary: Evidence | None = None
    skills: list[SkillMatch] = Field(default_factory=list)
    education: list[Education] = Field(default_factory=list)
    experience: list[Experience] = Field(default_factory=list)
    years_experience: float | None = None
    languages: list[Evidence] = Field(default_factory=list)
    certifications: list[Evidence] = Field(default_factory=list)
    language: str = "unknown"  # ISO 639-1 of the document
    warnings: list[str] = Field(default_factory=list)
    sections: list[SectionInfo] = Field(default_factory=list)
