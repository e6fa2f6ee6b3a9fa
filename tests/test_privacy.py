"""Privacy: the right to erasure, and the read-only role consumers read through."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from db import repository
from db.models import Candidate, Document, Embedding, Failure, ResumeResult, ScoreResult
from db.session import session_scope
from producers import ingest
from tasks import handlers
from tasks.contract import ParseResumePayload, ScoreCandidatePayload
from tests.support import talentq


def _apply(database_url: str, samples_dir, resume: str, marker: str) -> tuple[int, int]:
    """A candidate with a parsed, scored application (run through the same handlers a worker runs)."""
    path = samples_dir / "resumes" / resume
    with session_scope(database_url) as session:
        posting = ingest.posting_from_file(session, samples_dir / "postings" / "backend-python-engineer.md")
        content = path.read_bytes() + f"\nReference {marker}\n".encode()
        candidate = repository.add_candidate(session, f"erase-{marker}")
        document = repository.add_document(
            session, candidate.id, path.name, content, repository.sha256(content), len(content)
        )
        application = repository.add_application(session, candidate.id, posting.id, document.id)
        repository.record_failure(
            session,
            task_name="talentq.parse_resume",
            subject_id=document.id,
            error_code="internal_error",
            message="earlier attempt",
            candidate_id=candidate.id,
        )
        ids = document.id, application.id
    handlers.parse_resumes([ParseResumePayload(document_id=ids[0])])
    handlers.score_candidates([ScoreCandidatePayload(application_id=ids[1])])
    return ids


def _count(database_url: str, model, *where) -> int:
    with session_scope(database_url) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.timeout(300)
def test_erase_deletes_everything_of_one_candidate_and_nothing_else(database_url, samples_dir):
    doomed_doc, doomed_app = _apply(database_url, samples_dir, "03-priya-raman.txt", "A")
    kept_doc, kept_app = _apply(database_url, samples_dir, "06-hannah-kowalski.txt", "B")
    with session_scope(database_url) as session:
        text_hash = session.get(Document, doomed_doc).text_hash
    assert _count(database_url, Embedding, Embedding.content_hash == text_hash) == 1

    out = talentq("erase", "--candidate", "erase-A")
    assert "Erased candidate" in out and "resume_results" in out

    assert _count(database_url, Candidate, Candidate.external_id == "erase-A") == 0
    assert _count(database_url, Document, Document.id == doomed_doc) == 0
    assert _count(database_url, ResumeResult, ResumeResult.document_id == doomed_doc) == 0
    assert _count(database_url, ScoreResult, ScoreResult.application_id == doomed_app) == 0
    assert _count(database_url, Embedding, Embedding.content_hash == text_hash) == 0
    assert (
        _count(database_url, Failure, Failure.subject_id == doomed_doc, Failure.task_name == "talentq.parse_resume")
        == 0
    )
    # The other candidate is untouched.
    assert _count(database_url, ResumeResult, ResumeResult.document_id == kept_doc) == 1
    assert _count(database_url, ScoreResult, ScoreResult.application_id == kept_app) == 1

    assert "no candidate" in talentq("erase", "--candidate", "nobody-here", ok=False)


def test_consumers_read_through_a_role_that_cannot_write(database_url):
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            sa.text(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'talentq_test_consumer') THEN "
                "CREATE ROLE talentq_test_consumer LOGIN IN ROLE talentq_reader; END IF; END $$"
            )
        )
    admin.dispose()
    reader = sa.create_engine(sa.make_url(database_url).set(username="talentq_test_consumer"))
    try:
        with reader.connect() as conn:
            conn.execute(sa.text("SELECT count(*) FROM resume_results")).scalar_one()
            conn.execute(sa.text("SELECT count(*) FROM candidate_ranking")).scalar_one()
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.execute(
                    sa.text("INSERT INTO candidates (name, created_at, updated_at) VALUES ('x', now(), now())")
                )
            conn.rollback()
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.execute(sa.text("DELETE FROM resume_results"))
    finally:
        reader.dispose()
