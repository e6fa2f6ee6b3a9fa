"""Parsed fields from the entity model's spans: experience entries, places, the headline title, a name.

Entries are grouped in reading order, as a reader groups them: a job's title, company, place and dates follow each
other in some order, and a field already filled means the next entry has begun. Dates come from the exact rules
(``workers.resume.dates``), the rest from the model's spans, each with its confidence; a title the model tagged
without an employer on its line takes the employer the line names beside it ("Software Engineer, Apple"), with
``LAYOUT_CONFIDENCE``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from workers.resume.dates import MONTH_RE, RANGE_RE, DateRange
from workers.resume.entities import Entity
from workers.resume.schema import Evidence, Experience
from workers.resume.sections import Segment
from workers.resume.vocab import LEGAL_FORM, SCHOOL_NAMES, TITLE_RE

JOB_LABELS = frozenset({"TITLE", "COMPANY", "COLLEGE", "LOCATION"})
EMPLOYER_LABELS = frozenset({"COMPANY", "COLLEGE"})
MIN_CONFIDENCE = 0.4  # a span the model gives less than this fills no field (a stray tag in a bullet line)
ONE_WORD_CONFIDENCE = 0.6  # a one-word employer needs more: alone, "University", "Center" or "Geeks" is a fragment
EMPLOYER = {"COLLEGE": "COMPANY"}
LAYOUT_CONFIDENCE = 0.5  # an employer read from the line's layout beside a title, not tagged by the model
NAME_RUN = r"(?:[A-Z][\w&.'’/-]*)(?: (?:[A-Z0-9][\w&.'’/-]*|&|(?:of|and|the|de|for)\b))*"
# words beside a title that say which function, when or how, not for whom: "Team Lead, QA", "Vice President, Sales"
NOT_EMPLOYER_RE = re.compile(
    r"(?i:sales|marketing|qa|engineering|operations|finance|hr|it|construction|administration|research|development|"
    r"continued|ongoing|present|current|contract|freelance|remote|volunteer|spring|summer|fall|autumn|winter)"
)
EMPLOYER_AFTER_RE = re.compile(rf"[ \t]*(?:,|–|—|-|@|\bat\b)[ \t]*(?P<name>{NAME_RUN})")
EMPLOYER_BEFORE_RE = re.compile(rf"(?P<name>{NAME_RUN})[ \t]*(?:,|–|—|-)[ \t]*$")
# a legal form or an institution's kind alone names no employer: "Ltd" of "Controls Pvt.Ltd", a bare "University"
NAMELESS_EMPLOYER_RE = re.compile(rf"(?i:(?:the\s+)?(?:pvt\.?\s*)?(?:{LEGAL_FORM}|{'|'.join(SCHOOL_NAMES)})\.?)")
NAME_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "bin", "ibn"}
)
PROSE_AFTER_RE = re.compile(r"[ \t]+[a-z]")
SEPARATED_BEFORE_RE = re.compile(r"(?:[,–|\n-]\s*|\s{2,})$")
PLACE_AFTER_RE = re.compile(r"\s*[,–|-]?\s*")


def evidence(entity: Entity) -> Evidence:
    return Evidence(value=entity.text, start=entity.start, end=entity.end, confidence=round(entity.confidence, 3))


def fills_field(entity: Entity) -> bool:
    """Whether a span may fill a field: confident enough, and shaped like what it is tagged. On held-out résumés
    (README) most job titles without a title's head word ("Senior", "Customer Service Experience", "Summer") and
    most employers starting in lower case ("institute", "stores") were wrong."""
    if entity.confidence < MIN_CONFIDENCE:
        return False
    if entity.label == "TITLE":
        return TITLE_RE.search(entity.text) is not None
    if entity.label in EMPLOYER_LABELS:
        capital = entity.text[:1].isupper() or entity.text[1:2].isupper() or entity.text[:1].isdigit()
        return capital and not NAMELESS_EMPLOYER_RE.fullmatch(entity.text)
    if entity.label == "NAME":  # "Ke y S ki" of a spaced-out "Key Skills" heading is no one's name
        return all(word[:1].isupper() or word in NAME_PARTICLES for word in entity.text.split())
    return True


def _employer_shaped(text: str, entity: Entity, entities: Sequence[Entity]) -> bool:
    """A one-word employer the model is unsure of ("University", "Center", "Geeks" inside a sentence: 9 right of
    89 held out) counts only where a line names it before its place: at a line's start or after a separator, a
    place just after it ("Stripe – San Francisco")."""
    one_unsure_word = len(entity.text.split()) == 1 and entity.confidence < ONE_WORD_CONFIDENCE
    if entity.label not in EMPLOYER_LABELS or not one_unsure_word:
        return True
    before = text[max(0, entity.start - 3) : entity.start]
    opens = entity.start == 0 or bool(SEPARATED_BEFORE_RE.search(before))
    gaps = (text[entity.end : e.start] for e in entities if e.label == "LOCATION" and e.start >= entity.end)
    return opens and any(PLACE_AFTER_RE.fullmatch(gap) for gap in gaps)


def of_label(entities: Iterable[Entity], label: str) -> list[Entity]:
    return [e for e in entities if e.label == label and fills_field(e)]


def best_name(entities: Sequence[Entity], header_end: int) -> Evidence | None:
    """The first name span among the most confident ones (a résumé names its owner first; referees come later). A
    lone word counts only in the header: further down it is more often an employer or a heading's fragment."""
    names = [e for e in of_label(entities, "NAME") if e.start < header_end or len(e.text.split()) > 1]
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


