"""The one interface every HRIS webhook provider implements; each provider is a module beside this one.

A provider says where its secret is, how a delivery's signature is checked, how its body becomes a
``Delivery`` (an event id for deduplication and an action in talentq's own terms), and, for a résumé it
names by link, how the file is downloaded (through ``Get``, which enforces the host allow-list, the size
limit and the timeouts: producers/attachments.py).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from config.settings import Settings
from producers.webhook_events import Action


@dataclass(frozen=True)
class Delivery:
    event_id: str
    event_type: str
    actions: tuple[Action, ...]  # none: an event we acknowledge but do not act on


@dataclass(frozen=True)
class Downloaded:
    content: bytes
    content_type: str
    filename: str | None  # from Content-Disposition, when the server names it


Get = Callable[[str, Mapping[str, str]], Downloaded]  # (url, headers) -> the response's body


class FetchRefused(Exception):
    """A résumé link that cannot be fetched as sent (host not allowed, 4xx, too large): recorded, not retried."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class Provider(ABC):
    """Subclass per provider; ``name`` is its path segment, ``/webhooks/{name}``."""

    name: str

    @abstractmethod
    def secret(self, settings: Settings) -> str | None:
        """The shared secret from the settings; unset = the provider's deliveries are refused (503)."""

    @abstractmethod
    def verify(self, secret: str, headers: Mapping[str, str], body: bytes, settings: Settings) -> None:
        """Raise ``producers.signing.SignatureError`` unless the delivery is authentic and fresh."""

    @abstractmethod
    def read(self, data: object, body: bytes) -> Delivery:
        """The verified body (``data`` parsed from ``body``) as a delivery; ``ValueError`` when malformed."""

    def download(self, get: Get, url: str, settings: Settings) -> Downloaded:
        """The résumé behind ``url`` (a link this provider's ``read`` produced). By default a plain GET."""
        return get(url, {})
