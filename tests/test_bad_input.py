"""Bad input at every entry point, over a generated corpus (fixed seeds, ``derandomize=True``):
documents (``extract_text`` for the bulk, a sample through a real worker), task payloads (the contract's
schemas for the bulk, raw messages through a real worker) and webhooks (the FastAPI app). Each input gets
a clear outcome: a ``DocumentError`` code, a 4xx status or a ``failures`` row; no worker dies; memory stays
bounded. Every test records how many inputs it tried (tests/faults.py ``record_figures``)."""

from __future__ import annotations

import base64
import io
import json
import random
import resource
import zipfile
from collections import Counter
from collections.abc import Iterator
from typing import Any

import docx
import pypdf
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import func, select

from config.settings import Settings
from db.models import Failure
from db.session import session_scope
from producers.signing import generic_headers, greenhouse_headers
from producers.webhooks import create_app
from tasks.contract import PARSE_RESUME, PAYLOADS, QUEUES
from tests.faults import (
    RedisServer,
    drained,
    failures_of,
    private_broker,
    record_figures,
    rss_kib,
    submit_resumes,
)
from tests.support import WorkerProcess, pdf_bytes, pool_pids, wait_for
from workers.documents import OLE_MAGIC, DocumentError, extract_text

pytestmark = pytest.mark.timeout(300)

LIMIT = 200_000  # bytes per document, in-process and for the worker (TALENTQ_MAX_DOCUMENT_BYTES)
CODES = {"empty", "too_large", "unsupported_type", "corrupt", "encrypted", "no_text_layer", "binary", "decode_error"}
EXTENSIONS = ["cv.pdf", "cv.docx", "cv.txt", "cv.md", "cv.html", "cv.doc", "cv.rtf", "cv", "cv.PDF", "cv.csv"]
JUNK = settings(derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=15), inner, max_size=5),
    max_leaves=20,
)


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": [value]}
    return value


# --- documents ------------------------------------------------------------------------------------------------


def outcome(data: bytes, filename: str) -> str:
    """``"text"`` or the DocumentError code; any other exception fails the test."""
    try:
        extract_text(data, filename, LIMIT)
    except DocumentError as exc:
        assert exc.code in CODES and exc.message, exc
        return exc.code
    return "text"


