"""Webhook receiver: an ATS posts events, we store their data and enqueue jobs (ids only).

``POST /webhooks/{provider}`` for each of ``producers.providers`` (generic, greenhouse, lever, bamboohr). A request is
answered in milliseconds: it is verified (size, HMAC, replay window), validated, written to the
database and turned into queue messages; the models run later on the workers.

Every accepted delivery is recorded in ``webhook_deliveries`` under its event id, in the same
transaction as its data: a retried delivery answers with the original job ids and enqueues nothing.
Logs carry provider, event id, event type, status and counts only, never payload content.

Run with ``uvicorn producers.webhooks:app`` or ``serve(host, port)`` (``talentq webhooks serve``).
See docs/operations.md for the event schemas and signing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from celery.result import AsyncResult
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from config.logging import configure_logging
from config.settings import Settings, get_settings
from db import repository
from db.models import AttachmentFetch, JobPosting
from db.session import session_scope
from producers import attachments, enqueue, health
from producers.intake import Job, resume_jobs
from producers.providers import PROVIDERS, Delivery
from producers.signing import SignatureError, unsigned_int
from producers.webhook_events import Action, ApplicationSubmitted, CommentSubmitted, RemoteResume, Resume, ResumeUpdated

log = logging.getLogger(__name__)


def body_limit(settings: Settings) -> int:
    """Largest accepted body: a résumé of the largest allowed size, base64-encoded, plus 1 MiB."""
    return settings.max_document_bytes * 4 // 3 + (1 << 20)


class Rejected(Exception):
    """A request answered with an error status; ``code`` is what gets logged."""

    def __init__(self, status: int, code: str, message: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors


# --- storing an action and planning its jobs (one transaction; enqueued after commit) ---


def _store_resume(
    session: Session, candidate_id: int, resume: Resume, posting_id: int | None, settings: Settings
) -> list[Job]:
    """Bytes: stored, and their jobs planned. A link: recorded, and a worker fetches it (the request never
    waits on another system); the fetch plans the same jobs once the bytes are in."""
    if isinstance(resume, RemoteResume):
        fetch = AttachmentFetch(
            provider=resume.provider,
            url=resume.url,
            filename=resume.filename,
            candidate_id=candidate_id,
            job_posting_id=posting_id,
        )
        session.add(fetch)
        session.flush()
        return [partial(attachments.enqueue_fetch, fetch.id)]
    if len(resume.content) > settings.max_document_bytes:
        raise Rejected(413, "too_large", f"résumé exceeds {settings.max_document_bytes} bytes")
    content = resume.content
    document = repository.add_document(
        session, candidate_id, resume.filename, content, repository.sha256(content), len(content)
    )
    return resume_jobs(session, candidate_id, document.id, posting_id)


def _store_application(session: Session, action: ApplicationSubmitted, settings: Settings) -> list[Job]:
    if action.posting:
        posting = repository.add_posting(session, action.posting.id, action.posting.title, action.posting.text)
    else:
        posting = session.scalars(select(JobPosting).filter_by(external_id=action.posting_ref)).one_or_none()
        if posting is None:
            raise Rejected(422, "unknown_posting", "posting_id names no stored posting; send it inline as posting")
    candidate = repository.add_candidate(session, action.candidate_id)
    return _store_resume(session, candidate.id, action.resume, posting.id, settings)


def _store_resume_update(session: Session, action: ResumeUpdated, settings: Settings) -> list[Job]:
    candidate = repository.add_candidate(session, action.candidate_id)
    return _store_resume(session, candidate.id, action.resume, None, settings)


def _store_comment(session: Session, action: CommentSubmitted, _settings: Settings) -> list[Job]:
    comment = repository.add_comment(
        session, action.comment.id, action.comment.source, action.comment.text, action.candidate_id
    )
    return [partial(enqueue.sentiment, comment.id)]


STORE: dict[type[Action], Callable[[Session, Any, Settings], list[Job]]] = {
    ApplicationSubmitted: _store_application,
    ResumeUpdated: _store_resume_update,
    CommentSubmitted: _store_comment,
}


def _task_ids(result: AsyncResult) -> list[str]:
    """Every task id of a chain, first task first (a chain's result is its last task)."""
    ids = []
    node: AsyncResult | None = result
    while node is not None:
        ids.append(node.id)
        node = node.parent
    return ids[::-1]


def _recorded(session: Session, provider: str, event_id: str) -> tuple[int, list[str]] | None:
    """A delivery already recorded: its job ids, or 409 while its first copy is still enqueuing."""
    found = repository.find_webhook_delivery(session, provider, event_id)
    if found is None:
        return None
    if found.job_ids.get("status") != "enqueued":
        raise Rejected(409, "in_progress", "this event is being processed; retry later")
    return 200, list(found.job_ids["jobs"])


def accept(settings: Settings, provider: str, delivery: Delivery) -> tuple[int, list[str]]:
    """Store the event's data and claim its id in one transaction, enqueue after the commit (so a
    worker always finds the rows), then record the job ids. Returns (status, job ids)."""
    url = settings.database_url
    with session_scope(url) as session:
        if (done := _recorded(session, provider, delivery.event_id)) is not None:
            return done
        if not repository.claim_webhook_delivery(session, provider, delivery.event_id, delivery.event_type):
            # a concurrent copy claimed it first (ON CONFLICT waited for its commit)
            return _recorded(session, provider, delivery.event_id) or (200, [])
        jobs = [job for action in delivery.actions for job in STORE[type(action)](session, action, settings)]
    try:
        job_ids = [task_id for job in jobs for task_id in _task_ids(job())]
    except Exception as exc:
        with session_scope(url) as session:
            repository.release_webhook_delivery(session, provider, delivery.event_id)
        raise Rejected(503, "broker_unavailable", "jobs could not be enqueued; retry later") from exc
    with session_scope(url) as session:
        repository.finish_webhook_delivery(session, provider, delivery.event_id, job_ids)
    return 202, job_ids


# --- HTTP ---


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 past ``limit``: by its declared length before reading, and by
    the bytes actually received (a sender may lie or stream without a length)."""
    declared = unsigned_int(request.headers.get("content-length"))
    if declared is not None and declared > limit:
        raise Rejected(413, "too_large", f"body exceeds {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Rejected(413, "too_large", f"body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _invalid(exc: ValidationError | ValueError) -> Rejected:
    """422 naming each bad field; the offending input is never echoed (it may be personal data)."""
    if isinstance(exc, ValidationError):
        errors = [{"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"]} for e in exc.errors()]
    else:
        errors = [{"loc": "", "msg": str(exc)}]
    return Rejected(422, "invalid_payload", "the event does not match its schema", errors)


async def receive(request: Request, provider: str) -> JSONResponse:
    spec = PROVIDERS.get(provider)
    if spec is None:
        raise Rejected(404, "unknown_provider", f"no webhook provider named {provider[:50]!r}")
    settings: Settings = request.app.state.settings()
    secret = spec.secret(settings)
    if not secret:  # never open by default
        raise Rejected(503, "not_configured", f"webhooks from {provider} are not configured (no secret)")
    body = await read_body(request, body_limit(settings))
    try:
        spec.verify(secret, request.headers, body, settings)
    except SignatureError as exc:
        raise Rejected(401, "bad_signature", str(exc)) from None
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # RecursionError: absurdly deep nesting
        raise Rejected(422, "invalid_json", "the body is not valid JSON") from None
    try:
        delivery = spec.read(data, body)
    except (ValidationError, ValueError) as exc:
        raise _invalid(exc) from None
    if not delivery.actions:
        status, job_ids = 200, []
    else:
        status, job_ids = await run_in_threadpool(accept, settings, provider, delivery)
    extra = {"provider": provider, "event_id": delivery.event_id, "event_type": delivery.event_type}
    log.info("webhook accepted", extra={**extra, "status": status, "jobs": len(job_ids)})
    return JSONResponse({"event_id": delivery.event_id, "job_ids": job_ids}, status_code=status)


async def _rejected(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Rejected)
    log.info("webhook rejected", extra={"path": request.url.path[:100], "status": exc.status, "code": exc.code})
    content: dict[str, Any] = {"detail": exc.message, "code": exc.code}
    if exc.errors:
        content["errors"] = exc.errors
    return JSONResponse(content, status_code=exc.status)


async def healthz(request: Request) -> JSONResponse:
    """200 while the database and the broker answer, 503 naming the one that does not."""
    states = await run_in_threadpool(health.check, request.app.state.settings())
    ok = all(state == "ok" for state in states.values())
    return JSONResponse({"status": "ok" if ok else "down", **states}, status_code=200 if ok else 503)


@asynccontextmanager
async def _json_logs(api: FastAPI) -> AsyncIterator[None]:
    """Under a server that set up no logging (``uvicorn producers.webhooks:app`` configures only its
    own loggers), our lines go out as talentq's JSON logs; a host that did set up logging keeps it."""
    if not logging.getLogger().handlers:
        configure_logging(api.state.settings().log_level)
    yield


def create_app(settings: Callable[[], Settings] = get_settings) -> FastAPI:
    """The ASGI app; ``settings`` is called per request, so tests can pass their own."""
    api = FastAPI(title="talentq webhooks", docs_url=None, redoc_url=None, openapi_url=None, lifespan=_json_logs)
    api.state.settings = settings
    api.add_api_route("/webhooks/{provider}", receive, methods=["POST"], status_code=202)
    api.add_api_route("/healthz", healthz, methods=["GET"])
    api.add_exception_handler(Rejected, _rejected)
    return api


app = create_app()


def serve(host: str = "0.0.0.0", port: int = 8000) -> None:
    """Run the receiver under uvicorn with talentq's JSON logs (access logs off: they add nothing
    the 'webhook accepted/rejected' lines do not already say)."""
    import uvicorn

    configure_logging(get_settings().log_level)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, proxy_headers=True)
