"""Whole names from the entity model's fragments (``workers.resume.name_spans``), on lines as résumés write them."""

from __future__ import annotations

from tests.support import tagged
from workers.resume.name_spans import whole_names


def names(text: str, *spans: tuple[str, str, float]) -> list[tuple[str, str]]:
    return [(e.label, e.text) for e in whole_names(text, tagged(text, *spans))]


def test_a_fragment_grows_to_the_capitalised_run_it_sits_in() -> None:
    text = "2006  Present: Circulation Director, Barnes & Noble      Assist the chief editor"
    assert names(text, ("TITLE", "Circulation", 0.6), ("COMPANY", "Barnes", 0.7)) == [
        ("TITLE", "Circulation Director"),
        ("COMPANY", "Barnes & Noble"),
    ]


def test_fragments_of_one_name_join_across_a_word_read_as_a_place() -> None:
    text = "West Bradford Elementary, Downingtown, PA"
    found = whole_names(
        text,
        tagged(text, ("COMPANY", "West", 0.4), ("LOCATION", "Bradford", 0.4), ("COMPANY", "Elementary", 0.8)),
    )
    assert [(e.label, e.text, round(e.confidence, 3)) for e in found] == [("COMPANY", "West Bradford Elementary", 0.6)]


def test_fragments_of_one_name_join_and_are_not_kept_twice() -> None:
    text = "Vice President of International Sales, Continued"
    assert names(text, ("TITLE", "Vice President", 0.8), ("TITLE", "Sales", 0.4)) == [
        ("TITLE", "Vice President of International Sales")
    ]


def test_parts_of_one_organisation_read_as_school_and_company_join() -> None:
    text = "Registered Nurse, St. Mary Hospital\nMar 2012 - Present"
    assert names(
        text, ("TITLE", "Registered Nurse", 0.85), ("COLLEGE", "St.", 0.68), ("COMPANY", "Mary Hospital", 0.73)
    ) == [
        ("TITLE", "Registered Nurse"),
        ("COLLEGE", "St. Mary Hospital"),
    ]


def test_a_name_stops_at_lower_case_words_separators_and_other_entities() -> None:
    text = "Software Engineer at Google Cloud, Mountain View\nLed Platform Migration"
    assert names(
        text,
        ("TITLE", "Engineer", 0.9),
        ("COMPANY", "Google", 0.8),
        ("LOCATION", "Mountain View", 0.9),
    ) == [("TITLE", "Software Engineer"), ("COMPANY", "Google Cloud"), ("LOCATION", "Mountain View")]


def test_a_name_ends_on_no_connector_and_places_are_left_alone() -> None:
    text = "Teacher of  The Academy and  Boston"
    assert names(text, ("TITLE", "Teacher", 0.9), ("COMPANY", "Academy", 0.5), ("LOCATION", "Boston", 0.9)) == [
        ("TITLE", "Teacher"),
        ("COMPANY", "The Academy"),
        ("LOCATION", "Boston"),
    ]


def test_a_legal_form_after_a_comma_takes_the_name_before_it() -> None:
    text = "Senior Engineer, Scientific-Atlanta, Inc.  2001 - 2004"
    assert names(text, ("TITLE", "Senior Engineer", 0.9), ("COMPANY", "Inc", 0.9)) == [
        ("TITLE", "Senior Engineer"),
        ("COMPANY", "Scientific-Atlanta, Inc"),
    ]
