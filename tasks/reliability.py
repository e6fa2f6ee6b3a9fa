"""How a job meets faults, in one place.

- an unreadable payload is recorded (``invalid_payload``) and never retried;
- a transient fault (database or broker unreachable) is retried with exponential backoff
  and jitter, up to ``task_max_retries``, then dead-lettered as ``transient_exhausted``;
- anything else that escapes a handler is retried at most ``INTERNAL_RETRIES`` times, then
  dead-lettered as ``internal_error``: a poison job ends, it never loops.
Handlers themselves turn bad input into per-item failures, so one bad document never
fails its neighbours.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import redis.exceptions
import sqlalchemy.exc
from celery import Task
from celery.canvas import Signature
from celery.exceptions import Reject, Retry
from pydantic import ValidationError

from config.settings import get_settings
from db import repository
from db.session import session_scope
from tasks import events, metrics
from tasks.contract import JOB_TASK, PAYLOADS, Payload, jobs_of, subject_of

log = logging.getLogger(__name__)

TRANSIENT: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DisconnectionError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
)
INTERNAL_RETRIES = 2
BACKOFF_CAP_S = 60
MAX_DELIVERIES = 3


class WorkerLost(Exception):
    """A job whose pool process died under it (killed: out of memory, most likely) on every delivery.
    ``task_reject_on_worker_lost`` puts such a message back on its queue, so it would kill workers forever."""


@functools.cache
def broker_client(url: str) -> redis.Redis:
    """A plain Redis client of the broker, one per process (redis-py starts a new pool after a fork)."""
    return redis.Redis.from_url(url)


def _deliveries(messages: Sequence[tuple[str, int]]) -> list[int]:
    """How often each message (task id and retry number) has started, counted in the broker's Redis for a few
    visibility timeouts. A normal run counts 1; a redelivery after a worker died counts again."""
    settings = get_settings()
    if settings.embedded:
        return [1] * len(messages)
    expire_s = settings.visibility_timeout_s * (MAX_DELIVERIES + 1)
    with broker_client(settings.broker_url or "").pipeline() as pipe:
        for task_id, retries in messages:
            key = f"talentq:deliveries:{task_id}:{retries}"
            pipe.incr(key).expire(key, expire_s)
        return [int(count) for count in pipe.execute()[::2]]


def backoff_seconds(retries: int) -> float:
    """Exponential backoff with "equal jitter": between half and all of min(60 s, 2^(n+1)). Jitter spreads
    the retries of many jobs hitting one outage; the floor guarantees the default five retries span at
    least 31 s, so a 30 s database outage does not exhaust them."""
    cap = min(BACKOFF_CAP_S, 2 ** (retries + 1))
    return random.uniform(cap / 2, cap)


Handler = Callable[[Sequence[Payload]], list[dict[str, Any]]]


def run_guarded(task: Task, handler: Handler, raw_payloads: Sequence[Any]) -> list[dict[str, Any]]:
    """One message's job(s): on a fault, Celery's own retry (the task shows RETRY in Flower)."""
    retries = task.request.retries
    jobs: list[Payload] = []
    try:
        jobs, outcomes = _validate(task, raw_payloads)
        if jobs and _deliveries([(task.request.id, task.request.retries)])[0] > MAX_DELIVERIES:
            raise WorkerLost(f"the worker process died while running this job {MAX_DELIVERIES} times")
        return outcomes + (_observed(task, handler, jobs) if jobs else [])
    except Retry:
        raise
    except Exception as exc:
        limit, code = _classify(exc)
        _log_fault(task, exc, retries)
        if retries >= limit and jobs and _dead_letter(task, jobs, code, exc, retries):
            raise
        # Retries left, or no dead letter written (database down, or the fault was in recording an invalid
        # payload): the job goes round again, with backoff, until it lands as a result or a failure row.
        raise _retry(task, exc, retries, limit if retries < limit else None) from exc


def run_batch(
    task: Task, handler: Handler, requests: Sequence[Any], then: Callable[[Any], Signature | None] | None = None
) -> list[dict[str, Any]]:
    """A micro-batch of messages (celery-batches ``SimpleRequest``s) in one handler call and one
    transaction. On a fault each message is re-published with its own retry count and backoff, and
    the originals are acknowledged: as with Celery's retry, the job lives on in the new message.
    ``then``: each request's next chain step, passed to the handler to stage with its results (tasks/chains.py)."""
    started = time.monotonic()
    valid = []
    outcomes: list[dict[str, Any]] = []
    for request in requests:
        jobs, invalid = _validate(task, request.args[:1] or [request.kwargs.get("payload")])
        outcomes += invalid
        valid += [(request, job) for job in jobs]
    states = {request.id: ("task-succeeded", None) for request in requests}
    for group, lost in _groups(valid):
        outcomes += _run_group(task, handler, group, states, then, lost)
    runtime = time.monotonic() - started
    events.report_batch(task, requests, states, runtime)
    log.info("batch ran", extra={"task": task.name, "messages": len(requests), "seconds": round(runtime, 3)})
    return outcomes


