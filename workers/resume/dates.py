"""Date ranges in résumé text ("Oct. 2009 - Jan. 2014", "04/1995 – Present", "1973-78") and the years they cover.

Rules, not a model: dates are exact enough for regular expressions, and a wrong date silently corrupts
``years_experience``. A year without a month is taken as mid-year (July), so "2006 - 2007" counts one year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
YEAR = r"(?:19[4-9]\d|20[0-4]\d)"
DATE = (
    rf"(?:{MONTH}\.?,?\s*(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s*)?'?{YEAR}"
    rf"|(?<!\d)\d{{1,2}}\s*[/.]\s*{YEAR}|{YEAR}\s*[/.]\s*\d{{1,2}}(?!\d)|{YEAR})"
)
PRESENT = r"(?:present|current(?:ly)?|now|today|to\s+date|date|ongoing|till\s+date)"
SEPARATOR = r"(?:\s*(?:[-–—~]+|to|until|till|through|thru)\s*|\s+)"
RANGE_RE = re.compile(
    # Bounded by anything but letters, digits and "/"; "_" counts as a boundary (Markdown "_2017-2020_").
    rf"(?<![^\W_])(?<!/)(?P<start>{DATE}|{MONTH}\.?)(?:{SEPARATOR}(?P<end>{DATE}|{PRESENT})|-(?P<short>\d{{2}}))"
    r"(?![^\W_])(?!/)",
    re.IGNORECASE,
)
SINGLE_YEAR_RE = re.compile(rf"(?<!\d){YEAR}(?!\d)")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date | None  # None: ongoing ("present")
    span: tuple[int, int]

    @property
    def current(self) -> bool:
        return self.end is None


def _parse_date(text: str, default_year: int | None = None) -> date | None:
    years = re.findall(YEAR, text)
    year = int(years[-1]) if years else default_year
    if year is None:
        return None
    lowered = text.lower()
    month = next((i + 1 for i, name in enumerate(_MONTHS) if re.search(rf"\b{name}", lowered)), None)
    if month is None:
        numeric = re.search(r"(?<!\d)(\d{1,2})\s*[/.]\s*\d{4}|\d{4}\s*[/.]\s*(\d{1,2})(?!\d)", text)
        if numeric:
            value = int(numeric.group(1) or numeric.group(2))
            month = value if 1 <= value <= 12 else None
    return date(year, month or 7, 1)


def find_date_ranges(text: str, start: int = 0, end: int | None = None) -> list[DateRange]:
    """Every date range in ``text[start:end]``, with spans into ``text``; impossible ranges are dropped."""
    ranges: list[DateRange] = []
    for match in RANGE_RE.finditer(text, start, len(text) if end is None else end):
        end_text, short = match.group("end"), match.group("short")
        start_text = match.group("start")
        if short is not None:
            first = _parse_date(start_text)
            if first is None:
                continue
            last = date(first.year // 100 * 100 + int(short), 7, 1)
        elif re.fullmatch(PRESENT, end_text, re.IGNORECASE):
            first, last = _parse_date(start_text), None
        else:
            last = _parse_date(end_text)
            first = _parse_date(start_text, default_year=last.year if last else None)
        if first is None or (last is not None and last < first):
            continue
        if last is None and not re.search(YEAR, start_text):
            continue
        ranges.append(DateRange(first, last, match.span()))
    return ranges


def years_of_experience(ranges: list[DateRange], today: date) -> float | None:
    """Total years covered by ``ranges``, overlapping intervals merged so parallel jobs count once."""
    intervals = sorted((r.start, min(r.end or today, today)) for r in ranges if r.start <= today)
    if not intervals:
        return None
    total_days = 0
    current_start, current_end = intervals[0]
    for begin, finish in intervals[1:]:
        if begin > current_end:
            total_days += (current_end - current_start).days
            current_start, current_end = begin, finish
        else:
            current_end = max(current_end, finish)
    total_days += (current_end - current_start).days
    return round(total_days / 365.25, 1)
