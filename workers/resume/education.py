"""Education entries by rules: the degree, institution and year mentions that follow each other in the education
section, grouped. (Experience entries come from the entity model: ``workers.resume.assemble``.) On held-out
résumés these rules still find schools and degrees better than the model does (README).
"""

from __future__ import annotations

import re

from workers.resume.dates import SINGLE_YEAR_RE, find_date_ranges
from workers.resume.schema import Education, Evidence

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
