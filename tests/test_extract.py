"""Document bytes → text or a DocumentError code, on real files generated here (reportlab, python-docx, pypdf,
hand-written RTF) and a Word 97 ``.doc`` saved by Word (tests/fixtures/word97.doc, from textract's tests, MIT)."""

from __future__ import annotations

import contextlib
import io
import zlib

import docx
import pypdf
import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from tests.support import ROOT, pdf_bytes
from workers.documents import DocumentError, extract_text

FIXTURES = ROOT / "tests" / "fixtures"
MB = 1024 * 1024
LIMIT = 10 * MB


def two_column_pdf() -> bytes:
    """Left and right columns drawn line by line, interleaved, as layout engines emit them."""
    left = ["EXPERIENCE", "Data Engineer", "Acme Corp", "2019 - Present", "Built ETL pipelines"]
    right = ["SKILLS", "Python", "Kubernetes", "PostgreSQL", "Terraform"]

    def draw(page: canvas.Canvas) -> None:
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            y = 700 - 18 * i
            page.drawString(72, y, a)
            page.drawString(340, y, b)

    return pdf_bytes(draw)


def expect_error(code: str, data: bytes, filename: str, max_bytes: int = LIMIT) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        extract_text(data, filename, max_bytes)
    assert info.value.code == code, info.value.message
    return info.value


def test_pdf_text() -> None:
    data = pdf_bytes(lambda page: page.drawString(72, 700, "Jane Doe jane.doe@example.com +1 415 555 0134"))
    assert "jane.doe@example.com" in extract_text(data, "cv.pdf", LIMIT)


def test_two_column_pdf_is_read_column_by_column() -> None:
    text = extract_text(two_column_pdf(), "cv.pdf", LIMIT)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines.index("Built ETL pipelines") < lines.index("SKILLS") < lines.index("Terraform")
    assert lines[:2] == ["EXPERIENCE", "Data Engineer"]


def test_scanned_pdf_has_no_text_layer() -> None:
    pixels = bytes([0, 0, 0, 255, 255, 255] * 64 * 32)
    image = Image.frombytes("RGB", (64, 64), pixels)
    data = pdf_bytes(lambda page: page.drawImage(ImageReader(image), 72, 500, 200, 200))
    expect_error("no_text_layer", data, "scan.pdf")


def test_encrypted_pdf() -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes(lambda page: page.drawString(72, 700, "secret"))))
    writer = pypdf.PdfWriter()
    writer.append(reader)
    writer.encrypt("pw")
    out = io.BytesIO()
    writer.write(out)
    expect_error("encrypted", out.getvalue(), "cv.pdf")


def test_pdf_with_empty_user_password_opens() -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes(lambda page: page.drawString(72, 700, "open to all"))))
    writer = pypdf.PdfWriter()
    writer.append(reader)
    writer.encrypt("", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    assert "open to all" in extract_text(out.getvalue(), "cv.pdf", LIMIT)


def test_table_docx_keeps_document_order() -> None:
    document = docx.Document()
    document.add_paragraph("Maria Garcia")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "EXPERIENCE"
    table.cell(0, 1).text = "Nurse, St. Mary Hospital, 2015 - 2020"
    table.cell(1, 0).text = "SKILLS"
    table.cell(1, 1).text = "Phlebotomy, Triage"
    document.add_paragraph("References on request")
    buffer = io.BytesIO()
    document.save(buffer)
    lines = extract_text(buffer.getvalue(), "cv.docx", LIMIT).splitlines()
    assert lines == [
        "Maria Garcia",
        "EXPERIENCE",
        "Nurse, St. Mary Hospital, 2015 - 2020",
        "SKILLS",
        "Phlebotomy, Triage",
        "References on request",
    ]


def test_magic_bytes_win_over_extension() -> None:
    data = pdf_bytes(lambda page: page.drawString(72, 700, "really a pdf"))
    assert "really a pdf" in extract_text(data, "resume.txt", LIMIT)


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"", "cv.pdf", "empty"),
        (b"   \n\t ", "cv.txt", "empty"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 4, "cv.pdf", "corrupt"),
        (b"PK\x03\x04" + b"\x00garbage" * 50, "cv.docx", "corrupt"),
        (b"not a pdf at all", "cv.pdf", "corrupt"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "photo.png", "unsupported_type"),  # OCR off: extract_text's default
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.doc", "corrupt"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "locked.docx", "encrypted"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 100, "cv.gz", "unsupported_type"),
        (b"{\\rtf1\\ansi\\ansicpg99999 {\\'e9}}", "cv.rtf", "corrupt"),
        (b"\x00\x01\x02\x03\xff" * 200, "cv.txt", "binary"),
        (b"\xff\xfe" + b"\x00\xd8", "cv.txt", "decode_error"),
        (b"plain words", "cv.exe", "unsupported_type"),
    ],
)
def test_bad_input_gets_a_clear_code(data: bytes, filename: str, code: str) -> None:
    expect_error(code, data, filename)


