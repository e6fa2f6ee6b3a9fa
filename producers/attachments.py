"""Résumés that HRIS events send as links, fetched by a worker on the ``extract`` queue, never in the webhook
request: the receiver records the link (``attachment_fetches``) and answers; this task downloads the file, stores
it as the candidate's document and enqueues its parse (and score) like any other résumé.

A download goes only to hosts in TALENTQ_FETCH_ALLOWED_HOSTS (https; an entry written as an origin, such as
``http://127.0.0.1:8080``, allows exactly that one), redirects included; it is cut at
TALENTQ_MAX_DOCUMENT_BYTES, and each connect or read waits at most TALENTQ_FETCH_TIMEOUT_S. A timeout, a refused
connection, a 5xx or a 429 is retried with backoff (``tasks.reliability``); anything else is recorded in
``failures`` at once with its code. URLs may carry signed tokens: they are never logged.
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Mapping, Sequence
from email.message import Message
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from celery import Task
from celery.result import AsyncResult

from config.settings import Settings, get_settings
from db import repository
from db.models import AttachmentFetch
from db.session import session_scope
from producers.intake import resume_jobs
from producers.providers import PROVIDERS, Downloaded, FetchRefused, Get
from producers.signing import unsigned_int
from tasks.app import app
from tasks.contract import FETCH_ATTACHMENT, FetchAttachmentPayload
from tasks.reliability import run_guarded

MAX_REDIRECTS = 3
CHUNK = 1 << 16


class TransientFetchError(ConnectionError):
    """A download that may work later (timeout, refused connection, 5xx, 429): ``tasks.reliability`` retries it."""


def allowed(url: str, allow_list: str) -> bool:
    """``url`` is https to an allowed host, or its origin is an allowed origin; no credentials in the URL."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        return False
    entries = {entry.strip().lower().rstrip("/") for entry in allow_list.split(",") if entry.strip()}
    host = (parts.hostname or "").lower()
    return (parts.scheme == "https" and host in entries) or f"{parts.scheme}://{parts.netloc}".lower() in entries


def _filename(response: httpx.Response) -> str | None:
    header = response.headers.get("content-disposition")
    if not header:
        return None
    message = Message()
    message["content-disposition"] = header
    return message.get_filename()


