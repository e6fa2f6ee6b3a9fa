"""Themes of feedback (pay, manager, workload…) by embedding similarity to configurable descriptions.

A theme file (YAML, ``workers/assets/themes.yaml`` by default, ``TALENTQ_THEMES_FILE`` to replace it) names each
theme with one or more descriptions. Every description is embedded once with the shared encoder; a sentence takes
the themes whose closest description is within ``threshold`` cosine similarity, at most ``max_per_sentence``, the
closest first. No training data and no model of its own: an HR team edits the file to add or reword a theme.
Tagging costs one more encoder pass per sentence; a file with ``themes: {}`` turns it off.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from workers import ASSETS_DIR
from workers.engine.encoder import Encoder

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
    """Themes of sentences, on the shared encoder (its embeddings of the descriptions computed once)."""

    def __init__(self, encoder: Encoder, path: Path = BUNDLED_THEMES) -> None:
        self.encoder = encoder
        self.themes = ThemeSet.read(path)
        self._vectors = encoder.embed(self.themes.descriptions) if self.themes.names else None

    def tag(self, sentences: list[str]) -> list[list[str]]:
        """For each sentence, its themes, the closest first (empty where none is close enough)."""
        if not self.themes.names:
            return [[] for _ in sentences]
        similarity = self.encoder.embed(sentences) @ self._vectors.T  # type: ignore[union-attr]
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
