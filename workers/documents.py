"""Uploaded document bytes → plain text, or a ``DocumentError`` with a stable code.

Codes (``DocumentError.code``), the only exceptions bad input can raise:

- ``empty``: no bytes, or no text once extracted;
- ``too_large``: more than ``max_bytes`` bytes, or a DOCX that inflates past its bounds (zip bomb): its XML
  parts past ``DOCX_MAX_XML_BYTES`` (python-docx parses them into trees many times their size), or all parts
  past ``DOCX_MAX_INFLATION`` times ``max_bytes``;
- ``unsupported_type``: a format we do not read (images, legacy .doc, other zip formats, unknown extensions);
- ``corrupt``: claims to be PDF/DOCX but the library cannot open it;
- ``encrypted``: a password-protected PDF (one that opens with the empty password is read) or an encrypted
  Office file (OLE container named ``.docx``);
- ``no_text_layer``: a PDF whose pages carry no text (a scan): it needs OCR, which we do not do;
- ``binary``: claims to be text but is mostly NULs or control bytes;
- ``decode_error``: a UTF-16/32 byte-order mark followed by bytes that do not decode.

The type comes from magic bytes first and the filename extension second, so a PDF named ``cv.txt`` is read
as a PDF. Work is bounded: at most ``MAX_PDF_PAGES`` pages and ``PDF_TIME_BUDGET_S`` seconds per PDF.
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePath
from xml.etree import ElementTree

import docx
import pypdf
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph

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
BINARY_MAGICS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")


class DocumentError(Exception):
    """A document we cannot turn into text; ``code`` is stable and machine-readable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def extract_text(data: bytes, filename: str, max_bytes: int) -> str:
    """Plain text of a PDF, DOCX, HTML or text document, with ``\\n`` line breaks."""
    if not data:
        raise DocumentError("empty", "the document has no bytes")
    if len(data) > max_bytes:
        raise DocumentError("too_large", f"{len(data)} bytes is more than the limit of {max_bytes}")
    kind = _detect_kind(data, PurePath(filename).suffix.lower())
    readers = {"pdf": _pdf_text, "docx": _docx_text, "html": _html_text, "text": _plain_text}
    if kind == "docx":
        _check_zip_size(data, max_bytes)
    text = readers[kind](data).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if not text.strip():
        raise DocumentError("empty", "the document contains no text")
    return text


def _detect_kind(data: bytes, suffix: str) -> str:
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if suffix == ".docx" or b"word/" in data[:65536] or _zip_has(data, "word/document.xml"):
            return "docx"
        raise DocumentError("unsupported_type", "a zip archive that is not a Word document")
    if data.startswith(OLE_MAGIC):
        if suffix == ".docx":
            raise DocumentError("encrypted", "a password-protected Office document")
        raise DocumentError("unsupported_type", "legacy Office (OLE) documents are not supported")
    if data.startswith(BINARY_MAGICS):
        raise DocumentError("unsupported_type", "an image or archive, not a document")
    sniff = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sniff.startswith((b"<!doctype html", b"<html")) or suffix in HTML_EXTENSIONS:
        return "html"
    if suffix == ".pdf":
        raise DocumentError("corrupt", "named .pdf but has no PDF header")
    if suffix == ".docx":
        raise DocumentError("corrupt", "named .docx but is not a zip archive")
    if suffix in TEXT_EXTENSIONS:
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
    text = "\n".join(pages)
    if not text.strip():
        raise DocumentError("no_text_layer", "the PDF has no text layer (a scan?); OCR is not supported")
    return text


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


BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _plain_text(data: bytes) -> str:
    """Decode by BOM, then UTF-16 without BOM (NULs on one side), UTF-8, cp1252 and finally latin-1."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise DocumentError("decode_error", f"invalid {encoding} after its byte-order mark") from exc
    sample = data[:4096]
    nul_share = sample.count(0) / len(sample)
    if nul_share > 0.3:
        text = _bomless_utf16(data)
        if text is None or _mostly_controls(text):  # NULs on every other byte alone do not make UTF-16 text
            raise DocumentError("binary", "mostly NUL bytes: not a text file")
        return text
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if nul_share > 0.01 or _mostly_controls(text):
        raise DocumentError("binary", "too many control bytes: not a text file")
    return text


def _mostly_controls(text: str) -> bool:
    """More than 5% control characters (other than whitespace) in the first 4096."""
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls > 0.05 * min(len(text), 4096)


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM puts its NULs on the even (BE) or odd (LE) bytes of ASCII text."""
    even, odd = data[0:4096:2], data[1:4096:2]
    encoding = "utf-16-le" if odd.count(0) > 0.9 * len(odd) else "utf-16-be" if even.count(0) > 0.9 * len(even) else ""
    if not encoding:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None
