"""A corpus of scanned-looking résumés made from the sample résumés: each text drawn on A4 pages at 200 dpi,
grey noise added and the page turned by up to ±1.5°, saved as PNG and as an image-only PDF (what a scanner or
a phone app sends), with the text drawn kept as the reference for the character error rate of OCR.

Seeded, so the same corpus comes out every time. Used by ``bench/ocr.py`` and the OCR tests.
"""

from __future__ import annotations

import io
import random
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import reportlab
from PIL import Image, ImageDraw, ImageFont
from rapidfuzz.distance import Levenshtein

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "resumes"
FONT = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"  # a TrueType font every dev install has
DPI = 200
PAGE = (round(8.27 * DPI), round(11.69 * DPI))  # A4
MARGIN, FONT_PX, LINE_PX, WRAP = 150, 30, 44, 80  # 30 px at 200 dpi ≈ 11 pt
MARKDOWN_RE = re.compile(r"[#*_<>`]+")


@dataclass(frozen=True)
class Scan:
    name: str
    text: str  # what is drawn, line by line
    pages: list[Image.Image]

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.pages[0].save(buffer, "PNG")
        return buffer.getvalue()

    def pdf(self) -> bytes:
        buffer = io.BytesIO()
        self.pages[0].save(buffer, "PDF", resolution=DPI, save_all=True, append_images=self.pages[1:])
        return buffer.getvalue()


def sample_lines(path: Path) -> list[str]:
    """The sample's text as it would be printed: Markdown marks and rules ("=====") dropped, long lines wrapped."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = " ".join(MARKDOWN_RE.sub("", raw).split())
        lines.extend(textwrap.wrap(line, WRAP) if any(ch.isalnum() for ch in line) else [])
    return lines


def scan(name: str, lines: list[str], seed: int) -> Scan:
    """``lines`` drawn on as many pages as they need, each page noised and slightly turned."""
    rng = random.Random(seed)
    font = ImageFont.truetype(str(FONT), FONT_PX)
    per_page = (PAGE[1] - 2 * MARGIN) // LINE_PX
    pages = []
    for first in range(0, len(lines), per_page):
        page = Image.new("L", PAGE, 255)
        draw = ImageDraw.Draw(page)
        for i, line in enumerate(lines[first : first + per_page]):
            draw.text((MARGIN, MARGIN + i * LINE_PX), line, fill=20, font=font)
        pages.append(_scanned(page, rng))
    return Scan(name, "\n".join(lines), pages)


def _scanned(page: Image.Image, rng: random.Random) -> Image.Image:
    turned = page.rotate(rng.uniform(-1.5, 1.5), resample=Image.Resampling.BICUBIC, fillcolor=255)
    pixels = np.asarray(turned, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(1 << 30)).normal(0, 18, pixels.shape)
    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8), "L")


def corpus(limit: int | None = None) -> list[Scan]:
    """One scan per plain-text sample résumé (six of them), in name order."""
    paths = sorted(SAMPLES.glob("*.txt"))[:limit]
    return [scan(path.stem, sample_lines(path), seed) for seed, path in enumerate(paths)]


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Edits to turn the OCR text into the drawn text, per drawn character; whitespace runs count as one space."""
    ref, hyp = " ".join(reference.split()), " ".join(hypothesis.split())
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))
