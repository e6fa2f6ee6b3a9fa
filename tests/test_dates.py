"""Date ranges as résumés write them, Markdown emphasis included."""

from __future__ import annotations

from datetime import date

import pytest

from workers.resume.dates import find_date_ranges, years_of_experience


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("_Manchester, Apr 2020 – Present_", date(2020, 4, 1), None),
        ("_Oldham, 2017-2020_", date(2017, 7, 1), date(2020, 7, 1)),
        ("*Liverpool, 09/2015 - 03/2017*", date(2015, 9, 1), date(2017, 3, 1)),
    ],
)
def test_ranges_inside_markdown_emphasis(text, start, end):
    (found,) = find_date_ranges(text)
    assert (found.start, found.end) == (start, end)


def test_years_merge_overlapping_ranges():
    ranges = find_date_ranges("Jan 2015 - Dec 2018; 2017 - 2019")
    assert years_of_experience(ranges, date(2024, 1, 1)) == pytest.approx(4.5, abs=0.1)
