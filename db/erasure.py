"""Right to erasure: every row that holds or derives from one candidate's personal data goes,
in one transaction, and the caller gets a count per table."""

from __future__ import annotations

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from db.models import (
    Application,
    BatchItem,
    Candidate,
    Comment,
    Document,
    Embedding,
    Failure,
    ResumeResult,
    ScoreResult,
    SentimentResult,
)

# Task names as stored in failures / batch_items (db knows the strings, not the Celery layer).
EXTRACT, PARSE = "talentq.extract_text", "talentq.parse_resume"
SENTIMENT, SCORE = "talentq.analyze_sentiment", "talentq.score_candidate"


def erase_candidate(session: Session, external_id: str) -> dict[str, int]:
    """Delete a candidate and everything derived from their documents and comments.

    An embedding goes only when no other candidate's document has the same text (embeddings are
    keyed by text hash, so identical files share one). Raises ``LookupError`` when no such
    candidate exists. The caller's transaction commits it all or nothing."""
    candidate = session.scalars(select(Candidate).filter_by(external_id=external_id)).one_or_none()
    if candidate is None:
        raise LookupError(f"no candidate with external id {external_id!r}")
    cid = candidate.id
    documents = select(Document.id).where(Document.candidate_id == cid)
    applications = select(Application.id).where(Application.candidate_id == cid)
    comments = select(Comment.id).where(Comment.candidate_id == cid)
    subjects_of = {EXTRACT: documents, PARSE: documents, SCORE: applications, SENTIMENT: comments}
    text_hashes = select(Document.text_hash).where(Document.candidate_id == cid, Document.text_hash.is_not(None))
    others_hashes = select(Document.text_hash).where(
        or_(Document.candidate_id.is_(None), Document.candidate_id != cid), Document.text_hash.is_not(None)
    )
    failed = or_(*((Failure.task_name == task) & Failure.subject_id.in_(ids) for task, ids in subjects_of.items()))
    items = or_(*((BatchItem.task_name == task) & BatchItem.subject_id.in_(ids) for task, ids in subjects_of.items()))
    own_embeddings = Embedding.content_hash.in_(text_hashes) & Embedding.content_hash.not_in(others_hashes)
    steps = [
        ("failures", delete(Failure).where(or_(Failure.candidate_id == cid, failed))),
        ("batch_items", delete(BatchItem).where(items)),
        ("embeddings", delete(Embedding).where(own_embeddings)),
        ("score_results", delete(ScoreResult).where(ScoreResult.application_id.in_(applications))),
        ("sentiment_results", delete(SentimentResult).where(SentimentResult.comment_id.in_(comments))),
        ("resume_results", delete(ResumeResult).where(ResumeResult.document_id.in_(documents))),
        ("applications", delete(Application).where(Application.candidate_id == cid)),
        ("comments", delete(Comment).where(Comment.candidate_id == cid)),
        ("documents", delete(Document).where(Document.candidate_id == cid)),
        ("candidates", delete(Candidate).where(Candidate.id == cid)),
    ]
    return {table: session.execute(stmt.execution_options(synchronize_session=False)).rowcount for table, stmt in steps}
