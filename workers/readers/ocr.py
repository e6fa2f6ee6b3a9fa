"""Text of scans (images, and PDFs without a text layer) by OCR: RapidOCR's PP-OCRv4 models on ONNX Runtime.

Chosen because it installs from PyPI as one wheel with its three models inside (detection, angle, recognition:
16 MB), runs on the CPU with the ONNX Runtime talentq already has, and needs no system package (Tesseract
would need one on every machine). PDF pages are rendered with pypdfium2 (PDFium, also a wheel), so any
scan encoding (JPEG, CCITT, JBIG2) and text drawn as outlines read the same.

Work is bounded: at most ``OcrLimits.max_pages`` pages, no new page once ``time_budget_s`` has passed, images
past ``MAX_PIXELS`` refused, pages rendered at ``RENDER_DPI``. The engine loads once per process, on the first
scan (the import alone costs ~1 s and ~100 MB), so documents with text never pay for it.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
from PIL import Image

RENDER_DPI = 200  # PP-OCR reads body text well from ~150 dpi; 200 keeps 9-pt print legible
MAX_SIDE = 2600  # pixels; larger scans are shrunk first (the detector works at 2,000 anyway)
MAX_PIXELS = 60_000_000  # a bigger image is a decompression bomb, not a résumé page
USE_CLS = False  # the angle classifier turns upside-down lines; résumé scans have none, and it costs time


@dataclass(frozen=True)
class OcrLimits:
    max_pages: int = 5
    time_budget_s: float = 120.0
    threads: int | None = None  # ONNX Runtime intra-op threads; None = its default


@dataclass(frozen=True)
class OcrText:
    text: str
    confidence: float  # the recogniser's mean score over the characters read, 0 to 1
    pages: int  # pages read (may be fewer than the document has: limits)


class ImageTooLarge(ValueError):
    """An image with more pixels than ``MAX_PIXELS``."""


def ocr_pdf(data: bytes, limits: OcrLimits) -> OcrText:
    """OCR of a PDF's pages, each rendered at ``RENDER_DPI``."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:

        def pages() -> Iterator[Image.Image]:
            for index in range(min(len(pdf), limits.max_pages)):
                page = pdf[index]
                yield page.render(scale=_scale(*page.get_size())).to_pil()
                page.close()

        return _read(pages(), limits)
    finally:
        pdf.close()


def _scale(width_pt: float, height_pt: float) -> float:
    """Points to pixels at ``RENDER_DPI``, less for a page so large that it would pass ``MAX_PIXELS`` (a PDF may
    declare a page of 200 × 200 inches: 1.6 G pixels at 200 dpi)."""
    scale = RENDER_DPI / 72
    pixels = width_pt * height_pt * scale * scale
    return scale * min(1.0, (MAX_PIXELS / pixels) ** 0.5) if pixels > 0 else scale


def ocr_image(data: bytes, limits: OcrLimits) -> OcrText:
    """OCR of an image file (PNG, JPEG, TIFF…; every frame of a multi-page TIFF, up to the page limit)."""
    image = Image.open(io.BytesIO(data))
    if image.width * image.height > MAX_PIXELS:
        raise ImageTooLarge(f"{image.width}×{image.height} pixels is more than {MAX_PIXELS}")

    def frames() -> Iterator[Image.Image]:
        for index in range(min(getattr(image, "n_frames", 1), limits.max_pages)):
            image.seek(index)
            yield image.copy()

    return _read(frames(), limits)


def _read(pages: Iterator[Image.Image], limits: OcrLimits) -> OcrText:
    deadline = time.monotonic() + limits.time_budget_s
    texts: list[str] = []
    scores: list[tuple[float, int]] = []
    for page in pages:
        lines = _page_lines(_engine(limits.threads), _prepared(page))
        texts.append("\n".join(text for text, _ in lines))
        scores += [(score, len(text)) for text, score in lines]
        if time.monotonic() > deadline:
            break
    chars = sum(n for _, n in scores)
    confidence = sum(score * n for score, n in scores) / chars if chars else 0.0
    return OcrText("\n\n".join(texts), round(confidence, 4), len(texts))


def _prepared(page: Image.Image) -> np.ndarray:
    """RGB pixels as the engine takes them (BGR, like OpenCV), the longer side at most ``MAX_SIDE``."""
    page = page.convert("RGB")
    scale = MAX_SIDE / max(page.size)
    if scale < 1:
        page = page.resize((round(page.width * scale), round(page.height * scale)), Image.Resampling.LANCZOS)
    return np.ascontiguousarray(np.asarray(page)[:, :, ::-1])


@lru_cache(maxsize=2)
def _engine(threads: int | None) -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(intra_op_num_threads=threads or -1, print_verbose=False, use_cls=USE_CLS)


@dataclass(frozen=True)
class _Box:
    y: float  # vertical centre
    height: float
    x0: float
    x1: float
    text: str
    score: float


def _page_lines(engine: Any, pixels: np.ndarray) -> list[tuple[str, float]]:
    """(text, score) of each line, top to bottom. Boxes are taken left to right, each joining the row whose last
    box ends before it with its vertical centre within half a box height (so a row follows a slightly turned
    page's slope); a wide gap inside a line (columns) becomes two spaces."""
    found, _ = engine(pixels)
    boxes = []
    for points, text, score in found or []:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        boxes.append(_Box((min(ys) + max(ys)) / 2, max(ys) - min(ys), min(xs), max(xs), text.strip(), float(score)))
    rows: list[list[_Box]] = []
    for box in sorted(boxes, key=lambda b: b.x0):
        near = [row for row in rows if row[-1].x1 <= box.x0 + box.height and _same_line(row[-1], box)]
        if near:
            min(near, key=lambda row: abs(row[-1].y - box.y)).append(box)
        else:
            rows.append([box])
    lines = []
    for row in sorted(rows, key=lambda row: row[0].y):
        text = row[0].text + "".join(
            ("  " if box.x0 - before.x1 > 2 * box.height else " ") + box.text for before, box in pairwise(row)
        )
        chars = sum(len(box.text) for box in row)
        lines.append((text, sum(box.score * len(box.text) for box in row) / max(1, chars)))
    return lines


def _same_line(left: _Box, right: _Box) -> bool:
    """Vertical centres within half the taller box's height ("a" is a short box beside capitals)."""
    return abs(left.y - right.y) < max(left.height, right.height) / 2
