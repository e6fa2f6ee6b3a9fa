"""Résumé text → ``ParsedResume``: the entity model's spans, assembled into fields, plus exact rules.

The entity model (``workers.resume.entities``) tags names, job titles, companies, schools, degrees, graduation
years, places and skills in the résumé's own words; ``workers.resume.assemble`` groups them into experience and
education entries. Rules stay where formats are exact: e-mails, phones, links, date ranges, and the layout
(sections, for the summary, certifications and spoken languages). Many résumés are parsed together, so the
models run in large batches.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date

from langdetect import DetectorFactory, LangDetectException, detect

from workers.engine.encoder import Encoder
from workers.resume import assemble
from workers.resume.contacts import find_emails, find_languages, find_links, find_name, find_phones
from workers.resume.dates import find_date_ranges, years_of_experience
from workers.resume.entities import Entity, EntityModel, entity_model_version
from workers.resume.schema import Evidence, ParsedResume, SectionInfo
from workers.resume.sections import Section, Segment, clean, find_sections, segments, spans_of
from workers.resume.skills import Taxonomy, default_taxonomy

PARSER_VERSION = "resume-parser/2.0"
DetectorFactory.seed = 0  # langdetect is random by default; a fixed seed makes `language` reproducible
NAME_CANDIDATES = 15
MAX_SUMMARY_CHARS = 1500
CERT_RE = re.compile(r"\b(?:certified|certification|certificate|licen[cs]ed?)\b", re.IGNORECASE)
MAX_CERT_WORDS = 15
HEADLINE_CHARS = 400  # without a section heading, a headline title sits this close to the top


def parser_version(resume_model: str | None) -> str:
    """The parser and its entity model (``TALENTQ_RESUME_MODEL``), known without loading either: stored rows
    re-parse when either changes."""
    return f"{PARSER_VERSION}+{entity_model_version(resume_model)}"


class ResumeParser:
    """The encoder (section headings), the entity model and the skills taxonomy, loaded once per process."""

    def __init__(self, encoder: Encoder, entity_model: EntityModel, taxonomy: Taxonomy | None = None) -> None:
        self.encoder = encoder
        self.entity_model = entity_model
        self.taxonomy = taxonomy or default_taxonomy()

    def with_entity_model(self, entity_model: EntityModel) -> ResumeParser:
        """The same parser with another entity model (cross-validation: each fold's own)."""
        return ResumeParser(self.encoder, entity_model, self.taxonomy)

    def parse(self, text: str, *, default_region: str = "US", today: date | None = None) -> ParsedResume:
        return self.parse_many([text], default_region=default_region, today=today)[0]

    def parse_many(
        self, texts: Sequence[str], *, default_region: str = "US", today: date | None = None
    ) -> list[ParsedResume]:
        """Every field of every text with its evidence span; ``today`` closes "present" ranges. The entity model
        runs once over all texts."""
        cleaned = [clean(text) for text in texts]
        tagged = self.entity_model.tag(cleaned)
        return [
            self._assemble(text, entities, default_region, today or date.today())
            for text, entities in zip(cleaned, tagged, strict=True)
        ]

    def _assemble(self, text: str, entities: list[Entity], default_region: str, today: date) -> ParsedResume:
        segs = segments(text)
        sections = find_sections(text, segs, self.encoder)
        header_end = _header_end(sections, len(text))
        education_spans = spans_of(sections, "education")
        experience_scope = spans_of(sections, "experience") or _minus(
            [(0, len(text))], spans_of(sections, "education", "certifications")
        )
        ranges = [r for start, end in experience_scope for r in find_date_ranges(text, start, end)]
        experience = assemble.experience_entries(text, entities, ranges, [(0, header_end), *education_spans])
        locations = assemble.unique_evidence(assemble.of_label(entities, "LOCATION"))
        language = _language(text)
        return ParsedResume(
            parser_version=PARSER_VERSION,
            # The layout rules know a résumé's own name best (98 of 101 against 84, in-sample); the model's when they
            # find none.
            name=find_name(text, _name_candidates(segs, sections)) or assemble.best_name(entities),
            current_title=assemble.headline_title(entities, header_end),
            emails=find_emails(text, spans_of(sections, "header", "personal")),
            phones=find_phones(text, default_region),
            links=find_links(text),
            location=next((loc for loc in locations if loc.start < header_end), None),
            locations=locations,
            summary=_summary(text, sections),
            skills=assemble.skill_matches(entities, self.taxonomy),
            education=assemble.education_entries(entities),
            experience=experience,
            years_experience=years_of_experience(
                [r for r in ranges if any(job.dates and job.dates.start == r.span[0] for job in experience)], today
            ),
            languages=find_languages(text, spans_of(sections, "languages")),
            certifications=_certifications(segs, sections),
            language=language,
            warnings=[] if language in ("en", "unknown") else ["non_english"],
            sections=[SectionInfo(kind=s.kind, heading=s.heading, start=s.start, end=s.end) for s in sections],
        )


def _header_end(sections: list[Section], length: int) -> int:
    """Where the header (name, headline, contacts) ends: at the first section that is not header or personal
    details; without any heading, ``HEADLINE_CHARS`` in."""
    body = [s.start for s in sections if s.kind not in ("header", "personal")]
    return min(body) if body else min(length, HEADLINE_CHARS)


def _minus(spans: list[tuple[int, int]], cut: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``spans`` outside every span of ``cut``."""
    out = []
    for start, end in spans:
        for a, b in sorted(cut):
            if a < end and b > start:
                if a > start:
                    out.append((start, a))
                start = max(start, b)
        if start < end:
            out.append((start, end))
    return out


def _name_candidates(segs: list[Segment], sections: list[Section]) -> list[Segment]:
    """Lines of the header and personal-details sections, else the first lines of the document."""
    spans = spans_of(sections, "header", "personal")
    inside = [s for s in segs if any(a <= s.start < b for a, b in spans)]
    return inside[:NAME_CANDIDATES] or segs[:NAME_CANDIDATES]


def _summary(text: str, sections: list[Section]) -> Evidence | None:
    for start, end in spans_of(sections, "summary"):
        body = text[start:end].strip(" :\n\t-")
        if body:
            begin = text.index(body, start)
            value = " ".join(body[:MAX_SUMMARY_CHARS].split())
            return Evidence(value=value, start=begin, end=begin + min(len(body), MAX_SUMMARY_CHARS))
    return None


def _certifications(segs: list[Segment], sections: list[Section]) -> list[Evidence]:
    """Short lines of a certifications section, and short lines anywhere that say "certified"/"certificate"."""
    spans = spans_of(sections, "certifications")
    starts = [a for a, _ in spans]
    found = []
    for seg in segs:
        k = bisect_right(starts, seg.start) - 1
        in_section = k >= 0 and seg.start < spans[k][1]
        if len(seg.text.split()) <= MAX_CERT_WORDS and (in_section or CERT_RE.search(seg.text)):
            found.append(Evidence(value=seg.text, start=seg.start, end=seg.end))
    return found


def _language(text: str) -> str:
    try:
        return detect(text[:5000])
    except LangDetectException:
        return "unknown"
