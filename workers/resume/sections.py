"""Résumé layout: clean text, split it into segments, and find section headings.

Everything keeps character offsets into the caller's text. ``clean`` replaces junk (literal byte escapes such as
``\\xef\\x82\\xa7``, bullet glyphs) with spaces of the same length, and segments are the runs of text between line
breaks, tabs, pipes or two-plus spaces: that recovers lines from texts whose line breaks were flattened into runs
of spaces upstream. Headings are found by an exact vocabulary first; short title-like lines that the vocabulary
misses ("Career Experience/Job History") are classified by their nearest prototype heading embedding.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from workers.engine.encoder import Encoder
from workers.engine.phrase_cache import embed_phrases

JUNK_RE = re.compile(
    r"(?:\\x[0-9a-fA-F]{2})+|[\u2022\u25cf\u25aa\u25a0\u25e6\u2023\u2219\u27a2\u2713\u2714\u00b7\ue000-\uf8ff]"
)
SEGMENT_RE = re.compile(r"[^\s|](?:[^\n\t|]*?[^\s|])?(?=\s{2,}|\s*[\n\t|]|\s*\Z)")
SPACED_LETTERS_RE = re.compile(r"(?:[A-Za-z] ){2,}[A-Za-z]")
HEADING_PREFIX_RE = re.compile(r"(?P<head>[A-Za-z][A-Za-z &/',-]{1,45}?)\s*(?::|\s-\s)\s*")
CAPS_PREFIX_RE = re.compile(r"(?P<head>[A-Z][A-Z&/']+(?: [A-Z&/']+){0,3})(?= [A-Z]?[a-z0-9])")
TITLE_LIKE_RE = re.compile(r"[A-Za-z][A-Za-z&/',-]*(?: [A-Za-z&/',-]+){0,4}:?")
WHOLE_HEADING_RE = re.compile(r"[\d.)\s]*[A-Z][A-Za-z &/',-]*:?")
HEADING_STEM_RE = re.compile(
    r"\b(?:experience|education|skill|histor|qualification|profile|summary|objective|background|employment|career|"
    r"training|course|certif|licen|award|hono|language|interest|hobb|referen|referee|project|activit|publication|"
    r"volunteer|competen|expertise|strength|achievement|accomplishment|affiliation|membership|detail|information|"
    r"overview|proficien|knowledge|technolog|appointment|position|work|academic|research|scholar|leadership|"
    r"involvement|highlight)",
    re.IGNORECASE,
)
CAPS_RUN_RE = re.compile(r"[A-Z][A-Z&/'-]*(?: ?[&/] ?[A-Z][A-Z&/'-]*| [A-Z&/'-]+){0,5}(?=\s|:|\Z)")
SEMANTIC_THRESHOLD = 0.72

HEADINGS: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary", "professional summary", "career summary", "executive summary", "profile", "professional profile",
        "career profile", "personal profile", "objective", "career objective", "professional objective", "objectives",
        "about me", "overview", "summary of qualifications", "summary of qualification", "qualifications summary",
        "career overview", "personal statement", "introduction",
    ),
    "experience": (
        "experience", "work experience", "professional experience", "employment", "employment history",
        "work history", "career history", "career experience", "relevant experience", "job history",
        "professional background", "experiences", "working experience", "work experiences", "career",
        "professional experiences", "experience summary", "internships", "internship", "positions held",
        "teaching experience", "research experience", "industry experience", "employment record",
    ),
    "education": (
        "education", "academic background", "academic qualifications", "academic qualification", "qualifications",
        "educational background", "education and training", "educational qualifications", "academics",
        "academic profile", "education background", "academic history", "academic details", "scholastics",
        "educational qualification", "education details", "degrees",
    ),
    "skills": (
        "skills", "technical skills", "key skills", "core skills", "skill set", "skillset", "competencies",
        "core competencies", "key competencies", "areas of expertise", "expertise", "technical expertise",
        "computer skills", "it skills", "technologies", "tools", "technical proficiencies", "proficiencies",
        "skills summary", "professional skills", "skills and abilities", "strengths", "key strengths",
        "technical summary", "software", "programming languages", "abilities", "soft skills", "hard skills",
        "technical competencies", "software skills", "skills and competencies", "additional skills",
    ),
    "languages": (
        "languages", "language skills", "language", "languages known", "spoken languages", "linguistic skills",
    ),
    "certifications": (
        "certifications", "certification", "certificates", "licenses", "licenses and certifications",
        "certifications and licenses", "professional certifications", "accreditations", "licensure",
        "courses", "training", "trainings", "professional development", "courses and certifications",
        "continuing education",
    ),
    "projects": ("projects", "key projects", "academic projects", "personal projects", "project experience"),
    "awards": ("awards", "honors", "honours", "achievements", "awards and honors", "accomplishments", "recognition"),
    "publications": ("publications", "research", "presentations", "papers", "conferences"),
    "interests": ("interests", "hobbies", "hobbies and interests", "personal interests", "activities",
                  "extracurricular activities", "extra curricular activities"),
    "references": ("references", "referees", "reference"),
    "personal": (
        "personal details", "personal information", "personal data", "personal info", "contact", "contact information",
        "contact details", "personal particulars",
    ),
    "volunteer": ("volunteer", "volunteering", "volunteer experience", "volunteer work", "community service",
                  "leadership and activities", "affiliations", "memberships", "professional affiliations"),
}  # fmt: skip
HEADING_KIND = {phrase: kind for kind, phrases in HEADINGS.items() for phrase in phrases}
# German, French, Spanish, Portuguese and Dutch headings, as heading_key writes them (accents folded: "Formação"
# is "formacao"). Matched exactly only: the encoder's prototypes stay the English ones, so English résumés
# are sectioned as before.
FOREIGN_HEADINGS: dict[str, tuple[str, ...]] = {
    "summary": (
        "profil", "kurzprofil", "zusammenfassung", "uber mich", "berufsziel", "profil professionnel", "a propos",
        "a propos de moi", "objectif", "objectif professionnel", "perfil", "perfil profesional", "resumen",
        "resumen profesional", "objetivo", "objetivo profesional", "sobre mi", "perfil profissional", "resumo",
        "sobre mim", "profiel", "persoonlijk profiel", "samenvatting", "over mij", "doelstelling",
    ),
    "experience": (
        "berufserfahrung", "berufliche erfahrung", "beruflicher werdegang", "werdegang", "erfahrung",
        "berufspraxis", "praktische erfahrung", "praktika", "experience professionnelle",
        "experiences professionnelles", "parcours professionnel", "emplois", "stages", "experiencia laboral",
        "experiencia profesional", "experiencia", "trayectoria profesional", "historial laboral",
        "experiencia profissional", "experiencias profissionais", "historico profissional",
        "percurso profissional", "werkervaring", "ervaring", "beroepservaring", "loopbaan",
        "professionele ervaring", "relevante werkervaring",
    ),
    "education": (
        "ausbildung", "bildung", "bildungsweg", "schulbildung", "studium", "akademische ausbildung",
        "schulische ausbildung", "formation", "formations", "etudes", "formation academique", "diplomes",
        "parcours academique", "cursus", "educacion", "formacion", "formacion academica", "estudios",
        "formacao", "formacao academica", "educacao", "escolaridade", "habilitacoes", "habilitacoes literarias",
        "opleiding", "opleidingen", "onderwijs", "scholing",
    ),
    "skills": (
        "kenntnisse", "fahigkeiten", "faehigkeiten", "kompetenzen", "fachkenntnisse", "edv kenntnisse",
        "it kenntnisse", "qualifikationen", "competences", "competences techniques", "connaissances",
        "informatique", "habilidades", "competencias", "conocimientos", "aptitudes", "conhecimentos",
        "aptidoes", "vaardigheden", "competenties", "kennis", "vaardigheden en competenties",
    ),
    "languages": (
        "sprachen", "sprachkenntnisse", "langues", "competences linguistiques", "idiomas", "lenguas", "linguas",
        "talen", "talenkennis",
    ),
    "certifications": (
        "weiterbildung", "weiterbildungen", "zertifikate", "zertifizierungen", "fortbildungen", "kurse",
        "formations complementaires", "certificaciones", "cursos", "certificacoes", "certificaten",
        "certificeringen", "cursussen",
    ),
    "projects": ("projekte", "projets", "proyectos", "projetos", "projecten"),
    "awards": ("auszeichnungen", "distinctions", "prix et distinctions", "premios", "prijzen"),
    "publications": ("publikationen", "veroffentlichungen", "publicaciones", "publicacoes", "publicaties"),
    "interests": (
        "hobbys", "interessen", "freizeit", "centres d interet", "loisirs", "intereses", "aficiones",
        "pasatiempos", "interesses", "hobby s",
    ),
    "references": ("referenzen", "referencias", "referenties"),
    "personal": (
        "personliche daten", "personliche angaben", "kontakt", "informations personnelles", "coordonnees",
        "etat civil", "datos personales", "informacion personal", "contacto", "dados pessoais",
        "informacoes pessoais", "contato", "persoonlijke gegevens", "personalia", "contactgegevens",
    ),
    "volunteer": ("ehrenamt", "ehrenamtliches engagement", "benevolat", "voluntariado", "vrijwilligerswerk"),
}  # fmt: skip
HEADING_KIND.update({phrase: kind for kind, phrases in FOREIGN_HEADINGS.items() for phrase in phrases})
# The last word of an upper-case heading names its kind: "RETAIL EXPERIENCE", "KEY SKILLS AND COMPETENCIES".
HEAD_WORDS: dict[str, tuple[str, ...]] = {
    "experience": ("experience", "experiences", "employment", "internships", "internship", "appointments"),
    "skills": ("skills", "competencies", "competences", "strengths", "proficiencies", "expertise", "abilities"),
    "summary": ("summary", "profile", "objective", "objectives", "statement", "overview", "highlights"),
    "education": ("education", "coursework", "credentials", "degrees"),
    "certifications": ("certifications", "certificates", "licenses", "licences", "licensure", "training", "courses"),
    "awards": ("awards", "honors", "honours", "achievements", "accomplishments", "fellowships", "scholarships"),
    "publications": ("publications", "presentations"),
    "volunteer": ("volunteering", "affiliations", "memberships", "involvement", "leadership", "organizations"),
    "interests": ("interests", "hobbies", "activities"),
    "references": ("references", "referees"),
}  # fmt: skip
HEAD_WORD_KIND = {word: kind for kind, words in HEAD_WORDS.items() for word in words}


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Section:
    kind: str
    heading: str
    start: int  # heading start
    body_start: int  # first character after the heading
    end: int


def clean(text: str) -> str:
    """``text`` with byte escapes and bullet glyphs blanked out; same length, so offsets still hold."""
    return JUNK_RE.sub(lambda m: " " * len(m.group()), text)


def segments(cleaned: str) -> list[Segment]:
    """Line-like runs of ``cleaned`` between line breaks, tabs, pipes and runs of two or more spaces."""
    return [Segment(m.start(), m.end(), m.group()) for m in SEGMENT_RE.finditer(cleaned)]


def fold(text: str) -> str:
    """``text`` with accents dropped letter by letter ("Expérience" → "Experience"), same length, so offsets and
    the ASCII heading patterns hold for headings in other languages."""
    return "".join(_fold_char(ch) for ch in text)


@lru_cache(maxsize=1024)
def _fold_char(ch: str) -> str:
    base = unicodedata.normalize("NFKD", ch)[:1]
    return base if base.isascii() and base.isalpha() else ch


def heading_key(text: str) -> str:
    """Lower-cased heading text: accents folded, spaced letters joined, ``&`` as "and", punctuation dropped."""
    text = fold(text)
    if SPACED_LETTERS_RE.fullmatch(text.strip()):
        text = text.replace(" ", "")
    text = text.replace("&", " and ").lower()
    return " ".join(re.sub(r"[^a-z]+", " ", text).split())


def _rule_heading(segment: Segment) -> tuple[str, int] | None:
    """(kind, heading length) when the segment is, or starts with, a known heading."""
    text = fold(segment.text)
    key = heading_key(text)
    kind = HEADING_KIND.get(key) or _first_part_kind(text, key)
    if kind and WHOLE_HEADING_RE.fullmatch(text):
        return kind, len(text)
    for pattern in (HEADING_PREFIX_RE, CAPS_PREFIX_RE):
        match = pattern.match(text)
        if match and (kind := HEADING_KIND.get(heading_key(match.group("head")))):
            return kind, match.end()
    return _caps_heading(text)


def _first_part_kind(text: str, key: str) -> str | None:
    """A short heading of two parts is of its first part's kind ("Education & Professional Development", "Education
    and Licensure"), unless its last word says experience ("Research and Teaching Experience": left to the rest)."""
    first, joined, _ = key.partition(" and ")
    if not joined or not _is_title_like(text) or HEAD_WORD_KIND.get(key.split()[-1]) == "experience":
        return None
    return HEADING_KIND.get(first)


