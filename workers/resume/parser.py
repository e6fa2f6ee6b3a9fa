"""Résumé text → ``ParsedResume``: the orchestration of layout, rule and encoder-based extractors.

The encoder is used where rules are brittle (unknown section headings, skill phrases no alias covers) and costs at
most two batched ``embed`` calls per résumé; exact formats (e-mails, phones, dates) are rules.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date
from typing import Literal

from langdetect import DetectorFactory, LangDetectException, detect

from workers.engine.encoder import Encoder
from workers.resume.contacts import find_emails, find_languages, find_links, find_locations, find_name, find_phones
from workers.resume.dates import RANGE_RE, DateRange, years_of_experience
from workers.resume.entries import find_education, find_experience
from workers.resume.schema import Education, Evidence, Experience, ParsedResume, SectionInfo
from workers.resume.sections import Section, Segment, clean, find_sections, segments, spans_of
from workers.resume.skill_scorer import SkillScorer, bundled_scorer
from workers.resume.skills import cue_spans, extract_skills
from workers.resume.vocab import TITLE_RE

PARSER_VERSION = "resume-parser/1.12"
DetectorFactory.seed = 0  # langdetect is random by default; a fixed seed makes `language` reproducible
NAME_CANDIDATES = 15
MAX_SUMMARY_CHARS = 1500
CERT_RE = re.compile(r"\b(?:certified|certification|certificate|licen[cs]ed?)\b", re.IGNORECASE)
MAX_CERT_WORDS = 15
SHORT_LINE_WORDS = 2
LIST_LINE_WORDS = 12
SENTENCE_WORDS = 9
NO_SKILL_SECTIONS = ("publications", "references")  # titles of papers and referees' details name no skills of theirs


def parse_resume(
    text: str,
    encoder: Encoder,
    *,
    default_region: str = "US",
    today: date | None = None,
    skill_scorer: SkillScorer | Literal["bundled"] | None = "bundled",
) -> ParsedResume:
    """Every field with its evidence span into ``text``; ``today`` closes "present" ranges (default: today).

    ``skill_scorer`` decides which skill candidates are kept: the shipped one for the encoder by default, None for
    the candidates of the rules alone (the parser before the scorer)."""
    cleaned = clean(text)
    segs = segments(cleaned)
    sections = find_sections(cleaned, segs, encoder)
    experience_spans = spans_of(sections, "experience") or _outside(sections, len(text), "education", "certifications")
    jobs = find_experience(cleaned, segs, experience_spans, [s.start for s in segs])
    locations = find_locations(cleaned)
    header_end = next((s.end for s in sections if s.kind == "header"), 0)
    language = _language(cleaned)
    skill_lines = _skill_section_lines(segs, sections)
    education = find_education(cleaned, spans_of(sections, "education") or [(0, len(text))])
    section_infos = [SectionInfo(kind=s.kind, heading=s.heading, start=s.start, end=s.end) for s in sections]
    scorer = bundled_scorer(encoder) if skill_scorer == "bundled" else skill_scorer
    skills = extract_skills(
        _blank(cleaned, spans_of(sections, *NO_SKILL_SECTIONS) + _organisations(jobs, education)),
        encoder,
        list_spans=_skill_lists(cleaned, segs, sections),
        semantic_spans=skill_lines,
        phrase_spans=skill_lines,
        credentials=False,  # "PMP", "CPA": titles the candidate holds, not skills
        every_phrase=scorer is not None,  # the scorer judges every list item, not only those of known-skill lists
    )
    return ParsedResume(
        parser_version=PARSER_VERSION,
        name=find_name(cleaned, _name_candidates(segs, sections)),
        emails=find_emails(cleaned, spans_of(sections, "header", "personal")),
        phones=find_phones(cleaned, default_region),
        links=find_links(cleaned),
        location=next((loc for loc in locations if loc.start < header_end), None),
        locations=locations,
        summary=_summary(cleaned, sections),
        skills=scorer.keep(cleaned, section_infos, skills) if scorer else skills,
        education=education,
        experience=[job for job, _ in jobs],
        years_experience=years_of_experience([rng for _, rng in jobs], today or date.today()),
        languages=find_languages(cleaned, spans_of(sections, "languages")),
        certifications=_certifications(segs, sections),
        language=language,
        warnings=[] if language in ("en", "unknown") else ["non_english"],
        sections=section_infos,
    )


def _organisations(jobs: list[tuple[Experience, DateRange]], education: list[Education]) -> list[tuple[int, int]]:
    """Employer and school names: a skill word in them ("Oracle Corporation", "Java Institute") names the
    organisation, not something the candidate can do."""
    spans = [(e.start, e.end) for job, _ in jobs if (e := job.company)]
    return spans + [(e.start, e.end) for entry in education if (e := entry.institution)]


def _outside(sections: list[Section], length: int, *kinds: str) -> list[tuple[int, int]]:
    """The document minus the sections of ``kinds``: where to look for jobs when no experience heading exists."""
    return _minus([(0, length)], spans_of(sections, *kinds))


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
    try:
        return detect(text[:5000])
    except LangDetectException:
        return "unknown"
