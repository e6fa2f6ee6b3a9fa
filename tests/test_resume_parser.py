"""parse_resume and extract_skills on résumés written here (text, one-line, DOCX, PDF) and on a dev-set slice."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import docx
import pytest
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from config.settings import Settings
from evaluation.resumes import cross_validate, evaluate_resumes
from workers import registry
from workers.documents import extract_text
from workers.engine.encoder import Encoder
from workers.resume.dates import find_date_ranges, years_of_experience
from workers.resume.parser import PARSER_VERSION, ResumeParser
from workers.resume.skills import Taxonomy, extract_skills, phrase_items

DEV_SET = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "resumes-dev.jsonl"
TODAY = date(2024, 6, 1)
RESUME = """Priya Raman
San Francisco, CA | (415) 555-0134 | priya.raman@example.com
linkedin.com/in/priyaraman | https://github.com/praman

SUMMARY
Data engineer who builds reliable pipelines and ML platforms.

EXPERIENCE
Senior Data Engineer, Stripe Inc
Jan 2015 - Dec 2018
Built Spark and Airflow pipelines on AWS.
Machine Learning Engineer, Acme Corp
Jun 2017 - Jun 2020
Deployed models with Kubernetes and Postgres.

EDUCATION
B.S. in Computer Science, Stanford University, 2014

SKILLS
Python, SQL, Docker, Terraform, ML, team leadership

LANGUAGES
English, Spanish (fluent)

CERTIFICATIONS
AWS Certified Solutions Architect
"""


@pytest.fixture(scope="module")
def parser() -> ResumeParser:
    return registry.resume_parser(Settings())


@pytest.fixture(scope="module")
def encoder(parser: ResumeParser) -> Encoder:
    return parser.encoder


def one_line(text: str) -> str:
    """The dev set's shape: line breaks flattened into runs of spaces, bullets as literal byte escapes."""
    return "  ".join(
        rf"\xef\x82\xa7 {line}" if line.startswith(("Built", "Deployed")) else line for line in text.splitlines()
    )


def test_fields_of_a_plain_text_resume(parser: ResumeParser) -> None:
    parsed = parser.parse(RESUME, today=TODAY)
    assert parsed.parser_version == PARSER_VERSION
    assert parsed.name and parsed.name.value == "Priya Raman"
    assert RESUME[parsed.name.start : parsed.name.end] == "Priya Raman"
    assert [e.value for e in parsed.emails] == ["priya.raman@example.com"]
    assert [p.value for p in parsed.phones] == ["+14155550134"]
    assert {link.kind for link in parsed.links} == {"linkedin", "github"}
    assert parsed.location and parsed.location.value == "San Francisco, CA"
    assert parsed.summary and parsed.summary.value.startswith("Data engineer who builds")
    skills = {s.name for s in parsed.skills}
    assert {"Python", "SQL", "Docker", "Terraform", "Machine learning", "Kubernetes", "PostgreSQL"} <= skills
    assert {"Apache Spark", "Apache Airflow", "Amazon Web Services"} <= skills
    assert [(j.title and j.title.value, j.company and j.company.value) for j in parsed.experience] == [
        ("Senior Data Engineer", "Stripe Inc"),
        ("Machine Learning Engineer", "Acme Corp"),
    ]
    assert parsed.years_experience == 5.4  # Jan 2015 - Jun 2020: the 2017-2018 overlap counts once
    (school,) = parsed.education
    assert (school.degree.value, school.field.value, school.institution.value, school.graduation_year) == (
        "B.S. in Computer Science",
        "Computer Science",
        "Stanford University",
        2014,
    )
    assert [lang.value for lang in parsed.languages] == ["English", "Spanish"]
    assert [c.value for c in parsed.certifications] == ["AWS Certified Solutions Architect"]
    assert parsed.language == "en" and parsed.warnings == []
    kinds = [s.kind for s in parsed.sections]
    assert kinds == ["header", "summary", "experience", "education", "skills", "languages", "certifications"]
    json.dumps(parsed.model_dump(mode="json"))