Pair = tuple[Any, Payload]


def _groups(valid: Sequence[Pair]) -> list[tuple[list[Pair], bool]]:
    """Which jobs run together: every first delivery in one handler call; a message delivered before (a pool process
    died under its batch) alone, so that a job that kills its process takes no neighbour with it; a message
    delivered more than ``MAX_DELIVERIES`` times not at all (``lost``: dead-lettered as ``worker_lost``)."""
    messages = {request.id: _retries(request) for request, _ in valid}
    counts = dict(zip(messages, _deliveries(list(messages.items())), strict=True))
    first = [pair for pair in valid if counts[pair[0].id] == 1]
    again = [[pair] for pair in valid if 1 < counts[pair[0].id] <= MAX_DELIVERIES]
    lost = [pair for pair in valid if counts[pair[0].id] > MAX_DELIVERIES]
    groups = [(group, False) for group in ([first] if first else []) + again]
    return groups + ([(lost, True)] if lost else [])


def _retries(request: Any) -> int:
    return int((request.request_dict or {}).get("retries") or 0)


def _run_group(
    task: Task,
    handler: Handler,
    group: Sequence[Pair],
    states: dict[str, tuple[str, BaseException | None]],
    then: Callable[[Any], Signature | None] | None,
    lost: bool,
) -> list[dict[str, Any]]:
    jobs = [job for _, job in group]
    call = functools.partial(handler, then=[then(request) for request, _ in group]) if then else handler
    try:
        if lost:
            raise WorkerLost(f"the worker process died while running this job {MAX_DELIVERIES} times")
        return _observed(task, call, jobs)
    except Exception as exc:
        limit, code = _classify(exc)
        for request, job in group:
            retries = _retries(request)
            _log_fault(task, exc, retries)
            if retries >= limit and _dead_letter(task, [job], code, exc, retries):
                states[request.id] = ("task-failed", exc)
            else:  # retries left, or no dead letter written: the job lives on in a new message, chain and all
                chain = (request.request_dict or {}).get("chain")
                task.apply_async(
                    args=[job.model_dump()], countdown=backoff_seconds(retries), retries=retries + 1, chain=chain
                )
                states[request.id] = ("task-retried", exc)
        return []


def _observed(task: Task, handler: Handler, jobs: Sequence[Payload]) -> list[dict[str, Any]]:
    metrics.BATCH_SIZE.labels(task.name).observe(len(jobs))
    with metrics.HANDLER_SECONDS.labels(task.name).time():
        outcomes = handler(jobs)
    metrics.record_outcomes(task.name, outcomes)
    return outcomes


def _classify(exc: BaseException) -> tuple[int, str]:
    """(retry limit, dead-letter code) of a fault."""
    if isinstance(exc, WorkerLost):
        return 0, "worker_lost"
    if isinstance(exc, TRANSIENT):
        return get_settings().task_max_retries, "transient_exhausted"
    return INTERNAL_RETRIES, "internal_error"


