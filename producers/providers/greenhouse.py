"""Greenhouse: ``Signature: sha256 <hmac of body>``; résumés arrive as attachment links (fetched by a worker)."""

from __future__ import annotations

from collections.abc import Mapping

from config.settings import Settings
from db import repository
from producers.providers.base import Delivery, Provider
from producers.signing import verify_greenhouse
from producers.webhook_events import EVENT_ID, GREENHOUSE_ACTIONS, GreenhouseEvent


class Greenhouse(Provider):
    name = "greenhouse"

    def secret(self, settings: Settings) -> str | None:
        return settings.greenhouse_secret

    def verify(self, secret: str, headers: Mapping[str, str], body: bytes, settings: Settings) -> None:
        verify_greenhouse(secret, headers, body)

    def read(self, data: object, body: bytes) -> Delivery:
        """Event id: the action, the subject id and the hash of the signed body, never an unsigned
        header (a captured body resent under a new header id would be enqueued again); a retried
        delivery repeats the same body, so it is recognised."""
        event = GreenhouseEvent.model_validate(data)
        model = GREENHOUSE_ACTIONS.get(event.action)
        payload = model.model_validate(event.payload) if model else None
        action = payload.action() if payload else None
        subject = payload.subject_id if payload else ""
        event_id = f"{event.action}:{subject}:{repository.sha256(body)[:32]}"
        EVENT_ID.validate_python(event_id)
        return Delivery(event_id, event.action, () if action is None else (action,))
