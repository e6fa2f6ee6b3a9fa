"""Malformed broker messages are moved aside, never allowed to stop a worker.

Celery ends a worker on a message whose body is not ``[args, kwargs, embed]`` ("Unrecoverable error:
ValueError"), and kombu's Redis transport does the same on an envelope that is not JSON. The message is
restored at shutdown, so every restart dies on it again: a crash loop. Two hooks close that:

- ``Transport`` (the worker's broker transport): its client checks every envelope BRPOP returns before
  kombu sees it; one that kombu could not read is quarantined and the read counts as empty;
- ``Consumer`` (``worker_consumer``): an envelope that kombu read but Celery cannot turn into a task
  (wrong body shape, pickle, unknown task, missing headers) is quarantined and acknowledged.

Quarantined messages go to the Redis list ``talentq:quarantine`` (newest first, at most ``KEEP`` kept), raw,
with their queue, size and error class, and each gets a ``failures`` row ``malformed_message``. Logs carry
the queue, the size and the error class, never the content. A message is acknowledged only after its
quarantine entry is written; if Redis cannot take it, the error propagates and the message stays queued.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from typing import Any

import redis
from celery.worker.consumer import Consumer as CeleryConsumer
from kombu.transport import redis as kombu_redis

from config.settings import get_settings
from tasks import metrics
from tasks.contract import QUARANTINE_KEY
from tasks.reliability import broker_client

log = logging.getLogger(__name__)

KEY = QUARANTINE_KEY
KEEP = 10_000
ERROR_CODE = "malformed_message"


def quarantine(raw: bytes, queue: str, error: str, task: str | None = None) -> None:
    """Keep ``raw`` in the quarantine list, record a failure row, log one line without the content."""
    entry = {"queue": queue, "size": len(raw), "error": error, "task": task, "at": time.time()}
    entry["raw"] = base64.b64encode(raw).decode()
    # a client of its own: the transport's may be in the middle of a BRPOP
    with broker_client(get_settings().broker_url or "").pipeline() as pipe:
        pipe.lpush(KEY, json.dumps(entry)).ltrim(KEY, 0, KEEP - 1).execute()
    log.error("malformed message quarantined", extra={"queue": queue, "size": len(raw), "error": error, "key": KEY})
    metrics.record_outcomes(task or "unknown", [{"status": "failed", "error_code": ERROR_CODE}])
    _record_failure(task, f"{error}: {len(raw)} bytes on queue {queue!r}, kept in Redis list {KEY}")


def _record_failure(task: str | None, message: str) -> None:
    """The failures row, best effort: the message itself is safe in the quarantine list already."""
    from db import repository
    from db.session import session_scope

    try:
        with session_scope(get_settings().database_url) as session:
            repository.record_failure(
                session, task_name=(task or "unknown")[:100], subject_id=None, error_code=ERROR_CODE, message=message
            )
    except Exception as exc:  # the database may be down: the entry in Redis is the record
        log.warning("quarantine failure row not written", extra={"error": type(exc).__name__})


def _readable(item: bytes) -> str | None:
    """Why kombu could not read this envelope, or None: JSON object, ``properties`` with a delivery tag,
    and a body its ``body_encoding`` decodes."""
    try:
        envelope = json.loads(item)
        properties = envelope["properties"]
        properties["delivery_tag"]  # kombu's Message needs it
        if envelope.get("body") and properties.get("body_encoding") == "base64":
            base64.b64decode(envelope["body"], validate=True)
    except (ValueError, TypeError, KeyError, binascii.Error) as exc:
        return type(exc).__name__
    return None


class CheckingClient(redis.Redis):
    """The transport's Redis client: an envelope BRPOP returns is checked before kombu parses it."""

    def parse_response(self, connection: Any, command_name: str | bytes, **options: Any) -> Any:
        reply = super().parse_response(connection, command_name, **options)
        if command_name == "BRPOP" and reply:
            queue, item = reply
            error = _readable(item)
            if error:
                name = queue.decode(errors="replace") if isinstance(queue, bytes) else str(queue)
                quarantine(item, name, error)
                return None  # kombu reads this as "nothing arrived"
        return reply


class Channel(kombu_redis.Channel):
    def _get_client(self) -> Any:
        super()._get_client()  # keeps kombu's redis-py version check
        return CheckingClient


class Transport(kombu_redis.Transport):
    """kombu's Redis transport with the envelope check; the worker's ``broker_transport``."""

    Channel = Channel


class Consumer(CeleryConsumer):
    """Celery's consumer, with every message it cannot run quarantined and acknowledged instead of logged
    with its body (Celery's ``dump_body``) or raised out of the event loop."""

    def create_task_handler(self, *args: Any, **kwargs: Any) -> Any:
        handle = super().create_task_handler(*args, **kwargs)
        fatal = tuple(self.connection_errors) + tuple(self.channel_errors)

        def on_task_received(message: Any) -> None:
            try:
                handle(message)
            except fatal:
                raise
            except Exception as exc:  # whatever a message provokes: the alternative is a crash loop
                self._quarantine(message, exc)

        return on_task_received

    def on_decode_error(self, message: Any, exc: BaseException) -> None:
        self._quarantine(message, exc)

    def on_invalid_task(self, body: Any, message: Any, exc: BaseException) -> None:
        self._quarantine(message, exc)

    def on_unknown_message(self, body: Any, message: Any) -> None:
        self._quarantine(message, None)

    def on_unknown_task(self, body: Any, message: Any, exc: BaseException) -> None:
        self._quarantine(message, exc)

    def _quarantine(self, message: Any, exc: BaseException | None) -> None:
        raw = getattr(message, "_raw", None)
        data = json.dumps(raw).encode() if isinstance(raw, dict) else bytes(message.body or b"")
        headers = message.headers if isinstance(message.headers, dict) else {}
        task = headers.get("task") if isinstance(headers.get("task"), str) else None
        queue = (message.delivery_info or {}).get("routing_key") or "?"
        error = type(exc).__name__ if exc is not None else "UnknownMessage"
        quarantine(data, str(queue), error, task)
        message.ack()
