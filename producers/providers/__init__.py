"""The HRIS webhook providers, by the name in ``/webhooks/{name}``. A new provider is a module with a
``Provider`` subclass (producers/providers/base.py) and a line here."""

from __future__ import annotations

from producers.providers.bamboohr import BambooHR
from producers.providers.base import Delivery, Downloaded, FetchRefused, Get, Provider
from producers.providers.generic import Generic
from producers.providers.greenhouse import Greenhouse
from producers.providers.lever import Lever

PROVIDERS: dict[str, Provider] = {p.name: p for p in (Generic(), Greenhouse(), Lever(), BambooHR())}

__all__ = ["PROVIDERS", "Delivery", "Downloaded", "FetchRefused", "Get", "Provider"]
