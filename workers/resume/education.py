"""Experience and education entries: anchored on dates and degree/institution patterns, filled from nearby lines.

A job entry is a date range inside an experience section plus the short lines around it; which of them is the
title and which the company is decided by head nouns ("engineer", "manager") and organisation markers ("Inc",
"University", "Hospital"). An education entry groups the degree, institution and year mentions that follow each
other in the education section.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from workers.resume.contacts import LOCATION_RE
from workers.resume.dates import SINGLE_YEAR_RE, DateRange, find_date_ranges
from workers.resume.schema import Education, Evidence, Experience
from workers.resume.sections import Segment
from workers.resume.vocab import COMPANY_RE, TITLE_RE

DEGREE_RE = re.compile(
    r"(?:\b(?i:bachelor|master|doctor(?:ate)?|associate|diploma|post ?graduate|graduate certificate|"
    r"high school|secondary school|foundation degree)[’']?s?\b"
    r"|(?<![\w.])(?:Ph\.?\s?D|M\.?B\.?A|B\.?\s?Sc|M\.?\s?Sc|BASc|B\.?S|M\.?S|B\.?A|M\.?A|B\.?\s?Tech|M\.?\s?Tech|"
    r"B\.?E|M\.?E|B\.?Com|M\.?Com|LL\.?B|LL\.?M|J\.?D|M\.?D|Ed\.?[SD]|GED|A\.?A\.?S|A\.?A|A\.?S|BBA|BCA|MCA|"
    r"B\.?Ed|M\.?Ed|MPH|MSW|BSN|MSN|DNP|HND|HNC|FDeg|B\.?F\.?A|M\.?F\.?A|B\.?Eng|M\.?Eng)\.?(?![\w]))"
    r"(?:[^,;()\n|:]*?)(?=\s*(?:,|;|\(|\)|\||:|\s-\s|\s–\s|\bfrom\b|\bat\b|\bwith\b|\s{2,}|\d|$))",
)
INSTITUTION_RE = re.compile(
    r"(?:(?:[A-Z][\w.&'-]*|of|the|and|for|&) ){0,6}"
    r"(?i:university|college|institute|school|academy|polytechnic|faculty|conservatory|seminary)\b"
    r"(?: (?:(?:of|for|and|&|at|in) )?[A-Z][\w.&'-]*){0,5}"
)
SMALL_WORDS = re.compile(r"^(?:of|the|and|for|&|at|in)\s+|\s+(?:of|the|and|for|&|at|in)$", re.IGNORECASE)
PART_SPLIT_RE = re.compile(r"\s+(?:at|@)\s+|,\s+|\s+[-–—]\s+|:\s+|\s{2,}")
MAX_PART_WORDS = 8


def _parts(text: str, segment: Segment, start: int, end: int) -> list[Evidence]:
    """The pieces of ``segment`` between separators, restricted to ``[start, end)`` (e.g. around a date)."""
    lo, hi = max(segment.start, start), min(segment.end, end)
    pieces = []
    cursor = lo
    for sep in [*PART_SPLIT_RE.finditer(text, lo, hi), None]:
        stop = sep.start() if sep else hi
        piece = text[cursor:stop].strip(" .,;:-–|")
        if piece:
            begin = text.index(piece, cursor)
            pieces.append(Evidence(value=piece, start=begin, end=begin + len(piece)))
        if sep:
            cursor = sep.end()
    return pieces


def _is_short_name(value: str) -> bool:
    words = value.split()
    return 1 <= len(words) <= MAX_PART_WORDS and value[0].isupper() and not value.endswith(".")


def find_experience(
    text: str, segs: list[Segment], spans: list[tuple[int, int]], starts: list[int]
) -> list[tuple[Experience, DateRange]]:
    """One entry per date range in ``spans``; title and company come from the date's line and its neighbours."""
    entries = []
    for span_start, span_end in spans:
        ranges = find_date_ranges(text, span_start, span_end)
        bounds = [span_start] + [r.span[1] for r in ranges]
        for k, rng in enumerate(ranges):
            window_end = ranges[k + 1].span[0] if k + 1 < len(ranges) else span_end
            nearby = _nearby(text, segs, starts, rng, bounds[k], window_end)
            entries.append((_experience(text, rng, nearby), rng))
    return entries


