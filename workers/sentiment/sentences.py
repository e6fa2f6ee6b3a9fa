"""A small, dependency-free sentence splitter that returns character offsets into the original text.

Good enough for reviews and HR feedback: it splits after ``.``, ``!``, ``?`` or ``…`` followed by
whitespace (not after common abbreviations or single initials), at line breaks and bullets, and
cuts over-long runs at a space so no piece exceeds what the model reads.
"""

from __future__ import annotations

import re

# A sentence end: terminal punctuation (its closing quotes/brackets stay with it) then whitespace, or a line break.
_BOUNDARY = re.compile(r"""(?<=[.!?…])(?P<close>["'”’)\]]*)\s+|\s*\n\s*""")
_ABBREVIATION = re.compile(
    r"(?:\b(?:mr|mrs|ms|dr|prof|sr|jr|st|vs|etc|inc|ltd|co|corp|dept|approx|no|e\.g|i\.e|cf)|\b[A-Za-z])\.$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"(?:[-*•·▪]|\d+[.)])\s+")


def split_sentences(text: str, max_chars: int = 400) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the sentences of ``text``, stripped of surrounding space and bullets."""
    spans: list[tuple[int, int]] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        if "\n" not in boundary.group() and _ABBREVIATION.search(text, start, boundary.start()):
            continue
        spans += _pieces(text, start, boundary.end("close") if boundary["close"] else boundary.start(), max_chars)
        start = boundary.end()
    spans += _pieces(text, start, len(text), max_chars)
    return spans


def _pieces(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """The trimmed span ``start:end`` (none if blank), cut at spaces into pieces of at most ``max_chars``."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    bullet = _BULLET.match(text, start, end)
    if bullet:
        start = bullet.end()
    pieces = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + 1, start + max_chars)
        cut = cut if cut > start else start + max_chars
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append((start, end))
    return pieces
