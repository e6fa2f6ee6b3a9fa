"""Privacy: the right to erasure, and the read-only role consumers read through."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from db import repository
from db.models import (
    Application,
    Candidate,
    Comment,
    Document,
    Embedding,
    Failure,
    ResumeResult,
    ScoreResult,
    SentimentResult,
)
from db.session import session_scope
from producers import ingest
from tasks import handlers
from tasks.contract import AnalyzeSentimentPayload, ParseResumePayload, ScoreCandidatePayload
from tests.support import talentq


def _apply(database_url: str, samples_dir, resume: str, marker: str, reference: str | None = None) -> tuple[int, int]:
    """A candidate with a parsed, scored application (run through the same handlers a worker runs);
    candidates given the same ``reference`` upload byte-identical files."""
    path = samples_dir / "resumes" / resume
    with session_scope(database_url) as session:
        posting = ingest.posting_from_file(session, samples_dir / "postings" / "backend-python-engineer.md")
        content = path.read_bytes() + f"\nReference {reference or marker}\n".encode()
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


@pytest.mark.timeout(300)
def test_erase_takes_a_candidates_comments_and_extract_failures_and_leaves_a_same_file_candidate_whole(
    database_url, samples_dir, tmp_path
):
    doomed_doc, doomed_app = _apply(database_url, samples_dir, "03-priya-raman.txt", "same-A", reference="same")
    kept_doc, kept_app = _apply(database_url, samples_dir, "03-priya-raman.txt", "same-B", reference="same")
    assert doomed_doc != kept_doc  # one copy per candidate, though the bytes are the same
    with session_scope(database_url) as session:
        repository.record_failure(
            session, task_name="talentq.extract_text", subject_id=doomed_doc, error_code="corrupt", message="x"
        )
    comments = tmp_path / "comments.csv"
    comments.write_text(
        "id,source,text,candidate_id\n"
        "erase-note-A,interview,Calm and thorough under pressure.,erase-same-A\n"
        "erase-note-B,interview,Rushed every answer.,erase-same-B\n"
        "erase-survey,survey,Great onboarding.,\n"
    )
    talentq("submit", "comments", str(comments))
    with session_scope(database_url) as session:
        rows = session.execute(select(Comment.external_id, Comment.id).where(Comment.external_id.like("erase-%")))
        ids = {external_id: comment_id for external_id, comment_id in rows}
    handlers.analyze_sentiments([AnalyzeSentimentPayload(comment_id=i) for i in ids.values()])
    with session_scope(database_url) as session:
        text_hash = session.get(Document, kept_doc).text_hash

    talentq("erase", "--candidate", "erase-same-A")

    gone = {
        "candidate": _count(database_url, Candidate, Candidate.external_id == "erase-same-A"),
        "document": _count(database_url, Document, Document.id == doomed_doc),
        "application": _count(database_url, Application, Application.id == doomed_app),
        "comment": _count(database_url, Comment, Comment.external_id == "erase-note-A"),
        "sentiment": _count(database_url, SentimentResult, SentimentResult.comment_id == ids["erase-note-A"]),
        "failures": _count(database_url, Failure, Failure.subject_id == doomed_doc),
    }
    assert gone == dict.fromkeys(gone, 0)
    kept = {
        "document": _count(database_url, Document, Document.id == kept_doc),
        "parse": _count(database_url, ResumeResult, ResumeResult.document_id == kept_doc),
        "score": _count(database_url, ScoreResult, ScoreResult.application_id == kept_app),
        "embedding": _count(database_url, Embedding, Embedding.content_hash == text_hash),
        "comment": _count(database_url, SentimentResult, SentimentResult.comment_id == ids["erase-note-B"]),
        "unlinked comment": _count(database_url, SentimentResult, SentimentResult.comment_id == ids["erase-survey"]),
    }
    assert kept == dict.fromkeys(kept, 1)


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