def _caps_heading(text: str) -> tuple[str, int] | None:
    """(kind, heading length) of an upper-case run at the start of ``text`` whose first one to six words end in a
    heading word: "RETAIL EXPERIENCE", "HONORS AND AWARDS", "PERSONAL SKILLS Microsoft Office", "LEADERSHIP:"."""
    run = CAPS_RUN_RE.match(text)
    if not run:
        return None
    words = list(re.finditer(r"[A-Z]+", run.group()))
    for n in range(min(6, len(words)), 0, -1):
        end = words[n - 1].end()
        colon = text[end : end + 1] == ":"
        if (kind := HEAD_WORD_KIND.get(words[n - 1].group().lower())) and (n > 1 or colon):
            return kind, end + colon
    return None


def _is_title_like(text: str) -> bool:
    """Short, capitalised, with a heading word ("... Experience", "Skills ..."): worth asking the encoder."""
    if not TITLE_LIKE_RE.fullmatch(text) or len(text) > 45 or not HEADING_STEM_RE.search(text):
        return False
    words = [w for w in re.split(r"[ /&,-]+", text.rstrip(":")) if w]
    small = {"and", "of", "the", "in", "for", "to"}
    return all(w[0].isupper() or w in small for w in words) and (text.endswith(":") or len(words) <= 4)


