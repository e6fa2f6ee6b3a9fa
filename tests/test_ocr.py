"""OCR of scans on the generated corpus (bench/scan_corpus.py: sample résumés drawn at 200 dpi, noised, turned
up to 1.5°): its character error rate, its limits, a text-layer PDF that never reaches it, and a scan sent with
`talentq submit resumes` that a real worker reads, recording on the document that its text came from OCR."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from bench.scan_corpus import Scan, character_error_rate, corpus, scan
from db.models import Document, ResumeResult
from db.session import session_scope
from tests.support import pdf_bytes, talentq, wait_for
from workers import documents
from workers.documents import DocumentError, extract
from workers.readers import ocr
from workers.readers.ocr import OcrLimits

LIMIT = 10 << 20
OCR = OcrLimits(max_pages=5, time_budget_s=300)
MAX_CER = 0.10  # measured 0.035 on this sample as a PDF, 0.020 as a PNG (bench/ocr.py: 0.035-0.066 over six)


@pytest.fixture(scope="module")
def sample_scan() -> Scan:
    return corpus(1)[0]  # 03-priya-raman.txt: one page


@pytest.mark.parametrize("kind", ["pdf", "png"])
def test_a_scan_is_read_by_ocr_with_its_confidence(sample_scan, kind: str) -> None:
    data = sample_scan.pdf() if kind == "pdf" else sample_scan.png()
    result = extract(data, f"scan.{kind}", LIMIT, OCR)
    assert (result.source, result.ocr_confidence is not None) == ("ocr", True)
    assert result.ocr_confidence > 0.85
    assert character_error_rate(sample_scan.text, result.text) < MAX_CER
    assert "Senior Data Scientist" in result.text


def test_a_pdf_with_a_text_layer_never_reaches_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_ocr(data: bytes, limits: OcrLimits) -> ocr.OcrText:
        raise AssertionError("OCR ran on a PDF with a text layer")

    monkeypatch.setattr(ocr, "ocr_pdf", no_ocr)
    result = extract(pdf_bytes(lambda page: page.drawString(72, 700, "Ann Lee, Python")), "cv.pdf", LIMIT, OCR)
    assert (result.text.strip(), result.source, result.ocr_confidence) == ("Ann Lee, Python", "pdf", None)


def small_scan(pages: int) -> bytes:
    """A PDF of ``pages`` small scanned pages, one line each: cheap to OCR."""
    page = scan("small", ["A page of a scan"], seed=1).pages[0].crop((0, 0, 900, 260))
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=200, save_all=True, append_images=[page] * (pages - 1))
    return buffer.getvalue()


def test_pages_past_the_limit_are_not_read() -> None:
    assert ocr.ocr_pdf(small_scan(3), OcrLimits(max_pages=2, time_budget_s=300)).pages == 2


def test_no_page_starts_after_the_time_budget() -> None:
    assert ocr.ocr_pdf(small_scan(3), OcrLimits(max_pages=5, time_budget_s=1e-6)).pages == 1


def test_an_image_bomb_is_too_large_before_decoding() -> None:
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")  # 100 M pixels in ~12 KB
    with pytest.raises(DocumentError) as info:
        extract(buffer.getvalue(), "bomb.png", LIMIT, OCR)
    assert info.value.code == "too_large"


def test_a_huge_scanned_page_is_rendered_within_the_pixel_bound() -> None:
    """A PDF may declare a page of 200 × 200 inches (1.6 G pixels at 200 dpi); it is rendered smaller instead."""
    page = Image.new("L", (400, 400), 255)
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=2)  # 400 px at 2 dpi: a 200-inch page
    with pytest.raises(DocumentError) as info:
        extract(buffer.getvalue(), "huge.pdf", LIMIT, OCR)
    assert info.value.code == "no_text_layer"  # read (blank), not run out of memory
    assert ocr._scale(14_400, 14_400) ** 2 * 14_400**2 <= ocr.MAX_PIXELS * 1.0001


def test_ocr_off_leaves_a_scan_without_text_layer(sample_scan) -> None:
    with pytest.raises(DocumentError) as info:
        extract(sample_scan.pdf(), "scan.pdf", LIMIT, documents.NO_OCR)
    assert info.value.code == "no_text_layer"


def test_a_submitted_scan_is_read_on_the_extract_queue(start_worker, database_url, tmp_path: Path, sample_scan):
    split = {"TALENTQ_SEPARATE_EXTRACTION": "true"}
    cpu = start_worker(queues="extract", extra_env=split)
    model = start_worker(queues="resumes,scoring", extra_env=split)
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "priya-scan.pdf").write_bytes(sample_scan.pdf())
    talentq("submit", "resumes", str(folder), env=split)

    def parsed() -> ResumeResult | None:
        with session_scope(database_url) as session:
            query = select(ResumeResult).join(Document).where(Document.filename == "priya-scan.pdf")
            return session.scalars(query).first()

    result = wait_for(parsed, 240, what="the scan parsed", progress=lambda: (cpu.activity(), model.activity()))
    assert result.email == "priya.raman@example.com"
    with session_scope(database_url) as session:
        doc = session.scalars(select(Document).where(Document.filename == "priya-scan.pdf")).one()
        assert (doc.text_source, doc.ocr_confidence > 0.85) == ("ocr", True)
    assert "Task talentq.extract_text[" in cpu.log and "Task talentq.extract_text[" not in model.log
