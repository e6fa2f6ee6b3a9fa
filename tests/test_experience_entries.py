"""Fields from the entity model's spans (``workers.resume.assemble``): which spans fill a field, the employer a line
names beside a title the model tagged alone, and the model's name when the rules find none."""

from __future__ import annotations

import pytest

from tests.support import tagged
from workers.resume.assemble import best_name, experience_entries, fills_field
from workers.resume.dates import find_date_ranges


def entries(text: str, *spans: tuple[str, str, float]) -> list:
    return experience_entries(text, tagged(text, *spans), find_date_ranges(text, 0, len(text)), [(0, len(text))])


def filled(text: str, *spans: tuple[str, str, float]) -> list[str]:
    """The tagged spans that may fill a field."""
    return [e.text for e in tagged(text, *spans) if fills_field(e)]


def jobs(text: str, *spans: tuple[str, str, float]) -> list[tuple[str | None, str | None, str | None]]:
    return [(j.title and j.title.value, j.company and j.company.value, j.start) for j in entries(text, *spans)]


def test_spans_shaped_unlike_what_they_are_tagged_fill_no_field() -> None:
    text = "Summer 2015: Customer Service Experience at stores, Sales Associate at Best Buy"
    spans = [
        ("TITLE", "Summer", 0.8),  # no head word of a job title
        ("TITLE", "Customer Service Experience", 0.7),
        ("COMPANY", "stores", 0.9),  # lower case
        ("TITLE", "Sales Associate", 0.9),
        ("COMPANY", "Best Buy", 0.5),
    ]
    assert filled(text, *spans) == ["Sales Associate", "Best Buy"]


def test_a_legal_form_or_a_bare_institution_word_names_no_employer() -> None:
    text = "Engineer, Controls Pvt.Ltd; Lecturer, University; Analyst, Acme Ltd; Tutor, Polytechnic; Siemens AG"
    spans = [
        ("COMPANY", "Ltd", 0.9),
        ("COLLEGE", "University", 0.9),
        ("COMPANY", "Acme Ltd", 0.9),
        ("COLLEGE", "Polytechnic", 0.9),  # the school kinds the education rules know
        ("COMPANY", "AG", 0.9),  # the legal forms that end a name (workers.resume.vocab.LEGAL_FORM)
    ]
    assert filled(text, *spans) == ["Acme Ltd"]


def test_a_name_span_with_words_in_lower_case_fills_no_name() -> None:
    text = "Ke y S ki ll s    Ludwig van Beethoven"  # a spaced-out heading; a particle of a real name
    spans = [("NAME", "Ke y S ki", 0.6), ("NAME", "Ludwig van Beethoven", 0.9)]
    assert filled(text, *spans) == ["Ludwig van Beethoven"]


def test_a_lone_word_is_the_models_name_only_in_the_header() -> None:
    text = "Profile  Web developer.  Experience  Xylin  2003 - 2007  Owner    Signed: Ada Byron King, 2 May 2020"
    header_end = text.index("Experience")
    assert best_name(tagged(text, ("NAME", "Xylin", 0.9)), header_end) is None
    found = best_name(tagged(text, ("NAME", "Xylin", 0.9), ("NAME", "Ada Byron King", 0.8)), header_end)
    assert found is not None and found.value == "Ada Byron King"
    assert best_name(tagged("Bernier  Profile", ("NAME", "Bernier", 0.9)), 9).value == "Bernier"


def test_an_unsure_one_word_employer_counts_only_before_its_place() -> None:
    text = "Sales Associate\nStripe – San Francisco, CA\nJan 2019 – Present\nHelped the Geeks team ship"
    spans = [
        ("TITLE", "Sales Associate", 0.9),
        ("COMPANY", "Stripe", 0.5),
        ("LOCATION", "San Francisco, CA", 0.9),
        ("COMPANY", "Geeks", 0.5),
    ]
    assert jobs(text, *spans) == [("Sales Associate", "Stripe", "2019-01")]


@pytest.mark.parametrize(
    ("line", "title", "employer"),
    [
        ("Software Engineer, Apple  August 2014 - May 2016", "Software Engineer", "Apple"),
        ("Surf Shop, Retail Sales Associate  2012 - 2013", "Retail Sales Associate", "Surf Shop"),
        ("Software Developer at Allegro Networks\nJune 2013 - June 2014", "Software Developer", "Allegro Networks"),
        ("Vice President, Sales\n2001 - 2003", "Vice President", None),  # a function, not an employer
        ("Social Media Manager, 2008 to Present", "Social Media Manager", None),
        (
            "Vice President of Operations - Promoted to review budgets  2005 - 2010",
            "Vice President of Operations",
            None,
        ),
    ],
)
def test_a_line_names_the_employer_beside_a_title_tagged_alone(line: str, title: str, employer: str | None) -> None:
    (job,) = entries(line, ("TITLE", title, 0.9))
    assert (job.title.value, job.company and job.company.value) == (title, employer)
    if job.company:  # read from the layout, not tagged: its evidence says so by a lower confidence
        assert line[job.company.start : job.company.end] == employer and job.company.confidence == 0.5


def test_no_employer_is_read_beside_a_title_when_the_model_tagged_one() -> None:
    line = "Software Engineer, Platform Team, Acme Corp  2019 - 2021"
    assert [(t, c) for t, c, _ in jobs(line, ("TITLE", "Software Engineer", 0.9), ("COMPANY", "Acme Corp", 0.9))] == [
        ("Software Engineer", "Acme Corp")
    ]
