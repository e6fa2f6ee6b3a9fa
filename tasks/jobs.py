"""The Celery tasks. Each is a thin shell: the contract names it, ``tasks.handlers`` does the
work, ``tasks.reliability`` handles faults."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from celery import Task
from celery_batches import Batches, SimpleRequest

from config.settings import get_settings
from tasks import chains, handlers, metrics
from tasks.app import app
from tasks.contract import ANALYZE_SENTIMENT, ANALYZE_SENTIMENTS, EXTRACT_TEXT, PARSE_RESUME, SCORE_CANDIDATE
from tasks.reliability import Handler, run_batch, run_guarded
from workers.engine.batching import on_batch

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
        chains.keep(requests)  # before celery-batches copies the requests for the pool, which drops their chains
        return super().flush(requests)


def _single(task: Task, handler: Handler, payload: Any) -> dict[str, Any]:
    return run_guarded(task, handler, [payload])[0]


@app.task(bind=True, name=EXTRACT_TEXT)
def extract_text(self: Task, payload: dict[str, Any]) -> dict[str, Any]:
    """Extract a résumé's text (PDF, DOCX, HTML, text) and store it for the parse step: CPU work, split from
    the model work when TALENTQ_SEPARATE_EXTRACTION is on, so model workers never spend time reading files."""
    return _single(self, handlers.extract_texts, payload)


@app.task(
    bind=True,
    base=ReconnectingBatches,
    name=PARSE_RESUME,
    flush_every=_settings.resume_batch_size,
    flush_interval=_settings.batch_wait_ms / 1000,
)
def parse_resume(self: Task, requests: list[SimpleRequest]) -> list[dict[str, Any]]:
    """Extract a résumé's text and fields; stores a ``resume_results`` row and the text's embedding. Micro-batched
    (up to TALENTQ_RESUME_BATCH_SIZE messages, or what arrived within TALENTQ_BATCH_WAIT_MS), so the entity model
    and the encoder run one forward pass per model over many résumés: a GPU's batch. The next step of each
    message's chain (its score) is staged with the results (tasks/chains.py)."""
    outcomes = run_batch(self, handlers.parse_resumes, requests, then=chains.next_step)
    chains.send_staged(requests)
    return outcomes


@app.task(
    bind=True,
    base=ReconnectingBatches,
    name=ANALYZE_SENTIMENT,
    flush_every=_settings.batch_size,
    flush_interval=_settings.batch_wait_ms / 1000,
)
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
