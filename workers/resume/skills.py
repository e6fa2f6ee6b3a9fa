"""Skills normalised to the taxonomy in ``assets/skills.json``: the skills a job posting asks for, and the
canonical entry of a skill a résumé names in its own words (``Taxonomy.canonical``).

Two passes over a posting. Literal: every alias is looked up as a token n-gram, case-insensitively, except aliases
of at most three characters ("R", "Go", "C#") and the common English words listed under ``case_sensitive``
("Word", "Access", "Spring"), which must appear as written or in capitals; "Spring" before a year is a season, and
a one-letter skill ("C", "R") counts only inside a punctuated list. Semantic: short list items that no alias covers
are embedded and matched to the nearest taxonomy name or alias above ``SEMANTIC_THRESHOLD``. Taxonomy embeddings
are computed once per encoder version and taxonomy content, and cached as ``.npy`` under ``TALENTQ_CACHE_DIR``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
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

    def canonical(self, surface: str) -> SkillMatch | None:
        """The taxonomy entry that a whole skill span names ("MS Excel", "Photoshop CS5"), or None: a span that only
        contains a skill ("Excel reporting") is a skill of its own."""
        surface = surface.strip()
        matches = self.literal(surface)
        whole = len(matches) == 1 and matches[0].start == 0 and matches[0].end == len(surface)
        return matches[0] if whole else None

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
        """(entry, number of tokens) of the longest alias starting at token ``i``."""
        for n in range(min(self.max_words, len(tokens) - i), 0, -1):
            window = tokens[i : i + n]
            if any(_apart(text[a.end() : b.start()]) for a, b in pairwise(window)):
                continue  # tokens separated by punctuation ("Java, Spring") or lines do not form one alias
            surface = " ".join(m.group() for m in window)
            index = self._lookup(surface)
            if index is None and n == 1 and (glued := GLUED_VERSION_RE.fullmatch(surface)):
                index = self._lookup(glued.group(1))  # "Oracle9i", "SQL2000": a version written without a space
            if index is not None and len(surface) == 1 and not _in_list_punctuation(text, window[0]):
                index = None  # "C" or "R" alone is an initial or a grade unless it stands in a list
            if index is not None:
                return index, n
        return None

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


def extract_skills(text: str, encoder: Encoder, taxonomy: Taxonomy | None = None) -> list[SkillMatch]:
    """Skills in ``text`` (a job posting), one per distinct (skill, surface form), in order of first appearance:
    every alias found literally, then the short list items no alias covers, matched semantically (one
    ``encoder.embed`` call)."""
    taxonomy = taxonomy or default_taxonomy()
    masked = MASK_RE.sub(lambda m: " " * len(m.group()), text)
    literal = [m for m in taxonomy.literal(masked) if not (m.name == "Spring" and SEASON_YEAR_RE.match(m.text, 6))]
    covered = np.zeros(len(text) + 1, dtype=bool)
    for match in literal:
        covered[match.start : match.end] = True
    items = [(a, b) for a, b in list_items(masked, [(0, len(text))]) if not covered[a:b].any()][:MAX_SEMANTIC_ITEMS]
    matches = sorted(literal + taxonomy.semantic(text, items, encoder), key=lambda m: m.start)
    seen: set[tuple[str, str]] = set()
    unique = []
    for match in matches:
        key = (match.name, match.text.casefold())
        if key not in seen:
            seen.add(key)
            unique.append(match)
    return unique
