"""Exact-format fields found by rules: e-mails, phones (E.164), links, places, spoken languages and the name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

import phonenumbers

from workers.resume.schema import Evidence, Link, Phone
from workers.resume.sections import HEADING_KIND, HEADING_STEM_RE, Segment
from workers.resume.skills import default_taxonomy
from workers.resume.vocab import COMPANY_RE, TITLE_RE

EMAIL_RE = re.compile(r"(?<![\w.+'-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s,;()<>\"']+|(?<![\w@.])(?:[a-z]{2,3}\.)?(?:linkedin\.com|github\.com|gitlab\.com|"
    r"behance\.net|dribbble\.com)/[^\s,;()<>\"']+",
    re.IGNORECASE,
)
# Runs of years and months ("2014 - 12/2016", "03/2019 – 2021"): what a phone matcher mistakes for a number.
_MONTH_YEAR = r"(?:(?:0?[1-9]|1[0-2])[/.])?(?:19|20)\d\d"
DATE_DIGITS_RE = re.compile(rf"\(?{_MONTH_YEAR}\)?(?:\s*[-–—/.]\s*{_MONTH_YEAR})*")
# Post-nominal letters after a name ("Oliver Brennan ACA", "Jane Roe, PhD, PMP"): not part of the name.
NAME_CREDENTIALS_RE = re.compile(
    r"(?:[\s,]+(?:ACA|ACCA|FCA|CPA|CFA|CFP|CIMA|CISSP|CISA|PMP|PE|RN|MD|DDS|Esq\.?|Ph\.?\s?D\.?|M\.?B\.?A\.?|"
    r"M\.?Sc\.?|B\.?Sc\.?|MEng|BEng|B\.E\.?|M\.E\.?|B\.?Tech|M\.?Tech|LLB|LLM|CEng|MRICS|FRICS|SHRM-CP|SPHR|PHR)"
    r"(?:\s*\([A-Za-z ]+\))?)+$"  # "Durgan B.E.(CIVIL)"
)
US_STATES = (  # and Canadian provinces
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
    "NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC|ON|QC|BC|AB|MB|SK|NS|NB|NL|PE"
)
REGIONS = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|"
    "Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|"
    "Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|"
    "Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|"
    "Washington|West Virginia|Wisconsin|Wyoming|Ontario|Quebec|British Columbia|Alberta|Tamil Nadu|Karnataka|"
    "Maharashtra|Kerala|Telangana|Andhra Pradesh|Gujarat|Punjab|Delhi|Uttar Pradesh|West Bengal|England|Scotland|Wales"
)
COUNTRIES = (
    "United States|USA|U\\.S\\.A\\.|United Kingdom|UK|U\\.K\\.|Canada|Mexico|Brazil|Argentina|Chile|Colombia|Peru|"
    "Venezuela|Germany|France|Spain|Portugal|Italy|Netherlands|Belgium|Switzerland|Austria|Ireland|Sweden|Norway|"
    "Denmark|Finland|Poland|Czech Republic|Hungary|Romania|Bulgaria|Greece|Turkey|Russia|Ukraine|Israel|Palestine|"
    "Jordan|Lebanon|Egypt|Saudi Arabia|United Arab Emirates|UAE|Qatar|Kuwait|Bahrain|Oman|Iran|Iraq|Pakistan|India|"
    "Bangladesh|Sri Lanka|Nepal|China|Japan|Korea|South Korea|Taiwan|Hong Kong|Singapore|Malaysia|Indonesia|"
    "Philippines|Thailand|Vietnam|Australia|New Zealand|South Africa|Nigeria|Kenya|Ghana|Ethiopia|Morocco|Tunisia|"
    "Algeria|Uganda|Tanzania|Zimbabwe|North America|Europe|Asia|Africa|Middle East|Latin America|Silicon Valley"
)
PLACE_WORD = r"[A-Z][A-Za-z.'-]+"
CITY = rf"{PLACE_WORD}(?:[ ]{PLACE_WORD}){{0,2}}"
LOCATION_RE = re.compile(
    rf"\b{CITY},[ ]?(?:(?:{US_STATES})\b\.?|(?:{REGIONS}|{COUNTRIES})\b)(?:,[ ]?(?:{COUNTRIES})\b)?"
    rf"|\b{CITY}[ ]\((?:{COUNTRIES})\)|(?<![\w,] )\b(?:{COUNTRIES}|{REGIONS})\b(?![ ,]\w)"
)
SPOKEN_LANGUAGES = (
    "English|Spanish|French|German|Italian|Portuguese|Dutch|Russian|Ukrainian|Polish|Czech|Greek|Turkish|Arabic|"
    "Hebrew|Persian|Farsi|Urdu|Hindi|Bengali|Punjabi|Tamil|Telugu|Marathi|Gujarati|Kannada|Malayalam|Mandarin|"
    "Cantonese|Chinese|Japanese|Korean|Vietnamese|Thai|Malay|Indonesian|Tagalog|Filipino|Swahili|Amharic|Yoruba|"
    "Swedish|Norwegian|Danish|Finnish|Hungarian|Romanian|Bulgarian|Serbian|Croatian|Latin|Sign Language"
)
LANGUAGE_RE = re.compile(rf"\b(?:{SPOKEN_LANGUAGES})\b", re.IGNORECASE)
LANGUAGE_CUE_RE = re.compile(r"\b(?:fluent|native|bilingual|proficien\w*|conversational|speak\w*|languages?)\b", re.I)
E = TypeVar("E", bound=Evidence)
NAME_LABEL_RE = re.compile(r"\b(?i:full name|name)\s*[:\-]\s*((?:[A-Z][A-Za-z'.-]*[ ]?){1,5})")
NAME_PREFIX_RE = re.compile(
    r"^(?:(?i:(?:resume|résumé|curriculum vitae|cv)(?: of)?)\s+|(?:Mr|Mrs|Ms|Miss|Dr|MR)\.?\s+)+"
)
ANNOUNCING_PREFIX_RE = re.compile(r"(?:\b(?i:of)|\b(?:Mr|Mrs|Ms|Miss|Dr|MR)\.?)\s+$")  # "Resume of ", "Mr. "
NAME_WORD_RE = re.compile(r"[A-Z][a-z]*(?:['-]?[A-Z]?[a-z]+)*|[A-Z]{2,}|[A-Z]\.")  # "O'Kon", "McKenzie", "DuBuque"
MAX_NAME_WORDS = 5
MAX_NAME_WORDS_FIRST_LINE = 16  # a résumé's first line of capitalised words is a name, however many it has
# fmt: off
NOT_NAME_WORDS = frozenset({
    "resume", "résumé", "curriculum", "vitae", "cv", "profile", "page", "contact", "address", "street", "st",
    "road", "rd", "avenue", "ave", "phone", "mobile", "email", "e-mail", "tel", "summary", "objective", "personal",
    "details", "information", "template", "sample", "the", "of", "and", "for", "at", "in", "engineer", "manager",
    "developer", "analyst", "consultant", "director", "assistant", "teacher", "nurse", "designer", "officer",
    "specialist", "university", "college", "school", "institute", "inc", "ltd", "llc", "corporation", "company",
    "services", "group", "present", "career", "center", "centre", "highlights", "education", "executive", "chef",
    "secretary", "general", "seeking", "internship", "student", "name", "names", "fathers", "applicant", "example",
    "department", "hall", "room", "your", "first", "seeker", "tools", "technical", "city", "value", "proposition",
})
PLACEHOLDER_RE = re.compile(r"\s+X{3,}\b.*")  # "Kunze XXXXX": an anonymised, blanked-out part
DESCRIPTOR_WORDS = NOT_NAME_WORDS - {"the", "of", "and", "for", "at", "in", "your", "first", "name", "names", "value"}
# fmt: on
CREDENTIALS_RE = re.compile(r"(?:,\s*[A-Z][A-Za-z.]{1,5}(?:\s*\([A-Z]+\))?){2,}$")  # ", MS (CS), PMP": not "City, MS"
DOC_TITLE_RE = re.compile(r"(?i)\b(?:resum[eé]|cv|template|sample|examples?|guide|title)\b")
# "Medical", "Analytics": English words, not surnames
NOT_SURNAME_RE = re.compile(r"(?:al|ics|ing|ion|ment|ive|ous|ary|ity|s)$")
SINGLE_NAME_RE = re.compile(r"[A-Z][a-z]{2,}(?:[A-Z][a-z]+)?")
# a place: "Clayton VIC 3204", "Glen Waverley, 3150"
POSTCODE_TAIL_RE = re.compile(r"^[A-Z][A-Za-z]+(?: [A-Za-z]+)*(?: [A-Z]{2,3}|,) \d{4,5}$")
POSTCODE_RE = re.compile(r"\d{4,5}(?:-\d{4})?")  # a line of its own after its town: "San Francisco AC", "94102"


def find_emails(text: str, own_spans: list[tuple[int, int]]) -> list[Evidence]:
    """The candidate's addresses: those in ``own_spans`` (header, contact details), else the first one.

    Addresses further down belong to referees, employers or schools.
    """
    found = [Evidence(value=m.group().rstrip("."), start=m.start(), end=m.end()) for m in EMAIL_RE.finditer(text)]
    own = [e for e in found if any(a <= e.start < b for a, b in own_spans)] or found[:1]
    keys = {e.value.casefold() for e in own}
    return _unique(e for e in found if e.value.casefold() in keys)


def find_phones(text: str, region: str) -> list[Phone]:
    """Numbers, E.164-normalised; ``region`` resolves numbers written without a country code. A number must be
    valid, or written with its country code (``+44 7700 900456``: UK numbers reserved for examples are not
    "valid" to libphonenumber, but a "+" says a phone is meant); digits that read as years or a date range
    ("2014 - 12/2016", a valid US number to libphonenumber) are not phones."""
    phones = []
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        international = match.raw_string.lstrip("(").startswith("+")
        if DATE_DIGITS_RE.fullmatch(match.raw_string) or not (
            international or phonenumbers.is_valid_number(match.number)
        ):
            continue
        value = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        phones.append(Phone(value=value, raw=match.raw_string, start=match.start, end=match.end))
    return _unique(phones)


def find_links(text: str) -> list[Link]:
    links = []
    for match in URL_RE.finditer(text):
        url = match.group().rstrip(".")
        lowered = url.lower()
        kind = "linkedin" if "linkedin." in lowered else "github" if "github." in lowered else "portfolio"
        links.append(Link(value=url, kind=kind, start=match.start(), end=match.start() + len(url)))
    return _unique(links)


def find_languages(text: str, spans: list[tuple[int, int]]) -> list[Evidence]:
    """Spoken languages listed in a languages section, or near a cue word ("fluent in", "native") anywhere."""
    windows = list(spans)
    windows += [(m.start(), min(len(text), m.end() + 80)) for m in LANGUAGE_CUE_RE.finditer(text)]
    found = [
        Evidence(value=m.group().title(), start=m.start(), end=m.end())
        for start, end in windows
        for m in LANGUAGE_RE.finditer(text, start, end)
    ]
    return _unique(sorted(found, key=lambda e: e.start))


def find_name(text: str, candidates: list[Segment]) -> Evidence | None:
    """A "Name:" label, else the first header line shaped like a personal name (2-5 capitalised words).

    A lone surname counts on the first short line ("Kunze XXXXX", "Dibbert.V") or after "Mr."/"Resume of", where a
    name is expected; a trailing job title or heading on the same line ("Schulist Engineer") is cut off there.
    """
    labelled = NAME_LABEL_RE.search(text, 0, 3000)
    if labelled:
        value = labelled.group(1).strip()
        after = text[labelled.end(1) : labelled.end(1) + 2].strip()
        if len(value.split()) >= 2 and not after.startswith(":") and not _has_stop_word(value.split()):
            return _name_evidence(value, labelled.start(1))
    lead = next((s for s in candidates if _is_lead(s.text)), None)
    for seg, after in zip(candidates, [*candidates[1:], None], strict=True):
        if after and POSTCODE_RE.fullmatch(after.text.strip()):
            continue
        value, prefixed = _name_part(seg.text)
        expected = prefixed or seg is lead
        words = value.split()
        titled = DOC_TITLE_RE.search(value if prefixed else seg.text)  # "Resume of Nolan" announces a name
        if expected and len(cut := _cut_descriptor(words)) == 1 and not titled:
            words, value = cut, cut[0]
        if _is_name(value, words, seg, first=seg is candidates[0], single=expected and not titled):
            return _name_evidence(value, seg.start + seg.text.index(value))
    return None


def _name_evidence(value: str, start: int) -> Evidence:
    """The name without post-nominal letters, and in a sentence's case ("TOMASZ NOWAK" → "Tomasz Nowak"): the
    column consumers read holds the person's name, not the heading's styling; the span stays the text's."""
    value = NAME_CREDENTIALS_RE.sub("", value)
    end = start + len(value)
    if value.isupper():
        value = re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), value)
    return Evidence(value=value, start=start, end=end)