def test_one_line_text_with_byte_escapes(parser: ResumeParser) -> None:
    text = one_line(RESUME)
    assert "\n" not in text
    parsed = parser.parse(text, today=TODAY)
    assert parsed.name and parsed.name.value == "Priya Raman"
    assert [e.value for e in parsed.emails] == ["priya.raman@example.com"]
    assert {"experience", "education", "skills"} <= {s.kind for s in parsed.sections}
    assert {"Python", "Kubernetes", "Machine learning"} <= {s.name for s in parsed.skills}
    assert parsed.years_experience == 5.4
    assert all("\\x" not in s.text for s in parsed.skills)


def test_odd_headings_are_recognised(parser: ResumeParser) -> None:
    text = (
        "Li Wei\nE X P E R I E N C E\nAnalyst, Globex Corp, 2019 - 2021\nCareer Experience/Job History:\nSkills: Excel"
    )
    kinds = [s.kind for s in parser.parse(text).sections]
    assert kinds == ["header", "experience", "experience", "skills"]


def test_a_heading_of_two_parts_is_of_its_first_parts_kind(parser: ResumeParser) -> None:
    text = "Li Wei\nEducation & Professional Development\nBachelor of Science, Marketing\nTexas Tech University"
    parsed = parser.parse(text)
    assert [s.kind for s in parsed.sections] == ["header", "education"]
    assert [e.degree.value for e in parsed.education if e.degree] == ["Bachelor of Science, Marketing"]
    text = "Li Wei\nResearch and Teaching Experience\nTeaching Assistant, Rice University, 2019 - 2021"
    assert [s.kind for s in parser.parse(text).sections] == ["header", "experience"]


def test_default_region_resolves_national_numbers(parser: ResumeParser) -> None:
    text = "Oliver Smith\nLondon, United Kingdom\nTel: 020 7946 0958\noliver@example.co.uk"
    assert [p.value for p in parser.parse(text, default_region="GB").phones] == ["+442079460958"]


def test_non_english_resume_is_flagged(parser: ResumeParser) -> None:
    text = (
        "Lucía Fernández\nExperiencia profesional\nIngeniera de software en una empresa de tecnología de Madrid, "
        "donde desarrollé aplicaciones web y coordiné un equipo de cinco personas durante tres años."
    )
    parsed = parser.parse(text)
    assert parsed.language == "es" and parsed.warnings == ["non_english"]


def test_table_docx_resume_end_to_end(parser: ResumeParser) -> None:
    document = docx.Document()
    document.add_paragraph("Maria Garcia")
    document.add_paragraph("maria.garcia@example.org | +1 212 555 0199")
    table = document.add_table(rows=3, cols=2)
    for row, (heading, body) in enumerate(
        [
            ("EXPERIENCE", "Registered Nurse, St. Mary Hospital\nMar 2012 - Present"),
            ("EDUCATION", "Bachelor of Science in Nursing, Boston College, 2011"),
            ("SKILLS", "Phlebotomy, Triage, Epic, Patient care"),
        ]
    ):
        table.cell(row, 0).text = heading
        table.cell(row, 1).text = body
    buffer = io.BytesIO()
    document.save(buffer)
    text = extract_text(buffer.getvalue(), "cv.docx", 10 * 1024 * 1024)
    parsed = parser.parse(text, today=TODAY)
    assert parsed.name and parsed.name.value == "Maria Garcia"
    assert [p.value for p in parsed.phones] == ["+12125550199"]
    assert [s.kind for s in parsed.sections] == ["header", "experience", "education", "skills"]
    (job,) = parsed.experience
    assert job.current and job.start == "2012-03"
    assert job.title and job.title.value == "Registered Nurse"
    assert job.company and job.company.value == "St. Mary Hospital"
    assert parsed.years_experience == 12.3  # Mar 2012 - Jun 2024
    assert {"Phlebotomy", "Triage", "Epic", "Patient care"} <= {s.name for s in parsed.skills}
    assert parsed.education[0].institution and parsed.education[0].institution.value == "Boston College"