def _log_fault(task: Task, exc: BaseException, retries: int) -> None:
    metrics.RETRIES.labels(task.name, type(exc).__name__).inc()
    log.warning(
        "job fault",
        extra={"task": task.name, "task_id": task.request.id, "error": type(exc).__name__, "retries": retries},
    )


def _retry(task: Task, exc: BaseException, retries: int, max_retries: int | None) -> Retry:
    """Celery's retry, ``max_retries`` None meaning no cap, except that a retry Celery cannot publish is requeued:
    Celery turns a failed publish into ``Reject(requeue=False)``, which acknowledges the message and loses the
    job. Celery reads ``max_retries=None`` as the task's own cap (3), after which it re-raises and acknowledges:
    a job whose dead letter could not be written through a long outage was lost so, so "no cap" is passed as
    one more retry than were made."""
    cap = retries + 1 if max_retries is None else max_retries
    try:
        return task.retry(exc=exc, countdown=backoff_seconds(retries), max_retries=cap)
    except Reject as reject:
        raise Reject(reject.reason, requeue=True) from exc


def _dead_letter(task: Task, jobs: Sequence[Payload], code: str, exc: BaseException, retries: int) -> bool:
    """Write the jobs' failure rows; False when they cannot be written, so that the caller keeps the job
    instead of acknowledging it with nothing recorded. A batch run that does not exist (a foreign key the
    row cannot hold) is left out of the row rather than losing the row."""
    message = f"{type(exc).__name__} after {retries + 1} attempts: {str(exc)[:500]}"
    try:
        try:
            _write_failures(task, jobs, code, message, with_batch_run=True)
        except sqlalchemy.exc.IntegrityError:
            _write_failures(task, jobs, code, message, with_batch_run=False)
    except Exception as error:
        log.error("dead letter not written", extra={"task": task.name, "error": type(error).__name__})
        return False
    metrics.record_outcomes(task.name, [{"status": "failed", "error_code": code}] * len(jobs))
    return True


def _write_failures(task: Task, jobs: Sequence[Payload], code: str, message: str, with_batch_run: bool) -> None:
    with session_scope(get_settings().database_url) as session:
        for job in jobs:
            repository.record_failure(
                session,
                task_name=_job_task(task),
                subject_id=subject_of(job),
                error_code=code,
                message=message,
                task_id=task.request.id,
                batch_run_id=job.batch_run_id if with_batch_run else None,
            )


def _validate(task: Task, raw_payloads: Sequence[Any]) -> tuple[list[Payload], list[dict[str, Any]]]:
    schema = PAYLOADS[task.name]
    jobs: list[Payload] = []
    outcomes: list[dict[str, Any]] = []
    for raw in raw_payloads:
        try:
            jobs += jobs_of(schema.model_validate(raw))
        except ValidationError as exc:
            outcomes.append(_record_invalid(task, exc))
    return jobs, outcomes


def _record_invalid(task: Task, exc: ValidationError) -> dict[str, Any]:
    """Pydantic's message names fields and types, not values, so it is safe to store and log."""
    message = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'payload'}: {e['msg']}" for e in exc.errors())[:2000]
    log.warning("invalid payload", extra={"task": task.name, "task_id": task.request.id})
    metrics.record_outcomes(task.name, [{"status": "failed", "error_code": "invalid_payload"}])
    with session_scope(get_settings().database_url) as session:
        repository.record_failure(
            session,
            task_name=_job_task(task),
            subject_id=None,
            error_code="invalid_payload",
            message=message,
            task_id=task.request.id,
        )
    return {"status": "failed", "error_code": "invalid_payload"}


def _job_task(task: Task) -> str:
    """The task name failure rows carry: a bulk message's jobs are recorded as the single-job task's."""
    return JOB_TASK.get(task.name, task.name)
