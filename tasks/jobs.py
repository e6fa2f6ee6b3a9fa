"""The Celery tasks. Each is a thin shell: the contract names it, ``tasks.handlers`` does the
work, ``tasks.reliability`` handles faults."""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from celery import Task
from celery_batches import Batches, SimpleRequest
from celery_batches.trace import apply_batches_task

from config.settings import get_settings
from tasks import chains, handlers, metrics
from tasks.app import app
from tasks.contract import ANALYZE_SENTIMENT, ANALYZE_SENTIMENTS, EXTRACT_TEXT, PARSE_RESUME, SCORE_CANDIDATE
from tasks.reliability import Handler, run_batch, run_guarded
from workers.engine.batching import on_batch

log = logging.getLogger(__name__)
_settings = get_settings()
# Forward-pass batches measured where the engine forms them; connected here, with the task code, so that
# producers importing the Celery app do not load the engine (and torch).
on_batch(metrics.record_forward_batch)


class ReconnectingBatches(Batches):
    """celery-batches whose flush timer survives a broker reconnect. The consumer builds its task
    strategies again after a reconnect; celery-batches kept the handle of its old flush timer, which no
    longer fires, and so never started a new one: batches then only ran when TALENTQ_BATCH_SIZE messages
    had piled up, and a smaller remainder sat unacknowledged until the visibility timeout."""

    def Strategy(self, task: Batches, app: Any, consumer: Any) -> Any:
        if self._tref is not None:
            self._tref.cancel()
        self._tref = None
        return super().Strategy(task, app, consumer)

    def flush(self, requests: Collection[Any]) -> Any:
        """celery-batches' flush (every talentq task acknowledges late, tasks/app.py), with three things it lacks:
        each message's chain is kept (tasks/chains.py); the batch runs under the task time limits; and a batch whose
        pool process dies (out of memory, the hard limit) is requeued at once, as ``task_reject_on_worker_lost``
        does for a plain task. celery-batches left those messages unacknowledged, holding the worker's prefetch:
        a worker that prefetched one took no other message until it restarted."""
        chains.keep(requests)
        batch = ([SimpleRequest.from_request(request) for request in requests],)

        def on_return(_result: Any) -> None:
            for request in requests:
                request.acknowledge()

        def on_lost(exc_info: Any) -> None:
            log.warning("batch lost with its pool process", extra={"task": self.name, "messages": len(requests)})
            for request in requests:
                request.reject(requeue=True)

        conf = self.app.conf
        return self._pool.apply_async(
            apply_batches_task,
            (self, batch, 0, None),
            callback=on_return,
            error_callback=on_lost,
            soft_timeout=conf.task_soft_time_limit,
            timeout=conf.task_time_limit,
        )


def _micro_batched(name: str, size: int) -> Any:
    """A task that runs up to ``size`` messages, or what arrived within TALENTQ_BATCH_WAIT_MS, in one call."""
    return app.task(
        bind=True, base=ReconnectingBatches, name=name, flush_every=size, flush_interval=_settings.batch_wait_ms / 1000
    )


def _single(task: Task, handler: Handler, payload: Any) -> dict[str, Any]:
    return run_guarded(task, handler, [payload])[0]


@app.task(bind=True, name=EXTRACT_TEXT)
def extract_text(self: Task, payload: dict[str, Any]) -> dict[str, Any]:
    """Extract a résumé's text (PDF, DOCX, HTML, text) and store it for the parse step: CPU work, split from
    the model work when TALENTQ_SEPARATE_EXTRACTION is on, so model workers never spend time reading files."""
    return _single(self, handlers.extract_texts, payload)


@_micro_batched(PARSE_RESUME, _settings.resume_batch_size)
def parse_resume(self: Task, requests: list[SimpleRequest]) -> list[dict[str, Any]]:
    """Extract a résumé's text and fields; stores a ``resume_results`` row and the text's embedding. Micro-batched
    (up to TALENTQ_RESUME_BATCH_SIZE messages, or what arrived within TALENTQ_BATCH_WAIT_MS), so the entity model
    and the encoder run one forward pass per model over many résumés: a GPU's batch. The next step of each
    message's chain (its score) is staged with the results (tasks/chains.py)."""
    outcomes = run_batch(self, handlers.parse_resumes, requests, then=chains.next_step)
    chains.send_staged(requests)
    return outcomes


@_micro_batched(ANALYZE_SENTIMENT, _settings.batch_size)
def analyze_sentiment(self: Task, requests: list[SimpleRequest]) -> list[dict[str, Any]]:
    """Label comments negative/neutral/positive/mixed, per sentence and overall, with their themes. Short texts are
    where per-message overhead dominates, so this task is micro-batched: up to TALENTQ_BATCH_SIZE messages,
    or whatever arrived within TALENTQ_BATCH_WAIT_MS, run as one forward pass and one transaction.
    Producers call it like any task: ``analyze_sentiment.delay({"comment_id": 1})``."""
    return run_batch(self, handlers.analyze_sentiments, requests)


@app.task(bind=True, name=ANALYZE_SENTIMENTS)
def analyze_sentiments(self: Task, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The same work for many comments sent in one message by a bulk producer: one handler call and one
    transaction, without the per-message cost of the micro-batched task (one message per comment)."""
    return run_guarded(self, handlers.analyze_sentiments, [payload])


@app.task(bind=True, name=SCORE_CANDIDATE)
def score_candidate(self: Task, payload: dict[str, Any]) -> dict[str, Any]:
    """Score an application 0–100 against its posting, with components and reasons."""
    return _single(self, handlers.score_candidates, payload)
