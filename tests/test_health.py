"""``/healthz`` means the receiver can do its work: 200 while PostgreSQL and Redis answer, 503 naming the one
that does not (compose's healthcheck and the Kubernetes probes call it)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.support import free_port, http_service


def test_a_real_receiver_is_healthy_with_its_database_and_broker(database_url: str, tmp_path: Path):
    def command(port: int) -> list[str]:
        return [sys.executable, "-m", "uvicorn", "producers.webhooks:app", "--host", "127.0.0.1", "--port", str(port)]

    with http_service(command, dict(os.environ), tmp_path / "webhooks.log", "/healthz") as url:
        answer = httpx.get(f"{url}/healthz", timeout=10)
    assert answer.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def _health(**overrides: str) -> httpx.Response:
    from config.settings import Settings
    from producers.webhooks import create_app

    with TestClient(create_app(lambda: Settings(**overrides))) as client:
        return client.get("/healthz")


def test_a_broker_that_does_not_answer_makes_it_unhealthy(database_url: str):
    answer = _health(broker_url=f"redis://127.0.0.1:{free_port()}/0")
    assert answer.status_code == 503
    assert answer.json() == {"status": "down", "database": "ok", "broker": "down"}


def test_a_database_that_does_not_answer_makes_it_unhealthy(database_url: str):
    missing = sa.make_url(database_url).set(database="talentq_no_such_database")
    answer = _health(database_url=missing.render_as_string(hide_password=False))
    assert answer.status_code == 503
    assert answer.json() == {"status": "down", "database": "down", "broker": "ok"}
    assert "talentq_no_such_database" not in answer.text  # names only: never a URL that may hold a password
