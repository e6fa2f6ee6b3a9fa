"""The relational schema other systems read. Every result row names the model that made it
and is unique per (subject, model version), so re-running a job updates one row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# JSONB and text[] on PostgreSQL (queryable by consumers), plain JSON on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")
TextList = JSON().with_variant(ARRAY(Text()), "postgresql")
Id = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSONType, datetime: DateTime(timezone=True)}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Candidate(Timestamped, Base):
    __tablename__ = "candidates"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    name: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320))


class JobPosting(Timestamped, Base):
    __tablename__ = "job_postings"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Requirements extracted from the text by the scoring model, cached per model version.
    requirements: Mapped[dict[str, Any] | None]
    requirements_version: Mapped[str | None] = mapped_column(String(200))


class Document(Timestamped, Base):
    """An uploaded file. Bytes are stored once per candidate and content hash (never shared between
    candidates, so erasing one leaves another's copy and results alone); messages carry only the id."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("candidate_id", "content_hash"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    text: Mapped[str | None] = mapped_column(Text, deferred=True)  # extracted by parse_resume
    text_hash: Mapped[str | None] = mapped_column(String(64))  # key of the text's embedding
    text_source: Mapped[str | None] = mapped_column(String(16))  # reader of the text: pdf, docx, doc, rtf, ocr…
    ocr_confidence: Mapped[float | None] = mapped_column(Float)  # OCR's mean score (0-1) where text_source is ocr


class Application(Timestamped, Base):
    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("candidate_id", "job_posting_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    job_posting_id: Mapped[int] = mapped_column(ForeignKey("job_postings.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))


class Comment(Timestamped, Base):
    """A piece of employee or candidate text for sentiment: survey answer, review, interview note."""

    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(50))
    text: Mapped[str] = mapped_column(Text)


class ModelStamp:
    model_name: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str] = mapped_column(String(200))


class ResumeResult(ModelStamp, Timestamped, Base):
    __tablename__ = "resume_results"
    __table_args__ = (
        UniqueConstraint("document_id", "model_version"),
        Index("ix_resume_results_updated_at_document_id", "updated_at", "document_id"),  # the read API's page order
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    location: Mapped[str | None] = mapped_column(String(300))
    current_title: Mapped[str | None] = mapped_column(String(300))  # the headline title under the name
    years_experience: Mapped[float | None] = mapped_column(Float)
    skills: Mapped[list[str]] = mapped_column(TextList)  # as the résumé words them
    canonical_skills: Mapped[list[str] | None] = mapped_column(TextList)  # their taxonomy entries
    language: Mapped[str | None] = mapped_column(String(16))
    parsed: Mapped[dict[str, Any]]


class SentimentResult(ModelStamp, Timestamped, Base):
    __tablename__ = "sentiment_results"
    __table_args__ = (
        UniqueConstraint("comment_id", "model_version"),
        Index("ix_sentiment_results_updated_at_comment_id", "updated_at", "comment_id"),  # the read API's page order
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    detail: Mapped[dict[str, Any]]


class ScoreResult(ModelStamp, Timestamped, Base):
    __tablename__ = "score_results"
    __table_args__ = (
        UniqueConstraint("application_id", "model_version"),
        Index("ix_score_results_updated_at_application_id", "updated_at", "application_id"),  # the API page order
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    components: Mapped[dict[str, Any]]
    explanation: Mapped[dict[str, Any]]


class Embedding(Timestamped, Base):
    """One vector per (text hash, encoder version): computed once, reused by every job."""

    __tablename__ = "embeddings"
    __table_args__ = (UniqueConstraint("content_hash", "model_version"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(200))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian


class Failure(Timestamped, Base):
    """The dead-letter trail: a job that could not produce a result, with a stable error code."""

    __tablename__ = "failures"
    __table_args__ = (UniqueConstraint("task_name", "subject_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    task_name: Mapped[str] = mapped_column(String(100))
    subject_id: Mapped[int | None] = mapped_column(BigInteger, index=True)  # None: unreadable payload
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    batch_run_id: Mapped[int | None] = mapped_column(ForeignKey("batch_runs.id", ondelete="SET NULL"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(64))
    error_code: Mapped[str] = mapped_column(String(50), index=True)
    message: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)


class BatchRun(Timestamped, Base):
    __tablename__ = "batch_runs"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="running")
    submitted: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None]


class BatchItem(Base):
    """One job of a batch run; its state makes a run resumable and its counts exact."""

    __tablename__ = "batch_items"
    __table_args__ = (UniqueConstraint("batch_run_id", "task_name", "subject_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    batch_run_id: Mapped[int] = mapped_column(ForeignKey("batch_runs.id", ondelete="CASCADE"), index=True)
    task_name: Mapped[str] = mapped_column(String(100))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending -> done | failed
    document_id: Mapped[int | None] = mapped_column(BigInteger)  # score items: the résumé to parse first
    enqueued_at: Mapped[datetime | None]  # None: stored but never sent (the producer stopped first)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WebhookDelivery(Base):
    """Each accepted webhook delivery, keyed by provider and event id: a retried delivery is
    recognised and enqueues nothing twice."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    provider: Mapped[str] = mapped_column(String(50))
    event_id: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(100))
    job_ids: Mapped[dict[str, Any]]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttachmentFetch(Timestamped, Base):
    """A résumé an HRIS event names by link (Greenhouse's attachment URL, Lever's and BambooHR's file APIs):
    fetched by a worker, never in the webhook request. ``state``: pending → stored (document saved, its jobs
    about to be enqueued) → done, or failed with the code in ``failures``. The URL may carry a signed token:
    it is kept here for the fetch and never logged."""

    __tablename__ = "attachment_fetches"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    provider: Mapped[str] = mapped_column(String(50))
    url: Mapped[str] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(255))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    job_posting_id: Mapped[int | None] = mapped_column(ForeignKey("job_postings.id", ondelete="CASCADE"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20), default="pending")


class WebhookSubscription(Timestamped, Base):
    """A consumer's URL for outbound webhooks. ``secret`` (``whsec_`` + base64) signs its deliveries, so the
    read-only role may not read this table; ``event_types`` None means every event."""

    __tablename__ = "webhook_subscriptions"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    event_types: Mapped[list[str] | None] = mapped_column(TextList)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class OutboundWebhook(Base):
    """One event for one subscription, written by a trigger in the transaction that wrote the result (so no
    event is lost or sent from memory); the dispatcher moves it pending -> delivered | failed | cancelled."""

    __tablename__ = "outbound_webhooks"
    __table_args__ = (
        Index(
            "ix_outbound_webhooks_due",
            "next_attempt_at",
            "id",
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True)
    event_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]]  # ids only (the NOTIFY payload)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboundWebhookAttempt(Base):
    """The delivery log: every POST made, with its HTTP status or the connection error."""

    __tablename__ = "outbound_webhook_attempts"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("outbound_webhooks.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[float] = mapped_column(Float)


class OutboxMessage(Base):
    """A queue message written in the same transaction as the rows it is about (the transactional outbox): a
    producer commits both or neither, and a relay publishes it later if the broker is down now. ``sent_at``
    stays NULL until the broker accepted it, so an outage delays jobs and never loses them."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    task_name: Mapped[str] = mapped_column(String(100))  # the first task of the message, for operators
    message: Mapped[dict[str, Any]]  # a Celery signature (ids only, like every payload)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