def docx_bytes(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def encrypted_pdf(password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(SAMPLE_PDF)))
    writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_bomb(inflated: int, name: str = "word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, b"\0" * inflated)
    return buffer.getvalue()


def future_zip_version(data: bytes) -> bytes:
    """The archive with every central-directory entry asking for zip version 21.0: zipfile raises
    ``NotImplementedError`` on it (a damaged DOCX of the fault attack)."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at >= 0:
        out[at + 6 : at + 8] = (210).to_bytes(2, "little")  # "version needed to extract"
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


SAMPLE_PDF = pdf_bytes(lambda page: page.drawString(72, 700, "Jane Doe, Python engineer, jane@example.com"))
SAMPLE_DOCX = docx_bytes("Jane Doe, Python engineer, jane@example.com")
TEXT = "Jane Doe — Python engineer — jane@example.com\n"


def mutations(seed: int, data: bytes, n: int) -> Iterator[bytes]:
    """``n`` truncations and ``n`` copies with a few random bytes overwritten, from a fixed seed."""
    rng = random.Random(seed)
    for i in range(n):
        yield data[: len(data) * i // n]
    for _ in range(n):
        copy = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            copy[rng.randrange(len(copy))] = rng.randrange(256)
        yield bytes(copy)


def document_corpus() -> list[tuple[str, bytes, str, set[str] | None]]:
    """(kind, bytes, filename, the codes it may get; None: any outcome, text included)."""
    corpus: list[tuple[str, bytes, str, set[str] | None]] = []
    corpus += [("truncated/flipped pdf", d, "cv.pdf", None) for d in mutations(1, SAMPLE_PDF, 80)]
    corpus += [("truncated/flipped docx", d, "cv.docx", None) for d in mutations(2, SAMPLE_DOCX, 80)]
    corpus += [("encrypted pdf", encrypted_pdf(f"secret-{i}"), "cv.pdf", {"encrypted"}) for i in range(10)]
    corpus += [("zip bomb", zip_bomb(LIMIT * 21 + i), "cv.docx", {"too_large"}) for i in range(5)]
    corpus += [("zip bomb", zip_bomb(LIMIT * 40, f"word/{i}.xml"), "cv.docx", {"too_large"}) for i in range(5)]
    corpus += [("future zip version", future_zip_version(SAMPLE_DOCX), "cv.docx", {"corrupt"})]
    corpus += [("encrypted office", OLE_MAGIC + bytes(500 + i), "cv.docx", {"encrypted"}) for i in range(5)]
    corpus += [("empty", b"", name, {"empty"}) for name in EXTENSIONS]
    corpus += [("whitespace", b" \n\t\r\n" * 50, name, {"empty", "corrupt", "unsupported_type"}) for name in EXTENSIONS]
    corpus += [("huge", b"a" * (LIMIT + 1), name, {"too_large"}) for name in EXTENSIONS]
    corpus += [("null bytes", b"\0" * (100 * (i + 1)), "cv.txt", {"binary"}) for i in range(10)]
    corpus += [
        ("nul-sprinkled text", (TEXT * 40).replace("o", "\0", i + 1).encode(), "cv.txt", None) for i in range(10)
    ]
    corpus += [("control bytes", bytes(range(1, 32)) * (20 + i), "cv.txt", {"binary"}) for i in range(10)]
    corpus += [
        ("bad utf-16", b"\xff\xfe" + b"\x00\xd8" * (i + 1) + b"a", "cv.txt", {"decode_error"}) for i in range(10)
    ]
    corpus += [
        ("bad utf-32", b"\xff\xfe\x00\x00" + b"\xff\xff\xff\xff" * (i + 1), "cv.txt", {"decode_error"})
        for i in range(5)
    ]
    for encoding in ("latin-1", "cp1252", "utf-16-le", "utf-16-be", "shift_jis", "koi8-r", "utf-8-sig", "utf-32"):
        sample = "Zoë Ærøskøbing, Dvořák, Łódź — 履歴書, Резюме\n" * 20
        corpus.append((f"{encoding} text", sample.encode(encoding, errors="replace"), "cv.txt", None))
    corpus += [("long line", b"python " * (LIMIT // 7 - i), "cv.txt", None) for i in range(3)]
    corpus += [("deep html", b"<html>" + b"<div>" * (LIMIT // 6 - 2) + b"x", "cv.html", None)]
    corpus += [("pdf named txt", SAMPLE_PDF, "cv.txt", None), ("docx named pdf", SAMPLE_DOCX, "cv.pdf", None)]
    corpus += [("image", b"\x89PNG\r\n\x1a\n" + bytes(200), name, {"unsupported_type"}) for name in EXTENSIONS]
    return corpus


def test_document_corpus_gets_a_code_each_and_memory_stays_bounded() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    counts: Counter[str] = Counter()
    for kind, data, filename, allowed in document_corpus():
        got = outcome(data, filename)
        assert allowed is None or got in allowed, f"{kind} {filename}: {got}, expected {allowed}"
        counts[got] += 1
    junk = junk_documents()
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 400, f"peak memory grew {grown_mib:.0f} MiB"
    record_figures(
        "bad_documents", tried=counts.total() + junk.total(), **counts, **{f"junk_{k}": v for k, v in junk.items()}
    )


def junk_documents() -> Counter[str]:
    """Random bytes, bare and behind PDF/DOCX/OLE/BOM magic, under every file name."""
    counts: Counter[str] = Counter()
    magic = st.sampled_from([b"", b"%PDF-1.7\n", b"PK\x03\x04", OLE_MAGIC, b"\xff\xfe", b"\xef\xbb\xbf", b"<html>"])

    @settings(JUNK, max_examples=500)
    @given(magic, st.binary(max_size=3000), st.sampled_from(EXTENSIONS))
    def check(prefix: bytes, data: bytes, filename: str) -> None:
        counts[outcome(prefix + data, filename)] += 1

    check()
    return counts


# --- task payloads --------------------------------------------------------------------------------------------


def bad_payloads() -> list[Any]:
    """Payloads every task must refuse: wrong types, missing and extra fields, out-of-range ids, size, depth."""
    values: list[Any] = [None, 0, -1, 2**63, 2**70, 1.5, "1", "", True, [], {}, [1], {"id": 1}, "x" * 100_000]
    payloads: list[Any] = [None, [], "text", 42, 3.14, True, {}, {"batch_run_id": 1}, nested(200), ["x"] * 1000]
    for field in ("document_id", "comment_id", "application_id"):
        payloads += [{field: value} for value in values]
        payloads += [{field: 1, "batch_run_id": value} for value in values if value is not None]
        payloads += [{field: 1, "extra": 1}, {field: 1, "content": "x" * 100_000}]
    return payloads


def is_valid(schema: type, payload: Any) -> bool:
    try:
        schema.model_validate(payload)
    except ValidationError as exc:
        assert exc.errors(), exc
        return False
    return True


def test_payload_schemas_refuse_bad_payloads() -> None:
    tried = 0
    for schema in PAYLOADS.values():
        for payload in [*bad_payloads(), nested(5000), {"document_id": nested(5000)}]:
            tried += 1
            subject = next(iter(schema.model_fields.keys() - {"batch_run_id"}))
            valid = is_valid(schema, payload)
            assert not valid or (isinstance(payload, dict) and type(payload.get(subject)) is int), payload

    @settings(JUNK, max_examples=300)
    @given(JSON_VALUES, st.sampled_from(list(PAYLOADS.values())))
    def random_json(payload: Any, schema: type) -> None:
        nonlocal tried
        tried += 1
        is_valid(schema, payload)  # any outcome but an exception other than ValidationError

    random_json()
    record_figures("bad_payloads_schema", tried=tried)


# --- real worker: raw messages and a document sample ----------------------------------------------------------


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    yield from private_broker(tmp_path_factory)


@pytest.fixture(scope="module")
def worker(database_url: str, broker: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    folder = tmp_path_factory.mktemp("bad-input-worker")
    env = {**broker.env, "TALENTQ_MAX_DOCUMENT_BYTES": str(LIMIT)}
    process = WorkerProcess(folder / "worker.log", "extract,resumes,sentiment,scoring", 1, env)
    yield process
    process.stop()


def memory(worker: WorkerProcess) -> tuple[list[int], int]:
    """(pool pids, total RSS of the pool in KiB)."""
    pids = pool_pids(worker.proc.pid)
    return pids, sum(rss_kib(pid) for pid in pids)


def failure_count(url: str, **where: Any) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(Failure).filter_by(**where))


def test_raw_bad_messages_become_invalid_payload_rows(worker, database_url, broker):
    from tasks.app import app

    worker_pid, (pool_before, rss_before) = worker.proc.pid, memory(worker)
    rows_before = failure_count(database_url, error_code="invalid_payload")
    sent = 0
    with app.connection_for_write(broker.url) as connection:
        for name in PAYLOADS:
            for payload in bad_payloads():
                app.send_task(name, args=[payload], queue=QUEUES[name], connection=connection)
                sent += 1
    wait_for(
        lambda: failure_count(database_url, error_code="invalid_payload") - rows_before >= sent,
        240,
        what="an invalid_payload row per message",
    )
    wait_for(lambda: drained(broker.client()), 30, what="every bad message consumed")
    assert failure_count(database_url, error_code="invalid_payload") - rows_before == sent
    pool_after, rss_after = memory(worker)
    assert worker.proc.poll() is None and worker.proc.pid == worker_pid and pool_after == pool_before
    assert rss_after - rss_before < 300 * 1024, (rss_before, rss_after)
    record_figures("bad_payloads_worker", tried=sent, worker_deaths=0, rss_growth_kib=rss_after - rss_before)


WORKER_DOCUMENTS: dict[str, tuple[bytes, str]] = {
    "empty.pdf": (b"", "empty"),
    "truncated.pdf": (SAMPLE_PDF[: len(SAMPLE_PDF) // 3], "corrupt"),
    "encrypted.pdf": (encrypted_pdf("secret"), "encrypted"),
    "bomb.docx": (zip_bomb(LIMIT * 30), "too_large"),
    "ole.docx": (OLE_MAGIC + bytes(600), "encrypted"),
    "notzip.docx": (b"PK\x03\x04" + bytes(range(256)) * 4, "corrupt"),
    "future-zip-version.docx": (future_zip_version(SAMPLE_DOCX), "corrupt"),
    "huge.txt": (b"python " * (LIMIT // 6), "too_large"),
    "nulls.txt": (b"\0\0\0\xff" * 1250, "binary"),
    "controls.txt": (bytes(range(1, 32)) * 100, "binary"),
    "bad-utf16.txt": (b"\xff\xfe" + b"\x00\xd8" * 10 + b"a", "decode_error"),
    "image.pdf": (b"\x89PNG\r\n\x1a\n" + bytes(300), "corrupt"),  # workers OCR images: this one is broken
    "legacy.doc": (OLE_MAGIC + bytes(700), "corrupt"),  # .doc is read: no OLE directory here
}


def test_bad_documents_through_the_worker_get_their_codes(worker, database_url, broker, tmp_path):
    worker_pid, (pool_before, rss_before) = worker.proc.pid, memory(worker)
    env = {**broker.env, "TALENTQ_MAX_DOCUMENT_BYTES": str(LIMIT)}
    files = {name: data for name, (data, _) in WORKER_DOCUMENTS.items()}
    ids = submit_resumes(database_url, tmp_path / "docs", files, env=env)
    assert len(ids) == len(files)
    codes = wait_for(
        lambda: (
            (found := failures_of(database_url, PARSE_RESUME, list(ids.values()))) and len(found) == len(ids) and found
        ),
        240,
        what="a failure row per bad document",
    )
    by_name = {name: codes[ids[name]] for name in WORKER_DOCUMENTS}
    assert by_name == {name: code for name, (_, code) in WORKER_DOCUMENTS.items()}
    pool_after, rss_after = memory(worker)
    assert worker.proc.poll() is None and worker.proc.pid == worker_pid and pool_after == pool_before
    assert rss_after - rss_before < 300 * 1024, (rss_before, rss_after)
    record_figures("bad_documents_worker", tried=len(WORKER_DOCUMENTS), worker_deaths=0)


# --- webhooks -------------------------------------------------------------------------------------------------

SECRET, GH_SECRET = "bad-input-secret", "bad-input-gh-secret"


@pytest.fixture(scope="module")
def client(database_url: str) -> Iterator[TestClient]:
    config = Settings(webhook_secret=SECRET, greenhouse_secret=GH_SECRET, max_document_bytes=LIMIT)
    with TestClient(create_app(lambda: config), raise_server_exceptions=False) as test_client:
        yield test_client


def post(client: TestClient, provider: str, body: bytes, signed: bool = True) -> int:
    headers = {"Content-Type": "application/json"}
    if signed:
        headers |= generic_headers(SECRET, body) if provider == "generic" else greenhouse_headers(GH_SECRET, body)
    return client.post(f"/webhooks/{provider}", content=body, headers=headers).status_code


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def bad_events() -> list[tuple[bytes, set[int]]]:
    """(body, allowed statuses) of signed deliveries that must be refused without a 5xx."""
    resume = {"filename": "cv.txt", "content_base64": b64(b"Jane Doe")}
    app_data = {"candidate_id": "c", "posting_id": "p", "resume": resume}
    events: list[Any] = [
        {"event_id": "e", "type": "application.submitted", "data": {**app_data, "candidate_id": 5}},
        {"event_id": "e", "type": "application.submitted", "data": {**app_data, "resume": {"filename": "a"}}},
        {"event_id": "e", "type": "application.submitted", "data": {**app_data, "resume": "cv.txt"}},
        {"event_id": "e", "type": "comment.submitted", "data": {"comment": {"id": "1", "text": ""}}},
        {"event_id": "e", "type": "comment.submitted", "data": {"comment": {"id": ["1"], "text": "t"}}},
        {"event_id": "", "type": "comment.submitted", "data": {"comment": {"id": "1", "text": "t"}}},
        {"event_id": "e" * 201, "type": "comment.submitted", "data": {"comment": {"id": "1", "text": "t"}}},
        {"event_id": "e", "type": None, "data": {}},
        {"event_id": "e", "data": nested(300)},
        {"action": "new_candidate_application", "payload": {"application": {"id": "x"}}},
        {"action": "new_candidate_application", "payload": nested(300)},
    ]
    bodies = [(json.dumps(e).encode(), {422}) for e in events]
    bodies += [(b"[" * 100_000 + b"]" * 100_000, {422}), (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, {422})]
    bodies += [(b"\xff\xfe\x00garbage", {422}), (b"", {422}), (b"null", {422}), (b"x" * (LIMIT * 2 + (1 << 20)), {413})]
    return bodies


def test_webhooks_refuse_bad_input_with_4xx(client):
    statuses: Counter[int] = Counter()
    for provider in ("generic", "greenhouse"):
        for body, allowed in bad_events():
            status = post(client, provider, body)
            assert status in allowed, (provider, body[:80], status)
            statuses[status] += 1
        statuses[post(client, provider, b'{"event_id": "e"}', signed=False)] += 1

    bodies = st.binary(max_size=2000) | JSON_VALUES.map(json.dumps).map(str.encode)

    @settings(JUNK, max_examples=300)
    @given(st.sampled_from(["generic", "greenhouse"]), bodies)
    def junk(provider: str, body: bytes) -> None:
        status = post(client, provider, body)
        assert 400 <= status < 500 or status == 200, (provider, body[:80], status)  # 200: a Greenhouse ping
        statuses[status] += 1

    junk()
    assert not [s for s in statuses if s >= 500]
    record_figures("bad_webhooks", tried=statuses.total(), **{f"status_{s}": n for s, n in sorted(statuses.items())})
