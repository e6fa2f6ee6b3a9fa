"""How long an HRIS event's résumé waits behind a nightly backlog: one queue (before) against the lanes (after).

    python -m bench.priority [--bulk 10000] [--events 20] [--interval 1.0]

In one run, on real Redis and PostgreSQL (a fresh database, a private Redis database number), with one real
worker (``talentq worker``'s command line: every queue, both lanes) and the real webhook receiver (uvicorn):

- **before**: the old layout, where a batch run's résumé jobs and an event's share the ``resumes`` queue;
- **after**: the batch run's jobs in the bulk lane (``resumes.bulk``), as ``talentq batch submit`` sends them now.

In each, a feeder keeps ``--bulk`` résumé jobs queued (what the batch runner's backpressure does with
``--max-depth``), and ``--events`` signed ``resume.updated`` events are posted ``--interval`` seconds apart. An
event's latency runs from just before its request to the ``created_at`` of its ``resume_results`` row.

The bulk jobs are the cheapest a run can hold (stored documents without bytes: read, found ``empty``, recorded),
so this machine drains them fast and the "before" latency is a floor: each real résumé ahead of an event adds
its whole parse. See docs/benchmarks.md for results.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np

from bench._data import resume_texts
from bench._infra import ROOT, Worker, fresh_database, private_redis

PG_ADMIN_URL = os.environ.get("TALENTQ_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TALENTQ_BENCH_REDIS", "redis://127.0.0.1:6379")
SECRET = "bench-priority-secret"
FEED_POLL_S = 0.2


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bulk", type=int, default=10_000, help="bulk résumé jobs kept queued")
    parser.add_argument("--events", type=int, default=20, help="webhook events per layout")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between events")
    parser.add_argument("--concurrency", type=int, default=1, help="worker processes")
    parser.add_argument("--redis-db", type=int, default=5, help="Redis db (tests use 8-15); flushed")
    parser.add_argument("--timeout", type=float, default=3600, help="most seconds one layout may take")
    parser.add_argument("--log-dir", type=Path, default=None, help="keep the logs here (default: discarded)")
    return parser.parse_args(argv)


def configure_environment(args: argparse.Namespace, database_url: str) -> None:
    """Settings for this process, the worker and the receiver; set before any talentq module reads them."""
    os.environ.update(
        TALENTQ_DATABASE_URL=database_url,
        TALENTQ_BROKER_URL=f"{REDIS_URL}/{args.redis_db}",
        TALENTQ_WEBHOOK_SECRET=SECRET,
        TALENTQ_WORKER_CONCURRENCY=str(args.concurrency),
        TALENTQ_METRICS_PORT="0",
        TALENTQ_SEPARATE_EXTRACTION="false",
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "PASSIVE"),
    )
    os.environ.pop("TALENTQ_RESULT_BACKEND", None)
    from config.settings import get_settings

    get_settings.cache_clear()


@dataclass(frozen=True)
class Layout:
    name: str
    bulk_queue: str  # where the batch run's jobs go


LAYOUTS = [
    Layout("before: one queue (bulk and events on `resumes`)", "resumes"),
    Layout("after: lanes (bulk on `resumes.bulk`)", "resumes.bulk"),
]


def store_bulk_documents(url: str, count: int) -> list[int]:
    """``count`` byte-less documents of one candidate (distinct hashes): cheap résumé jobs for the backlog."""
    from sqlalchemy import insert, select

    from db import repository
    from db.models import Document
    from db.session import session_scope

    with session_scope(url) as session:
        candidate = repository.add_candidate(session, "bench-bulk")
        rows = [
            {
                "candidate_id": candidate.id,
                "filename": f"bulk-{i}.txt",
                "content": b"",
                "content_hash": hashlib.sha256(f"bulk-{i}".encode()).hexdigest(),
                "size_bytes": 0,
            }
            for i in range(count)
        ]
        session.execute(insert(Document), rows)
        return list(session.scalars(select(Document.id).where(Document.candidate_id == candidate.id)))


class Feeder:
    """Keeps ``depth`` bulk parse jobs waiting in ``queue``, as the batch runner's backpressure does."""

    def __init__(self, queue: str, document_ids: list[int], depth: int) -> None:
        self.queue, self.document_ids, self.depth = queue, document_ids, depth
        self.sent, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def fill(self) -> None:
        from producers.batch import queue_depth
        from tasks.contract import ParseResumePayload
        from tasks.jobs import parse_resume

        for _ in range(self.depth - queue_depth(self.queue)):
            document_id = self.document_ids[self.sent % len(self.document_ids)]
            parse_resume.apply_async(args=[ParseResumePayload(document_id=document_id).model_dump()], queue=self.queue)
            self.sent += 1

    def _run(self) -> None:
        while not self._stop.wait(FEED_POLL_S):
            self.fill()

    @contextmanager
    def running(self) -> Iterator[Feeder]:
        self.fill()
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()


def event_body(candidate: str, filename: str, text: str) -> bytes:
    resume = {"filename": filename, "content_base64": base64.b64encode(text.encode()).decode()}
    event = {"event_id": f"{candidate}-event", "type": "resume.updated", "data": {"candidate_id": candidate}}
    event["data"]["resume"] = resume
    return json.dumps(event).encode()


def post_event(client: httpx.Client, url: str, body: bytes) -> float:
    """Post one signed event; returns the wall time just before the request."""
    from producers.signing import generic_headers

    sent = time.time()
    response = client.post(
        url, content=body, headers={"Content-Type": "application/json", **generic_headers(SECRET, body)}
    )
    response.raise_for_status()
    return sent


