"""Education entries by rules: the degree, institution and year mentions that follow each other in the education
section, grouped. (Experience entries come from the entity model: ``workers.resume.assemble``.) On held-out
résumés these rules still find schools and degrees better than the model does (README).
"""

from __future__ import annotations

import re

from workers.resume.dates import MONTH_RE, SINGLE_YEAR_RE, find_date_ranges
from workers.resume.schema import Education, Evidence
from workers.resume.vocab import SCHOOL_NAMES

# capitalised, as in a name: "the role of the school counselor" names none
SCHOOL_WORD = "(?:" + "|".join(f"{w.capitalize()}|{w.upper()}" for w in (*SCHOOL_NAMES, "seminary")) + r")\b"
SCHOOL_RE = re.compile(SCHOOL_WORD)
# "with" ends a degree ("BS with GPA 3.8") unless a subject follows: "B.Tech with Honors in IT", "MBA with an
# emphasis in International Business"
SUBJECT_WITH = r" (?:an? )?(?i:honou?rs|emphasis|concentration|speciali[sz]ation) in\b"
DEGREE_RE = re.compile(
    r"(?P<kind>\b(?i:(?:honou?rs )?bachelor|master|juris doctor(?:ate)?|doctor(?:ate)?|associate|diploma|"
    r"post ?graduate|graduate certificate|high school diploma|secondary school (?:diploma|certificate)|"
    r"foundation degree)[’']?s?\b"
    r"|(?<![\w.])(?:Ph\.?\s?D|Psy\.?D|M\.?B\.?A|B\.?\s?Sc|M\.?\s?Sc|BASc|B\.?S\.?Ed|B\.?S\.?W|B\.?S|M\.?S|B\.?A|M\.?A|"
    r"B\.?\s?Tech|M\.?\s?Tech|M\.?\s?Phil|B\.?E|M\.?E|B\.?Com|M\.?Com|LL\.?B|LL\.?M|J\.?D|M\.?D|Ed\.?[SD]|GED|A\.?A\.?S|"
    r"A\.?A|A\.?S|BBA|BCA|MCA|BCL|M\.?L\.?I?\.?S|B\.?Ed|M\.?Ed|MPH|MSW|BSN|MSN|DNP|HND|HNC|FDeg|B\.?F\.?A|M\.?F\.?A|B\.?Eng|M\.?Eng)"
    r"\.?(?![\w]))"
    # the lazy tail ends at a line's end, a separator, a date, another degree after a slash ("Bachelor of Laws/
    # Bachelor of Arts") or where a school's name begins ("B.E Anna University"); a run of spaces ends it, except
    # after "of", "in", "and" (a flattened page: "Masters of  Commerce")
    rf"(?:[^,;()\n|:]*?)(?=[ \t]*\n|\s*(?:,|;|\(|\)|\||:|\s-\s|\s–\s|\bfrom\b|\bat\b|\bwith\b(?!{SUBJECT_WITH})|\d|$)"
    r"|(?<!\bof)(?<!\bin)(?<!\band)\s{2,}|\s+(?i:expected|anticipated|graduated)\b"
    rf"|\s+(?i:{MONTH_RE.pattern})|\s*/\s*(?i:bachelor|master|doctor|associate|diploma)"
    rf"| (?:[A-Z][\w.&'-]* ){{0,4}}{SCHOOL_WORD})",
)
# What may follow a degree as its subject: "BA (Hons) Marketing", "Bachelor of Arts, History", "B.S. | Hospitality
# Management", "Ph.D. (Economics)", "BS  Electrical Engineering" (a lost line break between them).
FIELD_AFTER_RE = re.compile(
    r"\.?(?P<joint>(?:[ \t]*\((?i:hons|honours|honors)\))?(?:[ \t]*[,:|][ \t]*|[ \t]+[-–][ \t]+|[ \t]*\(|[ \t]{1,3}))"
    r"(?P<field>[A-Z][\w&'.-]*(?:(?: | ?/ ?)(?:[A-Z][\w&'.-]*|and|of|in|&))*)(?P<close>\))?"
)
MAX_FIELD_WORDS = 6
LAUDE_RE = re.compile(r"[\s,]*(?:(?:summa|magna)\s+)?cum\s+laude\s*$", re.IGNORECASE)  # honours, not the degree
NOT_A_FIELD = re.compile(  # where a subject ends: a school, grades, honours, a thesis, another degree
    rf"{SCHOOL_WORD}|(?i:{MONTH_RE.pattern})"
    r"|\b(?i:g\.?p\.?a|cum|magna|summa|expected|graduated|degree|thesis|dissertation|coursework)\b"
    r"|(?<![\w.])(?:[BM]\.?[AS]c?|Ph\.?D|MBA)\b"
)
NOT_A_DEGREE = re.compile(  # what follows "Master", "Associate", "PhD" when it names no degree
    r"\s*(?:/|\(s\)|(?i:thesis|dissertation|research|researcher|project|projects|scholarship|courses|coursework|workshop|"
    r"committee|professor|dean|consultant|vice|director|manager|plan|offices?|students?|classes))"
)
JOB_WORD_BEFORE_RE = re.compile(r"\b[A-Z][a-z]+ $")
TWO_LETTERS = frozenset({"MA", "MD", "ME", "MS", "AS", "AA", "BA", "BS", "BE"})
WORDS_TOO = frozenset({"MA", "MD", "ME", "AS", "AA"})  # also a state or a word: a degree only before "in", "of", "("
DEGREE_NEXT_RE = re.compile(r"\s+(?:in|of)\s|\s*\(")
GENERIC_TAIL_RE = re.compile(  # a degree's own words, no subject yet: "Bachelor of Arts", "Master's Degree"
    r"(?:\s+(?i:degree|of|in|and|science|sciences|arts|fine arts|engineering|technology|laws?|education|business|"
    r"commerce|philosophy))*\s*"
)
BARE_STATE_RE = re.compile(r"[A-Z][a-z]+,\s*$")  # "Boston, MA", "Baltimore, MD": a state, not a degree
PRODUCT_RE = re.compile(r"\s+(?i:word|excel|office|powerpoint|project|access|visio|sql|dynamics|windows|iis|outlook)\b")
INSTITUTION_RE = re.compile(
    r"(?:(?!(?i:education|experience|employment|qualifications?|skills|summary|profile|history|work)\b)"
    r"(?:(?:[A-Z]\.)+|[A-Z][\w&'-]{0,2}\.|[A-Z](?:[\w.&'-]*[\w&'-])?|of|the|and|for|&) ){0,6}"
    rf"{SCHOOL_WORD}"
    # a flattened page may double the spaces around a small word: "RV Institute of  Management"
    r"(?:(?: {1,2}(?:of|for|and|&|at|in)(?: the)? {1,2}| )(?!(?i:degree|diploma|certificate|bachelor|master)\b)"
    r"(?:(?:[A-Z]\.)+|[A-Z][\w&'-]*(?:\.[\w&'-]+)*\.?(?<![a-z]{4}\.))){0,5}"  # a sentence's full stop ends the name
)
# a template's placeholder ("Name of University"), a job ("University Professor"), a publication, or something a
# school owns or runs: "Oxford University Press", "York University Entrance Scholarship", "Kenyatta University Senate"
NOT_A_SCHOOL_RE = re.compile(
    rf"\b(?i:name|professor|journal|bulletin|proceedings)\b|{SCHOOL_WORD}.*\b(?i:press|scholarships?|senate|council|"
    r"curricul(?:um|ums|a)|programs?|programmes?|restructuring|training|year|society|awards?|honou?rs|cohort|club|committee|counsell?or)\b"
)
SMALL_WORDS = re.compile(r"^(?:of|the|and|for|&|at|in)\s+|\s+(?:of|the|and|for|&|at|in)$", re.IGNORECASE)
BARE_SCHOOL_RE = re.compile(rf"^(?:the\s+)?(?:high\s+)?{SCHOOL_WORD}$", re.IGNORECASE)
# schooling before a college's: a high school, a sixth form, its diploma
SECONDARY_RE = re.compile(
    r"\b(?:high|secondary|grammar|comprehensive|senior|preparatory|prep|day) school\b|\bsecondary college\b"
    r"|\bsixth form\b|\bhigh school diploma\b|\bG\.?E\.?D\b|\bA[- ]levels?\b|\bGCSEs?\b",
    re.IGNORECASE,
)
# where a teacher works, not where the candidate studied
CHILDREN_SCHOOL_RE = re.compile(
    r"\b(?:elementary|middle|intermediate|primary|junior high) school\b|\bschool district\b", re.IGNORECASE
)


