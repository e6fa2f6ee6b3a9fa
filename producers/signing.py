"""HMAC signatures of webhook deliveries: how senders sign and how the receiver verifies.

Both sides live here so the receiver, the sample sender and the tests share one definition.
Verification always recomputes the digest and compares in constant time (``hmac.compare_digest``).

- generic: ``X-Timestamp: <unix seconds>`` and ``X-Signature: sha256=<hex>``, the HMAC-SHA256 of
  ``f"{timestamp}.{raw body}"``; the timestamp is signed, so a captured request cannot be replayed
  outside the replay window.
- Greenhouse: ``Signature: sha256 <hex>``, the HMAC-SHA256 of the raw body (Greenhouse signs no
  timestamp, so replays are stopped by the delivery's event id instead).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping

GENERIC_SIGNATURE_HEADER = "X-Signature"
GENERIC_TIMESTAMP_HEADER = "X-Timestamp"
GREENHOUSE_SIGNATURE_HEADER = "Signature"

# ASCII digits only, at most 18: ``str.isdigit`` also accepts "²" and "١", which ``int`` refuses,
# and ``int`` refuses more than 4,300 digits; either would end a request in a 500.
_UNSIGNED = re.compile(r"[0-9]{1,18}")


class SignatureError(Exception):
    """A delivery whose signature is missing, wrong or stale (answered 401)."""


def hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def generic_signature(secret: str, timestamp: int, body: bytes) -> str:
    return "sha256=" + hmac_hex(secret, f"{timestamp}.".encode() + body)


def greenhouse_signature(secret: str, body: bytes) -> str:
    return "sha256 " + hmac_hex(secret, body)


def generic_headers(secret: str, body: bytes, now: int | None = None) -> dict[str, str]:
    """The headers a generic sender adds to ``body``."""
    timestamp = int(time.time()) if now is None else now
    return {
        GENERIC_TIMESTAMP_HEADER: str(timestamp),
        GENERIC_SIGNATURE_HEADER: generic_signature(secret, timestamp, body),
    }


def greenhouse_headers(secret: str, body: bytes) -> dict[str, str]:
    return {GREENHOUSE_SIGNATURE_HEADER: greenhouse_signature(secret, body)}


def unsigned_int(raw: str | None) -> int | None:
    """``raw`` as a non-negative integer of at most 18 ASCII digits (surrounding spaces allowed), else None."""
    if raw is None or not _UNSIGNED.fullmatch(raw.strip()):
        return None
    return int(raw)


def matches(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.strip().encode())


def verify_generic(
    secret: str, headers: Mapping[str, str], body: bytes, max_age_s: int, now: float | None = None
) -> None:
    """Raise ``SignatureError`` unless the timestamp is fresh and the signature matches."""
    timestamp = unsigned_int(headers.get(GENERIC_TIMESTAMP_HEADER))
    if timestamp is None:
        raise SignatureError(f"missing or malformed {GENERIC_TIMESTAMP_HEADER}")
    now = time.time() if now is None else now
    if abs(now - timestamp) > max_age_s:  # too old, or from a clock far in the future
        raise SignatureError("timestamp outside the replay window")
    if not matches(generic_signature(secret, timestamp, body), headers.get(GENERIC_SIGNATURE_HEADER)):
        raise SignatureError("signature does not match")


def verify_greenhouse(secret: str, headers: Mapping[str, str], body: bytes) -> None:
    """Raise ``SignatureError`` unless the ``Signature`` header matches the body."""
    if not matches(greenhouse_signature(secret, body), headers.get(GREENHOUSE_SIGNATURE_HEADER)):
        raise SignatureError("signature does not match")
