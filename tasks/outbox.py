"""The transactional outbox: queue messages stored with the rows they are about, published by a relay.

A producer adds its jobs to the ``outbox`` table in the transaction that stores their documents or comments
(``add``), so both are committed or neither. ``relay`` publishes unsent messages in order and marks each sent;
it runs after every `talentq submit` and, every TALENTQ_OUTBOX_RELAY_S, on each worker's event loop, so a
broker that was down when a producer committed delays its jobs and never loses them. A message published
whose mark is then lost goes out twice: results are upserts, so a job run twice writes one row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from celery import Celery
from celery.canvas import Signature
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from db.models import OutboxMessage
from db.session import session_scope

log = logging.getLogger(__name__)
# A relay that meets a down broker gives up within seconds (the rows wait for the next round) instead of
# blocking its caller for Celery's minutes of reconnecting.
KEEP_SENT = timedelta(days=1)  # sent messages stay a day, for an operator's questions, then go: the table stays small
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1}


@dataclass(frozen=True)
class Relayed:
    sent: int
    pending: int
    error: str | None = None


def add(session: Session, jobs: Sequence[Signature]) -> None:
    """Stage ``jobs`` in ``session``'s transaction."""
    for job in jobs:
        first = getattr(job, "tasks", [job])[0]
        session.add(OutboxMessage(task_name=first["task"], message=dict(job), attempts=0))


def relay(app: Celery, database_url: str, limit: int = 1000) -> Relayed:
    """Publish up to ``limit`` unsent messages, oldest first; stop at the first broker error. Rows are locked
    (SKIP LOCKED on PostgreSQL) while they are published, so relays side by side never send one twice."""
    sent, error = 0, None
    with session_scope(database_url) as session:
        unsent = select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id)
        for row in session.scalars(unsent.limit(limit).with_for_update(skip_locked=True)):
            try:
                app.signature(row.message).apply_async(retry_policy=PUBLISH_RETRY)
            except (BrokerError, OSError) as exc:
                row.attempts += 1
                row.last_error = error = f"{type(exc).__name__}: {exc}"[:300]
                break
            row.sent_at, sent = datetime.now(UTC), sent + 1
    with session_scope(database_url) as session:
        session.execute(delete(OutboxMessage).where(OutboxMessage.sent_at < datetime.now(UTC) - KEEP_SENT))
        pending = session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None))) or 0
    return Relayed(sent, pending, error)


def relay_round(app: Celery, database_url: str) -> None:
    """One round of a worker's relay (its timer calls it every TALENTQ_OUTBOX_RELAY_S): never raises, logs."""
    try:
        relayed = relay(app, database_url)
    except Exception:  # a database outage: the next round tries again
        log.exception("outbox relay failed")
        return
    if relayed.error:
        log.warning("outbox relay: broker unreachable", extra={"sent": relayed.sent, "pending": relayed.pending})
    elif relayed.sent:
        log.info("outbox relay sent staged messages", extra={"sent": relayed.sent})