def test_pdf_resume_phones_in_e164(parser: ResumeParser) -> None:
    """The dev set labels no phones, so phones are checked on generated documents."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=letter)
    for i, line in enumerate(["Ahmed Khan", "Mobile: +971 50 123 4567", "Office: (646) 555-0147", "ahmed@example.ae"]):
        page.drawString(72, 720 - 16 * i, line)
    page.save()
    text = extract_text(buffer.getvalue(), "cv.pdf", 10 * 1024 * 1024)
    assert [p.value for p in parser.parse(text).phones] == ["+971501234567", "+16465550147"]


def test_years_merge_overlaps_and_ongoing_jobs() -> None:
    text = "2010 - 2012, Jan 2011 - Mar 2013, May 2020 - Present"
    ranges = find_date_ranges(text)
    assert len(ranges) == 3 and ranges[2].current
    # mid-2010 .. Mar 2013 (2.7 y) + May 2020 .. Jun 2024 (4.1 y); the 2011-2012 overlap counts once
    assert years_of_experience(ranges, TODAY) == 6.8


def test_extract_skills_on_a_job_posting(encoder: Encoder) -> None:
    posting = (
        "We are hiring a backend engineer. Requirements: 5+ years of Go or Java, experience with gRPC, Kafka and "
        "PostgreSQL; familiarity with CI/CD (GitHub Actions) and k8s. Nice to have: R, Tableau. Visit https://jobs.example.com"
    )
    names = {s.name for s in extract_skills(posting, encoder)}
    assert {"Go", "Java", "gRPC", "Apache Kafka", "PostgreSQL", "CI/CD", "GitHub Actions", "Kubernetes"} <= names
    assert {"R", "Tableau"} <= names
    assert "HTTP" not in names  # URLs are masked


def test_short_ambiguous_words_need_their_case(encoder: Encoder) -> None:
    names = {s.name for s in extract_skills("I go to the office and excel at word games.", encoder)}
    assert not names & {"Go", "Excel", "Word"}


def test_taxonomy_embeddings_are_cached_on_disk(
    encoder: Encoder, tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    settings_env.setenv("TALENTQ_CACHE_DIR", str(tmp_path))
    source = tmp_path / "skills.json"
    source.write_text(json.dumps({"case_sensitive": [], "generic": [], "skills": {"data": {"Pandas": ["pandas df"]}}}))
    vectors = Taxonomy(source).vectors(encoder)
    (cached,) = tmp_path.glob("skills-*.npy")
    assert vectors.shape == (2, encoder.info.dim) and cached.stat().st_size > 0
    assert (Taxonomy(source).vectors(encoder) == vectors).all()


@pytest.mark.skipif(not DEV_SET.exists(), reason="needs ../shared/data")
def test_dev_set_slice_meets_floors(parser: ResumeParser) -> None:
    """In-sample (the shipped models were trained on these): a floor that catches a broken model or assembly."""
    scores = evaluate_resumes(DEV_SET, limit=25, parser=parser).scores
    assert scores["emails"].readings["exact"].f1 >= 0.9
    assert scores["name"].readings["strict"].f1 >= 0.85
    assert scores["skills"].readings["strict"].f1 >= 0.5
    assert scores["experience.title"].readings["strict"].f1 >= 0.4


@pytest.mark.skipif(not DEV_SET.exists(), reason="needs ../shared/data")
def test_nested_cross_validation_scores_each_half_with_models_of_the_other() -> None:
    report, per_half = cross_validate(DEV_SET, "halves", limit=24)
    assert set(per_half) == {"even", "odd"} and all(half.documents == 12 for half in per_half.values())
    names = report.scores["name"].readings
    assert names["rule"].support == names["strict"].support == names["exact"].support > 0
    assert names["exact"].found <= names["strict"].found  # exact matches are strict matches too
    assert 0 < report.macro_f1("strict") <= 1


def test_skill_evidence_drops_a_trailing_skills_word():
    matches = Taxonomy().literal("Strong interpersonal skills and communication skills")
    assert [m.text for m in matches] == ["interpersonal", "communication"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kunze XXXXX  Mobile: +91-99  Career Summary", "Kunze"),
        ("Omar Blossom Jacobson. Heath  Phone: 123-345-7890", "Omar Blossom Jacobson"),
        ("Technical Tools  Python, Java", None),
        ("Schulist Engineer  24 Lisbon Street  Glen Waverley", "Schulist"),
        ("Art Editor Resume Template  Teena Anton Bailey  Pearl St.", "Teena Anton Bailey"),
        ("Hal Schmeler, MS (CS), PMP  232 Olive Ave, North York, ON", "Hal Schmeler"),
        ("Family Name:  First Names:    Jettie Shawnta Zulauf  14 May 1956", "Jettie Shawnta Zulauf"),
        ("CURRICULUM VITAE  Marvin DuBuque  Secretary General", "Marvin DuBuque"),
        ("MR  99 Example Street    N A M E  +60 12", None),
        ("RESUME  419 Rose Street  San Francisco AC  94102  (123)345-7890  Marty Ondricka", "Marty Ondricka"),
        ("Profile  24 Lisbon Street  Glen Waverley, 3150  Email:", None),  # the town line, with its postcode
        ("Tools  Java, Eclipse,  Spring Framework, Hibernate", None),  # a skill, not a person
        ("Resume of Nolan    www.downlo  Satheesh    EXPERIENCE SUMMARY", "Nolan"),
        ("Resume Template  Kunze  Objective", None),
        ("Contents  I.  Resume Purpose, Design, & Mechanics", None),  # a bare "Resume" announces no one-word name
        ("CURRICULUM VITAE  Mr. Durgan B.E.(CIVIL)  Company Name  DUBAI - U.A.E.", "Durgan"),  # a degree after it
    ],
)
def test_name_skips_placeholders_and_stops_at_a_full_stop(text, expected):
    from workers.resume.contacts import find_name
    from workers.resume.sections import segments

    found = find_name(text, segments(text))
    assert (found.value if found else None) == expected


def test_skill_evidence_keeps_vendor_version_and_abbreviation():
    text = (
        "Macromedia Dreamweaver, Weblogic8.1, Windows 98/2000/XP, Solaris 9, Excel 2 years, "
        "Software Development Life Cycle (SDLC)"
    )
    found = [m.text for m in Taxonomy().literal(text)]
    assert found == [
        "Macromedia Dreamweaver",
        "Weblogic8.1",
        "Windows 98/2000/XP",
        "Solaris 9",
        "Excel",
        "Software Development Life Cycle (SDLC)",
    ]
    assert not Taxonomy().literal("Fitch, D., & Freese, R. (2016). C/o Aniruddha")


UPPER_CASE_HEADINGS = """Dana Fox
dana.fox@example.com

