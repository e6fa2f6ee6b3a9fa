"""Uploaded document bytes → plain text, or a ``DocumentError`` with a stable code.

Formats: PDF (its text layer; OCR when it has none), DOCX, Word 97–2003 ``.doc``, RTF, HTML, plain text in any
encoding, and images (OCR). ``extract`` also says where the text came from (``Extraction.source``) and, for OCR,
how sure the recogniser was.

Codes (``DocumentError.code``), the only exceptions bad input can raise:

- ``empty``: no bytes, or no text once extracted;
- ``too_large``: more than ``max_bytes`` bytes, or a DOCX that inflates past its bounds (zip bomb): its XML
  parts past ``DOCX_MAX_XML_BYTES`` (python-docx parses them into trees many times their size), or all parts
  past ``DOCX_MAX_INFLATION`` times ``max_bytes``; an image of more than ``ocr.MAX_PIXELS`` pixels;
- ``unsupported_type``: a format we do not read (archives, other OLE or zip formats, Word before 97, unknown
  extensions; images where OCR is off);
- ``corrupt``: claims to be PDF/DOCX/DOC/RTF/an image but the library cannot open it;
- ``encrypted``: a password-protected PDF (one that opens with the empty password is read), ``.doc``, or an
  encrypted Office file (an OLE container with an ``EncryptedPackage``);
- ``no_text_layer``: a PDF without a text layer where OCR is off (``OcrLimits.max_pages`` 0), or a scan in which
  OCR read nothing;
- ``binary``: claims to be text but is mostly NULs or control bytes;
- ``decode_error``: a UTF-16/32 byte-order mark followed by bytes that do not decode.

The type comes from magic bytes first and the filename extension second, so a PDF named ``cv.txt`` is read
as a PDF. Work is bounded: at most ``MAX_PDF_PAGES`` pages and ``PDF_TIME_BUDGET_S`` seconds per PDF, and OCR
by its ``OcrLimits``. A PDF with a text layer never goes through OCR.
"""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePath
from xml.etree import ElementTree

import docx
import pypdf
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph
from PIL import Image, UnidentifiedImageError
from striprtf.striprtf import rtf_to_text

from workers.readers import encoding, ocr, word97
from workers.readers.ocr import OcrLimits

