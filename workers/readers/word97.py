"""Text of a Word 97–2003 ``.doc`` (the binary format, [MS-DOC]) from its piece table, in pure Python.

A ``.doc`` is an OLE compound file (read with ``olefile``). Its ``WordDocument`` stream starts with the FIB,
which says which table stream (``0Table``/``1Table``) holds the CLX, and where. The CLX's piece table maps
character positions to byte runs of ``WordDocument``: 8-bit cp1252 runs ("compressed") or UTF-16LE runs.
Every story is read in order (main text, footnotes, headers…: a résumé's contact line is often in the header).
Word's control characters become line breaks, and field instructions (``HYPERLINK "…"``) are dropped while
their shown result is kept.
"""

from __future__ import annotations

import io
import re
import struct

import olefile

WORD_IDENT = 0xA5EC
WORD97_NFIB = 0x00C1  # Word 97 and later; older files (Word 6/95) lay the FIB out differently
FLAG_ENCRYPTED, FLAG_TABLE_1 = 0x0100, 0x0200
CLX_PAIR = 33  # fcClx/lcbClx is the 34th (fc, lcb) pair of FibRgFcLcb97
FIELD_BEGIN, FIELD_SEPARATE, FIELD_END = "\x13", "\x14", "\x15"
BREAKS = str.maketrans({"\r": "\n", "\x07": "\n", "\x0b": "\n", "\x0c": "\n", "\x1e": "-", "\x1f": None})
OBJECTS_RE = re.compile(r"[\x01\x08]")  # anchors of pictures and drawn objects


class WordError(ValueError):
    """Not a Word 97–2003 document we can read."""


class NotWordDocument(WordError):
    """An OLE file of another kind (Excel, Outlook…), or a Word version before 97."""


class EncryptedWord(WordError):
    """A password-protected ``.doc``, or an encrypted Office 2007+ file (always an OLE container)."""


def doc_text(data: bytes) -> str:
    """The text of every story of a Word 97–2003 document, with ``\\n`` line breaks."""
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        if ole.exists("EncryptedPackage"):
            raise EncryptedWord("an encrypted Office document")
        if not ole.exists("WordDocument"):
            raise NotWordDocument("an OLE file without a WordDocument stream (not a Word document)")
        word = ole.openstream("WordDocument").read()
        ident, nfib = struct.unpack_from("<HH", word, 0)
        (flags,) = struct.unpack_from("<H", word, 0x0A)
        if ident != WORD_IDENT or nfib < WORD97_NFIB:
            raise NotWordDocument(f"Word file format {nfib:#x}: only Word 97 and later are read")
        if flags & FLAG_ENCRYPTED:
            raise EncryptedWord("a password-protected Word document")
        table_name = "1Table" if flags & FLAG_TABLE_1 else "0Table"
        if not ole.exists(table_name):
            raise WordError(f"the {table_name} stream is missing")
        table = ole.openstream(table_name).read()
    fc_clx, lcb_clx = struct.unpack_from("<II", word, _fc_lcb_offset(word) + 8 * CLX_PAIR)
    pieces = _pieces(table[fc_clx : fc_clx + lcb_clx])
    return _clean("".join(_piece_text(word, fc, compressed, count) for fc, compressed, count in pieces))


def _fc_lcb_offset(word: bytes) -> int:
    """Offset of FibRgFcLcb: after FibBase (32 bytes) and the two counted arrays FibRgW and FibRgLw."""
    offset = 32
    (csw,) = struct.unpack_from("<H", word, offset)
    offset += 2 + 2 * csw
    (cslw,) = struct.unpack_from("<H", word, offset)
    return offset + 2 + 4 * cslw + 2  # + cbRgFcLcb


def _pieces(clx: bytes) -> list[tuple[int, bool, int]]:
    """(byte offset, 8-bit?, character count) of each piece, from the CLX: skip its Prc entries, read the Pcdt."""
    at = 0
    while at < len(clx) and clx[at] == 0x01:  # Prc: property modifiers, not needed for text
        (size,) = struct.unpack_from("<h", clx, at + 1)
        at += 3 + size
    if at >= len(clx) or clx[at] != 0x02:
        raise WordError("no piece table in the document's CLX")
    (size,) = struct.unpack_from("<I", clx, at + 1)
    plc = clx[at + 5 : at + 5 + size]
    n = (len(plc) - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    pieces = []
    for i in range(n):
        (fc,) = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * i + 2)
        compressed = bool(fc & 0x40000000)
        offset = (fc & 0x3FFFFFFF) // 2 if compressed else fc & 0x3FFFFFFF
        pieces.append((offset, compressed, max(0, cps[i + 1] - cps[i])))
    return pieces


def _piece_text(word: bytes, offset: int, compressed: bool, count: int) -> str:
    if compressed:
        return word[offset : offset + count].decode("cp1252", errors="replace")
    return word[offset : offset + 2 * count].decode("utf-16-le", errors="replace")


def _clean(raw: str) -> str:
    """Word's marks as line breaks; of each field only its shown result (nested fields too)."""
    out: list[str] = []
    stack: list[bool] = []  # per open field: are we past its separator (showing its result)?
    for ch in raw:
        if ch == FIELD_BEGIN:
            stack.append(False)
        elif ch == FIELD_SEPARATE and stack:
            stack[-1] = True
        elif ch == FIELD_END and stack:
            stack.pop()
        elif all(stack):
            out.append(ch)
    return OBJECTS_RE.sub("", "".join(out).translate(BREAKS))
