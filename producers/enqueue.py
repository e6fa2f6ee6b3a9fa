"""Putting jobs on the queue. Dependent jobs are chained with Celery's canvas (parse, then score).

Each job goes in a lane: ``interactive`` (HRIS events, single submissions: someone waits) or ``bulk`` (batch
and nightly runs), which workers take after interactive work (``tasks.contract.queue_of``, tasks/lanes.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from celery import chain
from celery.result import AsyncResult

from config.settings import get_settings
from tasks.contract import (
    AnalyzeSentimentPayload,
    AnalyzeSentimentsPayload,
    ExtractTextPayload,
    Lane,
    ParseResumePayload,
    ScoreCandidatePayload,
    queue_of,
)
from tasks.jobs import analyze_sentiment, analyze_sentiments, extract_text, parse_resume, score_candidate


def parse_then_score(
    document_id: int, application_id: int | None, batch_run_id: int | None = None, lane: Lane = "interactive"
) -> AsyncResult:
    """Parse a résumé, then (when it belongs to an application) score it; with TALENTQ_SEPARATE_EXTRACTION,
    extract its text first on the CPU queue. In a chain only the last step carries the batch run, so a run
    counts each item once, when it is complete."""
    separate = get_settings().separate_extraction
    steps = [extract_text.si(ExtractTextPayload(document_id=document_id).model_dump())] if separate else []
    last_parse = application_id is None
    parse = ParseResumePayload(
        document_id=document_id, extracted=separate, batch_run_id=batch_run_id if last_parse else None
    )
    steps.append(parse_resume.si(parse.model_dump()))
    if not last_parse:
        score = ScoreCandidatePayload(application_id=application_id, batch_run_id=batch_run_id)
        steps.append(score_candidate.si(score.model_dump()))
    steps = [step.set(queue=queue_of(step.task, lane)) for step in steps]  # every step of a chain keeps its lane
    if len(steps) == 1:
        return steps[0].apply_async()
    return chain(*steps).apply_async()


def score(application_id: int, batch_run_id: int | None = None, lane: Lane = "interactive") -> AsyncResult:
    payload = ScoreCandidatePayload(application_id=application_id, batch_run_id=batch_run_id)
    return score_candidate.apply_async(args=[payload.model_dump()], queue=queue_of(score_candidate.name, lane))


def sentiment(comment_id: int, batch_run_id: int | None = None) -> AsyncResult:
    payload = AnalyzeSentimentPayload(comment_id=comment_id, batch_run_id=batch_run_id)
    return analyze_sentiment.apply_async(args=[payload.model_dump()])


def sentiments(comment_ids: Sequence[int], batch_run_id: int | None = None, lane: Lane = "bulk") -> list[AsyncResult]:
    """Many comments (a CSV import): one message per ``TALENTQ_BATCH_SIZE`` of them, each run as one batch by a
    worker, in the bulk lane by default."""
    size = get_settings().batch_size
    chunks = [list(comment_ids[i : i + size]) for i in range(0, len(comment_ids), size)]
    payloads = [AnalyzeSentimentsPayload(comment_ids=ids, batch_run_id=batch_run_id) for ids in chunks]
    queue = queue_of(analyze_sentiments.name, lane)
    return [analyze_sentiments.apply_async(args=[payload.model_dump()], queue=queue) for payload in payloads]