KEY SKILLS AND COMPETENCIES
Excel, Teamwork, Customer service

RETAIL EXPERIENCE
Store Manager, Target Corp
Jan 2015 - Dec 2018
Handled daily administration and planning of staff rotas and inventory for the whole store.

PEER REVIEWED PUBLICATIONS
Fox, D. (2016). Python and Excel in retail forecasting. Retail Journal.
"""


@pytest.mark.parametrize("shape", ["lines", "one_line"])
def test_upper_case_headings_with_modifiers_end_the_skills_section(parser: ResumeParser, shape: str) -> None:
    text = UPPER_CASE_HEADINGS if shape == "lines" else one_line(UPPER_CASE_HEADINGS)
    parsed = parser.parse(text, today=TODAY)
    assert [s.kind for s in parsed.sections] == ["header", "skills", "experience", "publications"]
    names = {s.name for s in parsed.skills}
    assert {"Excel", "Teamwork", "Customer service"} <= names
    assert not {"Administration", "Planning", "Python"} & names  # duties in prose; a paper's title
    assert [job.dates.value for job in parsed.experience if job.dates] == ["Jan 2015 - Dec 2018"]


def test_generic_skills_stop_at_a_dated_line_of_a_skills_section(parser: ResumeParser) -> None:
    text = (
        "Dana Fox\nSkills\nTeamwork, Excel\nStore Manager | Target Corporation, Minneapolis | January 2015 - May 2018\n"
        "Planning weekly staff rotas\nAdministration of the payroll\n"
    )
    names = {s.name for s in parser.parse(text, today=TODAY).skills}
    assert {"Teamwork", "Excel"} <= names
    assert not {"Planning", "Administration"} & names


def test_rest_and_jump_need_their_case() -> None:
    found = {m.name for m in Taxonomy().literal("Built REST services; took a rest; jump to conclusions")}
    assert found == {"REST"}


PHRASE_LISTS = """Sam Lee
sam.lee@example.com

