"""Outbound webhooks' storage: subscriptions, the durable delivery queue and its log.

Deliveries are queued by the ``talentq_job_ended`` trigger (migration 0008) in the transaction that wrote the
result; the dispatcher (``producers.outbound``) claims due ones with ``FOR UPDATE SKIP LOCKED``, so any number
of dispatchers share the queue and a delivery is attempted by one at a time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import OutboundWebhook, OutboundWebhookAttempt, WebhookSubscription, utcnow


def add_subscription(session: Session, url: str, secret: str, event_types: list[str] | None) -> WebhookSubscription:
    subscription = WebhookSubscription(url=url, secret=secret, event_types=event_types or None, active=True)
    session.add(subscription)
    session.flush()
    return subscription


def active_subscriptions(session: Session) -> list[WebhookSubscription]:
    return list(session.scalars(select(WebhookSubscription).filter_by(active=True).order_by(WebhookSubscription.id)))


def remove_subscription(session: Session, subscription_id: int) -> bool:
    """Deactivate a subscription and cancel its pending deliveries; its delivery log stays. False if unknown."""
    found = session.execute(
        update(WebhookSubscription).filter_by(id=subscription_id, active=True).values(active=False, updated_at=utcnow())
    ).rowcount
    session.execute(
        update(OutboundWebhook).filter_by(subscription_id=subscription_id, state="pending").values(state="cancelled")
    )
    return bool(found)


def claim_due(session: Session, limit: int) -> list[tuple[OutboundWebhook, WebhookSubscription]]:
    """Up to ``limit`` of the oldest due pending deliveries with their subscriptions, locked until the caller's
    transaction ends (rows another dispatcher holds are skipped). The partial index on pending rows keeps this
    quick however long the delivered history grows."""
    stmt = (
        select(OutboundWebhook, WebhookSubscription)
        .join(WebhookSubscription, WebhookSubscription.id == OutboundWebhook.subscription_id)
        .where(OutboundWebhook.state == "pending", OutboundWebhook.next_attempt_at <= utcnow())
        .order_by(OutboundWebhook.next_attempt_at, OutboundWebhook.id)
        .limit(limit)
        .with_for_update(of=OutboundWebhook, skip_locked=True)
    )
    return list(session.execute(stmt).tuples())


def next_due_at(session: Session) -> datetime | None:
    return session.scalar(
        select(OutboundWebhook.next_attempt_at).filter_by(state="pending").order_by(OutboundWebhook.next_attempt_at)
    )


def record_attempt(
    session: Session,
    delivery: OutboundWebhook,
    status: int | None,
    error: str | None,
    duration_ms: float,
    retry_in: timedelta | None,
) -> None:
    """Log one attempt and move the delivery on: delivered on a 2xx, else retried after ``retry_in`` or, with
    none left (``retry_in`` None), failed."""
    session.add(
        OutboundWebhookAttempt(delivery_id=delivery.id, status_code=status, error=error, duration_ms=duration_ms)
    )
    delivery.attempts += 1
    delivery.last_status, delivery.last_error = status, error
    if status is not None and 200 <= status < 300:
        delivery.state, delivery.delivered_at = "delivered", utcnow()
    elif retry_in is None:
        delivery.state = "failed"
    else:
        delivery.next_attempt_at = utcnow() + retry_in
