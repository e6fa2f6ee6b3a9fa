"""Results for other systems, end to end on the real servers: a real worker runs a résumé (parsed, scored), a
corrupt file (failed) and comments (sentiment) while a connection LISTENs, a subscription waits behind a
receiver that is down, and a consumer login reads the views and the read API."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import select
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import jsonschema
import psycopg2
import pytest
import sqlalchemy as sa

from tests.support import GOOD_RESUME, ROOT, WorkerProcess, free_port, http_service, talentq, wait_for

pytestmark = pytest.mark.timeout(600)
CHANNEL = "talentq_results"
POSTING = "backend-python-engineer"
PERSONAL = ("Jordan", "example.com", "4477", "Austin")  # from GOOD_RESUME: must never leave in an event
READER = "talentq_test_api"


@dataclass
class Landed:
    database_url: str
    worker: WorkerProcess
    listener: psycopg2.extensions.connection
    port: int
    subscription_id: int
    secret: str
    documents: dict[str, int]
    events: list[dict] = field(default_factory=list)

    def drain(self) -> list[dict]:
        """The NOTIFY payloads received so far on the results channel."""
        if select.select([self.listener], [], [], 0)[0]:
            self.listener.poll()
            while self.listener.notifies:
                note = self.listener.notifies.pop(0)
                assert note.channel == CHANNEL
                self.events.append(json.loads(note.payload))
        return self.events

    def of(self, kind: str) -> list[dict]:
        return [event for event in self.drain() if event["type"] == kind]


def _sql(url: str, query: str, **params) -> list[sa.Row]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(query), params))
    finally:
        engine.dispose()


def reader_url(database_url: str) -> str:
    """A login in the talentq_reader role (created once per cluster), as a consumer would have."""
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(
            sa.text(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READER}') THEN "
                f"CREATE ROLE {READER} LOGIN IN ROLE talentq_reader; END IF; END $$"
            )
        )
    engine.dispose()
    return sa.make_url(database_url).set(username=READER).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def dispatcher(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen]:
    """`talentq webhooks deliver`, retrying fast (0.2 s doubling to 1 s) so a test sees several attempts."""
    fast = {
        "TALENTQ_OUTBOUND_RETRY_BASE_S": "0.2",
        "TALENTQ_OUTBOUND_RETRY_MAX_S": "1",
        "TALENTQ_OUTBOUND_MAX_ATTEMPTS": "1000",
    }
    log = tmp_path_factory.mktemp("dispatcher") / "deliver.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "producers.cli", "webhooks", "deliver"],
            cwd=ROOT,
            env={**os.environ, **fast, "TALENTQ_LOG_LEVEL": "INFO"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    yield proc
    proc.terminate()
    proc.wait(30)
    assert proc.returncode == 0, log.read_text()[-3000:]


@pytest.fixture(scope="module")
def landed(database_url, dispatcher, tmp_path_factory, samples_dir: Path) -> Iterator[Landed]:
    tmp = tmp_path_factory.mktemp("consumers")
    listener = psycopg2.connect(sa.make_url(database_url).set(drivername="postgresql").render_as_string(False))
    listener.autocommit = True
    listener.cursor().execute(f"LISTEN {CHANNEL}")
    port = free_port()  # nothing listens there yet: the receiver is down
    out = talentq("subscriptions", "add", f"http://127.0.0.1:{port}/hooks")
    subscription_id = int(out.split("subscription ")[1].split()[0])
    secret = out.split("secret ")[1].split()[0]

    folder = tmp / "resumes"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_RESUME)
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n garbage \x00\xff" * 20)
    comments = tmp / "comments.csv"
    comments.write_text("id,source,text\nconsumer-1,survey,Great team and fair workload.\nconsumer-2,survey,Awful.\n")
    worker = WorkerProcess(tmp / "worker.log", "extract,resumes,sentiment,scoring,control", 1, None)
    talentq("submit", "resumes", str(folder), "--posting", str(samples_dir / "postings" / f"{POSTING}.md"))
    talentq("submit", "comments", str(comments))
    documents = dict(_sql(database_url, "SELECT filename, id FROM documents"))
    state = Landed(database_url, worker, listener, port, subscription_id, secret, documents)

    def ended() -> bool:
        return (
            len(state.of("resume.parsed")) >= 1
            and len(state.of("candidate.scored")) >= 1
            and len(state.of("sentiment.analyzed")) >= 2
            and len(state.of("job.failed")) >= 2  # the corrupt file's parse, then its application's score
        )

    wait_for(ended, 240, what="every job ended", progress=worker.activity)
    yield state
    worker.stop()
    listener.close()


def test_a_listening_connection_hears_every_ended_job_by_id_only(landed: Landed):
    parsed = landed.of("resume.parsed")
    assert {e["document_id"] for e in parsed} == {landed.documents["good.txt"]}
    failed = [e for e in landed.of("job.failed") if e["subject_id"] == landed.documents["corrupt.pdf"]]
    assert failed[0]["error_code"] == "corrupt" and failed[0]["task"] == "talentq.parse_resume"
    with_ids = {"result_id", "document_id", "model_version", "type", "occurred_at"}
    assert set(parsed[0]) == with_ids
    assert len(landed.of("sentiment.analyzed")) == 2 and landed.of("candidate.scored")[0]["application_id"]
    assert not [word for word in PERSONAL if word in json.dumps(landed.events)]


class Receiver(BaseHTTPRequestHandler):
    """Answers its first POST 503 (a receiver coming back up), then 204 to each, keeping what it accepted."""

    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []
    refused: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        if not self.refused:
            self.refused.append(self.headers["webhook-id"])
            self.send_response(503)
        else:
            self.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *_args) -> None:
        pass


def _deliveries(landed: Landed) -> list[sa.Row]:
    return _sql(
        landed.database_url,
        "SELECT id, state, attempts FROM outbound_webhooks WHERE subscription_id = :s ORDER BY id",
        s=landed.subscription_id,
    )


def test_webhooks_are_signed_and_retried_across_the_receivers_outage(landed: Landed):
    # While the receiver is down, deliveries fail and are retried from the table, never dropped.
    def attempts() -> int:  # progress: the dispatcher's attempts, successful or not
        return sum(d.attempts for d in _deliveries(landed))

    wait_for(lambda: min(d.attempts for d in _deliveries(landed)) >= 2, 60, what="retries", progress=attempts)
    assert {d.state for d in _deliveries(landed)} == {"pending"}
    server = ThreadingHTTPServer(("127.0.0.1", landed.port), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        delivered = {"delivered"}
        wait_for(lambda: {d.state for d in _deliveries(landed)} == delivered, 60, what="delivery", progress=attempts)
    finally:
        server.shutdown()
    deliveries = _deliveries(landed)
    assert len(deliveries) == len(landed.drain())  # one delivery per event
    by_id = {headers["webhook-id"]: (headers, body) for headers, body in Receiver.received}
    assert set(by_id) == {f"msg_{d.id}" for d in deliveries}
    key = base64.b64decode(landed.secret.removeprefix("whsec_"))
    for message_id, (headers, body) in by_id.items():
        signed = f"{message_id}.{headers['webhook-timestamp']}.".encode() + body
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        assert headers["webhook-signature"] == f"v1,{expected}"
        assert abs(int(headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 600
        assert not [word for word in PERSONAL if word in body.decode()]
    events = [json.loads(body) for _, body in by_id.values()]
    parsed = next(e for e in events if e["type"] == "resume.parsed")
    assert parsed["data"]["links"]["self"] == f"/v1/resume-results/{landed.documents['good.txt']}"
    log = _sql(
        landed.database_url,
        "SELECT status_code FROM outbound_webhook_attempts WHERE delivery_id = :d ORDER BY id",
        d=deliveries[0].id,
    )
    statuses = [row.status_code for row in log]
    assert statuses[-1] == 204 and statuses[:-1] and set(statuses[:-1]) <= {None, 503}
    refused = int(Receiver.refused[0].removeprefix("msg_"))
    log = _sql(
        landed.database_url, "SELECT status_code FROM outbound_webhook_attempts WHERE delivery_id = :d", d=refused
    )
    assert [row.status_code for row in log][-2:] == [503, 204]  # an error status is retried like an outage


def test_signatures_match_the_standard_webhooks_test_vector():
    from producers.outbound import sign

    signature = sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_consumer_login_reads_views_and_results_but_never_bytes_texts_or_secrets(landed: Landed):
    engine = sa.create_engine(reader_url(landed.database_url))
    try:
        with engine.connect() as conn:
            for view in ("current_resume_results", "current_sentiment", "current_scores", "current_candidate_ranking"):
                assert conn.execute(sa.text(f"SELECT count(*) FROM {view}")).scalar_one() >= 1
            assert conn.execute(sa.text("SELECT count(*) FROM resume_results")).scalar_one() >= 1
            assert conn.execute(sa.text("SELECT id, filename, size_bytes FROM documents")).all()
            for refused in (
                "SELECT content FROM documents",
                "SELECT text FROM documents",
                "SELECT * FROM documents",
                "SELECT text FROM comments",
                "SELECT secret FROM webhook_subscriptions",
            ):
                with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                    conn.execute(sa.text(refused))
                conn.rollback()
    finally:
        engine.dispose()


def test_the_json_columns_of_real_rows_match_their_published_schemas(landed: Landed):
    from workers.result_schemas import COLUMNS, schema

    for column in COLUMNS:
        published = json.loads((ROOT / "docs" / "schemas" / f"{column}.json").read_text())
        assert published == schema(column), f"docs/schemas/{column}.json is stale: python -m workers.result_schemas"
        table, name = column.split(".")
        values = [row[0] for row in _sql(landed.database_url, f"SELECT {name} FROM {table}")]
        assert values
        for value in values:
            jsonschema.validate(value, published, cls=jsonschema.Draft202012Validator)
            assert set(value) <= set(published["properties"]), f"{column} has fields its schema lacks"


def test_the_read_api_pages_filters_and_refuses_a_missing_key(landed: Landed, tmp_path: Path):
    env = {
        **os.environ,
        "TALENTQ_API_KEYS": "key-one, key-two",
        "TALENTQ_API_DATABASE_URL": reader_url(landed.database_url),
    }
    command = [sys.executable, "-m", "producers.cli", "api", "serve", "--port"]
    with http_service(lambda port: [*command, str(port)], env, tmp_path / "api.log", "/health") as url:
        assert httpx.get(f"{url}/v1/resume-results").status_code == 401
        assert httpx.get(f"{url}/v1/scores", headers={"X-API-Key": "key-three"}).status_code == 401
        client = httpx.Client(base_url=url, headers={"X-API-Key": "key-two"})
        seen, cursor = [], None
        while True:
            page = client.get("/v1/sentiment", params={"limit": 1, **({"cursor": cursor} if cursor else {})}).json()
            seen += [item["comment_id"] for item in page["items"]]
            if not (cursor := page["next_cursor"]):
                break
        assert len(seen) == len(set(seen)) == len(landed.of("sentiment.analyzed"))
        future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        assert client.get("/v1/resume-results", params={"updated_since": future}).json()["items"] == []
        resume = client.get(f"/v1/resume-results/{landed.documents['good.txt']}").json()
        assert resume["candidate"] == "good" and resume["parsed"]["parser_version"]
        assert client.get("/v1/resume-results/999999999").status_code == 404
        ranking = client.get(f"/v1/postings/{POSTING}/ranking").json()
        assert ranking[0]["rank"] == 1 and ranking[0]["score"] > 0
        assert client.get("/v1/candidates").json()["items"]
        spec = client.get("/openapi.json").json()
        assert {"/v1/resume-results", "/v1/sentiment", "/v1/scores", "/v1/postings/{posting}/ranking"} <= set(
            spec["paths"]
        )
        assert "APIKeyHeader" in spec["components"]["securitySchemes"]
        assert client.get("/v1/sentiment", params={"cursor": "not-a-cursor"}).status_code == 400


def test_a_view_holds_one_row_per_subject_the_newest_written(landed: Landed):
    document = landed.documents["good.txt"]
    current = _sql(landed.database_url, "SELECT * FROM current_resume_results WHERE document_id = :d", d=document)
    older = datetime.now(UTC) - timedelta(days=1)
    copy = (
        "INSERT INTO resume_results (document_id, model_name, model_version, skills, parsed, created_at, updated_at) "
        "SELECT document_id, model_name, :version, skills, parsed, :at, :at FROM resume_results WHERE id = :id"
    )
    engine = sa.create_engine(landed.database_url)
    with engine.begin() as conn:
        conn.execute(sa.text(copy), {"version": "older-version", "at": older, "id": current[0].result_id})
    rows = _sql(landed.database_url, "SELECT * FROM current_resume_results WHERE document_id = :d", d=document)
    assert [r.model_version for r in rows] == [current[0].model_version]
    with engine.begin() as conn:
        conn.execute(sa.text(copy), {"version": "newer-version", "at": datetime.now(UTC), "id": current[0].result_id})
    engine.dispose()
    rows = _sql(landed.database_url, "SELECT * FROM current_resume_results WHERE document_id = :d", d=document)
    assert [r.model_version for r in rows] == ["newer-version"]


def test_subscriptions_are_listed_and_removed_from_the_cli(database_url: str):
    out = talentq("subscriptions", "add", "http://127.0.0.1:9/only-failures", "--event", "job.failed")
    subscription_id = out.split("subscription ")[1].split()[0]
    assert "whsec_" in out
    listed = talentq("subscriptions", "list")
    assert "http://127.0.0.1:9/only-failures" in listed and "job.failed" in listed and "whsec_" not in listed
    assert "removed" in talentq("subscriptions", "remove", subscription_id)
    assert "only-failures" not in talentq("subscriptions", "list")
    assert "no active subscription" in talentq("subscriptions", "remove", subscription_id, ok=False)
    assert "not an http(s) URL" in talentq("subscriptions", "add", "file:///etc/passwd", ok=False)
