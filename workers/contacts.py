"""Exact-format fields found by rules: e-mails, phones (E.164), links, places, spoken languages and the name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

import phonenumbers

from workers.resume_models import Evidence, Link, Phone
from workers.sections import HEADING_STEM_RE, Segment
from workers.vocab import COMPANY_RE, TITLE_RE

EMAIL_RE = re.compile(r"(?<![\w.+'-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s,;()<>\"']+|(?<![\w@.])(?:[a-z]{2,3}\.)?(?:linkedin\.com|github\.com|gitlab\.com|"
    r"behance\.net|dribbble\.com)/[^\s,;()<>\"']+",
    re.IGNORECASE,
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
NAME_PREFIX_RE = re.compile(r"^(?:(?i:(?:resume|résumé|curriculum vitae|cv)(?: of)?)\s+|(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)+")
NAME_WORD_RE = re.compile(r"[A-Z][a-z]*(?:['-][A-Z]?[a-z]+)*|[A-Z]{2,}|[A-Z]\.|(?:Mc|Mac)[A-Z][a-z]+")
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
# fmt: on


def find_emails(text: str, own_spans: list[tuple[int, int]]) -> list[Evidence]:
    """The candidate's addresses: those in ``own_spans`` (header, contact details), else the first one.

    Addresses further down belong to referees, employers or schools.
    """
    found = [Evidence(value=m.group().rstrip("."), start=m.start(), end=m.end()) for m in EMAIL_RE.finditer(text)]
    own = [e for e in found if any(a <= e.start < b for a, b in own_spans)] or found[:1]
    keys = {e.value.casefold() for e in own}
    return _unique(e for e in found if e.value.casefold() in keys)


def find_phones(text: str, region: str) -> list[Phone]:
    """Valid numbers, E.164-normalised; ``region`` resolves numbers written without a country code."""
    phones = []
    for match in phonenumbers.PhoneNumberMatcher(text, region):
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


def find_locations(text: str) -> list[Evidence]:
    return _unique(Evidence(value=m.group(), start=m.start(), end=m.end()) for m in LOCATION_RE.finditer(text))


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
    """A "Name:" label, else the first header line shaped like a personal name (2-5 capitalised words)."""
    labelled = NAME_LABEL_RE.search(text, 0, 3000)
    if labelled:
        value = labelled.group(1).strip()
        if len(value.split()) >= 2:
            return Evidence(value=value, start=labelled.start(1), end=labelled.start(1) + len(value))
    for seg in candidates:
        value = NAME_PREFIX_RE.sub("", seg.text.split(",")[0].strip(" \"'“”"))
        value = re.split(r"\s+\d", value)[0]  # "Ivan Keeling 87 Some Street": the address starts at the number
        value = PLACEHOLDER_RE.sub("", value)
        value = re.sub(r"(?<=[a-z]{2})\.\s.*", "", value)  # "Omar Jacobson. Heath": a full stop ends the name
        words = value.split()
        if (
            2 <= len(words) <= (MAX_NAME_WORDS_FIRST_LINE if seg is candidates[0] else MAX_NAME_WORDS)
            and all(NAME_WORD_RE.fullmatch(w.rstrip(",")) for w in words)
            and not {w.lower().strip(",.") for w in words} & NOT_NAME_WORDS
            and not HEADING_STEM_RE.search(value)
            and not TITLE_RE.search(value)
            and not COMPANY_RE.search(value)
            and not LOCATION_RE.search(seg.text)
            and not LANGUAGE_RE.search(value)
        ):
            start = seg.start + seg.text.index(value)
            return Evidence(value=value, start=start, end=start + len(value))
    return None


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