def find_education(text: str, spans: list[tuple[int, int]]) -> list[Education]:
    """Degree, institution and year mentions in order, grouped: a field already filled starts the next entry."""
    items: list[tuple[int, str, Evidence]] = []
    for start, end in spans:
        degrees = [d for m in DEGREE_RE.finditer(text, start, end) if (d := _degree(text, m, end))]
        items += [(d.start, "degree", d) for d in degrees]
        items += [
            (i.start, "institution", i)
            for m in INSTITUTION_RE.finditer(text, start, end)
            if (i := _institution(m, degrees))
        ]
        ranges = find_date_ranges(text, start, end)
        items += [
            (r.span[0], "year", Evidence(value=text[r.span[0] : r.span[1]], start=r.span[0], end=r.span[1]))
            for r in ranges
        ]
        in_range = [(r.span[0], r.span[1]) for r in ranges]
        items += [
            (m.start(), "year", _evidence(m.group(), m.start()))
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
    for entry in entries:
        words = " ".join(e.value for e in (entry.institution, entry.degree) if e)
        entry.level = "secondary" if SECONDARY_RE.search(words) else "higher"
    return [e for e in entries if e.degree or e.institution]


def _degree(text: str, match: re.Match[str], end: int) -> Evidence | None:
    """The degree with the subject written after it, or None where the words name something else ("Master
    thesis", "Associate Professor", "MS Word", "Boston, MA")."""
    kind = match.group("kind")
    if NOT_A_DEGREE.match(text, match.end("kind")):
        return None
    if kind.lower().startswith("associate") and (kind[0] == "a" or JOB_WORD_BEFORE_RE.search(text, 0, match.start())):
        return None  # colleagues ("associates and management"), a job ("Research Associate")
    if kind in TWO_LETTERS and (
        BARE_STATE_RE.search(text, 0, match.start()) or PRODUCT_RE.match(text, match.end("kind"))
    ):
        return None
    if kind in WORDS_TOO and not DEGREE_NEXT_RE.match(text, match.end("kind")):
        return None
    value = _evidence(LAUDE_RE.sub("", match.group()), match.start())
    own_words = GENERIC_TAIL_RE.fullmatch(match.group()[len(kind) :].rstrip(" .,-"))
    if not own_words or not (after := FIELD_AFTER_RE.match(text, match.end(), end)):
        return value
    if not after.group("joint").strip() and len(match.group().split()) > 1:
        return value  # only a lone "BS" or "Bachelors" takes the words after mere spaces as its subject
    subject = after.group("field")
    if cut := NOT_A_FIELD.search(subject):
        if SCHOOL_RE.match(cut.group()):
            return value  # "BS, Michigan State University": the words after the comma name the school
        subject = subject[: cut.start()]
    subject = SMALL_WORDS.sub("", subject.rstrip(" ,/&-"))
    if not subject or len(subject.split()) > MAX_FIELD_WORDS or MONTH_RE.match(subject):
        return value
    closed = after.group("close") and subject == after.group("field") and "(" in after.group("joint")
    return _evidence(text[match.start() : after.start("field") + len(subject) + bool(closed)], match.start())


def _institution(match: re.Match[str], degrees: list[Evidence]) -> Evidence | None:
    """The school's name without a degree written before it on the same line, or None for a bare "school"."""
    start = max([match.start(), *(d.end for d in degrees if d.start <= match.start() < d.end)])
    value = match.group()[start - match.start() :]
    evidence = _evidence(value, start)
    named = evidence.value and not BARE_SCHOOL_RE.match(evidence.value)
    if not named or CHILDREN_SCHOOL_RE.search(evidence.value) or NOT_A_SCHOOL_RE.search(evidence.value):
        return None
    return evidence


def _evidence(raw: str, at: int) -> Evidence:
    value = SMALL_WORDS.sub("", raw.strip(" .,-"))
    start = at + raw.index(value)
    return Evidence(value=value, start=start, end=start + len(value))


GENERIC_OF = re.compile(
    r"(?:science|arts|fine arts|engineering|technology|laws?|education|business administration)\b", re.I
)
SUBJECT_AFTER_RE = re.compile(  # "BA (Hons) Marketing", "Bachelor of Arts, History", "B.A. (Economics)"
    r"(?:\s*\((?i:hons|honours|honors)\)\s*|\s*[,:|(]\s*|\s+[-–]\s+)(?P<subject>[^()]+?)\)?$"
)
ABBREVIATION_RE = re.compile(r"^[A-Z][A-Za-z]{0,3}(?:\.[A-Za-z]{1,3})*\.?\s+(?P<subject>[A-Z].*)$")  # "BS Physics"


def _field_of_study(degree: Evidence) -> Evidence | None:
    """The subject: "Bachelor of Science in Computer Science" → "Computer Science", "BA of English" → "English",
    "BA (Hons) Marketing" → "Marketing", "B.S. Physics" → "Physics"."""
    match = (
        re.search(r"\bin\s+(.+)$", degree.value)
        or re.search(r"\bof\s+(?!" + GENERIC_OF.pattern + r")(.+)$", degree.value, re.I)
        or SUBJECT_AFTER_RE.search(degree.value)
        or ABBREVIATION_RE.match(degree.value)
    )
    if not match:
        return None
    value = match.group(1).strip()
    start = degree.start + match.start(1)
    return Evidence(value=value, start=start, end=start + len(value))
