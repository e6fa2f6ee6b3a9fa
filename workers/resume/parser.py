"""Résumé text → ``ParsedResume``: the entity model's spans and the rules, each where it measures best.

The entity model (``workers.resume.entities``) tags every token of many résumés at once; its job titles, companies
and places, with the date ranges the rules find, become the experience entries (``workers.resume.assemble``), and
its places and headline title fill ``locations``, ``location`` and ``current_title``. Rules stay where they
measured better on held-out résumés (README): the name (the model's when the layout rules find none), e-mails,
phones, links, dates, education entries, and skills (the taxonomy and the learned skill scorer). The encoder reads
unusual section headings and skill phrases no alias covers.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from typing import Literal

from langdetect import DetectorFactory, LangDetectException, detect

from workers.engine.ahead import ahead
from workers.engine.encoder import Encoder
from workers.resume import assemble
from workers.resume.contacts import find_emails, find_languages, find_links, find_name, find_phones
from workers.resume.dated_lines import experience_for_language
from workers.resume.dates import RANGE_RE, find_date_ranges, years_of_experience
from workers.resume.education import find_education
from workers.resume.entities import Entity, EntityModel, entity_model_version
from workers.resume.name_spans import whole_names
from workers.resume.schema import Education, Evidence, Experience, ParsedResume, SectionInfo
from workers.resume.sections import Section, Segment, clean, find_sections, segments, spans_of
from workers.resume.skill_scorer import SkillScorer, bundled_scorer
from workers.resume.skills import cue_spans, extract_skills
from workers.resume.vocab import TITLE_RE

PARSER_VERSION = "resume-parser/2.6"  # 2.6: names after a bare "Resume" or with a degree after them
DetectorFactory.seed = 0  # langdetect is random by default; a fixed seed makes `language` reproducible
NAME_CANDIDATES = 15
MAX_SUMMARY_CHARS = 1500
CERT_RE = re.compile(r"\b(?:certified|certification|certificate|licen[cs]ed?)\b", re.IGNORECASE)
MAX_CERT_WORDS = 15
SHORT_LINE_WORDS = 2
LIST_LINE_WORDS = 12
SENTENCE_WORDS = 9
NO_SKILL_SECTIONS = ("publications", "references")  # titles of papers and referees' details name no skills of theirs
NO_JOB_SECTIONS = ("header", "personal", "references")  # a referee's title and employer are not the candidate's
LANGUAGE_CHARS = 2000
HEADLINE_CHARS = 400  # without a section heading, a headline title sits this close to the top
OVERLAP_CHUNK = 8  # résumés per chunk of entity-model work run ahead: ~one 16,384-token CUDA batch of 1,000 words


def parser_version(resume_model: str | None) -> str:
    """The parser and its entity model (``TALENTQ_RESUME_MODEL``), known without loading either: stored rows
    re-parse when either changes."""
    return f"{PARSER_VERSION}+{entity_model_version(resume_model)}"


class ResumeParser:
    """The encoder, the entity model and the skill scorer, loaded once per process (``workers.registry``)."""

    def __init__(
        self,
        encoder: Encoder,
        entity_model: EntityModel,
        skill_scorer: SkillScorer | Literal["bundled"] | None = "bundled",
    ) -> None:
        """``skill_scorer`` decides which skill candidates are kept: the shipped one for the encoder by default,
        None for the candidates of the rules alone."""
        self.encoder = encoder
        self.entity_model = entity_model
        self.skill_scorer = bundled_scorer(encoder) if skill_scorer == "bundled" else skill_scorer

    def with_models(self, entity_model: EntityModel, skill_scorer: SkillScorer | None) -> ResumeParser:
        """The same parser with other trained models (cross-validation: each fold's own)."""
        return ResumeParser(self.encoder, entity_model, skill_scorer)

    def parse(self, text: str, *, default_region: str = "US", today: date | None = None) -> ParsedResume:
        return self.parse_many([text], default_region=default_region, today=today)[0]

    def parse_many(
        self, texts: Sequence[str], *, default_region: str = "US", today: date | None = None, overlap: bool = False
    ) -> list[ParsedResume]:
        """Every field of every text with its evidence span; ``today`` closes "present" ranges. The entity model
        runs once over all texts, in shared forward passes; with ``overlap``, over ``OVERLAP_CHUNK`` texts at a
        time in a background thread, one chunk ahead of the rules (a GPU worker's layout, docs/operations.md)."""
        cleaned = [clean(text) for text in texts]
        tag = self.entity_model.tag
        tagged = ahead(tag, cleaned, OVERLAP_CHUNK) if overlap and len(cleaned) > OVERLAP_CHUNK else tag(cleaned)
        return [
            self._assemble(text, entities, default_region, today or date.today())
            for text, entities in zip(cleaned, tagged, strict=True)
        ]

    def _assemble(self, text: str, entities: list[Entity], default_region: str, today: date) -> ParsedResume:
        entities = whole_names(text, entities)
        segs = segments(text)
        sections = find_sections(text, segs, self.encoder)
        header_end = _header_end(sections, len(text))
        education_spans = spans_of(sections, "education")
        experience_scope = spans_of(sections, "experience") or _minus(
            _outside(sections, len(text), "education", "certifications"), [(0, header_end)]
        )
        experience_scope = _union(
            experience_scope,
            assemble.dated_title_lines(
                segs, entities, _minus(_outside(sections, len(text), *NO_JOB_SECTIONS), experience_scope)
            ),
        )
        ranges = [r for start, end in experience_scope for r in find_date_ranges(text, start, end)]
        language = _language(text)
        jobs = assemble.experience_entries(text, entities, ranges, experience_scope)
        jobs = experience_for_language(language, text, segs, ranges, jobs)
        locations = assemble.unique_evidence(assemble.of_label(entities, "LOCATION"))
        skill_lines = _skill_section_lines(segs, sections)
        education = find_education(text, education_spans or [(0, len(text))])
        section_infos = [SectionInfo(kind=s.kind, heading=s.heading, start=s.start, end=s.end) for s in sections]
        scorer = self.skill_scorer
        skills = extract_skills(
            _blank(text, spans_of(sections, *NO_SKILL_SECTIONS) + _organisations(jobs, education)),
            self.encoder,
            list_spans=_skill_lists(text, segs, sections),
            semantic_spans=skill_lines,
            phrase_spans=skill_lines,
            credentials=False,  # "PMP", "CPA": titles the candidate holds, not skills
            every_phrase=scorer is not None,  # the scorer judges every list item, not only those of skill lists
        )
        dated = {job.dates.start for job in jobs if job.dates}
        return ParsedResume(
            parser_version=PARSER_VERSION,
            # The layout rules know a résumé's own name best (98 of 101 against the model's 84, in-sample).
            name=find_name(text, _name_candidates(segs, sections)) or assemble.best_name(entities, header_end),
            current_title=assemble.headline_title(entities, header_end),
            emails=find_emails(text, spans_of(sections, "header", "personal")),
            phones=find_phones(text, default_region),
            links=find_links(text),
            location=next((loc for loc in locations if loc.start < header_end), None),
            locations=locations,
            summary=_summary(text, sections),
            skills=scorer.keep(text, section_infos, skills) if scorer else skills,
            education=education,
            experience=jobs,
            years_experience=years_of_experience([r for r in ranges if r.span[0] in dated], today),
            languages=find_languages(text, spans_of(sections, "languages")),
            certifications=_certifications(segs, sections),
            language=language,
            warnings=[] if language in ("en", "unknown") else ["non_english"],
            sections=section_infos,
        )


def _header_end(sections: list[Section], length: int) -> int:
    """Where the header (name, headline, contacts) ends: at the first section that is not header or personal
    details; without any heading, ``HEADLINE_CHARS`` in."""
    body = [s.start for s in sections if s.kind not in ("header", "personal")]
    return min(body) if body else min(length, HEADLINE_CHARS)


def _organisations(jobs: list[Experience], education: list[Education]) -> list[tuple[int, int]]:
    """Employer and school names: a skill word in them ("Oracle Corporation", "Java Institute") names the
    organisation, not something the candidate can do."""
    spans = [(e.start, e.end) for job in jobs if (e := job.company)]
    return spans + [(e.start, e.end) for entry in education if (e := entry.institution)]


def _outside(sections: list[Section], length: int, *kinds: str) -> list[tuple[int, int]]:
    """The document minus the sections of ``kinds``: where to look for jobs when no experience heading exists."""
    return _minus([(0, length)], spans_of(sections, *kinds))


def _union(spans: list[tuple[int, int]], more: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans covering both lists, merged where they overlap, in order."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans + more):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with ``spans`` replaced by spaces of the same length."""
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _skill_lists(text: str, segs: list[Segment], sections: list[Section]) -> list[tuple[int, int]]:
    """Where generic skills count: the list-like lines of skill sections, text near skill cues, and short lines
    that are not headings, job titles or education/contact lines; never job entries, whose generic words
    ("planning", "sales", "classroom management") are duties even on a short line or beside "strong"."""
    headings = {s.start for s in sections}
    skip = spans_of(sections, "header", "personal", "education", "references")
    short = [
        (seg.start, seg.end)
        for seg in segs
        if len(seg.text.split()) <= SHORT_LINE_WORDS
        and seg.start not in headings
        and not TITLE_RE.search(seg.text)
        and not any(a <= seg.start < b for a, b in skip)
    ]
    return _skill_section_lines(segs, sections) + _minus(short + cue_spans(text), spans_of(sections, "experience"))


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


def _skill_section_lines(segs: list[Segment], sections: list[Section]) -> list[tuple[int, int]]:
    """The list-like lines of skill sections (lines of under ``LIST_LINE_WORDS`` words that are not sentences, and
    comma-separated lists) up to the first dated line: a skill section that runs on past a missed heading swallows
    job entries and their prose, where generic words ("sales", "training") are duties, not skills."""
    spans = []
    for start, end in spans_of(sections, "skills"):
        for seg in segs:
            if seg.end <= start or seg.start >= end:
                continue
            if RANGE_RE.search(seg.text):
                break
            words = len(seg.text.split())
            sentence = words >= SENTENCE_WORDS and seg.text.rstrip("\"' ").endswith(".")
            if (words < LIST_LINE_WORDS and not sentence) or len(re.findall(r"[,;]", seg.text)) * 3 >= words:
                spans.append((max(seg.start, start), min(seg.end, end)))
    return spans


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
    """The first ``LANGUAGE_CHARS`` decide: on the dev résumés, the answer of 5,000 characters in 60 % of the time."""
    try:
        return detect(text[:LANGUAGE_CHARS])
    except LangDetectException:
        return "unknown"
