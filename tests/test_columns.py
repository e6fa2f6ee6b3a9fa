"""The values consumers read: phones that are phones, names as names, candidates filled in, and posting
requirements from the requirement sections of real postings (`../shared/data/jobs.csv`)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import Candidate, ResumeResult
from db.session import session_scope
from tests.support import ROOT, SHARED_DATA, talentq, wait_for

pytestmark = pytest.mark.timeout(600)
SAMPLES = ROOT / "samples" / "resumes"
# Words of a company description that the taxonomy knows as skills: none of them is asked of a candidate.
ABOUT = (
    "{company} serves hospitals and insurance firms. Our clinical partners value patience, customer service and "
    "teamwork, and our office has a gym."
)


def sample_text(name: str) -> str:
    from workers.documents import extract_text

    path = SAMPLES / name
    return extract_text(path.read_bytes(), path.name, 10**8)


def test_phones_are_phones_never_date_ranges() -> None:
    from workers.resume.contacts import find_phones

    by_file = {path.name: [p.value for p in find_phones(sample_text(path.name), "US")] for path in SAMPLES.iterdir()}
    assert by_file["06-hannah-kowalski.txt"] == ["+447700900456"]  # UK example numbers, written with +44
    assert by_file["01-amara-okafor.pdf"] == ["+447700900123"]  # not "+12014122016" from "2014 - 12/2016"
    assert not by_file["02-daniel-whitaker.docx"]  # its only "number" was a date range
    assert all(not value.startswith(("+1201", "+1202")) for values in by_file.values() for value in values), by_file


def test_names_without_credentials_or_heading_caps() -> None:
    from workers.resume.contacts import find_name
    from workers.resume.parser import _name_candidates
    from workers.resume.sections import clean, segments

    def name(file: str) -> str | None:
        text = clean(sample_text(file))
        found = find_name(text, _name_candidates(segments(text), []))
        return found.value if found else None

    assert name("11-oliver-brennan.docx") == "Oliver Brennan"
    assert name("09-tomasz-nowak.txt") == "Tomasz Nowak"
    assert name("12-mei-lin-chen.txt") == "Mei-Lin Chen"


def real_postings(limit: int) -> list[dict[str, str]]:
    with (SHARED_DATA / "jobs.csv").open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["Minimum Qualifications"].strip()]
    return rows[:: max(1, len(rows) // limit)][:limit]


def as_markdown(row: dict[str, str]) -> str:
    """A posting as a user submits one: title, a company description, then its sections."""
    return (
        f"# {row['Title']}\n\n**{row['Company']}** — {row['Location']}\n\n{ABOUT.format(company=row['Company'])}\n\n"
        f"## Responsibilities\n\n{row['Responsibilities']}\n\n## Minimum qualifications\n\n"
        f"{row['Minimum Qualifications']}\n\n## Preferred qualifications\n\n{row['Preferred Qualifications']}\n"
    )


def test_posting_requirements_come_from_requirement_sections(encoder) -> None:
    from workers import scoring

    about_skills = set(scoring._skill_names(ABOUT.format(company="Acme"), encoder))
    assert about_skills, "the description must hold skill words for this test to mean anything"
    for row in real_postings(30):
        requirements = scoring.extract_requirements(as_markdown(row), encoder)
        asked = set(scoring._skill_names(row["Minimum Qualifications"], encoder))
        preferred = set(scoring._skill_names(row["Preferred Qualifications"], encoder))
        assert set(requirements.required_skills) == asked, row["Title"]
        assert set(requirements.nice_skills) == preferred - asked, row["Title"]
        assert not (set(requirements.required_skills) - asked) & about_skills


def test_parsed_resumes_fill_candidates_and_phones(start_worker, database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "resumes"
    folder.mkdir()
    files = ["06-hannah-kowalski.txt", "11-oliver-brennan.docx", "01-amara-okafor.pdf"]
    for file in files:
        shutil.copy(SAMPLES / file, folder)
    worker = start_worker(queues="extract,resumes")
    talentq("submit", "resumes", str(folder))
    stems = [Path(file).stem for file in files]

    def candidates() -> dict[str, tuple[str | None, str | None]]:
        with session_scope(database_url) as session:
            rows = session.execute(select(Candidate.external_id, Candidate.name, Candidate.email))
            return {ext: (name, email) for ext, name, email in rows if ext in stems and name}

    found = wait_for(lambda: len(candidates()) == 3 and candidates(), 180, what="parsed", progress=worker.activity)
    assert found["11-oliver-brennan"][0] == "Oliver Brennan"
    assert found["06-hannah-kowalski"] == ("Hannah Kowalski", "hannah.kowalski@example.org")
    with session_scope(database_url) as session:
        phones = set(session.scalars(select(ResumeResult.phone)))
    assert {"+447700900456", "+447700900123"} <= phones and "+12014122016" not in phones
    # A batch run over the same folder says what it skipped, not "0 already done".
    again = talentq("batch", "submit", "--name", "again", "--folder", str(folder), "--no-follow")
    assert "3 résumés already parsed, skipped" in again, again
