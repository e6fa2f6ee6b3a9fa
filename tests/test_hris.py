"""HRIS connectors end to end: Greenhouse résumé links, Lever and BambooHR events, each posted signed to a real
receiver process, fetched by a real worker from a file server on loopback (no other network), parsed into rows.
Bad signatures are refused; a link to a host off the allow-list, an oversize file, a flaky and a slow server end as they
should (a failure row with its code, or a result after retries)."""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
import pytest
from sqlalchemy import select

from db.models import AttachmentFetch, Candidate, Document, Failure, ResumeResult
from db.session import session_scope
from producers.attachments import allowed
from producers.providers import bamboohr, lever
from producers.signing import greenhouse_headers
from tests.support import GOOD_RESUME, WorkerProcess, http_service, wait_for

pytestmark = pytest.mark.timeout(900)

GH_SECRET, LEVER_SECRET, BAMBOO_SECRET = "gh-secret", "lever-secret", "bamboo-secret"
LEVER_KEY, BAMBOO_KEY = "lever-api-key", "bamboo-api-key"
RESUME = GOOD_RESUME.encode()


class Files(BaseHTTPRequestHandler):
    """The other systems: Greenhouse's file links, Lever's and BambooHR's APIs (which check their keys)."""

    routes: ClassVar[dict[str, Callable[[BaseHTTPRequestHandler], tuple[int, bytes]]]] = {}
    hits: ClassVar[dict[str, int]] = {}

    def do_GET(self) -> None:
        self.hits[self.path] = self.hits.get(self.path, 0) + 1
        route = self.routes.get(self.path)
        status, body = route(self) if route else (404, b"")
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


def _with_key(header: str, body: bytes) -> Callable[[BaseHTTPRequestHandler], tuple[int, bytes]]:
    return lambda request: (200, body) if request.headers.get("Authorization") == header else (401, b"")


def _flaky(failures: int) -> Callable[[BaseHTTPRequestHandler], tuple[int, bytes]]:
    def answer(request: BaseHTTPRequestHandler) -> tuple[int, bytes]:
        return (503, b"") if Files.hits[request.path] <= failures else (200, RESUME)

    return answer


def _slow_once(seconds: float) -> Callable[[BaseHTTPRequestHandler], tuple[int, bytes]]:
    def answer(request: BaseHTTPRequestHandler) -> tuple[int, bytes]:
        if Files.hits[request.path] == 1:
            time.sleep(seconds)  # past the read timeout: the worker gives up on it and retries
        return 200, RESUME

    return answer


@pytest.fixture(scope="module")
def files() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Files)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    lever_auth = "Basic " + base64.b64encode(f"{LEVER_KEY}:".encode()).decode()
    bamboo_auth = "Basic " + base64.b64encode(f"{BAMBOO_KEY}:x".encode()).decode()
    lever_listing = {
        "data": [
            {"id": "old", "file": {"name": "old.txt", "uploadedAt": 1, "downloadUrl": f"{base}/lever/v1/old"}},
            {"id": "new", "file": {"name": "cv.txt", "uploadedAt": 2, "downloadUrl": f"{base}/lever/v1/new"}},
        ]
    }
    bamboo_listing = {
        "categories": [
            {"id": 1, "name": "Signed Documents", "files": [{"id": 5, "originalFileName": "nda.txt"}]},
            {"id": 2, "name": "Resumes and Applications", "files": [{"id": 7, "originalFileName": "cv.txt"}]},
        ]
    }
    Files.routes = {
        "/gh/cv.txt": lambda _: (200, RESUME),
        "/gh/big.txt": lambda _: (200, RESUME * 400),
        "/gh/flaky.txt": _flaky(2),
        "/gh/slow.txt": _slow_once(6),
        "/lever/v1/opportunities/opp-1/resumes": _with_key(lever_auth, json.dumps(lever_listing).encode()),
        "/lever/v1/new": _with_key(lever_auth, RESUME),
        "/bamboo/v1/employees/42/files/view": _with_key(bamboo_auth, json.dumps(bamboo_listing).encode()),
        "/bamboo/v1/employees/42/files/7": _with_key(bamboo_auth, RESUME),
    }
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield base
    server.shutdown()