MAX_PDF_PAGES = 100
PDF_TIME_BUDGET_S = 20.0
DOCX_MAX_INFLATION = 20  # uncompressed DOCX parts may be at most this many times max_bytes
# Inflated XML a DOCX may hold (at most DOCX_MAX_INFLATION × max_bytes too). lxml's trees take ~18× the XML
# (150 MB of XML took a process to 2.7 GB); a résumé's XML is well under 1 MB.
DOCX_MAX_XML_BYTES = 8 << 20
CONTENT_TYPES = "[Content_Types].xml"  # an OPC package's content type of each part
# What zipfile raises on a damaged archive: bad headers, CRC or deflate data, an unsupported version or
# compression method (NotImplementedError, a RuntimeError), an encrypted member (RuntimeError), a short read.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, ValueError, RuntimeError, EOFError, struct.error)
TEXT_EXTENSIONS = {"", ".txt", ".text", ".md", ".markdown", ".rst", ".csv"}
HTML_EXTENSIONS = {".html", ".htm", ".xhtml"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RTF_MAGIC = b"{\\rtf"
IMAGE_MAGICS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")
ARCHIVE_MAGICS = (b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")
RTF_CODEPAGE_RE = re.compile(rb"\\ansicpg(\d+)")
NO_OCR = OcrLimits(max_pages=0)


class DocumentError(Exception):
    """A document we cannot turn into text; ``code`` is stable and machine-readable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Extraction:
    text: str
    source: str  # the reader: pdf, docx, doc, rtf, html, text, or ocr (scans and images)
    ocr_confidence: float | None = None  # the recogniser's mean score (0 to 1) where source is "ocr"


def extract_text(data: bytes, filename: str, max_bytes: int, ocr_limits: OcrLimits = NO_OCR) -> str:
    """Plain text of a document, with ``\\n`` line breaks (``extract`` without where it came from)."""
    return extract(data, filename, max_bytes, ocr_limits).text


def extract(data: bytes, filename: str, max_bytes: int, ocr_limits: OcrLimits = NO_OCR) -> Extraction:
    """Plain text of a document, with ``\\n`` line breaks, and which reader gave it. Scans are read by OCR
    within ``ocr_limits`` (none by default: OCR is slow, and callers opt in where it belongs, the CPU workers)."""
    if not data:
        raise DocumentError("empty", "the document has no bytes")
    if len(data) > max_bytes:
        raise DocumentError("too_large", f"{len(data)} bytes is more than the limit of {max_bytes}")
    kind = _detect_kind(data, PurePath(filename).suffix.lower())
    if kind == "docx":
        _check_zip_size(data, max_bytes)
    if kind == "image":
        if ocr_limits.max_pages <= 0:
            raise DocumentError("unsupported_type", "an image, and OCR is off")
        extraction = _ocr(ocr.ocr_image, data, ocr_limits)
    elif kind == "pdf":
        extraction = _pdf(data, ocr_limits)
    else:
        readers = {"docx": _docx_text, "doc": _doc_text, "rtf": _rtf_text, "html": _html_text, "text": _plain_text}
        extraction = Extraction(readers[kind](data), kind)
    text = extraction.text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if not text.strip():
        raise DocumentError("empty", "the document contains no text")
    return Extraction(text, extraction.source, extraction.ocr_confidence)


def _detect_kind(data: bytes, suffix: str) -> str:
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if suffix == ".docx" or b"word/" in data[:65536] or _zip_has(data, "word/document.xml"):
            return "docx"
        raise DocumentError("unsupported_type", "a zip archive that is not a Word document")
    if data.startswith(OLE_MAGIC):
        if suffix == ".docx":  # Office 2007+ wraps an encrypted DOCX in an OLE container
            raise DocumentError("encrypted", "a password-protected Office document")
        return "doc"
    if data.startswith(RTF_MAGIC):
        return "rtf"
    if data.startswith(IMAGE_MAGICS) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"
    if data.startswith(ARCHIVE_MAGICS):
        raise DocumentError("unsupported_type", "an archive, not a document")
    sniff = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sniff.startswith((b"<!doctype html", b"<html")) or suffix in HTML_EXTENSIONS:
        return "html"
    if suffix == ".pdf":
        raise DocumentError("corrupt", "named .pdf but has no PDF header")
    if suffix == ".docx":
        raise DocumentError("corrupt", "named .docx but is not a zip archive")
    if suffix in TEXT_EXTENSIONS or suffix in (".doc", ".rtf"):  # Word and WordPad save plain text so named too
        return "text"
    raise DocumentError("unsupported_type", f"unsupported file type {suffix!r}")


def _zip_has(data: bytes, name: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return name in archive.namelist()
    except ZIP_ERRORS:
        return False


def _check_zip_size(data: bytes, max_bytes: int) -> None:
    """Refuse zip bombs before python-docx inflates every part into memory: first by the sizes the archive
    declares, then by what its parts really inflate to (a header may lie), read in bounded chunks, so a bomb
    costs at most one chunk past the bound."""
    bound_all = DOCX_MAX_INFLATION * max_bytes
    bounds = {"XML": min(DOCX_MAX_XML_BYTES, bound_all), "all": bound_all}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _within({"all": sum(i.file_size for i in infos)}, bounds)  # before reading anything
            xml = _xml_members(archive, bounds["XML"])
            _within({"XML": sum(i.file_size for i in infos if i.filename in xml)}, bounds)
            actual = dict.fromkeys(bounds, 0)
            for info in infos:
                with archive.open(info) as member:
                    while chunk := member.read(1 << 20):
                        actual["all"] += len(chunk)
                        actual["XML"] += len(chunk) if info.filename in xml else 0
                        _within(actual, bounds)
    except (*ZIP_ERRORS, KeyError, ElementTree.ParseError) as exc:  # KeyError: no [Content_Types].xml
        raise DocumentError("corrupt", f"unreadable DOCX archive: {type(exc).__name__}: {exc}") from exc


def _xml_members(archive: zipfile.ZipFile, bound: int) -> set[str]:
    """The members python-docx may parse into XML trees. It goes by content type, not by name, so a bomb named
    ``.bin`` counts too: every ``.xml`` and ``.rels`` member, and any other whose type in ``[Content_Types].xml``
    (by part name, else by extension) is XML. That file is read only up to ``bound`` bytes."""
    with archive.open(CONTENT_TYPES) as types:
        root = ElementTree.fromstring(types.read(bound + 1))
    by_part, by_extension = {}, {}
    for entry in root:
        if entry.tag.endswith("Override"):
            by_part[entry.get("PartName", "").lstrip("/").lower()] = entry.get("ContentType", "")
        elif entry.tag.endswith("Default"):
            by_extension[entry.get("Extension", "").lower()] = entry.get("ContentType", "")
    xml = set()
    for name in archive.namelist():
        kind = by_part.get(name.lower()) or by_extension.get(name.rsplit(".", 1)[-1].lower(), "")
        if name.lower().endswith((".xml", ".rels")) or "xml" in kind:
            xml.add(name)
    return xml


def _within(sizes: dict[str, int], bounds: dict[str, int]) -> None:
    for part, size in sizes.items():
        if size > bounds[part]:
            raise DocumentError("too_large", f"the DOCX's {part} parts inflate to more than {bounds[part]} bytes")


# --- PDF -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fragment:
    x0: float
    x1: float
    y: float
    text: str


def _pdf(data: bytes, ocr_limits: OcrLimits) -> Extraction:
    """The PDF's text layer; OCR only where it has none (a scan), so text PDFs never pay for it."""
    text = _pdf_text(data)
    return Extraction(text, "pdf") if text.strip() else _ocr(ocr.ocr_pdf, data, ocr_limits)


def _pdf_text(data: bytes) -> str:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("encrypted", "the PDF needs a password")
        deadline = time.monotonic() + PDF_TIME_BUDGET_S
        pages: list[str] = []
        for page in reader.pages[:MAX_PDF_PAGES]:
            pages.append(_page_text(page))
            if time.monotonic() > deadline:
                break
    except DocumentError:
        raise
    except Exception as exc:  # pypdf raises many types on malformed input; all mean the same to a caller
        raise DocumentError("corrupt", f"unreadable PDF: {type(exc).__name__}: {exc}") from exc
    return "\n".join(pages)


def _ocr(read: Callable[[bytes, OcrLimits], ocr.OcrText], data: bytes, limits: OcrLimits) -> Extraction:
    if limits.max_pages <= 0:
        raise DocumentError("no_text_layer", "a scan (no text layer) and OCR is off")
    try:
        result = read(data, limits)
    except (ocr.ImageTooLarge, Image.DecompressionBombError) as exc:
        raise DocumentError("too_large", str(exc)) from exc
    except UnidentifiedImageError as exc:
        raise DocumentError("corrupt", "not an image Pillow can read") from exc
    except Exception as exc:  # PDFium, Pillow and the OCR engine raise many types on malformed input
        raise DocumentError("corrupt", f"unreadable scan: {type(exc).__name__}: {exc}") from exc
    if not result.text.strip():
        raise DocumentError("no_text_layer", "a scan in which OCR found no text")
    return Extraction(result.text, "ocr", result.confidence)


def _page_text(page: pypdf.PageObject) -> str:
    """Page text in reading order: a two-column page is read left column first, then right."""
    fragments: list[_Fragment] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            width = 0.5 * max(size, 1.0) * abs(tm[0] or 1.0) * len(text.rstrip())
            fragments.append(_Fragment(x, x + width, y, text.strip()))

    plain = page.extract_text(visitor_text=visit)
    width = float(page.mediabox.width)
    gutter = _find_gutter(fragments, width)
    if gutter is None:
        return plain
    left = [f for f in fragments if f.x0 < gutter]
    right = [f for f in fragments if f.x0 >= gutter]
    return "\n".join(_lines(left) + _lines(right))


def _find_gutter(fragments: list[_Fragment], width: float) -> float | None:
    """An x in the middle of the page that no fragment crosses, with enough text on both sides."""
    if len(fragments) < 6 or width <= 0:
        return None
    for step in range(30, 71):
        x = width * step / 100
        if any(f.x0 < x < f.x1 for f in fragments):
            continue
        left = sum(f.x0 < x for f in fragments)
        if 0.2 <= left / len(fragments) <= 0.8:
            return x
    return None


def _lines(fragments: list[_Fragment]) -> list[str]:
    """Fragments grouped into lines top to bottom (PDF y grows upwards), each line left to right."""
    rows: dict[int, list[_Fragment]] = {}
    for fragment in fragments:
        rows.setdefault(round(fragment.y), []).append(fragment)
    return [" ".join(f.text for f in sorted(rows[y], key=lambda f: f.x0)) for y in sorted(rows, reverse=True)]


# --- DOCX ------------------------------------------------------------------------------------------------------


def _docx_text(data: bytes) -> str:
    try:
        document = docx.Document(io.BytesIO(data))
        return "\n".join(_docx_blocks(document))
    except Exception as exc:  # python-docx/lxml raise many types on malformed input
        raise DocumentError("corrupt", f"unreadable DOCX: {type(exc).__name__}: {exc}") from exc


def _docx_blocks(parent: DocxDocument | object) -> list[str]:
    """Paragraphs and table cells in document order; each cell is its own line, merged cells once."""
    lines: list[str] = []
    for block in parent.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        lines.extend(_docx_blocks(cell))
    return lines


# --- Word 97-2003 and RTF -------------------------------------------------------------------------------------


def _doc_text(data: bytes) -> str:
    try:
        return word97.doc_text(data)
    except word97.EncryptedWord as exc:
        raise DocumentError("encrypted", str(exc)) from exc
    except word97.NotWordDocument as exc:
        raise DocumentError("unsupported_type", str(exc)) from exc
    except Exception as exc:  # olefile and a damaged FIB or piece table raise many types
        raise DocumentError("corrupt", f"unreadable Word document: {type(exc).__name__}: {exc}") from exc


def _rtf_text(data: bytes) -> str:
    """RTF is 7-bit text; its 8-bit characters are ``\\'xx`` escapes in the code page that ``\\ansicpg`` names."""
    codepage = RTF_CODEPAGE_RE.search(data[:4096])
    try:
        return rtf_to_text(data.decode("latin-1"), encoding=f"cp{codepage.group(1).decode()}" if codepage else "cp1252")
    except Exception as exc:  # striprtf raises on unknown code pages and broken escapes
        raise DocumentError("corrupt", f"unreadable RTF: {type(exc).__name__}: {exc}") from exc


# --- HTML and plain text ---------------------------------------------------------------------------------------


class _HtmlText(HTMLParser):
    """Visible text of an HTML page; block elements become line breaks."""

    SKIP = frozenset({"script", "style", "noscript", "template", "head"})
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def _html_text(data: bytes) -> str:
    parser = _HtmlText()
    parser.feed(_plain_text(data))
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _plain_text(data: bytes) -> str:
    """Decoded by ``readers.encoding`` (BOM, UTF-16, UTF-8, then the detected code page); mostly NULs or control
    characters is ``binary``."""
    try:
        text = encoding.decode(data)
    except encoding.BadByteOrderMark as exc:
        raise DocumentError("decode_error", str(exc)) from exc
    sample = data[:4096]
    if (sample.count(0) > 0.01 * len(sample) and "\x00" in text) or _mostly_controls(text):
        raise DocumentError("binary", "mostly NUL or control bytes: not a text file")
    return text


def _mostly_controls(text: str) -> bool:
    """More than 5% control characters (other than whitespace) in the first 4096."""
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls > 0.05 * min(len(text), 4096)