def result_times(url: str, candidates: list[str]) -> dict[str, float]:
    """The ``created_at`` of each candidate's résumé result, in epoch seconds (those that have one)."""
    from sqlalchemy import select

    from db.models import Candidate, Document, ResumeResult
    from db.session import session_scope

    with session_scope(url) as session:
        rows = session.execute(
            select(Candidate.external_id, ResumeResult.created_at)
            .join(Document, Document.candidate_id == Candidate.id)
            .join(ResumeResult, ResumeResult.document_id == Document.id)
            .where(Candidate.external_id.in_(candidates))
        )
        return {external_id: created.timestamp() for external_id, created in rows}


def wait_for_results(url: str, candidates: list[str], worker: Worker, timeout: float) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while len(found := result_times(url, candidates)) < len(candidates):
        if not worker.alive():
            raise RuntimeError(f"worker died:\n{worker.log_tail()}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(found)} of {len(candidates)} event results after {timeout:.0f}s")
        time.sleep(0.5)
    return found


@dataclass(frozen=True)
class Outcome:
    layout: str
    latencies: list[float]
    bulk_done: int
    seconds: float

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies, q))


def bulk_done(url: str) -> int:
    from sqlalchemy import func, select

    from db.models import Failure
    from db.session import session_scope

    with session_scope(url) as session:
        return session.scalar(select(func.sum(Failure.attempts))) or 0


def run_layout(
    args: argparse.Namespace, layout: Layout, url: str, hook: str, worker: Worker, ids: list[int]
) -> Outcome:
    from tasks.reliability import broker_client

    texts = resume_texts(args.events)
    started, done_before = time.perf_counter(), bulk_done(url)
    tag = "before" if layout is LAYOUTS[0] else "after"
    candidates = [f"bench-{tag}-{i}" for i in range(args.events)]
    sent: dict[str, float] = {}
    with Feeder(layout.bulk_queue, ids, args.bulk).running(), httpx.Client(timeout=60) as client:
        for i, candidate in enumerate(candidates):
            body = event_body(candidate, f"{candidate}.txt", texts[i % len(texts)])
            sent[candidate] = post_event(client, hook, body)
            time.sleep(args.interval)
        done = wait_for_results(url, candidates, worker, args.timeout)
    broker_client(os.environ["TALENTQ_BROKER_URL"]).delete(layout.bulk_queue)  # the rest of the backlog
    latencies = [done[c] - sent[c] for c in candidates]
    return Outcome(layout.name, latencies, bulk_done(url) - done_before, time.perf_counter() - started)


@contextmanager
def receiver(log_path: Path) -> Iterator[str]:
    """The webhook receiver under uvicorn, as `talentq webhooks serve` runs it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "uvicorn", "producers.webhooks:app", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise RuntimeError(log_path.read_text()[-3000:])
            time.sleep(0.2)
        yield f"{base}/webhooks/generic"
    finally:
        proc.terminate()
        proc.wait(15)


def start_worker(args: argparse.Namespace, log_path: Path) -> Worker:
    from producers.cli import worker_command

    worker = Worker(
        worker_command("extract,resumes,sentiment,scoring,control", args.concurrency, "prefork"),
        log_path,
        dict(os.environ),
    )
    while b"ready." not in log_path.read_bytes():
        if not worker.alive():
            raise RuntimeError(worker.log_tail())
        time.sleep(0.5)
    return worker


def warm_up(url: str, hook: str, worker: Worker, timeout: float) -> None:
    """One event first, untimed: the worker's first parse pays for lazy loading."""
    with httpx.Client(timeout=60) as client:
        post_event(client, hook, event_body("bench-warmup", "bench-warmup.txt", resume_texts(1)[0]))
    wait_for_results(url, ["bench-warmup"], worker, timeout)


def report(args: argparse.Namespace, outcomes: list[Outcome]) -> str:
    lines = [
        f"{args.bulk} bulk résumé jobs kept queued, {args.events} events {args.interval:g} s apart, "
        f"worker concurrency {args.concurrency}",
        "",
        "| layout | events | p50 s | p95 s | max s | bulk jobs done meanwhile | bulk jobs/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        rate = o.bulk_done / o.seconds
        lines.append(
            f"| {o.layout} | {len(o.latencies)} | {o.percentile(50):.2f} | {o.percentile(95):.2f} "
            f"| {max(o.latencies):.2f} | {o.bulk_done} | {rate:.1f} |"
        )
    before, after = outcomes
    lines += [
        "",
        f"before/after: p50 {before.percentile(50) / after.percentile(50):.1f}×, "
        f"p95 {before.percentile(95) / after.percentile(95):.1f}×",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        logs = args.log_dir or Path(scratch)
        logs.mkdir(parents=True, exist_ok=True)
        with fresh_database(PG_ADMIN_URL) as url, private_redis(f"{REDIS_URL}/{args.redis_db}"):
            configure_environment(args, url)
            ids = store_bulk_documents(url, args.bulk)
            worker = start_worker(args, logs / "worker.log")
            try:
                with receiver(logs / "receiver.log") as hook:
                    warm_up(url, hook, worker, args.timeout)
                    outcomes = [run_layout(args, layout, url, hook, worker, ids) for layout in LAYOUTS]
            finally:
                worker.stop()
    print(report(args, outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