TECHNICAL SKILLS
Test tools: Selenium, Widgetron Suite, knowledge of QuuxCheck
Florp handling, Glarb sorting
Blorvex

EXPERIENCE
Tester, Initech, 2019 - 2021
Used Selenium, Widgetron and Zorblax daily.
"""


@pytest.mark.parametrize("shape", ["lines", "one_line"])
def test_unknown_items_of_a_skill_list_with_known_skills_are_phrases(parser: ResumeParser, shape: str) -> None:
    text = PHRASE_LISTS if shape == "lines" else one_line(PHRASE_LISTS)
    rules_alone = parser.with_models(parser.entity_model, None)  # the rules, without the skill scorer
    skills = rules_alone.parse(text, today=TODAY).skills
    phrases = {s.name for s in skills if not s.in_taxonomy}
    assert phrases == {"Widgetron Suite", "QuuxCheck"}  # listed beside Selenium; "knowledge of" dropped
    assert all(s.method == "phrase" and s.category == "other" for s in skills if not s.in_taxonomy)
    assert "Selenium" in {s.name for s in skills if s.in_taxonomy}
    # no known skill in the list, alone on a line, the list's label, or prose: not phrases
    assert not {"Florp handling", "Glarb sorting", "Blorvex", "Test tools", "Zorblax"} & phrases


def test_phrase_items_skip_labels_remarks_and_versions() -> None:
    text = "Languages/Platforms: Selenium, Just-in-Time (JIT), Dutch (mother tongue), Windows 95/NT 4.0, Zorb Kit"
    (items,) = phrase_items(text, [(0, len(text))])
    assert [text[a:b] for a, b in items] == ["Selenium", "Just-in-Time (JIT)", "Dutch", "Windows 95", "Zorb Kit"]


def test_phrases_only_where_asked(encoder: Encoder) -> None:
    text = "Tools: Selenium, Widgetron Suite"
    assert all(s.in_taxonomy for s in extract_skills(text, encoder))
    found = extract_skills(text, encoder, phrase_spans=[(0, len(text))])
    assert [(s.text, s.in_taxonomy) for s in found] == [("Selenium", True), ("Widgetron Suite", False)]


def test_coordinated_modifiers_name_one_skill_each() -> None:
    found = [(m.text, m.name) for m in Taxonomy().literal("Excellent oral, written and verbal communication skills")]
    assert found == [
        ("oral", "Verbal communication"),
        ("written", "Written communication"),
        ("verbal", "Verbal communication"),
        ("communication", "Communication"),
    ]
    assert [m.text for m in Taxonomy().literal("Java and Spring Boot")] == ["Java", "Spring Boot"]


@pytest.mark.parametrize("gap", ["\n", "   ", "\t"])
def test_names_and_versions_stop_at_a_line_break(gap: str) -> None:
    assert [m.text for m in Taxonomy().literal(f"Video Editing{gap}3D{gap}Marketing{gap}3 years")] == [
        "Video Editing",
        "Marketing",
    ]
    assert [m.name for m in Taxonomy().literal(f"Business{gap}Objects")] != ["Business Objects"]
    assert [m.text for m in Taxonomy().literal("Business  Objects 5.x")] == ["Business  Objects 5.x"]  # a wrap


def test_taxonomy_knows_test_tools_platforms_and_short_windows_names() -> None:
    text = "Silk Performer, Pivotal Tracker, RoboHelp, Palm OS, Windows CE, Win7, Crystal Reports, Westlaw, Cerner"
    names = {m.name for m in Taxonomy().literal(text)}
    assert {"Silk Performer", "Pivotal Tracker", "RoboHelp", "Palm OS", "Windows CE", "Windows"} <= names
    assert {"Crystal Reports", "Westlaw", "Cerner"} <= names


def test_semantic_matches_only_on_list_lines_of_a_skills_section(parser: ResumeParser) -> None:
    listed = "Ana Ruiz\nSKILLS\nJava, Python\nJavascripting\n"
    prose = "Ana Ruiz\nSKILLS\nJava, Python\nJavascripting, and the paperwork for many of the teams around us.\n"
    assert any(s.method == "semantic" for s in parser.parse(listed, today=TODAY).skills)
    assert not any(s.method == "semantic" for s in parser.parse(prose, today=TODAY).skills)


def test_ambiguous_short_names_need_context() -> None:
    found = {m.name for m in Taxonomy().literal("Quick to react. Based in Palo Alto; TS/SCI clearance. React, ReactJS")}
    assert found == {"React"}


def test_a_skill_alone_in_a_longer_list_item_has_the_item_as_evidence(encoder: Encoder) -> None:
    text = "Tools: Selenium Zorb Runner, Unix and Solaris, JIRA, CMS implementation"
    found = [(s.text, s.name) for s in extract_skills(text, encoder, phrase_spans=[(0, len(text))])]
    assert ("Selenium Zorb Runner", "Selenium") in found  # the item as written, the skill by its name
    assert {("Unix", "Unix"), ("Solaris", "Solaris"), ("JIRA", "Jira")} <= set(found)  # coordinated; whole
    assert ("CMS", "CMS") in found  # two skills in one item: each keeps its own words
    assert ("Selenium", "Selenium") in [(s.text, s.name) for s in extract_skills(text, encoder)]  # no item lists


DUTIES = """Kim Park
kim.park@example.com