def _name_part(line: str) -> tuple[str, bool]:
    """The name-shaped start of a line, and whether a "Mr."/"Resume of" prefix announced it."""
    head = line.split(",")[0].strip(" \"'“”")
    value = NAME_PREFIX_RE.sub("", head)
    prefixed = bool(ANNOUNCING_PREFIX_RE.search(head[: len(head) - len(value)]))  # not a bare "Resume Purpose"
    value = re.split(r"\s+\d", value)[0]  # "Ivan Keeling 87 Some Street": the address starts at the number
    value = PLACEHOLDER_RE.sub("", value)
    value = NAME_CREDENTIALS_RE.sub("", value)  # "Mr. Durgan B.E.(CIVIL)": the degree after a name is not part of it
    value = re.sub(r"(?<=[a-z]{2})\.(?:\s.*|[A-Z]\.?$)", "", value)  # "Omar Jacobson. Heath", "Dibbert.V"
    return value.strip(), prefixed


def _is_lead(line: str) -> bool:
    """The first short line of text: where a résumé puts the name, after any boilerplate sentences."""
    return len(line.split()) <= MAX_NAME_WORDS - 1 and not re.search(r"[\d@:]|www\.|https?:", line)


def _cut_descriptor(words: list[str]) -> list[str]:
    """The words before a trailing title, heading or address word: "Schulist Engineer" → "Schulist"."""
    for k, word in enumerate(words[1:], 1):
        bare = word.strip(",.").lower()
        if bare in DESCRIPTOR_WORDS or TITLE_RE.fullmatch(bare) or bare in HEADING_KIND:
            return words[:k]
    return words