def dated_title_lines(
    segs: Sequence[Segment], entities: Sequence[Entity], outside: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Jobs outside the experience sections: a line within ``outside`` that holds a job title and a date range,
    on it or on a line beside it, with those lines. Headings are missed or misread ("Academic career" read as
    education, a job list run into a skills section); a dated title there is still a job, while an undated
    one ("looking for a marketing assistant position") is not."""
    titles = [e.start for e in of_label(entities, "TITLE") if _in(e.start, outside)]
    spans = []
    for k, seg in enumerate(segs):
        if not any(seg.start <= t < seg.end for t in titles):
            continue
        near = segs[max(0, k - 1) : k + 2]
        dated = [n for n in near if RANGE_RE.search(n.text)]
        if dated:
            spans.append((min(seg.start, dated[0].start), max(seg.end, dated[-1].end)))
    return spans


def experience_entries(
    text: str, entities: Sequence[Entity], ranges: Sequence[DateRange], scope: Sequence[tuple[int, int]]
) -> list[Experience]:
    """Titles, companies, places and date ranges in reading order inside ``scope`` (the experience sections),
    grouped into jobs; a job needs a title or a company. A school named in a job entry is the employer."""
    kept = [
        e
        for e in entities
        if e.label in JOB_LABELS and fills_field(e) and _employer_shaped(text, e, entities) and _in(e.start, scope)
    ]
    kept += [
        employer
        for title in kept
        if title.label == "TITLE" and (employer := _employer_beside(text, title, kept, entities)) is not None
    ]
    items: list[tuple[int, str, object]] = [(e.start, EMPLOYER.get(e.label, e.label), e) for e in kept]
    items += [(r.span[0], "DATES", r) for r in ranges if _in(r.span[0], scope)]
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


def _employer_beside(text: str, title: Entity, kept: Sequence[Entity], entities: Sequence[Entity]) -> Entity | None:
    """The employer a line names beside a title the model tagged alone: "Software Engineer, Apple", "Surf Shop,
    Retail Sales Associate". The capitalised words after the title (past a comma, a dash or "at") or before it
    (up to a comma or a dash), on the same line, when the model tagged no employer on that line and those words
    are no other entity it is sure of, no date and no title."""
    line_start = max(text.rfind("\n", 0, title.start), text.rfind("  ", 0, title.start)) + 1
    line_end = min(i for i in (text.find("\n", title.end), text.find("  ", title.end), len(text)) if i >= 0)
    if any(e.label in EMPLOYER_LABELS and line_start <= e.start < line_end for e in kept):
        return None
    after = EMPLOYER_AFTER_RE.match(text, title.end, line_end)
    before = EMPLOYER_BEFORE_RE.search(text, line_start, title.start)
    for match in (after, before):
        if match is None:
            continue
        start, end = match.span("name")
        end = _sentence_end(text, start, end)
        name = text[start:end]
        others = [e for e in entities if e.start < end and e.end > start and e.label not in EMPLOYER_LABELS]
        if NOT_EMPLOYER_RE.fullmatch(name.split()[0]) or PROSE_AFTER_RE.match(text, end):
            continue  # "Vice President, Sales", "Promoted to review…": a function, or a sentence going on
        if TITLE_RE.search(name) or RANGE_RE.search(name) or MONTH_RE.match(name):
            continue
        if any(e.confidence >= MIN_CONFIDENCE for e in others):
            continue
        return Entity("COMPANY", start, end, name, LAYOUT_CONFIDENCE)
    return None


def _sentence_end(text: str, start: int, end: int) -> int:
    """``end``, or sooner where a word of the run ends a sentence ("Science. Responsibilities…"); short words
    ending in a dot ("St.", "Inc.") do not."""
    for word in re.finditer(r"\S+", text[start:end]):
        if word.group().endswith(".") and len(word.group()) > 4:
            return start + word.end() - 1
    return end


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


def _in(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= position < b for a, b in spans)
