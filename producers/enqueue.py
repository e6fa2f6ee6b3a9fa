"""Putting jobs on the queue. Dependent jobs are chained with Celery's canvas (parse, then score).

Jobs are Celery signatures by task name, so a producer never imports the task code (and with it torch and the
models): ``tasks.jobs`` is loaded only in the embedded mode, where the jobs run here. With a broker, a producer
stages its jobs in the outbox inside the transaction that stores their rows (``stage``) and publishes them
after the commit (``flush``); a broker outage leaves them in the outbox for the relay, never lost.

Each job goes in a lane: ``interactive`` (HRIS events, single submissions: someone waits) or ``bulk`` (batch
and nightly runs, CSV imports), which workers take after interactive work (``tasks.contract.queue_of``,
tasks/lanes.py). Every step of a chain keeps its lane.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from celery.canvas import Signature, chain
from celery.result import AsyncResult
from sqlalchemy.orm import Session

from config.settings import get_settings
from tasks import outbox
from tasks.app import app
from tasks.contract import (
    ANALYZE_SENTIMENT,
    ANALYZE_SENTIMENTS,
    EXTRACT_TEXT,
    PARSE_RESUME,
    SCORE_CANDIDATE,
    AnalyzeSentimentPayload,
    AnalyzeSentimentsPayload,
    ExtractTextPayload,
    Lane,
    ParseResumePayload,
    ScoreCandidatePayload,
    queue_of,
)


def _job(task_name: str, payload: dict[str, Any], lane: Lane) -> Signature:
    """A task by its name, immutable (``si``): in a chain, a step gets its own payload, not the last step's
    result; on its queue in ``lane``."""
    return app.signature(task_name, args=[payload], immutable=True, queue=queue_of(task_name, lane))


def parse_then_score_job(
    document_id: int, application_id: int | None, batch_run_id: int | None = None, lane: Lane = "interactive"
) -> Signature:
    """Parse a résumé, then (when it belongs to an application) score it; with TALENTQ_SEPARATE_EXTRACTION,
    extract its text first on the CPU queue. In a chain only the last step carries the batch run, so a run
    counts each item once, when it is complete."""
    separate = get_settings().separate_extraction
    extract = ExtractTextPayload(document_id=document_id)
    steps = [_job(EXTRACT_TEXT, extract.model_dump(), lane)] if separate else []
    last_parse = application_id is None
    parse = ParseResumePayload(
        document_id=document_id, extracted=separate, batch_run_id=batch_run_id if last_parse else None
    )
    steps.append(_job(PARSE_RESUME, parse.model_dump(), lane))
    if not last_parse:
        score = ScoreCandidatePayload(application_id=application_id, batch_run_id=batch_run_id)
        steps.append(_job(SCORE_CANDIDATE, score.model_dump(), lane))
    return steps[0] if len(steps) == 1 else chain(*steps)


def score_job(application_id: int, batch_run_id: int | None = None, lane: Lane = "interactive") -> Signature:
    payload = ScoreCandidatePayload(application_id=application_id, batch_run_id=batch_run_id)
    return _job(SCORE_CANDIDATE, payload.model_dump(), lane)


def sentiment_job(comment_id: int, batch_run_id: int | None = None) -> Signature:
    """One comment (an HRIS event): the micro-batched task, interactive."""
    payload = AnalyzeSentimentPayload(comment_id=comment_id, batch_run_id=batch_run_id)
    return _job(ANALYZE_SENTIMENT, payload.model_dump(), "interactive")


def sentiments_jobs(
    comment_ids: Sequence[int], batch_run_id: int | None = None, lane: Lane = "bulk"
) -> list[Signature]:
    """Many comments (a CSV import): one message per ``TALENTQ_BATCH_SIZE`` of them, each run as one batch by a
    worker, in the bulk lane by default."""
    size = get_settings().batch_size
    chunks = [list(comment_ids[i : i + size]) for i in range(0, len(comment_ids), size)]
    payloads = [AnalyzeSentimentsPayload(comment_ids=ids, batch_run_id=batch_run_id) for ids in chunks]
    return [_job(ANALYZE_SENTIMENTS, payload.model_dump(), lane) for payload in payloads]


def send(job: Signature) -> AsyncResult:
    """Publish ``job`` now (or, in the embedded mode, run it here)."""
    if app.conf.task_always_eager:
        import tasks.jobs  # noqa: F401  (registers the tasks, so the signature runs them rather than sends them)
    return job.apply_async()


def stage(session: Session, jobs: Sequence[Signature]) -> None:
    """Write ``jobs`` to the outbox in ``session``'s transaction, with the rows they are about. In the embedded
    mode there is no broker to miss: ``flush`` runs them."""
    if not app.conf.task_always_eager:
        outbox.add(session, jobs)


def flush(database_url: str, jobs: Sequence[Signature]) -> int:
    """After the commit: run the jobs (embedded) or publish the outbox; the number of messages still waiting
    there (0 unless the broker is down)."""
    if app.conf.task_always_eager:
        for job in jobs:
            send(job)
        return 0
    return outbox.relay(app, database_url).pending


def parse_then_score(
    document_id: int, application_id: int | None, batch_run_id: int | None = None, lane: Lane = "interactive"
) -> AsyncResult:
    return send(parse_then_score_job(document_id, application_id, batch_run_id, lane))


def score(application_id: int, batch_run_id: int | None = None, lane: Lane = "interactive") -> AsyncResult:
    return send(score_job(application_id, batch_run_id, lane))


def sentiment(comment_id: int, batch_run_id: int | None = None) -> AsyncResult:
    return send(sentiment_job(comment_id, batch_run_id))


def sentiments(comment_ids: Sequence[int], batch_run_id: int | None = None, lane: Lane = "bulk") -> list[AsyncResult]:
    return [send(job) for job in sentiments_jobs(comment_ids, batch_run_id, lane)]