@lru_cache(maxsize=4)
def _prototypes(encoder: Encoder) -> tuple[np.ndarray, tuple[str, ...]]:
    """Embeddings of every vocabulary heading, computed once per encoder."""
    phrases = tuple(p for phrases in HEADINGS.values() for p in phrases)
    return encoder.embed(list(phrases)), tuple(HEADING_KIND[p] for p in phrases)


def find_sections(text: str, segs: list[Segment], encoder: Encoder) -> list[Section]:
    """Sections in document order; text before the first heading is the ``header`` section."""
    found: list[tuple[Segment, str, int]] = []
    unknown: list[Segment] = []
    for seg in segs:
        rule = _rule_heading(seg)
        if rule:
            found.append((seg, *rule))
        elif _is_title_like(seg.text):
            unknown.append(seg)
    if unknown:
        vectors, kinds = _prototypes(encoder)
        sims = embed_phrases(encoder, [heading_key(s.text) for s in unknown]) @ vectors.T
        for seg, row in zip(unknown, sims, strict=True):
            best = int(row.argmax())
            if row[best] >= SEMANTIC_THRESHOLD:
                found.append((seg, kinds[best], len(seg.text)))
    found.sort(key=lambda item: item[0].start)
    sections = [Section("header", "", 0, 0, found[0][0].start if found else len(text))]
    for i, (seg, kind, length) in enumerate(found):
        end = found[i + 1][0].start if i + 1 < len(found) else len(text)
        sections.append(Section(kind, seg.text[:length].strip(" :-"), seg.start, seg.start + length, end))
    return [s for s in sections if s.end > s.start or s.kind != "header"]


def spans_of(sections: list[Section], *kinds: str) -> list[tuple[int, int]]:
    """Body spans of the sections of the given kinds."""
    return [(s.body_start, s.end) for s in sections if s.kind in kinds]