def _nearby(text: str, segs: list[Segment], starts: list[int], rng: DateRange, lo: int, hi: int) -> list[Evidence]:
    """Parts of the date's own line (date cut out), then of the two lines before and the two after it."""
    i = max(0, bisect_right(starts, rng.span[0]) - 1)
    own = segs[i]
    ordered = _parts(text, own, lo, rng.span[0]) + _parts(text, own, rng.span[1], hi)
    for j in (i - 1, i + 1, i - 2, i + 2):
        if 0 <= j < len(segs) and lo <= segs[j].start and segs[j].end <= hi:
            ordered += _parts(text, segs[j], lo, hi)
    return [p for p in ordered if not LOCATION_RE.fullmatch(p.value) and re.search(r"[A-Za-z]{2}", p.value)]


def _experience(text: str, rng: DateRange, nearby: list[Evidence]) -> Experience:
    short = [p for p in nearby if _is_short_name(p.value)]
    title = next((p for p in short if TITLE_RE.search(p.value) and not COMPANY_RE.search(p.value)), None)
    company = next((p for p in short if p is not title and COMPANY_RE.search(p.value)), None)
    if company is None and title is not None:
        company = next((p for p in short if p is not title and not TITLE_RE.search(p.value)), None)
    return Experience(
        title=title,
        company=company,
        start=rng.start.strftime("%Y-%m"),
        end=rng.end.strftime("%Y-%m") if rng.end else None,
        current=rng.current,
        dates=Evidence(value=text[rng.span[0] : rng.span[1]], start=rng.span[0], end=rng.span[1]),
    )


def find_education(text: str, spans: list[tuple[int, int]]) -> list[Education]:
    """Degree, institution and year mentions in order, grouped: a field already filled starts the next entry."""
    items: list[tuple[int, str, Evidence]] = []
    for start, end in spans:
        items += [(m.start(), "degree", _evidence(m)) for m in DEGREE_RE.finditer(text, start, end)]
        items += [(m.start(), "institution", _evidence(m)) for m in INSTITUTION_RE.finditer(text, start, end)]
        ranges = find_date_ranges(text, start, end)
        items += [
            (r.span[0], "year", Evidence(value=text[r.span[0] : r.span[1]], start=r.span[0], end=r.span[1]))
            for r in ranges
        ]
        in_range = [(r.span[0], r.span[1]) for r in ranges]
        items += [
            (m.start(), "year", _evidence(m))
            for m in SINGLE_YEAR_RE.finditer(text, start, end)
            if not any(a <= m.start() < b for a, b in in_range)
        ]
    entries: list[Education] = []
    current = Education()
    for _, kind, evidence in sorted(items, key=lambda item: item[0]):
        if (kind == "year" and current.year_span is not None) or getattr(current, kind, None) is not None:
            entries.append(current)
            current = Education()
        if kind == "degree":
            current.degree, current.field = evidence, _field_of_study(evidence)
        elif kind == "institution":
            current.institution = evidence
        else:
            current.year_span = evidence
            current.graduation_year = int(SINGLE_YEAR_RE.findall(evidence.value)[-1])
    entries.append(current)
    return [e for e in entries if e.degree or e.institution]


def _evidence(match: re.Match[str]) -> Evidence:
    value = SMALL_WORDS.sub("", match.group().strip(" .,-"))
    start = match.start() + match.group().index(value)
    return Evidence(value=value, start=start, end=start + len(value))


GENERIC_OF = re.compile(
    r"(?:science|arts|fine arts|engineering|technology|laws?|education|business administration)\b", re.I
)


def _field_of_study(degree: Evidence) -> Evidence | None:
    """The subject: "Bachelor of Science in Computer Science" → "Computer Science", "BA of English" → "English"."""
    match = re.search(r"\bin\s+(.+)$", degree.value) or re.search(
        r"\bof\s+(?!" + GENERIC_OF.pattern + r")(.+)$", degree.value, re.I
    )
    if not match:
        return None
    value = match.group(1).strip()
    start = degree.start + match.start(1)
    return Evidence(value=value, start=start, end=start + len(value))
