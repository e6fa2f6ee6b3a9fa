"""Nightly bulk runs: enqueue with backpressure, count in Postgres, resume after an interruption.

A run is named; submitting the same name again continues it. Work is skipped when a result for
the same content (hash) and model version already exists, so nothing is done twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from config.settings import Settings
from db import repository
from db.models import Application, BatchItem, BatchRun, Document, Failure, ResumeResult, ScoreResult
from db.session import session_scope
from producers import enqueue, ingest
from producers.errors import UserError
from tasks.contract import EXTRACT_TEXT, PARSE_RESUME, SCORE_CANDIDATE, queue_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One unit of a run: parse a lone document, or score an application (parsing its résumé first
    when it has no current parse). The last step of the chain is the one that counts."""

    task_name: str
    subject_id: int
    document_id: int | None = None
    current: bool = False  # a résumé of the folder already parsed by this model version: skipped, and counted


@dataclass(frozen=True)
class Submission:
    run: BatchRun
    skipped: int  # résumés of the folder with a current result, not part of the run


def queue_depth(queue: str) -> int:
    """Messages waiting in ``queue`` on the broker (0 in the embedded mode)."""
    from tasks.app import app

    if app.conf.task_always_eager:
        return 0
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_declare(
            queue=queue
        ).message_count  # idempotent; passive fails on Redis before first use


def wait_for_room(queue: str, max_depth: int, poll_s: float = 1.0, depth: Callable[[str], int] = queue_depth) -> None:
    """Backpressure: block while the broker already holds ``max_depth`` messages for ``queue``."""
    while depth(queue) >= max_depth:
        time.sleep(poll_s)


def pending_jobs(session: Session, settings: Settings, folder: Path | None) -> Iterator[Job]:
    """Documents in ``folder`` and applications in the database that lack a current result."""
    # The model versions come with the model code (and torch): loaded by `batch submit` only, never by `status`.
    from tasks.handlers import resume_model_version, score_model_version

    resume_version, score_version = resume_model_version(settings), score_model_version(settings)
    parsed = select(ResumeResult.document_id).where(ResumeResult.model_version == resume_version)
    if folder is not None:
        for path in ingest.resume_files(folder):
            document_id, _ = ingest.add_resume(session, path, None, settings.max_document_bytes)
            current = session.scalar(
                select(func.count()).where(
                    ResumeResult.document_id == document_id, ResumeResult.model_version == resume_version
                )
            )
            yield Job(PARSE_RESUME, document_id, current=bool(current))
    scored = select(ScoreResult.application_id).where(ScoreResult.model_version == score_version)
    rows = session.execute(
        select(Application.id, Application.document_id, Document.id.in_(parsed))
        .join(Document, Document.id == Application.document_id)
        .where(Application.id.not_in(scored))
        .order_by(Application.id)
    )
    for application_id, document_id, is_parsed in rows:
        yield Job(SCORE_CANDIDATE, application_id, None if is_parsed else document_id)


