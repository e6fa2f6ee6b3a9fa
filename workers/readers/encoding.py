"""Bytes of a text file → ``str``, whatever encoding the sender's machine used.

Order, cheapest and surest first: a byte-order mark; UTF-16 without a BOM (NULs on one side of the byte pairs);
UTF-8 (strict, so bytes that decode as UTF-8 are UTF-8 in practice); then charset-normalizer, which
decodes a sample in each plausible code page and keeps the one whose text looks least like noise. That is what
tells cp1251 from cp1252, and GBK or Shift-JIS from any single-byte page, where a fixed fallback chain garbles
them. The detector reads at most ``SAMPLE_BYTES``; the whole file is then decoded with its choice.
"""

from __future__ import annotations

import charset_normalizer

SAMPLE_BYTES = 64 * 1024
BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# The code pages résumés are written in: Windows' and ISO's for Europe, KOI8 for Russian and Ukrainian, and the
# CJK ones. Left to all ~100 it knows, the detector reads a short Greek cp1253 line as Mac Cyrillic and a few
# Latin-1 bytes as DOS Ukrainian (cp1125) or UTF-16 (``bomless_utf16`` decides that, by the NULs).
CODE_PAGES = [
    *(f"cp{n}" for n in range(1250, 1259)),
    *(f"latin_{n}" for n in (1, 2, 3, 4)),
    *(f"iso8859_{n}" for n in (5, 6, 7, 8, 9, 13, 15, 16)),
    "koi8_r", "koi8_u", "cp866", "gb18030", "big5", "cp932", "euc_jp", "iso2022_jp", "cp949", "euc_kr",
]  # fmt: skip
FALLBACK = "latin-1"  # decodes any bytes: what is left when the detector has no answer


class BadByteOrderMark(ValueError):
    """A UTF-16/32 byte-order mark followed by bytes that do not decode in that encoding."""


def decode(data: bytes) -> str:
    """``data`` as text, by BOM, UTF-8, BOM-less UTF-16 or the detected code page (``latin-1`` at worst)."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise BadByteOrderMark(f"invalid {encoding} after its byte-order mark") from exc
    text = bomless_utf16(data)
    if text is not None:
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    encoding = detect(data[:SAMPLE_BYTES])
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:  # the sample decoded, a later part does not: keep the text, mark the bad bytes
        return data.decode(encoding, errors="replace")


def detect(sample: bytes) -> str:
    """charset-normalizer's best code page for ``sample``, ``FALLBACK`` when it finds none."""
    best = charset_normalizer.from_bytes(sample, cp_isolation=CODE_PAGES).best()
    return best.encoding if best is not None else FALLBACK


def bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: every ASCII character (space, digit, newline, Latin letter) has a NUL high byte, on
    the odd bytes in LE and the even ones in BE, whatever script the rest is in; single-byte text has no NULs.
    None when the NULs do not sit on one side, or the bytes do not decode."""
    sample = data[:4096]
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if odd + even < max(2, len(sample) // 100) or min(odd, even) > 0.05 * (odd + even):
        return None
    try:
        return data.decode("utf-16-le" if odd > even else "utf-16-be")
    except UnicodeDecodeError:
        return None
