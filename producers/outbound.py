"""Outbound webhooks: signed POSTs of job-ended events to subscribed URLs, from the durable queue.

Events are queued by a database trigger in the transaction that wrote the result (``db.subscriptions``), so
none is held in memory: a dispatcher that dies, or a receiver that is down, delays a delivery but never loses
it. Each delivery is retried with exponential backoff (``TALENTQ_OUTBOUND_RETRY_BASE_S`` doubling up to
``TALENTQ_OUTBOUND_RETRY_MAX_S``) until a 2xx or ``TALENTQ_OUTBOUND_MAX_ATTEMPTS``; every attempt is logged in
``outbound_webhook_attempts``. Delivery is at least once: receivers deduplicate by ``webhook-id``.

Signing follows Standard Webhooks (standardwebhooks.com): ``webhook-signature: v1,<base64 HMAC-SHA256 of
"{webhook-id}.{webhook-timestamp}.{body}">`` keyed by the base64 part of the subscription's ``whsec_`` secret.
Bodies carry ids and links only, never personal data.

Run with ``talentq webhooks deliver``; PostgreSQL only (the trigger and ``LISTEN`` need it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import select
import threading
import time
from datetime import timedelta
from typing import Any

import httpx

from config.settings import Settings
from db import subscriptions
from db.models import OutboundWebhook, utcnow
from db.session import get_engine, session_scope

log = logging.getLogger(__name__)
CHANNEL = "talentq_results"  # migration 0008's NOTIFY channel; it also wakes the dispatcher
SECRET_PREFIX = "whsec_"
IDLE_POLL_S = 5.0
CLAIM_BATCH = 20  # deliveries per transaction: fewer commits, while a slow receiver holds few rows locked
# Event type -> (read API collection, the payload's subject id) for the body's link.
LINKS = {
    "resume.parsed": ("resume-results", "document_id"),
    "sentiment.analyzed": ("sentiment", "comment_id"),
    "candidate.scored": ("scores", "application_id"),
}


def check_url(url: str) -> str:
    """An absolute http(s) URL with a host, or ValueError: anything else could never be delivered."""
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return url


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def body_of(payload: dict[str, Any], public_api_url: str) -> bytes:
    """The event as sent: the same bytes on every attempt (only the timestamp and signature change)."""
    data = {k: v for k, v in payload.items() if k not in ("type", "occurred_at")}
    if payload["type"] in LINKS:
        collection, key = LINKS[payload["type"]]
        data["links"] = {"self": f"{public_api_url.rstrip('/')}/v1/{collection}/{payload[key]}"}
    event = {"type": payload["type"], "timestamp": payload["occurred_at"], "data": data}
    return json.dumps(event, separators=(",", ":"), sort_keys=True).encode()


def retry_delay(attempts: int, settings: Settings) -> timedelta | None:
    """Delay before the next attempt after ``attempts`` failed ones; None when none are left."""
    if attempts >= settings.outbound_max_attempts:
        return None
    return timedelta(seconds=min(settings.outbound_retry_max_s, settings.outbound_retry_base_s * 2 ** (attempts - 1)))


def _post(
    client: httpx.Client, delivery: OutboundWebhook, url: str, secret: str, settings: Settings
) -> tuple[int | None, str | None]:
    """One POST: (HTTP status or None, error or None)."""
    body = body_of(delivery.payload, settings.public_api_url)
    message_id, timestamp = f"msg_{delivery.id}", int(time.time())
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {str(exc)[:200]}"
    return response.status_code, None if response.is_success else f"HTTP {response.status_code}"


def deliver_due(settings: Settings, client: httpx.Client, limit: int = CLAIM_BATCH) -> int:
    """Attempt up to ``limit`` due deliveries and log each, in one transaction (one commit per batch, not per
    POST); returns how many were attempted."""
    with session_scope(settings.database_url) as session:
        claimed = subscriptions.claim_due(session, limit)
        for delivery, subscription in claimed:
            started = time.perf_counter()
            status, error = _post(client, delivery, subscription.url, subscription.secret, settings)
            duration_ms = (time.perf_counter() - started) * 1000
            retry_in = retry_delay(delivery.attempts + 1, settings)
            subscriptions.record_attempt(session, delivery, status, error, duration_ms, retry_in)
            log.info(
                "webhook attempt",
                extra={"delivery_id": delivery.id, "subscription_id": subscription.id, "status": status},
            )
        return len(claimed)


def _seconds_until_due(settings: Settings) -> float:
    with session_scope(settings.database_url) as session:
        due = subscriptions.next_due_at(session)
    if due is None:
        return IDLE_POLL_S
    return max(0.0, min(IDLE_POLL_S, (due - utcnow()).total_seconds()))


def run(settings: Settings, stop: threading.Event) -> None:
    """Deliver until ``stop`` is set: everything due, then sleep until the next delivery is due or a NOTIFY
    on the results channel says new events may be queued."""
    listener = get_engine(settings.database_url).raw_connection()
    connection = listener.driver_connection
    connection.autocommit = True
    connection.cursor().execute(f"LISTEN {CHANNEL}")
    try:
        with httpx.Client(timeout=settings.outbound_timeout_s, follow_redirects=False) as client:
            while not stop.is_set():
                while not stop.is_set() and deliver_due(settings, client):
                    pass
                if select.select([connection], [], [], _seconds_until_due(settings))[0]:
                    connection.poll()
                    connection.notifies.clear()
    finally:
        listener.invalidate()  # closed, never handed back to the pool in autocommit mode
