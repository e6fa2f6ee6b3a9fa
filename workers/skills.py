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
from typing import Literal

import numpy as np
from pydantic import BaseModel

from workers.encoder import Encoder
from workers.phrase_cache import embed_phrases

TAXONOMY_PATH = Path(__file__).parent / "assets" / "skills.json"
TOKEN_RE = re.compile(r"(?<![\w.])\.?[A-Za-z0-9][A-Za-z0-9+#]*(?:[.'&\-][A-Za-z0-9+#]+)*[+#]*")
MASK_RE = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+")  # e-mails and URLs are not skills ("http", "gmail")
CUE_RE = re.compile(
    r"\b(?:skills?|skilled|abilit(?:y|ies)|proficien\w*|knowledge|experience (?:in|with)|expertise|familiar|"
    r"strong|excellent|good|solid|fluent|languages?|competen\w*)\b",
    re.IGNORECASE,
)
CUE_WINDOW = 60
SEASON_YEAR_RE = re.compile(r"\s*(?:19|20)\d\d")
VERSION_RE = re.compile(r"v?\d+\.\d[\w.]*|v\d+|\d{1,2}[a-z]|CS\d*|SP\d+|XP|(?:19|20)\d\d", re.IGNORECASE)
LIST_ITEM_RE = re.compile(r"[^,;:/()\n\t]+")
SEMANTIC_THRESHOLD = 0.84
MAX_ITEM_WORDS = 4
MAX_SEMANTIC_ITEMS = 64  # bounds the encoder work per document


class SkillMatch(BaseModel):
    """One skill found in a text: the taxonomy entry, and the evidence span ``text[start:end]``."""

    name: str
    category: str
    generic: bool
    text: str
    start: int
    end: int
    method: Literal["alias", "semantic"]
    score: float


def cache_dir() -> Path:
    return Path(os.environ.get("TALENTQ_CACHE_DIR", Path.home() / ".cache" / "talentq"))


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
        """Longest alias match at each token position, left to right, never overlapping."""
        tokens = _tokens(text)
        found: list[SkillMatch] = []
        i = 0
        while i < len(tokens):
            for n in range(min(self.max_words, len(tokens) - i), 0, -1):
                window = tokens[i : i + n]
                if any(text[a.end() : b.start()].strip(" /") for a, b in pairwise(window)):
                    continue  # tokens separated by punctuation ("Java, Spring") do not form one alias
                surface = " ".join(m.group() for m in window)
                index = self.exact.get(surface)
                if index is None:
                    index = self.folded.get(surface.lower().replace("-", " "))
                if index is not None and len(surface) == 1 and not _in_list_punctuation(text, window[0]):
                    index = None  # "C" or "R" alone is an initial or a grade unless it stands in a list
                if index is not None:
                    i += n
                    while i < len(tokens) and self._is_version(text, window[-1], tokens[i]):
                        window.append(tokens[i])  # "Photoshop CS5", "Studio 2014": the version is part of the name
                        i += 1
                    end = window[-1].end()
                    if n > 1 and window[-1].group().lower() in ("skill", "skills"):
                        end = window[-2].end()  # "interpersonal skills": the skill is "interpersonal"
                    found.append(self._match(index, text, window[0].start(), end, "alias", 1.0))
                    break
            else:
                i += 1
        return found

    @staticmethod
    def _is_version(text: str, last: re.Match[str], token: re.Match[str]) -> bool:
        """A version after a name: "Photoshop CS5", "Windows 2000", "Oracle 8i"; not a range's "2008 - 2010"."""
        after = text[token.end() : token.end() + 3].lstrip()
        return (
            bool(VERSION_RE.fullmatch(token.group()))
            and not text[last.end() : token.start()].strip()
            and not after.startswith(("-", "–", "to"))
        )

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


@lru_cache(maxsize=4)
def _taxonomy_vectors(taxonomy: Taxonomy, encoder: Encoder) -> np.ndarray:
    """Embeddings of every name and alias: from the ``.npy`` cache, or computed once and written there."""
    version = hashlib.sha256(encoder.info.version.encode()).hexdigest()[:12]
    path = cache_dir() / f"skills-{taxonomy.digest}-{version}.npy"
    if path.exists():
        vectors = np.load(path)
        if vectors.shape == (len(taxonomy.phrases), encoder.info.dim):
            return vectors
    vectors = encoder.embed([phrase for phrase, _ in taxonomy.phrases], batch_size=128)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(tmp, vectors)
    os.replace(tmp, path)
    return vectors


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    return Taxonomy()


def _in_list_punctuation(text: str, token: re.Match[str]) -> bool:
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


def extract_skills(
    text: str,
    encoder: Encoder,
    list_spans: list[tuple[int, int]] | None = None,
    semantic_spans: list[tuple[int, int]] | None = None,
    taxonomy: Taxonomy | None = None,
) -> list[SkillMatch]:
    """Skills in ``text``, one per distinct (skill, surface form), in order of first appearance.

    ``list_spans`` marks where skills are listed (default: the whole text). Generic skills count only there;
    unknown short items in ``semantic_spans`` (default: ``list_spans``) are matched semantically, which costs one
    ``encoder.embed`` call.
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
    matches = sorted(literal + taxonomy.semantic(text, items, encoder), key=lambda m: m.start)
    seen: set[tuple[str, str]] = set()
    unique = []
    for match in matches:
        key = (match.name, match.text.casefold())
        if key not in seen:
            seen.add(key)
            unique.append(match)
    return unique