def _body(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    declared = unsigned_int(response.headers.get("content-length"))
    if declared is not None and declared > max_bytes:
        raise FetchRefused("too_large", f"the résumé is {declared} bytes; the limit is {max_bytes}")
    chunks, size = [], 0
    for chunk in response.iter_bytes(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise FetchRefused("too_large", f"the résumé exceeds {max_bytes} bytes")
        if time.monotonic() > deadline:  # a server that trickles bytes never trips the read timeout
            raise TransientFetchError("the download ran past its deadline")
        chunks.append(chunk)
    return b"".join(chunks)


def getter(client: httpx.Client, settings: Settings) -> Get:
    """The one way a provider downloads: allow-list (every redirect too), size limit, timeouts."""

    def get(url: str, headers: Mapping[str, str]) -> Downloaded:
        deadline = time.monotonic() + 3 * settings.fetch_timeout_s
        for _ in range(MAX_REDIRECTS + 1):
            if not allowed(url, settings.fetch_allowed_hosts):
                host = urlsplit(url).hostname or "?"
                raise FetchRefused("host_not_allowed", f"{host} is not in TALENTQ_FETCH_ALLOWED_HOSTS")
            try:
                with client.stream("GET", url, headers=dict(headers)) as response:
                    if response.is_redirect:
                        target = urljoin(url, response.headers.get("location", ""))
                        same_origin = urlsplit(target)[:2] == urlsplit(url)[:2]
                        url, headers = target, (headers if same_origin else {})  # credentials stay with their host
                        continue
                    status = response.status_code
                    if status == 429 or status >= 500:
                        raise TransientFetchError(f"HTTP {status}")
                    if status >= 400:
                        raise FetchRefused("fetch_failed", f"HTTP {status}")
                    content = _body(response, settings.max_document_bytes, deadline)
                    return Downloaded(content, response.headers.get("content-type", ""), _filename(response))
            except httpx.TransportError as exc:  # timeouts, refused and reset connections
                raise TransientFetchError(type(exc).__name__) from None
        raise FetchRefused("fetch_failed", f"more than {MAX_REDIRECTS} redirects")

    return get


def _name(fetch: AttachmentFetch, downloaded: Downloaded) -> str:
    """The stored file name: the event's, the server's, or ``resume`` with the content type's extension
    (text extraction goes by the name's suffix)."""
    name = fetch.filename or downloaded.filename
    if name:
        return name.replace("\\", "/").rsplit("/", 1)[-1][:255] or "resume"
    extension = mimetypes.guess_extension(downloaded.content_type.split(";")[0].strip()) or ""
    return f"resume{extension}"


def _fail(fetch_id: int, refused: FetchRefused) -> dict[str, Any]:
    """The fetch's failure row (with its candidate, so erasure finds it); the fetch, if it exists, is failed."""
    with session_scope(get_settings().database_url) as session:
        fetch = session.get(AttachmentFetch, fetch_id)
        if fetch is not None:
            fetch.state = "failed"
        repository.record_failure(
            session,
            task_name=FETCH_ATTACHMENT,
            subject_id=fetch_id,
            error_code=refused.code,
            message=refused.message,
            candidate_id=fetch.candidate_id if fetch else None,
        )
    return {"status": "failed", "subject_id": fetch_id, "error_code": refused.code}


def _download(fetch_id: int, settings: Settings) -> Downloaded | dict[str, Any]:
    """The file, or the outcome of a refused fetch (recorded)."""
    with session_scope(settings.database_url) as session:
        fetch = session.get(AttachmentFetch, fetch_id)
        provider, url = PROVIDERS.get(fetch.provider), fetch.url
    if provider is None:
        return _fail(fetch_id, FetchRefused("unsupported_type", "no webhook provider of that name fetches files"))
    timeout = httpx.Timeout(settings.fetch_timeout_s)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            return provider.download(getter(client, settings), url, settings)
    except FetchRefused as refused:
        return _fail(fetch_id, refused)
    except ValueError:  # a listing that is not the JSON the provider documents
        return _fail(fetch_id, FetchRefused("fetch_failed", "the provider's file listing could not be read"))


def fetch_attachments(jobs: Sequence[FetchAttachmentPayload]) -> list[dict[str, Any]]:
    """Each job: download (state pending), store the document (→ stored), enqueue its jobs (→ done). A delivery
    that died after storing enqueues again on redelivery: the parse and the score are upserts."""
    settings = get_settings()
    outcomes: list[dict[str, Any]] = []
    for job in jobs:
        with session_scope(settings.database_url) as session:
            fetch = session.get(AttachmentFetch, job.fetch_id)
            state = fetch.state if fetch else None
        if state is None:
            outcomes.append(_fail(job.fetch_id, FetchRefused("not_found", f"fetch {job.fetch_id} does not exist")))
            continue
        if state == "failed":  # a redelivery of a fetch already recorded as failed
            outcomes.append({"status": "failed", "subject_id": job.fetch_id})
            continue
        if state == "pending":
            downloaded = _download(job.fetch_id, settings)
            if not isinstance(downloaded, Downloaded):
                outcomes.append(downloaded)
                continue
            with session_scope(settings.database_url) as session:
                fetch = session.get(AttachmentFetch, job.fetch_id)
                content = downloaded.content
                document = repository.add_document(
                    session,
                    fetch.candidate_id,
                    _name(fetch, downloaded),
                    content,
                    repository.sha256(content),
                    len(content),
                )
                fetch.document_id, fetch.state = document.id, "stored"
        if state in ("pending", "stored"):
            with session_scope(settings.database_url) as session:
                fetch = session.get(AttachmentFetch, job.fetch_id)
                planned = resume_jobs(session, fetch.candidate_id, fetch.document_id, fetch.job_posting_id)
            for enqueue in planned:
                enqueue()
            with session_scope(settings.database_url) as session:
                session.get(AttachmentFetch, job.fetch_id).state = "done"
        outcomes.append({"status": "done", "subject_id": job.fetch_id})
    return outcomes


@app.task(bind=True, name=FETCH_ATTACHMENT)
def fetch_attachment(self: Task, payload: dict[str, Any]) -> dict[str, Any]:
    """Download one résumé an HRIS event linked to, then enqueue its parse (and score)."""
    return run_guarded(self, fetch_attachments, [payload])[0]


def enqueue_fetch(fetch_id: int) -> AsyncResult:
    """From the webhook receiver, after its transaction commits: the interactive lane of ``extract``."""
    return fetch_attachment.apply_async(args=[FetchAttachmentPayload(fetch_id=fetch_id).model_dump()])
