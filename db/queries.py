"""Read-side queries for reports and consumers. The ranking comes from the ``candidate_ranking``
view and the per-theme sentiment from ``sentiment_themes``, so the CLI shows exactly what other systems read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, Float, Integer, MetaData, String, Table, case, func, select
from sqlalchemy.orm import Session

from db.models import BatchRun, Comment, Document, Failure, JSONType, ResumeResult, SentimentResult

LABELS = ("positive", "negative", "mixed", "neutral")

# The view from migration 0002, typed so JSON columns arrive as dicts on every dialect.
candidate_ranking = Table(
    "candidate_ranking",
    MetaData(),
    Column("posting", String),
    Column("posting_title", String),
    Column("application_id", Integer),
    Column("candidate_id", Integer),
    Column("candidate", String),
    Column("score", Float),
    Column("components", JSONType),
    Column("explanation", JSONType),
    Column("model_version", String),
    Column("scored_at", DateTime),
    Column("rank", Integer),
)

# The view from migration 0009: one row per comment, sentiment model version and theme.
sentiment_themes = Table(
    "sentiment_themes",
    MetaData(),
    Column("comment_id", Integer),
    Column("comment", String),
    Column("source", String),
    Column("model_version", String),
    Column("comment_label", String),
    Column("theme", String),
    Column("label", String),
    Column("score", Float),
    Column("positive_probability", Float),
    Column("sentences", Integer),
    Column("analysed_at", DateTime),
)


def theme_summary(session: Session, comments: list[str] | None = None) -> list[dict[str, Any]]:
    """Per theme, for the newest sentiment model: comments raising it, how many of each label, mean P(positive);
    only the comments with these external ids when ``comments`` is given (a submitted batch)."""
    view = sentiment_themes.c
    newest = select(view.model_version).order_by(view.analysed_at.desc()).limit(1).scalar_subquery()
    counts = [func.sum(case((view.label == label, 1), else_=0)).label(label) for label in LABELS]
    stmt = select(
        view.theme, func.count().label("comments"), *counts, func.avg(view.positive_probability).label("mean_p")
    ).where(view.model_version == newest)
    if comments is not None:
        stmt = stmt.where(view.comment.in_(comments))
    stmt = stmt.group_by(view.theme).order_by(func.count().desc(), view.theme)
    return [dict(row._mapping) for row in session.execute(stmt)]


def ranking(session: Session, posting: str, limit: int = 10) -> list[dict[str, Any]]:
    """The shortlist of a posting (by external id) for its newest scoring model."""
    view = candidate_ranking.c
    newest = (
        select(view.model_version).where(view.posting == posting).order_by(view.scored_at.desc()).limit(1)
    ).scalar_subquery()
    stmt = select(candidate_ranking).where(view.posting == posting, view.model_version == newest)
    return [dict(row._mapping) for row in session.execute(stmt.order_by(view.rank).limit(limit))]


def postings_with_scores(session: Session) -> list[str]:
    return list(session.scalars(select(candidate_ranking.c.posting).distinct().order_by(candidate_ranking.c.posting)))


def resumes(session: Session, limit: int) -> list[tuple[Document, ResumeResult]]:
    stmt = select(Document, ResumeResult).join(ResumeResult, ResumeResult.document_id == Document.id)
    return list(session.execute(stmt.order_by(Document.id).limit(limit)).tuples())


def sentiments(session: Session, limit: int) -> list[tuple[Comment, SentimentResult]]:
    stmt = select(Comment, SentimentResult).join(SentimentResult, SentimentResult.comment_id == Comment.id)
    return list(session.execute(stmt.order_by(SentimentResult.score.desc()).limit(limit)).tuples())


def sentiment_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(SentimentResult.label, func.count()).group_by(SentimentResult.label))
    return dict(rows.all())


def failures(session: Session, limit: int) -> list[Failure]:
    return list(session.scalars(select(Failure).order_by(Failure.id.desc()).limit(limit)))


def failure_counts(session: Session) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(Failure.task_name, Failure.error_code, func.count()).group_by(Failure.task_name, Failure.error_code)
    )
    return {(task, code): n for task, code, n in rows}


NIGHTLY_RUN_PREFIX = "nightly-"  # the nightly run is named after its date: nightly-2026-01-31


def latest_batch_runs(session: Session) -> dict[str, BatchRun]:
    """The newest batch run of each kind: ``nightly`` (started by beat) and ``manual`` (``talentq batch``)."""
    nightly = BatchRun.name.startswith(NIGHTLY_RUN_PREFIX, autoescape=True)
    runs = {}
    for kind, where in (("nightly", nightly), ("manual", ~nightly)):
        run = session.scalars(select(BatchRun).where(where).order_by(BatchRun.created_at.desc()).limit(1)).first()
        if run is not None:
            runs[kind] = run
    return runs