def submit(
    settings: Settings,
    name: str,
    folder: Path | None = None,
    chunk: int = 100,
    max_depth: int = 1000,
    depth: Callable[[str], int] = queue_depth,
) -> Submission:
    """Create or continue run ``name``: store new items, then send every never-sent item in chunks."""
    skipped = 0
    if folder is not None and not folder.is_dir():
        _fail(settings, name, folder)
    with session_scope(settings.database_url) as session:
        run = repository.get_or_create(session, BatchRun, {"name": name})
        run_id = run.id
        for job in _unique(pending_jobs(session, settings, folder)):
            if job.current:
                skipped += 1
                continue
            repository.insert_ignore(
                session,
                BatchItem,
                {
                    "batch_run_id": run_id,
                    "task_name": job.task_name,
                    "subject_id": job.subject_id,
                    "document_id": job.document_id,
                },
                ["batch_run_id", "task_name", "subject_id"],
            )
        _refresh_counts(session, run_id)
    # Where a run's messages wait, in the bulk lanes: résumé chains start on the first, applications whose résumé is
    # parsed go straight to the second (which the chains also feed). Workers take interactive work first
    # (tasks/lanes.py), so the depth bounds what a run holds in Redis, not how long an HRIS event waits.
    first_queue = queue_of(EXTRACT_TEXT if settings.separate_extraction else PARSE_RESUME, "bulk")
    run_queues = [first_queue, queue_of(SCORE_CANDIDATE, "bulk")]
    while unsent := _unsent(settings, run_id, chunk):
        for queue in run_queues:
            wait_for_room(queue, max_depth, depth=depth)
        for item in unsent:
            _send(item, run_id)
        with session_scope(settings.database_url) as session:
            session.execute(
                update(BatchItem).where(BatchItem.id.in_([i.id for i in unsent])).values(enqueued_at=datetime.now(UTC))
            )
    return Submission(status(settings, name), skipped)


def _fail(settings: Settings, name: str, folder: Path) -> NoReturn:
    """A run over a missing folder (a typo, a mount that is down) is a failed run with an error log line to
    alert on, never a finished run of 0 jobs."""
    with session_scope(settings.database_url) as session:
        run = repository.get_or_create(session, BatchRun, {"name": name})
        run.status, run.finished_at = "failed", datetime.now(UTC)
    log.error("batch run failed: folder missing", extra={"batch_run": name, "folder": str(folder)})
    raise ingest.MissingFolder(folder)


def _unique(jobs: Iterable[Job]) -> Iterator[Job]:
    seen: set[tuple[str, int]] = set()
    for job in jobs:
        if (job.task_name, job.subject_id) not in seen:
            seen.add((job.task_name, job.subject_id))
            yield job


def _unsent(settings: Settings, run_id: int, chunk: int) -> list[BatchItem]:
    with session_scope(settings.database_url) as session:
        return list(
            session.scalars(
                select(BatchItem)
                .where(BatchItem.batch_run_id == run_id, BatchItem.enqueued_at.is_(None), BatchItem.state == "pending")
                .order_by(BatchItem.id)
                .limit(chunk)
            )
        )


def _send(item: BatchItem, run_id: int) -> None:
    if item.task_name == PARSE_RESUME:
        enqueue.parse_then_score(item.subject_id, None, run_id, lane="bulk")
    elif item.document_id is not None:
        enqueue.parse_then_score(item.document_id, item.subject_id, run_id, lane="bulk")
    else:
        enqueue.score(item.subject_id, run_id, lane="bulk")


def _refresh_counts(session: Session, run_id: int) -> None:
    counts = dict(
        session.execute(
            select(BatchItem.state, func.count()).where(BatchItem.batch_run_id == run_id).group_by(BatchItem.state)
        ).all()
    )
    session.execute(
        update(BatchRun)
        .where(BatchRun.id == run_id)
        .values(
            submitted=sum(counts.values()),
            done=counts.get("done", 0),
            failed=counts.get("failed", 0),
            status="running",
            finished_at=None,
        )
    )


def status(settings: Settings, name: str) -> BatchRun:
    """The run's counts; marks it finished once every item is done or failed."""
    with session_scope(settings.database_url) as session:
        run = session.scalars(select(BatchRun).filter_by(name=name)).one_or_none()
        if run is None:
            raise UserError(f"no batch run named {name!r}; start one with `talentq batch submit --name {name}`")
        if run.status == "running" and run.done + run.failed >= run.submitted:
            run.status, run.finished_at = "finished", datetime.now(UTC)
        return run


def failures_by_code(settings: Settings, run_id: int) -> dict[str, int]:
    with session_scope(settings.database_url) as session:
        rows = session.execute(
            select(Failure.error_code, func.count())
            .where(and_(Failure.batch_run_id == run_id))
            .group_by(Failure.error_code)
        )
        return dict(rows.all())
