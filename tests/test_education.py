"""Education entries by rules: the degree with the subject written after it, the school's name alone, and the
words that look like a degree or a school but name something else."""

from __future__ import annotations

import pytest

from workers.resume.education import find_education


def entries(text: str) -> list[tuple[str | None, str | None, str | None, int | None]]:
    """(degree, field, institution, graduation year) of each entry."""
    found = find_education(text, [(0, len(text))])
    return [
        (
            e.degree and e.degree.value,
            e.field and e.field.value,
            e.institution and e.institution.value,
            e.graduation_year,
        )
        for e in found
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Education\nBA (Hons) Marketing\nNuneaton University, 2005 - 2008",
            ("BA (Hons) Marketing", "Marketing", "Nuneaton University", 2008),
        ),
        (
            "Education\nBachelor of Arts, History\nUniversity of Florida, Gainesville, FL\nMay 2010",
            ("Bachelor of Arts, History", "History", "University of Florida", 2010),
        ),
        (
            "Education\nB.S. | Hospitality Management, Cornell University, 2012",
            ("B.S. | Hospitality Management", "Hospitality Management", "Cornell University", 2012),
        ),
        (
            "Education\nPh.D. (Economics), Stanford University, 1999",
            ("Ph.D. (Economics)", "Economics", "Stanford University", 1999),
        ),
        (  # a lost line break between the degree and its subject, as in the dev set
            "EDUCATION  BS  Electrical Engineering, 1991: Rutgers University, New Brunswick, NJ",
            ("BS  Electrical Engineering", "Electrical Engineering", "Rutgers University", 1991),
        ),
        (  # the month ends the subject; a school's name after the comma is the school, not a subject
            "Education\nBachelor of Science, Marketing, May 2004\nMBA, Michigan State University, 2008",
            ("Bachelor of Science, Marketing", "Marketing", None, 2004),
        ),
        (
            "Education\nBachelor of Science in Computer Science\nUniversity of Texas, 2010",
            ("Bachelor of Science in Computer Science", "Computer Science", "University of Texas", 2010),
        ),
        (  # a degree written before the school on one line belongs to neither's name
            "Education  B.E Anna University 2012",
            ("B.E", None, "Anna University", 2012),
        ),
        ("Education\nJuris Doctor, Harvard Law School, 2005", ("Juris Doctor", None, "Harvard Law School", 2005)),
        (  # a month ends the subject, in any case
            "EDUCATION  BS  Computer Science May 2010  Rutgers University",
            ("BS  Computer Science", "Computer Science", "Rutgers University", 2010),
        ),
        (  # honours are not part of the degree
            "Education\nBachelor of Arts in English Literature summa cum laude\nBoston College, 2004",
            ("Bachelor of Arts in English Literature", "English Literature", "Boston College", 2004),
        ),
    ],
)
def test_degree_subject_and_school(text: str, expected: tuple) -> None:
    assert entries(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "degrees"),
    [
        ("Education\nB.A. May 2001, Ph.D. August 2008", ["B.A", "Ph.D"]),  # a month ends the degree
        ("Education\nHigh School Diploma anticipated in May 2019", ["High School Diploma"]),
        ("Education\nBachelor of Laws/Bachelor of Arts, Monash University", ["Bachelor of Laws", "Bachelor of Arts"]),
        ("education  2011-2012  Masters of  Commerce    GPA: 8.0", ["Masters of  Commerce"]),  # a flattened page
        ("EDUCATION  M.L.S., North Carolina Central University  2011", ["M.L.S"]),
        (
            "Education\nB.Tech with Honors in Information Technology, 2010",
            ["B.Tech with Honors in Information Technology"],
        ),
        ("Education\nBS with GPA 3.8, MIT", ["BS"]),  # "with" ends it unless a subject follows
    ],
)
def test_where_a_degree_ends(text: str, degrees: list[str]) -> None:
    assert [degree for degree, *_ in entries(text)] == degrees


def test_a_school_after_the_comma_is_not_the_degree_subject() -> None:
    text = "Education\nMBA, Michigan State University, 2008"
    assert entries(text) == [("MBA", None, "Michigan State University", 2008)]


@pytest.mark.parametrize(
    "text",
    [
        "Master thesis on supply chain planning",
        "Associate Professor of History, 2010 - 2015",
        "PhD researcher in the lab's workshop",
        "Tools: MS Word, MS Office, Excel",
        "Harvard Square, Boston, MA 02138",
        "Served the students of Lincoln Elementary School and the Springfield School District",
        "Presented on the role of the school counselor at the university",
        "Masters research project on reading",
        "Research Associate at Laboratory for Foundations of Computer Science",
        "Able to present ideas to associates and executive management",
        "Degree(s) or Diploma(s) obtained:",
        "Published by Oxford University Press, 2011",
        "Awarded the York University Entrance Scholarship",
        "Elected to the Kenyatta University Senate",
        "Name of University, City, 2010",
        "Albert J. Weatherhead III University Professor",
    ],
)
def test_words_that_look_like_education_but_are_not(text: str) -> None:
    assert entries(text) == []


@pytest.mark.parametrize(
    ("text", "school"),
    [
        ("Education  RV Institute of  Management    Marks Scored", "RV Institute of  Management"),  # a flattened page
        ("Education  University  of Edinburgh, UK", "University  of Edinburgh"),
        ("Education\nUniversity of the Philippines", "University of the Philippines"),
        ("Education\nRochester Institute of Technology. Concentrated in optics", "Rochester Institute of Technology"),
        ("Education\nUniversity of N.C. at Chapel Hill", "University of N.C. at Chapel Hill"),
    ],
)
def test_where_a_school_name_ends(text: str, school: str) -> None:
    assert [e[2] for e in entries(text)] == [school]


def test_schooling_before_college_is_secondary() -> None:
    text = (
        "Education\nBSc Physics, University of Leeds, 2012\nHigh School Diploma, Walter Johnson High School, 2008\n"
        "Leicester Sixth Form College, 2006\nBarry College of Further Education, 2004"
    )
    levels = [(e.institution and e.institution.value, e.level) for e in find_education(text, [(0, len(text))])]
    assert levels == [
        ("University of Leeds", "higher"),
        ("Walter Johnson High School", "secondary"),
        ("Leicester Sixth Form College", "secondary"),
        ("Barry College of Further Education", "higher"),  # vocational: after school, if not a university
    ]
