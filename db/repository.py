"""Data-access functions: every write the producers and tasks make goes through here."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import (
    Application,
    Base,
    BatchItem,
    BatchRun,
    Candidate,
    Comment,
    Document,
    Embedding,
    Failure,
    JobPosting,
    WebhookDelivery,
    utcnow,
)


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def upsert(session: Session, model: type[Base], rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE: the one way results are written, so a job run twice
    (redelivery, retry, resubmission) leaves one row."""
    if not rows:
        return
    # One row per key, the last one winning: PostgreSQL refuses to update a row twice in one statement,
    # and a micro-batch may hold the same job twice (a redelivered message, a resubmitted comment).
    rows = list({tuple(row[k] for k in keys): row for row in rows}.values())
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model.__table__)
    updatable = {c: stmt.excluded[c] for c in rows[0] if c not in keys and c != "created_at"}
    if "updated_at" in model.__table__.c:  # ON CONFLICT bypasses the column's onupdate
        updatable["updated_at"] = utcnow()
    # Rows apart from the statement: it is compiled once and cached (``.values(rows)`` compiled one per
    # call), and the session's engine sends the rows in one round trip (``db.session``).
    session.connection().execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=updatable), rows)


def insert_ignore(session: Session, model: type[Base], row: dict[str, Any], keys: Sequence[str]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row is new."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = session.execute(insert(model).values(row).on_conflict_do_nothing(index_elements=list(keys)))
    return bool(result.rowcount)


def get_or_create(session: Session, model: type[Base], keys: dict[str, Any], **fields: Any) -> Any:
    """The row matching ``keys``, created with ``fields`` if missing (race-safe via ON CONFLICT)."""
    insert_ignore(session, model, {**keys, **fields}, list(keys))
    return session.scalars(select(model).filter_by(**keys)).one()


# --- ingestion (producers) ---


def add_posting(session: Session, external_id: str, title: str, text: str) -> JobPosting:
    digest = sha256(text)
    posting = get_or_create(
        session, JobPosting, {"external_id": external_id}, title=title, text=text, content_hash=digest
    )
    if posting.content_hash != digest:  # edited posting: its cached requirements are stale
        posting.title, posting.text, posting.content_hash = title, text, digest
        posting.requirements = posting.requirements_version = None
    return posting


def add_document(
    session: Session, candidate_id: int | None, filename: str, content: bytes, content_hash: str, size: int
) -> Document:
    """A résumé's bytes, stored once per candidate and content hash."""
    return get_or_create(
        session,
        Document,
        {"candidate_id": candidate_id, "content_hash": content_hash},
        filename=filename,
        size_bytes=size,
        content=content,
    )


def add_candidate(session: Session, external_id: str) -> Candidate:
    return get_or_create(session, Candidate, {"external_id": external_id})


def fill_candidate(session: Session, candidate_id: int | None, name: str | None, email: str | None) -> None:
    """A candidate's name and e-mail from their parsed résumé, where nothing (a producer, an HRIS) set them."""
    candidate = session.get(Candidate, candidate_id) if candidate_id is not None else None
    if candidate is not None:
        candidate.name = candidate.name or name
        candidate.email = candidate.email or email


def add_application(session: Session, candidate_id: int, posting_id: int, document_id: int) -> Application:
    application = get_or_create(
        session, Application, {"candidate_id": candidate_id, "job_posting_id": posting_id}, document_id=document_id
    )
    application.document_id = document_id  # a re-submitted résumé replaces the old one
    return application


def add_comment(
    session: Session, external_id: str, source: str, text: str, candidate_external_id: str | None = None
) -> Comment:
    """A comment, linked to its candidate when the producer names one (so erasure finds it)."""
    candidate_id = add_candidate(session, candidate_external_id).id if candidate_external_id else None
    comment = get_or_create(
        session, Comment, {"external_id": external_id}, source=source, text=text, candidate_id=candidate_id
    )
    comment.source, comment.text = source, text
    if candidate_id is not None:
        comment.candidate_id = candidate_id
    return comment


# --- embeddings ---


def load_embeddings(session: Session, hashes: Iterable[str], model_version: str) -> dict[str, np.ndarray]:
    rows = session.execute(
        select(Embedding.content_hash, Embedding.vector).where(
            Embedding.model_version == model_version, Embedding.content_hash.in_(list(set(hashes)))
        )
    )
    return {h: np.frombuffer(v, dtype="<f4") for h, v in rows}


def save_embeddings(session: Session, vectors: dict[str, np.ndarray], model_version: str) -> None:
    rows = [
        {
            "content_hash": h,
            "model_version": model_version,
            "dim": int(v.shape[0]),
            "vector": np.asarray(v, dtype="<f4").tobytes(),
        }
        for h, v in vectors.items()
    ]
    upsert(session, Embedding, rows, ["content_hash", "model_version"])


# --- failures and batch runs ---


def record_failure(
    session: Session,
    *,
    task_name: str,
    subject_id: int | None,
    error_code: str,
    message: str,
    task_id: str | None = None,
    candidate_id: int | None = None,
    batch_run_id: int | None = None,
) -> None:
    if subject_id is None:  # an unreadable payload: nothing to key on, keep every occurrence
        session.add(Failure(task_name=task_name, error_code=error_code, message=message[:2000], task_id=task_id))
        return
    existing = session.scalars(select(Failure).filter_by(task_name=task_name, subject_id=subject_id)).one_or_none()
    attempts = existing.attempts + 1 if existing else 1
    row = dict(
        task_name=task_name,
        subject_id=subject_id,
        error_code=error_code,
        message=message[:2000],
        task_id=task_id,
        candidate_id=candidate_id,
        batch_run_id=batch_run_id,
        attempts=attempts,
    )
    upsert(session, Failure, [row], ["task_name", "subject_id"])
    mark_batch_item(session, batch_run_id, task_name, subject_id, "failed")


def clear_failures(session: Session, task_name: str, subject_ids: Sequence[int]) -> None:
    """Drop the dead-letter rows of jobs that have now succeeded."""
    if subject_ids:
        session.execute(
            delete(Failure).where(Failure.task_name == task_name, Failure.subject_id.in_(subject_ids)),
            execution_options={"synchronize_session": False},
        )


def mark_batch_item(session: Session, batch_run_id: int | None, task_name: str, subject_id: int, state: str) -> None:
    """Move a pending item to done/failed and count it once, however often the job ran."""
    if batch_run_id is None:
        return
    moved = session.execute(
        update(BatchItem)
        .where(
            BatchItem.batch_run_id == batch_run_id,
            BatchItem.task_name == task_name,
            BatchItem.subject_id == subject_id,
            BatchItem.state == "pending",
        )
        .values(state=state)
    ).rowcount
    if moved:
        column = BatchRun.done if state == "done" else BatchRun.failed
        session.execute(update(BatchRun).where(BatchRun.id == batch_run_id).values({column: column + 1}))


def count_rows(session: Session, model: type[Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


# --- webhook deliveries (producers/webhooks.py) ---


def find_webhook_delivery(session: Session, provider: str, event_id: str) -> WebhookDelivery | None:
    return session.scalars(select(WebhookDelivery).filter_by(provider=provider, event_id=event_id)).one_or_none()


def claim_webhook_delivery(session: Session, provider: str, event_id: str, event_type: str) -> bool:
    """Record a delivery as pending; False when it was already recorded (a retry or a concurrent copy).
    The unique (provider, event_id) key makes this the one guard against enqueuing an event twice."""
    row = {"provider": provider, "event_id": event_id, "event_type": event_type, "job_ids": {"status": "pending"}}
    return insert_ignore(session, WebhookDelivery, row, ["provider", "event_id"])


def finish_webhook_delivery(session: Session, provider: str, event_id: str, job_ids: list[str]) -> None:
    session.execute(
        update(WebhookDelivery)
        .filter_by(provider=provider, event_id=event_id)
        .values(job_ids={"status": "enqueued", "jobs": job_ids})
    )


def release_webhook_delivery(session: Session, provider: str, event_id: str) -> None:
    """Forget a delivery whose jobs could not be enqueued, so the sender's retry is processed afresh."""
    session.query(WebhookDelivery).filter_by(provider=provider, event_id=event_id).delete()
