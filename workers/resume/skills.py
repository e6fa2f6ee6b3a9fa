"""Skills in free text (résumés and job postings), normalised to the taxonomy in ``assets/skills.json``.

Generic skills (``generic`` in the taxonomy: "training", "sales", "English") are everyday words, so they count
only where skills are listed (the caller's ``list_spans``: skill sections, bullets, short lines); names of tools count
anywhere. "Spring" before a year is a season; a one-letter skill ("C", "R") counts only inside a punctuated list.

Two passes. Literal: every alias is looked up as a token n-gram, case-insensitively, except aliases of at most
three characters ("R", "Go", "C#") and the common English words listed under ``case_sensitive`` ("Word",
"Access", "Spring"), which must appear as written or in capitals. Semantic: short list items (from the spans
the caller marks as skill lists, e.g. a résumé's skills section) that no alias covers are embedded and matched to
the nearest taxonomy name or alias above ``SEMANTIC_THRESHOLD``. Taxonomy embeddings are computed once per
encoder version and taxonomy content, and cached as ``.npy`` under ``TALENTQ_CACHE_DIR``.

The taxonomy's ``credentials`` ("PMP", "CPA") are titles a person holds as well as skills: a posting asks for them,
while a résumé that names them reports a certification, so its parser can leave them out of the skills.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from config.settings import get_settings
from workers import ASSETS_DIR
from workers.engine.encoder import Encoder
from workers.engine.phrase_cache import embed_phrases
from workers.resume.schema import SkillMatch

TAXONOMY_PATH = ASSETS_DIR / "skills.json"
TOKEN_RE = re.compile(r"(?<![\w.])\.?[A-Za-z0-9][A-Za-z0-9+#]*(?:[.'&\-][A-Za-z0-9+#]+)*[+#]*")
MASK_RE = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+")  # e-mails and URLs are not skills ("http", "gmail")
CUE_RE = re.compile(
    r"\b(?:skills?|skilled|abilit(?:y|ies)|proficien\w*|knowledge|experience (?:in|with)|expertise|familiar|"
    r"strong|excellent|good|solid|fluent|languages?|competen\w*)\b",
    re.IGNORECASE,
)
CUE_WINDOW = 60
COORDINATED_RE = re.compile(r"(?P<word>[A-Za-z][A-Za-z-]*)(?:\s*,\s*|\s*,?\s+(?:and|or|&)\s+|\s*/\s*)\Z")
LINE_GAP_RE = re.compile(r"[\n\t]| {3,}")
SEASON_YEAR_RE = re.compile(r"\s*(?:19|20)\d\d")
VERSION_RE = re.compile(
    r"v?\d+\.[\dx][\w.]*|v\d+|\d{1,2}[a-z]?|CS\d*|SP\d+|XP|NT|ME|Vista|II|III|IV|(?:19|20)\d\d", re.IGNORECASE
)
GLUED_VERSION_RE = re.compile(r"([A-Za-z][A-Za-z+#]*[A-Za-z+#])(?:\d+(?:\.[\dx]+)*[a-z]?)")
VENDORS = frozenset({
    "microsoft", "ms", "adobe", "macromedia", "ibm", "apache", "sun", "rational", "autodesk", "google", "borland",
    "novell", "oracle", "sap", "intel", "cisco", "hp", "amazon", "aws", "vmware", "jetbrains", "atlassian",
})  # fmt: skip
ABBREVIATION_RE = re.compile(r"\s?\(([A-Z][A-Za-z0-9&/.-]{1,9})\)")
LIST_ITEM_RE = re.compile(r"[^,;:/()\n\t]+")
SEMANTIC_THRESHOLD = 0.84
MAX_ITEM_WORDS = 4
MAX_SEMANTIC_ITEMS = 64  # bounds the encoder work per document
PHRASE_ITEM_RE = re.compile(r"[^,;:|~/()\[\]\n\t]+")
LIST_LABEL_RE = re.compile(r"[^,;:()]*:")  # "Languages/Technologies: Java": up to a colon, no list yet
PHRASE_LEAD_RE = re.compile(
    r"(?:(?:very|highly|an?|the)\s+)?(?:(?:excellent|strong|good|sound|solid|proven|basic|advanced|working|thorough|"
    r"extensive|in-depth|deep|broad|demonstrated|hands-on|practical|great|expert)\s+)?"
    r"(?:knowledge|experience|experienced|understanding|proficiency|proficient|expertise|expert|ability|abilities|"
    r"skills?|skilled|familiarity|familiar|competent|competence|background|exposure|capable)\s+(?:of|in|with|at|to|on)\s+",
    re.IGNORECASE,
)
PHRASE_TAIL_RE = re.compile(r"\s+(?:skills?|etc\.?|abilities)$", re.IGNORECASE)
PHRASE_STOP = frozenset({
    "a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "with", "by", "from", "as", "i", "my", "me",
    "we", "our", "you", "your", "he", "she", "it", "is", "are", "was", "were", "be", "been", "have", "has", "had",
    "etc", "other", "others", "various", "including", "such", "like", "also", "all", "more", "well", "very",
})  # fmt: skip
MAX_PHRASE_WORDS = 4
COMMON_WORD_RE = re.compile(r"[a-z][a-z-]*")
COORDINATION_RE = re.compile(r"\b(?:and|or)\b|&", re.IGNORECASE)


def _tokens(text: str, start: int = 0, end: int | None = None) -> list[re.Match[str]]:
    return list(TOKEN_RE.finditer(text, start, len(text) if end is None else end))


def _key(text: str) -> str:
    """Alias lookup key: tokens lower-cased, hyphens as spaces ("MS-Access" → "ms access", "Node.JS" → "node.js")."""
    return " ".join(m.group().lower() for m in _tokens(text)).replace("-", " ")


@dataclass(frozen=True)
class _Entry:
    name: str
    category: str
    generic: bool


class Taxonomy:
    """Canonical skills, their aliases, and lazily computed (and cached) embeddings of both."""

    def __init__(self, path: Path = TAXONOMY_PATH) -> None:
        raw = path.read_bytes()
        data = json.loads(raw)
        self.digest = hashlib.sha256(raw).hexdigest()[:16]
        self.entries: list[_Entry] = []
        self.folded: dict[str, int] = {}  # lower-cased key → entry
        self.exact: dict[str, int] = {}  # case-sensitive surface (tokens joined by spaces) → entry
        self.phrases: list[tuple[str, int]] = []  # every name and alias, for embeddings
        self.credentials = frozenset(data.get("credentials", []))
        case_sensitive = {word.lower() for word in data["case_sensitive"]}
        generic = set(data["generic"])
        for category, skills in data["skills"].items():
            for name, aliases in skills.items():
                index = len(self.entries)
                self.entries.append(_Entry(name, category, name in generic))
                for alias in (name, *aliases):
                    self.phrases.append((alias, index))
                    key = _key(alias)
                    if len(key.replace(".", "")) <= 3 or key in case_sensitive:
                        words = " ".join(m.group() for m in _tokens(alias))
                        self.exact.setdefault(words, index)
                        self.exact.setdefault(words.upper(), index)
                    else:
                        self.folded.setdefault(key, index)
        self.max_words = max(len(key.split()) for key in (*self.folded, *self.exact))
        # Every alias key cut after each of its words: a window that is none of these cannot grow into an alias.
        self._prefixes = frozenset(
            " ".join(words[:k])
            for key in (*self.folded, *self.exact)
            if (words := key.split(" "))
            for k in range(1, len(words) + 1)
        )

    def literal(self, text: str) -> list[SkillMatch]:
        """Longest alias match at each token position, left to right, never overlapping.

        The evidence span grows to what belongs to the name as written: a vendor before it ("Macromedia
        Dreamweaver"), versions after it ("Windows 98/2000", "Weblogic8.1") and an abbreviation in brackets
        ("user experience (UX)").
        """
        tokens = _tokens(text)
        found: list[SkillMatch] = []
        i = 0
        while i < len(tokens):
            hit = self._longest(text, tokens, i)
            start = i
            if (hit is None or hit[1] == 1) and tokens[i].group().lower() in VENDORS and i + 1 < len(tokens):
                after = self._longest(text, tokens, i + 1)
                if after and not text[tokens[i].end() : tokens[i + 1].start()].strip(" -"):
                    hit, i = after, i + 1  # "IBM Rational Rose": the vendor is part of the written name
            if hit is None:
                i += 1
                continue
            index, n = hit
            window = tokens[i : i + n]
            i += n
            while i < len(tokens) and self._is_version(text, window[-1], tokens[i], len(window) > n):
                window.append(tokens[i])  # "Photoshop CS5", "Studio 2014": the version is part of the name
                i += 1
            if i < len(tokens) and self._is_category_noun(text, window[-1], tokens[i]):
                window.append(tokens[i])  # "Programming Languages", "Scripting Language": the noun phrase as written
                i += 1
            end = window[-1].end()
            if len(window) > 1 and window[-1].group().lower() in ("skill", "skills"):
                end = window[-2].end()  # "interpersonal skills": the skill is "interpersonal"
            if (abbreviation := ABBREVIATION_RE.match(text, end)) and self._abbreviates(abbreviation.group(1), index):
                end = abbreviation.end()
                while i < len(tokens) and tokens[i].start() < end:
                    i += 1
            found.append(self._match(index, text, tokens[start].start(), end, "alias", 1.0))
        return self._coordinated(text, found)

    def _coordinated(self, text: str, found: list[SkillMatch]) -> list[SkillMatch]:
        """Modifiers coordinated before a shared head name one skill each: "written and verbal communication" is
        Written communication ("written"), Verbal communication ("verbal") and the head, Communication."""
        out: list[SkillMatch] = []
        for match in found:
            words = _tokens(match.text)
            head = match.text[words[1].start() :].strip() if len(words) > 1 else ""
            head_index = self._lookup(" ".join(m.group() for m in _tokens(head))) if head else None
            extra, start = [], match.start
            while head_index is not None and (before := COORDINATED_RE.search(text, max(0, start - 40), start)):
                index = self._lookup(f"{before.group('word')} {head}")
                if index is None:
                    break
                start = before.start()
                extra.append(self._match(index, text, start, start + len(before.group("word")), "alias", 1.0))
            if extra:
                first = match.start + words[0].end()
                head_start = match.start + words[1].start()
                out += extra[::-1]
                out.append(match.model_copy(update={"text": text[match.start : first], "end": first}))
                out.append(self._match(head_index, text, head_start, match.end, "alias", 1.0))
            else:
                out.append(match)
        return out

    def _longest(self, text: str, tokens: list[re.Match[str]], i: int) -> tuple[int, int] | None:
        """(entry, number of tokens) of the longest alias starting at token ``i``: windows grow while they are the
        start of some alias (``_prefixes``), so a position costs a lookup or two, not one per possible length."""
        best = None
        for n in range(1, min(self.max_words, len(tokens) - i) + 1):
            if n > 1 and _apart(text[tokens[i + n - 2].end() : tokens[i + n - 1].start()]):
                break  # tokens separated by punctuation ("Java, Spring") or lines do not form one alias
            surface = " ".join(m.group() for m in tokens[i : i + n])
            if n > 1 and surface not in self._prefixes and surface.lower().replace("-", " ") not in self._prefixes:
                break
            index = self._lookup(surface)
            if index is None and n == 1 and (glued := GLUED_VERSION_RE.fullmatch(surface)):
                index = self._lookup(glued.group(1))  # "Oracle9i", "SQL2000": a version written without a space
            if index is not None and len(surface) == 1 and not _in_list_punctuation(text, tokens[i]):
                index = None  # "C" or "R" alone is an initial or a grade unless it stands in a list
            if index is not None:
                best = index, n
        return best

    def _abbreviates(self, abbreviation: str, index: int) -> bool:
        """An abbreviation in brackets names the same skill: "Software Development Life Cycle (SDLC)"."""
        known = self._lookup(abbreviation)
        return known == index or (known is None and abbreviation.isupper())

    def _lookup(self, surface: str) -> int | None:
        index = self.exact.get(surface)
        return self.folded.get(surface.lower().replace("-", " ")) if index is None else index

    @staticmethod
    def _is_version(text: str, last: re.Match[str], token: re.Match[str], chained: bool) -> bool:
        """A version after a name: "Photoshop CS5", "Windows 2000", "Solaris 9", "Oracle 8i", and more after a slash
        ("98/2000/XP"); not a range's "2008 - 2010" nor a duration's "Excel 2 years"."""
        gap = text[last.end() : token.start()]
        between = gap.strip()
        after = text[token.end() : token.end() + 7].lstrip().lower()
        return (
            bool(VERSION_RE.fullmatch(token.group()))
            and not LINE_GAP_RE.search(gap)
            and (not between or (chained and between == "/"))
            and not after.startswith(("-", "–", "to", "+", "year", "yr", "month", "%"))
        )

    @staticmethod
    def _is_category_noun(text: str, last: re.Match[str], token: re.Match[str]) -> bool:
        """Whether ``token`` is "languages" right after a skill, one noun phrase with it ("Programming Languages",
        "Scripting Language"): the evidence is the phrase as written, and the name stays the skill's."""
        return token.group().lower() in ("language", "languages") and not _apart(text[last.end() : token.start()])

    def semantic(self, text: str, items: list[tuple[int, int]], encoder: Encoder) -> list[SkillMatch]:
        """Nearest taxonomy phrase of each item span, kept when the cosine similarity clears the threshold."""
        if not items:
            return []
        vectors = self.vectors(encoder)
        sims = embed_phrases(encoder, [text[a:b] for a, b in items]) @ vectors.T
        found = []
        for (start, end), row in zip(items, sims, strict=True):
            best = int(row.argmax())
            if row[best] >= SEMANTIC_THRESHOLD:
                found.append(self._match(self.phrases[best][1], text, start, end, "semantic", float(row[best])))
        return found

    def vectors(self, encoder: Encoder) -> np.ndarray:
        return _taxonomy_vectors(self, encoder)

    def _match(self, index: int, text: str, start: int, end: int, method: str, score: float) -> SkillMatch:
        entry = self.entries[index]
        return SkillMatch(
            name=entry.name,
            category=entry.category,
            generic=entry.generic,
            text=text[start:end],
            start=start,
            end=end,
            method=method,  # type: ignore[arg-type]
            score=round(score, 3),
        )


def vectors_path(taxonomy: Taxonomy, encoder: Encoder) -> Path:
    """The ``.npy`` cache of a taxonomy's embeddings, keyed by its content and the encoder version."""
    version = hashlib.sha256(encoder.info.version.encode()).hexdigest()[:12]
    return get_settings().cache_dir / f"skills-{taxonomy.digest}-{version}.npy"


@lru_cache(maxsize=4)
def _taxonomy_vectors(taxonomy: Taxonomy, encoder: Encoder) -> np.ndarray:
    """Embeddings of every name and alias: from the ``.npy`` cache, or computed once and written there."""
    path = vectors_path(taxonomy, encoder)
    if path.exists():
        vectors = np.load(path)
        if vectors.shape == (len(taxonomy.phrases), encoder.info.dim):
            return vectors
    vectors = encoder.embed([phrase for phrase, _ in taxonomy.phrases])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(tmp, vectors)
    os.replace(tmp, path)
    return vectors


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    return Taxonomy()


def _apart(gap: str) -> bool:
    """Whether the text between two tokens separates them: punctuation other than "/", or a line break (a newline,
    a tab, or three or more spaces, as in text whose lines were flattened; two spaces are often a wrapped line)."""
    return bool(gap.strip(" /")) or bool(LINE_GAP_RE.search(gap))


def _in_list_punctuation(text: str, token: re.Match[str]) -> bool:
    following = text[token.end() : token.end() + 4]
    if following.startswith("/o") or re.match(r"\.\s*[A-Z(,]", following):
        return False  # "Freese, R. (2016)", "Vetter, R., Brown", "C/o": an initial or "care of"
    before = text[max(0, token.start() - 3) : token.start()].strip()
    after = text[token.end() : token.end() + 3].strip()
    return before[-1:] in (",", "/", ";") or after[:1] in (",", "/", ";")


def cue_spans(text: str) -> list[tuple[int, int]]:
    """Text around skill cues ("excellent ... skills", "knowledge of ..."): generic skills there are meant as such."""
    return [(max(0, m.start() - CUE_WINDOW), m.end() + CUE_WINDOW) for m in CUE_RE.finditer(text)]


def list_items(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Short items of comma/semicolon/slash separated lists inside ``spans``: candidates for semantic matching."""
    items = []
    for start, end in spans:
        for match in LIST_ITEM_RE.finditer(text, start, end):
            for part in re.finditer(r"\S(?:.*?\S)?(?=\s{2,}|\s*$| and )", match.group()):
                words = part.group().split()
                if 1 <= len(words) <= MAX_ITEM_WORDS and re.search(r"[A-Za-z]{2}", part.group()):
                    items.append((match.start() + part.start(), match.start() + part.end()))
    return items


def phrase_items(text: str, spans: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """The items of each list in ``spans`` (one list per span: a line of a skill section), as candidates for skills
    in their own words: the parts between list punctuation and runs of spaces, less a leading "knowledge of" /
    "proficient in" and a trailing "skills", of one to ``MAX_PHRASE_WORDS`` words that neither begin with a digit,
    a version or a function word nor end with a function word. A part before a colon labels the list ("Tools: ...")
    and is not an item; neither is a remark in brackets ("Dutch (mother tongue)"), but an abbreviation in brackets
    belongs to the item before it ("Just-in-Time (JIT)")."""
    lists = []
    for start, end in spans:
        items = []
        for match in PHRASE_ITEM_RE.finditer(text, start, end):
            inside = text.count("(", start, match.start()) > text.count(")", start, match.start())
            if LIST_LABEL_RE.match(text, match.end(), end) or inside:
                continue
            for part in re.finditer(r"\S(?:.*?\S)?(?=\s{2,}|\s*$)", match.group()):
                a, b = match.start() + part.start(), match.start() + part.end()
                if lead := PHRASE_LEAD_RE.match(text, a, b):
                    a = lead.end()
                if tail := PHRASE_TAIL_RE.search(text, a, b):
                    b = tail.start()
                while b > a and text[b - 1] in ".-*'\"":
                    b -= 1
                while a < b and text[a] in ".-*'\"":
                    a += 1
                words = text[a:b].split()
                if not text[b : match.end()].strip() and (abbreviation := ABBREVIATION_RE.match(text, b, end)):
                    b = abbreviation.end()
                if (
                    1 <= len(words) <= MAX_PHRASE_WORDS
                    and re.search(r"[A-Za-z]{2}", text[a:b])
                    and not words[0][0].isdigit()
                    and not VERSION_RE.fullmatch(words[0])
                    and words[0].lower() not in PHRASE_STOP
                    and words[-1].lower() not in PHRASE_STOP
                ):
                    items.append((a, b))
        lists.append(items)
    return lists


def _named(text: str, start: int, end: int) -> bool:
    """Whether an unknown list item can be kept as a skill: a single lower-case word ("materials", "capacity",
    "tools") is a common noun of the sentence the list runs into; skills of one word are names ("Drush", "ZK")."""
    return not COMMON_WORD_RE.fullmatch(text, start, end)


def _phrase(text: str, start: int, end: int) -> SkillMatch:
    name = " ".join(text[start:end].split())
    return SkillMatch(
        name=name, category="other", generic=False, text=text[start:end], start=start, end=end, method="phrase",
        score=0.0, in_taxonomy=False,
    )  # fmt: skip


def _whole_items(text: str, found: list[SkillMatch], items: list[tuple[int, int]]) -> list[SkillMatch]:
    """A skill named inside a longer list item, alone there, has the whole item as its evidence: the item is how
    the candidate wrote it ("Selenium Web Driver", "International Team Building", "CMS implementation"). An item
    with two skills or a coordination in it ("Unix and Solaris", "JAVA C++ and HTML") lists several; it is not one."""
    inside: dict[tuple[int, int], list[int]] = {}
    for k, match in enumerate(found):
        for a, b in items:
            if a <= match.start and match.end <= b:
                inside.setdefault((a, b), []).append(k)
                break
    out = list(found)
    for (a, b), ks in inside.items():
        if len(ks) == 1 and (found[ks[0]].start, found[ks[0]].end) != (a, b) and not COORDINATION_RE.search(text, a, b):
            out[ks[0]] = found[ks[0]].model_copy(update={"text": text[a:b], "start": a, "end": b})
    return out


def extract_skills(
    text: str,
    encoder: Encoder,
    list_spans: list[tuple[int, int]] | None = None,
    semantic_spans: list[tuple[int, int]] | None = None,
    taxonomy: Taxonomy | None = None,
    phrase_spans: list[tuple[int, int]] | None = None,
    credentials: bool = True,
    every_phrase: bool = False,
) -> list[SkillMatch]:
    """Skills in ``text``, one per distinct (skill, surface form), in order of first appearance.

    ``list_spans`` marks where skills are listed (default: the whole text). Generic skills count only there;
    unknown short items in ``semantic_spans`` (default: ``list_spans``) are matched semantically, which costs one
    ``encoder.embed`` call. In each list of ``phrase_spans`` (default: none; e.g. the lines of a skills section) that
    names at least one known skill, the items that neither pass covers are kept as skills not in the taxonomy
    (``in_taxonomy`` False, ``name`` the phrase as written). With ``credentials`` False, the taxonomy's credentials
    ("PMP") are left out, though their text still counts as a known skill of its list. With ``every_phrase``, every
    uncovered item of every list is kept, for a scorer of candidates (``workers/resume/skill_scorer.py``) to decide.
    """
    taxonomy = taxonomy or default_taxonomy()
    masked = MASK_RE.sub(lambda m: " " * len(m.group()), text)
    in_list = np.ones(len(text) + 1, dtype=bool)
    if list_spans is not None:
        in_list[:] = False
        for start, end in list_spans:
            in_list[start:end] = True
    literal = [
        m
        for m in taxonomy.literal(masked)
        if (in_list[m.start] or not m.generic) and not (m.name == "Spring" and SEASON_YEAR_RE.match(m.text, 6))
    ]
    covered = np.zeros(len(text) + 1, dtype=bool)
    for match in literal:
        covered[match.start : match.end] = True
    spans = semantic_spans if semantic_spans is not None else list_spans if list_spans is not None else [(0, len(text))]
    items = [(a, b) for a, b in list_items(masked, spans) if not covered[a:b].any()][:MAX_SEMANTIC_ITEMS]
    semantic = taxonomy.semantic(text, items, encoder)
    for match in semantic:
        covered[match.start : match.end] = True
    phrases = []
    lists = phrase_items(masked, phrase_spans or [])
    for items in lists:
        known = [covered[a:b].any() for a, b in items]
        if every_phrase or any(known):  # a list with a known skill in it lists skills: its other items are skills too
            phrases += [
                _phrase(text, a, b)
                for (a, b), k in zip(items, known, strict=True)
                if not k and (every_phrase or _named(text, a, b))
            ]
    literal = _whole_items(text, literal, [item for items in lists for item in items])
    matches = sorted(literal + semantic + phrases, key=lambda m: m.start)
    seen: set[tuple[str, str]] = set()
    unique = []
    for match in matches:
        key = (match.name, match.text.casefold())
        if key not in seen and (credentials or not (match.in_taxonomy and match.name in taxonomy.credentials)):
            seen.add(key)
            unique.append(match)
    return unique
