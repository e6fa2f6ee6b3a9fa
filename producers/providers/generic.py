"""talentq's own format: ``X-Timestamp`` and ``X-Signature: sha256=<hmac of "timestamp.body">``."""

from __future__ import annotations

from collections.abc import Mapping

from config.settings import Settings
from producers.providers.base import Delivery, Provider
from producers.signing import verify_generic
from producers.webhook_events import GENERIC_EVENT


class Generic(Provider):
    name = "generic"

    def secret(self, settings: Settings) -> str | None:
        return settings.webhook_secret

    def verify(self, secret: str, headers: Mapping[str, str], body: bytes, settings: Settings) -> None:
        verify_generic(secret, headers, body, settings.webhook_max_age_s)

    def read(self, data: object, body: bytes) -> Delivery:
        """Event id: the body's ``event_id`` (the body is signed)."""
        event = GENERIC_EVENT.validate_python(data)
        return Delivery(event.event_id, event.type, (event.data,))
