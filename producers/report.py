"""Readable tables of what landed, for `talentq run`, `talentq results` and `talentq rank`."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from db import queries
from db.models import BatchRun


def ranking_table(session: Session, posting: str, limit: int = 10) -> Table:
    rows = queries.ranking(session, posting, limit)
    title = f"Shortlist: {rows[0]['posting_title']} ({posting})" if rows else f"Shortlist: {posting} (no scores)"
    table = Table("#", "candidate", "score", "matched skills", "missing required", "years", title=title)
    for row in rows:
        why = row["explanation"] or {}
        table.add_row(
            str(row["rank"]),
            row["candidate"],
            f"{row['score']:.1f}",
            ", ".join(why.get("matched_skills", [])[:6]),
            ", ".join(why.get("missing_required_skills", [])[:4]),
            _years(why.get("years_experience"), why.get("years_required")),
        )
    return table


def _years(have: float | None, need: float | None) -> str:
    have_s = "?" if have is None else f"{have:.1f}"
    return f"{have_s} / {need:g}" if need else have_s


def resumes_table(session: Session, limit: int = 50) -> Table:
    table = Table("document", "file", "years", "skills (first 5)", "language", title="Parsed résumés")
    for doc, result in queries.resumes(session, limit):
        years = "" if result.years_experience is None else f"{result.years_experience:.1f}"
        table.add_row(str(doc.id), doc.filename, years, ", ".join(result.skills[:5]), result.language or "")
    return table


def sentiment_table(session: Session, limit: int = 50) -> Table:
    counts = queries.sentiment_counts(session)
    summary = ", ".join(f"{label}: {n}" for label, n in sorted(counts.items()))
    table = Table("comment", "source", "label", "score", "sentences (label)", title=f"Sentiment — {summary}")
    for comment, result in queries.sentiments(session, limit):
        sentences = result.detail.get("sentences", [])
        labels = " ".join(s["label"][:3] for s in sentences)
        table.add_row(comment.external_id, comment.source, result.label, f"{result.score:.2f}", labels)
    return table


def themes_table(session: Session, comments: list[str] | None = None) -> Table:
    """Sentiment by theme (the ``sentiment_themes`` view), of every comment or of a submitted batch."""
    rows = queries.theme_summary(session, comments)
    scope = "all comments" if comments is None else f"{len(comments)} comments"
    table = Table("theme", "comments", *queries.LABELS, "mean P(positive)", title=f"Sentiment by theme — {scope}")
    for row in rows:
        table.add_row(
            row["theme"], str(row["comments"]), *(str(row[label]) for label in queries.LABELS), f"{row['mean_p']:.2f}"
        )
    return table


def failures_table(session: Session, limit: int = 50) -> Table:
    table = Table("task", "subject", "code", "message", "attempts", title="Failures (dead letter)")
    for failure in queries.failures(session, limit):
        table.add_row(
            failure.task_name, str(failure.subject_id), failure.error_code, failure.message[:80], str(failure.attempts)
        )
    return table


def print_summary(console: Console, session: Session) -> None:
    console.print(resumes_table(session))
    for posting in queries.postings_with_scores(session):
        console.print(ranking_table(session, posting, limit=5))
    console.print(sentiment_table(session, limit=10))
    console.print(themes_table(session))
    console.print(failures_table(session))


def batch_summary(run: BatchRun, failures: dict[str, int]) -> Table:
    end, start = (_utc(t) for t in (run.finished_at or run.updated_at, run.created_at))
    seconds = max((end - start).total_seconds(), 1e-9)
    table = Table("run", "status", "submitted", "done", "failed", "jobs/s", "failures by code", title="Batch run")
    table.add_row(
        run.name,
        run.status,
        str(run.submitted),
        str(run.done),
        str(run.failed),
        f"{(run.done + run.failed) / seconds:.1f}",
        ", ".join(f"{code}: {n}" for code, n in sorted(failures.items())) or "none",
    )
    return table


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every talentq timestamp is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