@pytest.fixture(scope="module")
def env(files: str) -> dict[str, str]:
    return {
        **os.environ,
        "TALENTQ_GREENHOUSE_SECRET": GH_SECRET,
        "TALENTQ_LEVER_SECRET": LEVER_SECRET,
        "TALENTQ_LEVER_API_KEY": LEVER_KEY,
        "TALENTQ_LEVER_API_URL": f"{files}/lever/v1",
        "TALENTQ_BAMBOOHR_SECRET": BAMBOO_SECRET,
        "TALENTQ_BAMBOOHR_API_KEY": BAMBOO_KEY,
        "TALENTQ_BAMBOOHR_API_URL": f"{files}/bamboo/v1",
        "TALENTQ_FETCH_ALLOWED_HOSTS": f"{files},files.example.com",
        "TALENTQ_MAX_DOCUMENT_BYTES": str(len(RESUME) * 10),
        "TALENTQ_FETCH_TIMEOUT_S": "2",
    }


@pytest.fixture(scope="module")
def receiver(database_url: str, env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def command(port: int) -> list[str]:
        return [sys.executable, "-c", f"from producers.webhooks import serve; serve('127.0.0.1', {port})"]

    with http_service(command, env, tmp_path_factory.mktemp("hris") / "webhooks.log", "/healthz") as url:
        yield url


def greenhouse(app_id: int, candidate_id: int, url: str) -> bytes:
    attachment = {"filename": f"cv-{app_id}.txt", "type": "resume", "url": url}
    application = {
        "id": app_id,
        "candidate": {"id": candidate_id, "attachments": [attachment]},
        "jobs": [{"id": 77, "name": "Backend engineer", "content": "We need Python, Django and PostgreSQL."}],
    }
    return json.dumps({"action": "new_candidate_application", "payload": {"application": application}}).encode()


def lever_event(token: str, secret: str = LEVER_SECRET, triggered_at: int | None = None) -> bytes:
    at = int(time.time() * 1000) if triggered_at is None else triggered_at
    data = {"applicationId": "app-1", "contactId": "contact-1", "opportunityId": "opp-1"}
    body = {"event": "applicationCreated", "token": token, "triggeredAt": at, "data": data}
    return json.dumps({**body, "signature": lever.signature(secret, token, at)}).encode()


BAMBOO_BODY = json.dumps({"employees": [{"id": "42", "action": "Updated", "changedFields": ["Job Title"]}]}).encode()


def post(receiver: str, provider: str, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(f"{receiver}/webhooks/{provider}", content=body, headers=headers or {}, timeout=30)


def _parsed(database_url: str, external_id: str) -> bool:
    with session_scope(database_url) as session:
        query = (
            select(ResumeResult.id)
            .join(Document, Document.id == ResumeResult.document_id)
            .join(Candidate, Candidate.id == Document.candidate_id)
            .where(Candidate.external_id == external_id)
        )
        return session.scalars(query).first() is not None


def _failure(database_url: str, fetch_url: str) -> str | None:
    with session_scope(database_url) as session:
        fetch = session.scalars(select(AttachmentFetch).filter_by(url=fetch_url)).one()
        query = select(Failure.error_code).filter_by(task_name="talentq.fetch_attachment", subject_id=fetch.id)
        return session.scalars(query).first()


def test_linked_resumes_from_three_providers_are_fetched_by_a_worker_and_parsed(
    receiver: str, files: str, env: dict[str, str], database_url: str, start_worker: Callable[..., WorkerProcess]
):
    sent = {
        "greenhouse:candidate:901": post(receiver, "greenhouse", *_gh(9001, 901, f"{files}/gh/cv.txt")),
        "greenhouse:candidate:902": post(receiver, "greenhouse", *_gh(9002, 902, f"{files}/gh/flaky.txt")),
        "greenhouse:candidate:905": post(receiver, "greenhouse", *_gh(9005, 905, f"{files}/gh/slow.txt")),
        "lever:contact:contact-1": post(receiver, "lever", lever_event("token-1")),
    }
    stamped = bamboohr.headers(BAMBOO_SECRET, BAMBOO_BODY)
    sent["bamboohr:employee:42"] = post(receiver, "bamboohr", BAMBOO_BODY, stamped)
    off_list, too_big = "https://elsewhere.example.org/cv.txt", f"{files}/gh/big.txt"
    refused = [
        post(receiver, "greenhouse", *_gh(9003, 903, off_list)),
        post(receiver, "greenhouse", *_gh(9004, 904, too_big)),
    ]
    assert all(r.status_code == 202 for r in [*sent.values(), *refused]), [r.text for r in sent.values()]
    assert not Files.hits.get("/gh/cv.txt")  # the request only recorded the link: nothing was fetched yet

    worker = start_worker(queues="extract,resumes,scoring", extra_env=env)
    for external_id in sent:
        wait_for(
            lambda e=external_id: _parsed(database_url, e), 240, what=f"{external_id} parsed", progress=worker.activity
        )
    assert Files.hits["/gh/flaky.txt"] == 3  # two 503s retried with backoff, then the file
    assert Files.hits["/gh/slow.txt"] == 2  # a read timeout, retried
    assert wait_for(lambda: _failure(database_url, off_list), 60, what="refused host recorded") == "host_not_allowed"
    assert wait_for(lambda: _failure(database_url, too_big), 60, what="oversize recorded") == "too_large"
    assert "elsewhere.example.org" not in str(Files.hits)  # never contacted
    assert f"{files}/gh/cv.txt" not in worker.log  # links may carry tokens: never logged


def _gh(app_id: int, candidate_id: int, url: str) -> tuple[bytes, dict[str, str]]:
    body = greenhouse(app_id, candidate_id, url)
    return body, greenhouse_headers(GH_SECRET, body)


def test_bad_lever_and_bamboohr_signatures_are_refused(receiver: str):
    assert post(receiver, "lever", lever_event("token-x", secret="wrong")).status_code == 401
    assert post(receiver, "lever", lever_event("token-y", triggered_at=1_000)).status_code == 401  # replayed
    tampered = json.loads(lever_event("token-z"))
    tampered["token"] = "token-other"
    assert post(receiver, "lever", json.dumps(tampered).encode()).status_code == 401
    assert post(receiver, "bamboohr", BAMBOO_BODY, bamboohr.headers("wrong", BAMBOO_BODY)).status_code == 401
    stale = bamboohr.headers(BAMBOO_SECRET, BAMBOO_BODY, now=int(time.time()) - 3600)
    assert post(receiver, "bamboohr", BAMBOO_BODY, stale).status_code == 401
    other = BAMBOO_BODY.replace(b"42", b"43")
    assert post(receiver, "bamboohr", other, bamboohr.headers(BAMBOO_SECRET, BAMBOO_BODY)).status_code == 401
    assert post(receiver, "bamboohr", BAMBOO_BODY).status_code == 401


def test_a_lever_delivery_resent_with_other_data_is_not_acted_on_twice(receiver: str):
    """Lever signs token and time, not data: the token is the event id, so a resent token enqueues nothing."""
    first = post(receiver, "lever", lever_event("token-once"))
    forged = json.loads(lever_event("token-once"))
    forged["data"]["opportunityId"] = "opp-forged"
    again = post(receiver, "lever", json.dumps(forged).encode())
    assert first.status_code == 202 and again.status_code == 200
    assert again.json()["job_ids"] == first.json()["job_ids"]


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://files.example.com/cv.pdf", True),
        ("http://files.example.com/cv.pdf", False),  # a bare host means https only
        ("https://files.example.com.evil.org/cv.pdf", False),
        ("https://user:pw@files.example.com/cv.pdf", False),
        ("https://evil.org/?u=https://files.example.com", False),
        ("http://127.0.0.1:1/cv.pdf", False),
    ],
)
def test_the_allow_list_names_hosts_or_exact_origins(url: str, ok: bool):
    assert allowed(url, "files.example.com, http://127.0.0.1:2") is ok


def test_a_fetched_resume_is_stored_under_a_base_name_with_a_known_suffix():
    """Text extraction goes by the suffix; a sender's path is not kept."""
    from producers.attachments import _name
    from producers.providers import Downloaded

    fetch = AttachmentFetch(filename="C:\\Users\\x\\cv.pdf")
    assert _name(fetch, Downloaded(b"", "application/pdf", None)) == "cv.pdf"
    assert _name(AttachmentFetch(), Downloaded(b"", "application/pdf", None)) == "resume.pdf"
