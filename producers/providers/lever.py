"""Lever: the signature is in the body. ``signature`` is the HMAC-SHA256 (hex) of ``token + triggeredAt`` under the
webhook's signature token (TALENTQ_LEVER_SECRET); ``triggeredAt`` is in milliseconds.

Lever signs the token and the time, not ``data``: a delivery is accepted only inside the replay window and once per
token (the event id), so a captured delivery cannot be resent with other data. Lever's events carry ids only; an
``applicationCreated`` event's résumé is fetched by a worker from Lever's API (``/opportunities/{id}/resumes``, the
newest file) with TALENTQ_LEVER_API_KEY, and the candidate's applications are (re-)parsed and scored.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from config.settings import Settings
from producers.providers.base import Delivery, Downloaded, FetchRefused, Get, Provider
from producers.signing import SignatureError, hmac_hex, matches
from producers.webhook_events import RemoteResume, ResumeUpdated

RESUME_EVENTS = {"applicationCreated"}


class LeverData(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    opportunity_id: str = Field(alias="opportunityId", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9-]+$")
    contact_id: str | None = Field(None, alias="contactId", max_length=100)
    candidate_id: str | None = Field(None, alias="candidateId", max_length=100)  # older name of contactId


class LeverEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    event: str = Field(min_length=1, max_length=100)
    token: str = Field(min_length=1, max_length=200)
    triggered_at: int = Field(alias="triggeredAt", ge=0, lt=2**53)
    signature: str = Field(max_length=200)
    data: dict[str, object] = {}


def signature(secret: str, token: str, triggered_at: int) -> str:
    return hmac_hex(secret, f"{token}{triggered_at}".encode())


def _basic(api_key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{api_key}:".encode()).decode()}


class Lever(Provider):
    name = "lever"

    def secret(self, settings: Settings) -> str | None:
        return settings.lever_secret

    def verify(self, secret: str, headers: Mapping[str, str], body: bytes, settings: Settings) -> None:
        try:
            event = LeverEvent.model_validate_json(body)
        except ValueError:
            raise SignatureError("no token, triggeredAt and signature in the body") from None
        if abs(time.time() - event.triggered_at / 1000) > settings.webhook_max_age_s:
            raise SignatureError("triggeredAt outside the replay window")
        if not matches(signature(secret, event.token, event.triggered_at), event.signature):
            raise SignatureError("signature does not match")

    def read(self, data: object, body: bytes) -> Delivery:
        event = LeverEvent.model_validate(data)
        event_id = f"{event.event}:{event.token}"
        if event.event not in RESUME_EVENTS:
            return Delivery(event_id, event.event, ())
        found = LeverData.model_validate(event.data)
        person = found.contact_id or found.candidate_id or found.opportunity_id
        resume = RemoteResume(provider=self.name, url=f"opportunities/{found.opportunity_id}/resumes")
        return Delivery(event_id, event.event, (ResumeUpdated(candidate_id=f"lever:contact:{person}", resume=resume),))

    def download(self, get: Get, url: str, settings: Settings) -> Downloaded:
        """The opportunity's newest résumé file, through Lever's API."""
        if not settings.lever_api_key:
            raise FetchRefused("not_configured", "TALENTQ_LEVER_API_KEY is not set")
        auth, base = _basic(settings.lever_api_key), settings.lever_api_url.rstrip("/")
        listing = json.loads(get(f"{base}/{url}", auth).content)
        files = [r["file"] for r in listing.get("data", []) if isinstance(r, dict) and isinstance(r.get("file"), dict)]
        if not files:
            raise FetchRefused("not_found", "the opportunity has no résumé")
        newest = max(files, key=lambda f: f.get("uploadedAt") or 0)
        link = str(newest.get("downloadUrl") or "")
        # the API key goes to Lever's API only, never to wherever a listing points
        found = get(link, auth if link.startswith(base + "/") else {})
        return Downloaded(found.content, found.content_type, newest.get("name") or found.filename)
