"""BambooHR: ``X-BambooHR-Signature``, the HMAC-SHA256 (hex) of the raw body followed by ``X-BambooHR-Timestamp``,
under the webhook's private key (TALENTQ_BAMBOOHR_SECRET).

A delivery lists employees created or updated; each one's newest file in a résumé category ("Resumes and
Applications" by default) is fetched by a worker from BambooHR's API (TALENTQ_BAMBOOHR_API_URL, with
TALENTQ_BAMBOOHR_API_KEY) and parsed.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from config.settings import Settings
from db import repository
from producers.providers.base import Delivery, Downloaded, FetchRefused, Get, Provider
from producers.signing import SignatureError, hmac_hex, matches, unsigned_int
from producers.webhook_events import RemoteResume, ResumeUpdated

SIGNATURE_HEADER = "X-BambooHR-Signature"
TIMESTAMP_HEADER = "X-BambooHR-Timestamp"
ACTIONS = {"Created", "Updated"}


class Employee(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str = Field(min_length=1, max_length=50, pattern=r"^[0-9]+$")
    action: str = Field("Updated", max_length=50)


class EmployeesEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    employees: list[Employee] = Field(min_length=1, max_length=1000)


def headers(secret: str, body: bytes, now: int | None = None) -> dict[str, str]:
    """What BambooHR adds to ``body``."""
    timestamp = str(int(time.time()) if now is None else now)
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: hmac_hex(secret, body + timestamp.encode())}


class BambooHR(Provider):
    name = "bamboohr"

    def secret(self, settings: Settings) -> str | None:
        return settings.bamboohr_secret

    def verify(self, secret: str, headers: Mapping[str, str], body: bytes, settings: Settings) -> None:
        timestamp = unsigned_int(headers.get(TIMESTAMP_HEADER))
        if timestamp is None:
            raise SignatureError(f"missing or malformed {TIMESTAMP_HEADER}")
        if abs(time.time() - timestamp) > settings.webhook_max_age_s:
            raise SignatureError("timestamp outside the replay window")
        expected = hmac_hex(secret, body + headers[TIMESTAMP_HEADER].strip().encode())
        if not matches(expected, headers.get(SIGNATURE_HEADER)):
            raise SignatureError("signature does not match")

    def read(self, data: object, body: bytes) -> Delivery:
        """Event id: the hash of the signed body. One action per created or updated employee."""
        event = EmployeesEvent.model_validate(data)
        actions = tuple(
            ResumeUpdated(
                candidate_id=f"bamboohr:employee:{e.id}",
                resume=RemoteResume(provider=self.name, url=f"employees/{e.id}/files/view"),
            )
            for e in event.employees
            if e.action in ACTIONS
        )
        return Delivery(f"employees:{repository.sha256(body)[:32]}", "employees", actions)

    def download(self, get: Get, url: str, settings: Settings) -> Downloaded:
        """The employee's newest file in a résumé category, through BambooHR's API."""
        if not (settings.bamboohr_api_key and settings.bamboohr_api_url):
            raise FetchRefused("not_configured", "TALENTQ_BAMBOOHR_API_KEY and TALENTQ_BAMBOOHR_API_URL must be set")
        base = settings.bamboohr_api_url.rstrip("/")
        auth = {"Authorization": "Basic " + base64.b64encode(f"{settings.bamboohr_api_key}:x".encode()).decode()}
        listing = json.loads(get(f"{base}/{url}", {**auth, "Accept": "application/json"}).content)
        files = [
            f
            for category in listing.get("categories", [])
            if "resume" in str(category.get("name", "")).lower().replace("é", "e")
            for f in category.get("files", [])
            if isinstance(f, dict) and str(f.get("id", "")).isascii() and str(f.get("id", "")).isdigit()
        ]
        if not files:
            raise FetchRefused("not_found", "the employee has no file in a résumé category")
        newest = max(files, key=lambda f: str(f.get("dateCreated") or ""))
        employee = url.split("/")[1]
        found = get(f"{base}/employees/{employee}/files/{newest['id']}", auth)
        return Downloaded(found.content, found.content_type, newest.get("originalFileName") or found.filename)