SUMMARY
Teacher with strong communication skills.

EXPERIENCE
Teacher, Lincoln High School, 2015 - 2020
Scheduling
Strong classroom management and sales.

SKILLS
Teamwork, Planning
"""


@pytest.mark.parametrize("shape", ["lines", "one_line"])
def test_generic_words_of_job_entries_are_duties(parser: ResumeParser, shape: str) -> None:
    text = DUTIES if shape == "lines" else one_line(DUTIES)
    names = {s.name for s in parser.parse(text, today=TODAY).skills}
    assert {"Communication", "Teamwork", "Planning"} <= names
    assert not {"Scheduling", "Classroom management", "Sales"} & names  # a short line, a cue: still duties


ORGANISATIONS = """Kim Park, PMP
kim.park@example.com

EXPERIENCE
Software Engineer, Oracle Corporation, 2015 - 2020
Built services in Python.

EDUCATION
B.Sc. Physics, Java Institute of Technology, 2014

SKILLS
Programming Languages: Python, SQL
"""


def test_employer_school_names_and_credentials_are_not_skills(parser: ResumeParser) -> None:
    found = {(s.text, s.name) for s in parser.parse(ORGANISATIONS, today=TODAY).skills}
    assert {("Python", "Python"), ("SQL", "SQL"), ("Programming Languages", "Programming")} <= found
    assert not {name for _, name in found} & {"Oracle", "Java", "PMP"}


def test_credentials_stay_skills_unless_the_caller_leaves_them_out(encoder: Encoder) -> None:
    text = "PMP required; Python a plus"
    assert {s.name for s in extract_skills(text, encoder)} == {"PMP", "Python"}
    assert {s.name for s in extract_skills(text, encoder, credentials=False)} == {"Python"}


def test_languages_after_a_skill_is_one_noun_phrase_and_initials_are_not_skills() -> None:
    matches = Taxonomy().literal("Scripting Languages: Perl. Vetter, R., Brown, J. (2012). Tools: Python, R, SQL")
    assert [(m.text, m.name) for m in matches] == [
        ("Scripting Languages", "Scripting"), ("Perl", "Perl"), ("Python", "Python"), ("R", "R"), ("SQL", "SQL")
    ]  # fmt: skip


def test_a_single_lower_case_word_is_not_a_free_phrase(encoder: Encoder) -> None:
    text = "Tools: Python, Zorbex, raw materials, capacity"
    found = {s.text for s in extract_skills(text, encoder, phrase_spans=[(0, len(text))]) if not s.in_taxonomy}
    assert found == {"Zorbex", "raw materials"}