def _is_name(value: str, words: list[str], seg: Segment, *, first: bool, single: bool) -> bool:
    full_words = sum(len(w.strip(".,")) > 1 for w in words)  # "N A M E" is spaced-out letters, not initials
    if len(words) == 1:
        shaped = single and bool(SINGLE_NAME_RE.fullmatch(words[0]))
        shaped = shaped and not NOT_SURNAME_RE.search(value) and not default_taxonomy().literal(value)
    else:  # "Spring Framework" on a flattened skills line is a skill
        shaped = 2 <= len(words) <= (MAX_NAME_WORDS_FIRST_LINE if first else MAX_NAME_WORDS) and full_words >= 2
        shaped = shaped and not any(m.end - m.start == len(value) for m in default_taxonomy().literal(value))
    return (
        shaped
        and all(NAME_WORD_RE.fullmatch(w.rstrip(",")) for w in words)
        and not _has_stop_word(words)
        and not HEADING_STEM_RE.search(value)
        and not TITLE_RE.search(value)
        and not COMPANY_RE.search(value)
        and not LOCATION_RE.search(CREDENTIALS_RE.sub("", seg.text))
        and not POSTCODE_TAIL_RE.search(seg.text)
        and not LANGUAGE_RE.search(value)
    )


def _has_stop_word(words: list[str]) -> bool:
    return bool({w.lower().strip(",.") for w in words} & NOT_NAME_WORDS)


def _unique(items: Iterable[E]) -> list[E]:
    """First occurrence of each value (case-insensitive)."""
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.value.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
