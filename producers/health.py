"""Deep health: a service that answers while its database or broker does not is not healthy. Compose and
Kubernetes probes call ``/healthz``; a 503 there takes the webhook receiver out of rotation (readiness) and
lets ops see which dependency is down, instead of webhooks failing one by one with 503s."""

from __future__ import annotations

from kombu import Connection
from sqlalchemy import text

from config.settings import Settings
from db.session import session_scope

TIMEOUT_S = 2


def _database(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        session.execute(text("SELECT 1"))


def _broker(settings: Settings) -> None:
    if settings.broker_url is None:  # embedded mode: tasks run in-process, there is no broker
        return
    with Connection(settings.broker_url, connect_timeout=TIMEOUT_S) as connection:
        connection.ensure_connection(max_retries=1, timeout=TIMEOUT_S)


def check(settings: Settings) -> dict[str, str]:
    """``{"database": "ok" | "down", "broker": "ok" | "down"}``; names only, never a URL or a password."""
    states = {}
    for name, probe in (("database", _database), ("broker", _broker)):
        try:
            probe(settings)
        except Exception:  # any failure to answer is "down"; its detail may hold credentials, so it is not shown
            states[name] = "down"
        else:
            states[name] = "ok"
    return states