def test_twenty_megabytes_is_too_large_but_a_large_allowed_file_parses() -> None:
    expect_error("too_large", b"a" * (20 * MB), "cv.txt")
    big = ("Python developer with Kubernetes experience. " * 250_000).encode()[: 9 * MB]
    text = extract_text(big, "cv.txt", LIMIT)
    assert len(text) == 9 * MB and text.startswith("Python developer")


def test_docx_zip_bomb_is_too_large() -> None:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("x" * 1000)
    document.save(buffer)
    expect_error("too_large", buffer.getvalue(), "cv.docx", max_bytes=len(buffer.getvalue()) // 100 + 1)


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        ("José Müller – Café".encode("cp1252"), "José Müller – Café"),
        ("José Müller".encode("utf-16"), "José Müller"),
        ("\ufeffJosé Müller".encode(), "José Müller"),
        ("José Müller".encode("utf-16-le"), "José Müller"),
    ],
)
def test_text_encodings(encoded: bytes, expected: str) -> None:
    assert extract_text(encoded, "cv.txt", LIMIT) == expected


RUSSIAN = "Иван Петров\nОпыт работы\nВедущий инженер, ООО Ромашка, Москва\n2018 - настоящее время\nPython, PostgreSQL"
CHINESE = "张伟\n工作经历\n高级软件工程师，北京字节跳动科技有限公司，2019年3月至今\n教育背景：清华大学学士"
JAPANESE = "山田太郎\n職務経歴\n株式会社サイバーエージェント エンジニア 2018年4月から現在\n学歴：東京大学 工学部"
GREEK = "Ανδρέας Παπαδόπουλος\nΜηχανικός λογισμικού, Αθήνα\nΕμπειρία: 2016 – σήμερα"
POLISH = "Zofia Wójcik\nDoświadczenie zawodowe: inżynier, Kraków, Łódź\nUmiejętności: Python, SQL"


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (RUSSIAN, "cp1251"),
        (RUSSIAN, "koi8_r"),
        (CHINESE, "gbk"),
        (JAPANESE, "shift_jis"),
        (RUSSIAN, "utf-16-le"),  # no BOM: every other byte is 0x04 or 0x00
        (RUSSIAN, "utf-16-be"),
        (CHINESE, "utf-16-le"),
        (GREEK, "cp1253"),
        (POLISH, "cp1250"),
        ("Jürgen Müller, Bäckerstraße 5, Köln – Softwareentwickler", "cp1252"),
    ],
)
def test_legacy_code_pages_decode_exactly(text: str, codec: str) -> None:
    """The old fallback chain (UTF-8 → cp1252 → latin-1) turned every one of these but the last into mojibake."""
    assert extract_text(text.encode(codec), "cv.txt", LIMIT) == text


def test_word97_doc_saved_by_word() -> None:
    text = extract_text((FIXTURES / "word97.doc").read_bytes(), "cv.doc", LIMIT)
    assert text.split() == (FIXTURES / "word97.txt").read_text().split()


def test_word97_doc_is_read_whatever_its_name() -> None:
    assert "I love word documents" in extract_text((FIXTURES / "word97.doc").read_bytes(), "upload.bin", LIMIT)


def test_rtf_with_code_page_and_unicode_escapes() -> None:
    rtf = (
        rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}"
        rb"\pard Fran\'e7oise M\'fcller\par"
        rb"\pard{\b Exp\'e9rience professionnelle}\par"
        rb"\pard Ing\u233?nieure, Soci\u233?t\u233? G\u233?n\u233?rale, janv. 2017 \endash  aujourd'hui\par}"
    )
    lines = [line.strip() for line in extract_text(rtf, "cv.rtf", LIMIT).splitlines() if line.strip()]
    assert lines == [
        "Françoise Müller",
        "Expérience professionnelle",
        "Ingénieure, Société Générale, janv. 2017 – aujourd'hui",
    ]


def test_rtf_in_a_cyrillic_code_page() -> None:
    rtf = rb"{\rtf1\ansi\ansicpg1251 \'c8\'e2\'e0\'ed \'cf\'e5\'f2\'f0\'ee\'e2\par}"
    assert extract_text(rtf, "cv.rtf", LIMIT).strip() == "Иван Петров"


def test_html_drops_script_and_style() -> None:
    page = b"<html><head><style>p{}</style></head><body><h1>Ann Lee</h1><script>alert(1)</script><p>SQL &amp; Go</p>"
    assert extract_text(page, "cv.html", LIMIT).splitlines() == ["Ann Lee", "SQL & Go"]


def test_never_raises_anything_but_document_error() -> None:
    seeds = [two_column_pdf(), zlib.compress(b"x" * 1000), b"<html><p>" * 1000]
    for seed in seeds:
        for cut in range(0, len(seed), max(1, len(seed) // 25)):
            with contextlib.suppress(DocumentError):
                extract_text(seed[:cut] + b"\x00\xff" + seed[cut + 2 :], "cv.pdf", LIMIT)
