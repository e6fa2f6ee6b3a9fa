"""Themes of feedback (pay, manager, workload…) by embedding similarity to configurable descriptions.

A theme file (YAML, ``workers/assets/themes.yaml`` by default, ``TALENTQ_THEMES_FILE`` to replace it) names each
theme with one or more descriptions. Every description is embedded once, by the network that reads the sentences;
a sentence takes the themes whose closest description is within ``threshold`` cosine similarity, at most
``max_per_sentence``, the closest first. No training data and no model of its own: an HR team edits the file to
add or reword a theme. The sentences' vectors come from the sentiment pass itself (the bundled network's theme
map, ``workers.sentiment.network``), so tagging costs a matrix product; a file with ``themes: {}`` turns it off.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from workers import ASSETS_DIR

BUNDLED_THEMES = ASSETS_DIR / "themes.yaml"


@dataclass(frozen=True)
class ThemeSet:
    names: list[str]  # one per description, in file order
    descriptions: list[str]
    threshold: float
    max_per_sentence: int
    digest: str  # of the file's bytes: results are versioned by it

    @classmethod
    def read(cls, path: Path = BUNDLED_THEMES) -> ThemeSet:
        """Parse a theme file; ValueError naming what is wrong with it."""
        raw = path.read_bytes()
        data = yaml.safe_load(raw) or {}
        themes = data.get("themes")
        if not isinstance(themes, dict):
            raise ValueError(f"{path}: expected a `themes:` mapping of name → descriptions (`{{}}`: no themes)")
        names, descriptions = [], []
        for name, texts in themes.items():
            texts = [texts] if isinstance(texts, str) else texts
            if not texts or not all(isinstance(t, str) and t.strip() for t in texts):
                raise ValueError(f"{path}: theme {name!r} needs one or more non-empty descriptions")
            names += [str(name)] * len(texts)
            descriptions += texts
        return cls(
            names=names,
            descriptions=descriptions,
            threshold=float(data.get("threshold", 0.4)),
            max_per_sentence=int(data.get("max_per_sentence", 2)),
            digest=hashlib.sha256(raw).hexdigest()[:12],
        )


class ThemeTagger:
    """Themes of sentences from their unit vectors (``embed``'s vectors of the descriptions computed once)."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray], path: Path = BUNDLED_THEMES) -> None:
        self.themes = ThemeSet.read(path)
        self._vectors = embed(self.themes.descriptions) if self.active else None

    @property
    def active(self) -> bool:
        return bool(self.themes.names)

    def tag(self, vectors: np.ndarray | None, count: int) -> list[list[str]]:
        """For each of ``count`` sentences (``vectors``: a unit row each), its themes, the closest first (empty
        where none is close enough)."""
        if self._vectors is None or vectors is None:
            return [[] for _ in range(count)]
        similarity = vectors @ self._vectors.T
        names = np.array(self.themes.names)
        out = []
        for row in similarity:
            best: dict[str, float] = {}
            for i in np.argsort(-row):
                if row[i] < self.themes.threshold or len(best) == self.themes.max_per_sentence:
                    break
                best.setdefault(str(names[i]), float(row[i]))
            out.append(list(best))
        return out
