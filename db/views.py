"""The consumers' views (migration 0008), typed so JSON and array columns arrive as Python values on every
dialect, and the one paged read the API makes of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Float, Integer, MetaData, String, Table, select, tuple_
from sqlalchemy.orm import Session

from db.models import JSONType, TextList

metadata = MetaData()


def _times() -> list[Column]:
    return [Column("created_at", DateTime(timezone=True)), Column("updated_at", DateTime(timezone=True))]


def _stamped() -> list[Column]:
    """Model name and version, and the times: the columns every result view ends with."""
    return [Column("model_name", String), Column("model_version", String), *_times()]


candidates = Table(
    "candidates", metadata, Column("id", Integer), Column("external_id", String), Column("name", String),
    Column("email", String), *_times(),
)  # fmt: skip
current_resume_results = Table(
    "current_resume_results", metadata, Column("result_id", Integer), Column("document_id", Integer),
    Column("candidate_id", Integer), Column("candidate", String), Column("filename", String), Column("name", String),
    Column("email", String), Column("phone", String), Column("location", String), Column("current_title", String),
    Column("years_experience", Float), Column("skills", TextList), Column("canonical_skills", TextList),
    Column("language", String), Column("parsed", JSONType), *_stamped(),
)  # fmt: skip
current_sentiment = Table(
    "current_sentiment", metadata, Column("result_id", Integer), Column("comment_id", Integer),
    Column("comment", String), Column("candidate_id", Integer), Column("source", String), Column("label", String),
    Column("score", Float), Column("detail", JSONType), *_stamped(),
)  # fmt: skip
current_scores = Table(
    "current_scores", metadata, Column("result_id", Integer), Column("application_id", Integer),
    Column("application", String), Column("candidate_id", Integer), Column("candidate", String),
    Column("job_posting_id", Integer), Column("posting", String), Column("document_id", Integer),
    Column("score", Float), Column("components", JSONType), Column("explanation", JSONType),
    *_stamped(),
)  # fmt: skip
current_candidate_ranking = Table(
    "current_candidate_ranking", metadata, Column("posting", String), Column("job_posting_id", Integer),
    Column("application_id", Integer), Column("candidate_id", Integer), Column("candidate", String),
    Column("score", Float), Column("explanation", JSONType), Column("model_version", String),
    Column("updated_at", DateTime(timezone=True)), Column("rank", Integer),
)  # fmt: skip

Row = dict[str, Any]


def page(
    session: Session,
    view: Table,
    key: str,
    limit: int,
    updated_since: datetime | None = None,
    after: tuple[datetime, int] | None = None,
) -> list[Row]:
    """Rows by (updated_at, ``key``), the ones after the cursor ``after``: keyset pagination, stable while rows
    are written (a row updated meanwhile moves to the end and is read again, never skipped)."""
    order = (view.c.updated_at, view.c[key])
    stmt = select(view).order_by(*order).limit(limit)
    if updated_since is not None:
        stmt = stmt.where(view.c.updated_at >= updated_since)
    if after is not None:
        stmt = stmt.where(tuple_(*order) > tuple_(*after))
    return [dict(row._mapping) for row in session.execute(stmt)]


def one(session: Session, view: Table, key: str, value: int) -> Row | None:
    row = session.execute(select(view).where(view.c[key] == value)).first()
    return dict(row._mapping) if row else None


def ranking(session: Session, posting: str, limit: int, offset: int) -> list[Row]:
    view = current_candidate_ranking
    stmt = select(view).where(view.c.posting == posting).order_by(view.c.rank, view.c.application_id)
    return [dict(row._mapping) for row in session.execute(stmt.limit(limit).offset(offset))]
