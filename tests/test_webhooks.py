"""The webhook receiver on the real PostgreSQL and Redis: accepted events land as rows and as
Celery messages in the broker's queue lists; rejected ones leave both untouched."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from config.settings import Settings
from db.models import (
    Application,
    AttachmentFetch,
    Candidate,
    Comment,
    Document,
    ResumeResult,
    ScoreResult,
    SentimentResult,
)
from db.models import WebhookDelivery as Delivery
from db.session import session_scope
from producers.signing import generic_headers, greenhouse_headers
from producers.webhooks import body_limit, create_app
from tests.support import ROOT, http_service, wait_for

pytestmark = pytest.mark.timeout(300)

SECRET, GH_SECRET = "test-generic-secret", "test-greenhouse-secret"
QUEUES = ("resumes", "sentiment", "scoring")
RESUME = ROOT / "samples" / "resumes" / "03-priya-raman.txt"
COMMENT_TEXT = "The onboarding was chaotic but my manager was wonderful."


# --- helpers ---


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def resume(path: Path = RESUME) -> dict[str, str]:
    return {"filename": path.name, "content_base64": b64(path.read_bytes())}


def posting(pid: str) -> dict[str, str]:
    return {"id": pid, "title": "Backend engineer", "text": "We need Python, Django and PostgreSQL."}


def event(event_id: str, kind: str, **data: Any) -> dict[str, Any]:
    return {"event_id": event_id, "type": kind, "data": data}


def messages(client: redis.Redis, queue: str) -> dict[str, dict[str, Any]]:
    """Celery messages waiting in a queue (a Redis list), by task id, with the body decoded."""
    out = {}
    for raw in client.lrange(queue, 0, -1):
        message = json.loads(raw)
        args, _kwargs, embed = json.loads(base64.b64decode(message["body"]))
        out[message["headers"]["id"]] = {"task": message["headers"]["task"], "args": args, "embed": embed}
    return out


def queue_lengths(client: redis.Redis) -> dict[str, int]:
    return {q: client.llen(q) for q in QUEUES}


def count(url: str, model: type, **where: Any) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(model).filter_by(**where))


@pytest.fixture(scope="module")
def settings(database_url: str) -> Settings:
    return Settings(webhook_secret=SECRET, greenhouse_secret=GH_SECRET)


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(lambda: settings)) as test_client:
        yield test_client


def send(client: TestClient, body: dict | bytes, secret: str = SECRET, **headers: str) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    signed = {"Content-Type": "application/json", **generic_headers(secret, raw), **headers}
    return client.post("/webhooks/generic", content=raw, headers=signed)


def send_greenhouse(client: TestClient, body: dict, secret: str = GH_SECRET) -> httpx.Response:
    raw = json.dumps(body).encode()
    return client.post("/webhooks/greenhouse", content=raw, headers=greenhouse_headers(secret, raw))


# --- accepted events ---


def test_application_is_stored_and_chained_parse_then_score(client, database_url, redis_client):
    body = event("evt-app-1", "application.submitted", candidate_id="cand-1", posting=posting("job-1"), resume=resume())
    response = send(client, body)
    assert response.status_code == 202, response.text
    parse_id, score_id = response.json()["job_ids"]
    assert response.json()["event_id"] == "evt-app-1"

    with session_scope(database_url) as session:
        candidate = session.scalars(select(Candidate).filter_by(external_id="cand-1")).one()
        application = session.scalars(select(Application).filter_by(candidate_id=candidate.id)).one()
        document = session.get(Document, application.document_id)
        assert document.content == RESUME.read_bytes() and document.filename == RESUME.name
        document_id, application_id = document.id, application.id

    queued = messages(redis_client, "resumes")[parse_id]
    assert queued["task"] == "talentq.parse_resume"
    assert queued["args"] == [{"document_id": document_id, "batch_run_id": None, "extracted": False}]  # ids only
    (score,) = queued["embed"]["chain"]
    assert score["task"] == "talentq.score_candidate" and score["options"]["task_id"] == score_id
    assert score["args"] == [{"application_id": application_id, "batch_run_id": None}]


def test_a_retried_delivery_answers_the_same_jobs_and_enqueues_nothing(client, database_url, redis_client):
    body = event("evt-app-2", "application.submitted", candidate_id="cand-2", posting=posting("job-1"), resume=resume())
    first = send(client, body)
    assert first.status_code == 202
    before = queue_lengths(redis_client)
    time.sleep(1.1)  # a later retry: new timestamp and signature, same event
    again = send(client, body)
    assert again.status_code == 200 and again.json()["job_ids"] == first.json()["job_ids"]
    assert queue_lengths(redis_client) == before
    assert count(database_url, Delivery, provider="generic", event_id="evt-app-2") == 1


def test_an_existing_posting_can_be_named_by_id(client, redis_client):
    send(
        client,
        event("evt-post", "application.submitted", candidate_id="c-x", posting=posting("job-2"), resume=resume()),
    )
    body = event("evt-app-3", "application.submitted", candidate_id="cand-3", posting_id="job-2", resume=resume())
    response = send(client, body)
    assert response.status_code == 202 and len(response.json()["job_ids"]) == 2


def test_an_unknown_posting_is_refused_and_leaves_nothing_behind(client, database_url, redis_client):
    body = event("evt-nopost", "application.submitted", candidate_id="cand-np", posting_id="nope", resume=resume())
    before = queue_lengths(redis_client)
    response = send(client, body)
    assert response.status_code == 422 and response.json()["code"] == "unknown_posting"
    assert queue_lengths(redis_client) == before
    assert count(database_url, Candidate, external_id="cand-np") == 0  # the transaction rolled back
    assert count(database_url, Delivery, event_id="evt-nopost") == 0


def test_resume_update_reparses_and_rescores_every_application(client, database_url, redis_client):
    for n, job in enumerate(("job-a", "job-b")):
        body = event(
            f"evt-ru-{n}", "application.submitted", candidate_id="cand-ru", posting=posting(job), resume=resume()
        )
        assert send(client, body).status_code == 202
    new_cv = {"filename": "cv-2025.txt", "content_base64": b64(RESUME.read_bytes() + b"\nKubernetes, Go\n")}
    response = send(client, event("evt-ru-new", "resume.updated", candidate_id="cand-ru", resume=new_cv))
    assert response.status_code == 202
    job_ids = response.json()["job_ids"]
    assert len(job_ids) == 4  # (parse, score) per application
    queued = messages(redis_client, "resumes")
    with session_scope(database_url) as session:
        candidate = session.scalars(select(Candidate).filter_by(external_id="cand-ru")).one()
        apps = session.scalars(select(Application).filter_by(candidate_id=candidate.id)).all()
        new_doc = session.scalars(select(Document).filter_by(filename="cv-2025.txt")).one()
        assert {a.document_id for a in apps} == {new_doc.id}
        scored = {queued[p]["embed"]["chain"][0]["args"][0]["application_id"] for p in job_ids[::2]}
        assert scored == {a.id for a in apps}


def test_comment_goes_to_the_sentiment_queue_by_id(client, database_url, redis_client):
    body = event("evt-c-1", "comment.submitted", comment={"id": "rev-9", "source": "review", "text": COMMENT_TEXT})
    response = send(client, body)
    assert response.status_code == 202
    (job_id,) = response.json()["job_ids"]
    queued = messages(redis_client, "sentiment")[job_id]
    with session_scope(database_url) as session:
        comment_id = session.scalars(select(Comment.id).filter_by(external_id="rev-9")).one()
    assert queued["task"] == "talentq.analyze_sentiment"
    assert queued["args"] == [{"comment_id": comment_id, "batch_run_id": None}]
    assert COMMENT_TEXT not in json.dumps(queued)


def test_a_comment_about_a_candidate_is_linked_to_them(client, database_url):
    note = {"id": "note-7", "source": "interview", "text": COMMENT_TEXT}
    response = send(client, event("evt-c-2", "comment.submitted", comment=note, candidate_id="cand-note"))
    assert response.status_code == 202, response.text
    with session_scope(database_url) as session:
        comment = session.scalars(select(Comment).filter_by(external_id="note-7")).one()
        assert session.get(Candidate, comment.candidate_id).external_id == "cand-note"


def test_logs_carry_ids_not_content(client, caplog):
    body = event("evt-log", "comment.submitted", comment={"id": "rev-log", "text": "Alice Smith was rude to me."})
    with caplog.at_level("INFO", logger="producers.webhooks"):
        assert send(client, body).status_code == 202
        assert send(client, {**body, "data": {}}).status_code == 422
    text = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "evt-log" in text and "Alice" not in text and "rude" not in text


# --- Greenhouse ---


def greenhouse_application(app_id: int, candidate_id: int, attachment: dict | None = None) -> dict:
    attachment = attachment or {"filename": RESUME.name, "type": "resume", **resume()}
    return {
        "action": "new_candidate_application",
        "payload": {
            "application": {
                "id": app_id,
                "status": "active",  # fields we do not read are ignored
                "candidate": {"id": candidate_id, "first_name": "Priya", "attachments": [attachment]},
                "jobs": [{"id": 77, "name": "Data scientist", "content": "Python, SQL and statistics."}],
            }
        },
    }


def test_greenhouse_application_is_verified_stored_and_deduplicated(client, database_url, redis_client):
    body = greenhouse_application(5001, 9001)
    first = send_greenhouse(client, body)
    assert first.status_code == 202, first.text
    assert first.json()["event_id"].startswith("new_candidate_application:5001:")
    before = queue_lengths(redis_client)
    again = send_greenhouse(client, body)
    assert again.status_code == 200 and again.json()["job_ids"] == first.json()["job_ids"]
    assert queue_lengths(redis_client) == before
    assert count(database_url, Candidate, external_id="greenhouse:candidate:9001") == 1

    new_cv = {"filename": "new.txt", "type": "resume", "content_base64": b64(b"Priya Raman\nSKILLS\nPython, Rust\n")}
    update = {"action": "update_candidate", "payload": {"candidate": {"id": 9001, "attachments": [new_cv]}}}
    response = send_greenhouse(client, update)
    assert response.status_code == 202 and len(response.json()["job_ids"]) == 2


def test_greenhouse_ping_and_unhandled_actions_are_acknowledged_without_jobs(client, redis_client):
    before = queue_lengths(redis_client)
    for action in ("ping", "candidate_stage_change"):
        response = send_greenhouse(client, {"action": action, "payload": {"web_hook_id": 1}})
        assert response.status_code == 200 and response.json()["job_ids"] == []
    assert queue_lengths(redis_client) == before


def test_greenhouse_resume_by_url_is_recorded_and_left_to_a_worker_to_fetch(client, database_url, redis_client):
    """What Greenhouse really sends: the request stores the link and queues a fetch; it downloads nothing
    (tests/test_hris.py follows the fetch through a worker)."""
    link = "https://example.invalid/cv.pdf?token=signed"
    url_only = {"filename": "cv.pdf", "type": "resume", "url": link}
    before = queue_lengths(redis_client)
    response = send_greenhouse(client, greenhouse_application(5002, 9002, url_only))
    assert response.status_code == 202, response.text
    [job_id] = response.json()["job_ids"]
    with session_scope(database_url) as session:
        fetch = session.scalars(select(AttachmentFetch).filter_by(url=link)).one()
        assert fetch.state == "pending" and fetch.job_posting_id is not None
        fetch_id, candidate_id = fetch.id, fetch.candidate_id
        assert count(database_url, Document, candidate_id=candidate_id) == 0
    queued = messages(redis_client, "extract")[job_id]
    assert queued["task"] == "talentq.fetch_attachment" and queued["args"] == [
        {"fetch_id": fetch_id, "batch_run_id": None}
    ]
    assert queue_lengths(redis_client) == before


# --- rejected requests enqueue nothing ---

GOOD = event("evt-rejected", "comment.submitted", comment={"id": "rej-1", "text": "fine"})


def _stream(data: bytes, size: int = 1 << 16) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def rejected_requests(settings: Settings) -> dict[str, tuple[int, dict]]:
    """name -> (expected status, keyword arguments of client.post)."""
    raw = json.dumps(GOOD).encode()
    now = int(time.time())
    sign = generic_headers
    oversize = b"x" * (body_limit(settings) + 1)
    return {
        "unsigned": (401, {"content": raw}),
        "wrong secret": (401, {"content": raw, "headers": sign("not-the-secret", raw)}),
        "tampered body": (401, {"content": raw.replace(b"fine", b"FINE"), "headers": sign(SECRET, raw)}),
        "stale timestamp": (401, {"content": raw, "headers": sign(SECRET, raw, now - settings.webhook_max_age_s - 5)}),
        "future timestamp": (
            401,
            {"content": raw, "headers": sign(SECRET, raw, now + settings.webhook_max_age_s + 60)},
        ),
        "signature without timestamp": (
            401,
            {"content": raw, "headers": {"X-Signature": sign(SECRET, raw)["X-Signature"]}},
        ),
        "malformed json": (422, {"content": b"{not json", "headers": sign(SECRET, b"{not json")}),
        "missing fields": (422, {"content": b'{"event_id": "e"}', "headers": sign(SECRET, b'{"event_id": "e"}')}),
        "oversize by length": (413, {"content": oversize, "headers": sign(SECRET, oversize)}),
        "oversize streamed": (413, {"content": _stream(oversize), "headers": sign(SECRET, oversize)}),
    }


@pytest.mark.parametrize(
    "name",
    [
        "unsigned",
        "wrong secret",
        "tampered body",
        "stale timestamp",
        "future timestamp",
        "signature without timestamp",
        "malformed json",
        "missing fields",
        "oversize by length",
        "oversize streamed",
    ],
)
def test_rejected_requests_enqueue_nothing(name, client, settings, database_url, redis_client):
    status, kwargs = rejected_requests(settings)[name]
    before, deliveries = queue_lengths(redis_client), count(database_url, Delivery)
    response = client.post("/webhooks/generic", **kwargs)
    assert response.status_code == status, response.text
    assert queue_lengths(redis_client) == before
    assert count(database_url, Delivery) == deliveries
    assert count(database_url, Comment, external_id="rej-1") == 0


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"candidate_id": "c", "posting_id": "p", "resume": {"filename": "a.txt", "content_base64": "%%%"}}, "base64"),
        ({"candidate_id": "c", "posting_id": "p", "resume": {"filename": "a.txt", "content_base64": ""}}, "resume"),
        ({"candidate_id": "c", "resume": {"filename": "a.txt", "content_base64": "aGk="}}, "posting"),
        (
            {"candidate_id": "", "posting_id": "p", "resume": {"filename": "a.txt", "content_base64": "aGk="}},
            "candidate",
        ),
    ],
)
def test_invalid_payloads_name_the_bad_field(client, redis_client, data, where):
    before = queue_lengths(redis_client)
    response = send(client, event("evt-invalid", "application.submitted", **data))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_payload" and where in json.dumps(response.json()["errors"])
    assert "%%%" not in response.text  # the input is never echoed back
    assert queue_lengths(redis_client) == before


def test_unknown_type_and_provider(client):
    assert send(client, event("evt-t", "candidate.hired", candidate_id="c")).status_code == 422
    assert client.post("/webhooks/workday", content=b"{}").status_code == 404


def test_greenhouse_bad_signature_is_refused(client, redis_client):
    before = queue_lengths(redis_client)
    assert send_greenhouse(client, greenhouse_application(5003, 9003), secret="wrong").status_code == 401
    assert queue_lengths(redis_client) == before


def test_without_a_secret_the_endpoints_are_closed(database_url, redis_client):
    closed = Settings(webhook_secret=None, greenhouse_secret="")
    with TestClient(create_app(lambda: closed)) as no_secret:
        raw = json.dumps(GOOD).encode()
        assert no_secret.post("/webhooks/generic", content=raw, headers=generic_headers("", raw)).status_code == 503
        assert no_secret.post("/webhooks/greenhouse", content=raw).status_code == 503


# --- a real uvicorn process, the sample sender, and a real worker ---


@pytest.fixture
def receiver(database_url: str, tmp_path: Path) -> Iterator[str]:
    """`serve()` in its own process, as `talentq webhooks serve` runs it."""

    def command(port: int) -> list[str]:
        return [sys.executable, "-c", f"from producers.webhooks import serve; serve('127.0.0.1', {port})"]

    env = {**os.environ, "TALENTQ_WEBHOOK_SECRET": SECRET, "TALENTQ_GREENHOUSE_SECRET": GH_SECRET}
    with http_service(command, env, tmp_path / "webhooks.log", "/healthz") as url:
        yield url


def test_sample_sender_against_a_real_receiver_runs_end_to_end(receiver, start_worker, database_url, redis_client):
    redis_client.delete(*QUEUES)  # only this test's jobs for the worker (this Redis db is the tests' own)
    started = datetime.now(UTC)  # the samples may have been analysed before: look for fresh rows

    def fresh(model) -> int:
        with session_scope(database_url) as session:
            return session.scalar(select(func.count()).select_from(model).where(model.updated_at >= started))

    sender = [sys.executable, "scripts/send_sample_events.py", "--url", receiver, "--repeat"]
    done = subprocess.run(
        sender, cwd=ROOT, env={**os.environ, "TALENTQ_WEBHOOK_SECRET": SECRET}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    statuses = [line.split()[0] for line in done.stdout.splitlines()]
    assert statuses == ["202", "200", "202", "200"]  # each event sent twice: the retry is recognised

    start_worker()
    wait_for(lambda: fresh(SentimentResult), 180, what="sentiment stored")
    wait_for(lambda: fresh(ScoreResult), 240, what="application scored")
    assert fresh(ResumeResult)


# Timestamps that ``str.isdigit`` accepts but ``int`` refuses, or that are not plain ASCII digits
# (sent as latin-1 bytes, the way servers decode header values).
ODD_TIMESTAMPS = ["²", "1²", "³¹", "9" * 5000, "1" * 19, "-1", "+1700000000", "1e9", "1_700", "0x10", ""]


def test_odd_timestamps_are_refused_with_401_by_a_real_receiver(receiver, database_url, redis_client):
    raw = json.dumps(GOOD).encode()
    before, deliveries = queue_lengths(redis_client), count(database_url, Delivery)
    answers = {}
    for stamp in ODD_TIMESTAMPS:
        headers = {"X-Timestamp": stamp.encode("latin-1"), "X-Signature": generic_headers(SECRET, raw)["X-Signature"]}
        answers[stamp[:20]] = httpx.post(f"{receiver}/webhooks/generic", content=raw, headers=headers).status_code
    assert answers == {stamp[:20]: 401 for stamp in ODD_TIMESTAMPS}
    assert queue_lengths(redis_client) == before and count(database_url, Delivery) == deliveries


def test_a_captured_greenhouse_body_resent_under_a_new_event_header_is_not_enqueued_again(
    receiver, database_url, redis_client
):
    raw = json.dumps(greenhouse_application(5010, 9010)).encode()
    url, signed = f"{receiver}/webhooks/greenhouse", greenhouse_headers(GH_SECRET, raw)
    first = httpx.post(url, content=raw, headers={**signed, "Greenhouse-Event-ID": "original"})
    assert first.status_code == 202, first.text
    before = queue_lengths(redis_client)
    replay = httpx.post(url, content=raw, headers={**signed, "Greenhouse-Event-ID": "forged-new-id"})
    assert replay.status_code == 200 and replay.json()["job_ids"] == first.json()["job_ids"]
    assert queue_lengths(redis_client) == before
    with session_scope(database_url) as session:
        candidate = session.scalars(select(Candidate).filter_by(external_id="greenhouse:candidate:9010")).one()
        assert session.scalar(select(func.count()).select_from(Application).filter_by(candidate_id=candidate.id)) == 1
    assert count(database_url, Delivery, provider="greenhouse", event_type="new_candidate_application") >= 1
