"""Shared helpers of the fault and bad-input suites (``test_faults.py``, ``test_bad_input.py``).

Process tools (a private ``redis-server``, worker pool pids and memory), result checks (exactly
one row per job), the suite's recorded figures, and one piece of fault injection, ``poison_env``: a worker
started with it (Celery's ``--include`` read from ``CELERY_WORKER_INCLUDE``) fails every parse of a
document named ``poison-*`` (a poison job) and appends each attempt to a file.

This module is imported inside worker processes, so it must not import ``tests.conftest``
(which would point the process at a new test database).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import func, select

from tests.support import free_port

ROOT = Path(__file__).resolve().parent.parent
FIGURES_FILE = ROOT / ".cache" / "fault-figures.json"
POISON_ENV = "TALENTQ_TEST_POISON_LOG"
RUNS_ENV, DELAY_ENV = "TALENTQ_TEST_RUNS_LOG", "TALENTQ_TEST_PARSE_DELAY_S"
QUEUE_NAMES = ("resumes", "sentiment", "scoring", "control", "resumes.bulk", "sentiment.bulk", "scoring.bulk")


# --- figures -----------------------------------------------------------------------------------------------


def record_figures(section: str, **figures: int) -> None:
    """Print a test's figures and merge them into ``.cache/fault-figures.json`` (what docs/faults.md quotes)."""
    print(f"[figures] {section}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))
    FIGURES_FILE.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(FIGURES_FILE.read_text()) if FIGURES_FILE.exists() else {}
    data[section] = figures
    FIGURES_FILE.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


# --- processes ---------------------------------------------------------------------------------------------


def poison_env(attempts_log: Path) -> dict[str, str]:
    """Worker environment that loads this module and turns on the poison documents."""
    return {"CELERY_WORKER_INCLUDE": "tests.faults", POISON_ENV: str(attempts_log)}


def runs_env(runs_log: Path, delay_s: float) -> dict[str, str]:
    """Worker environment that logs every parse run and slows each job down by ``delay_s``."""
    return {"CELERY_WORKER_INCLUDE": "tests.faults", RUNS_ENV: str(runs_log), DELAY_ENV: str(delay_s)}


class RedisServer:
    """A private ``redis-server`` on loopback with the compose file's persistence (append-only file), or
    with none (``persistent=False``)."""

    def __init__(self, directory: Path, port: int | None = None, persistent: bool = True) -> None:
        self.directory, self.port, self.persistent = directory, port or free_port(), persistent
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "yes" if self.persistent else "no", "--dir", str(self.directory)]
        log = (self.directory / "redis.log").open("ab")
        self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while not _pings(client):
            assert time.monotonic() < deadline and self.proc.poll() is None, "redis-server did not start"
            time.sleep(0.1)
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(30)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)

    @property
    def env(self) -> dict[str, str]:
        """Environment of a producer or worker that uses this server as its broker."""
        return {"TALENTQ_BROKER_URL": self.url}


def private_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A Redis of a test module's own (its fixture ``yield from``s this): tests that kill workers and
    count messages share no broker state with other test sessions on the machine's Redis."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.exceptions.RedisError:
        return False


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """A process's resident memory in KiB: now (``VmRSS``) or at its peak (``VmHWM``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def unacked(client: redis.Redis) -> int:
    """Messages delivered to some worker and not yet acknowledged (kombu's Redis ``unacked`` hash)."""
    return int(client.hlen("unacked"))


def broker_state(client: redis.Redis) -> dict[str, int]:
    """Messages waiting per queue and unacknowledged ones (the ``unacked`` key)."""
    state = {q: int(client.llen(q)) for q in QUEUE_NAMES}
    state["unacked"] = unacked(client)
    return {k: v for k, v in state.items() if v}


def drained(client: redis.Redis) -> bool:
    """Nothing waiting in any queue and nothing delivered but unacknowledged."""
    return not broker_state(client)


# --- results -----------------------------------------------------------------------------------------------


def rows_per_subject(url: str, column: Any, ids: Sequence[int]) -> dict[int, int]:
    """How many rows of ``column``'s table hold each of ``ids`` (0 for none)."""
    from db.session import session_scope

    with session_scope(url) as session:
        rows = session.execute(select(column, func.count()).where(column.in_(ids)).group_by(column))
        found = {subject: n for subject, n in rows}
    return {i: int(found.get(i, 0)) for i in ids}


def failures_of(url: str, task_name: str, ids: Sequence[int]) -> dict[int, str]:
    """Dead-letter rows of the jobs ``ids``: subject id → error code."""
    from db.models import Failure
    from db.session import session_scope

    with session_scope(url) as session:
        rows = session.execute(
            select(Failure.subject_id, Failure.error_code).where(
                Failure.task_name == task_name, Failure.subject_id.in_(ids)
            )
        )
        return {int(subject): code for subject, code in rows}


def done_count(url: str, column: Any, ids: Sequence[int]) -> int:
    return sum(1 for n in rows_per_subject(url, column, ids).values() if n)


def assert_exactly_once(url: str, column: Any, ids: Sequence[int], task_name: str) -> dict[str, int]:
    """Every job has one result row, none has two, none is dead-lettered; returns the figures."""
    counts = rows_per_subject(url, column, ids)
    lost = [i for i, n in counts.items() if n == 0]
    doubled = [i for i, n in counts.items() if n > 1]
    dead = failures_of(url, task_name, ids)
    assert not lost and not doubled and not dead, f"lost {lost}, doubled {doubled}, dead-lettered {dead}"
    return {"jobs": len(ids), "lost": len(lost), "duplicates": len(doubled)}


# --- fault injection, active only in a worker started with ``POISON_ENV`` ------------------------------------


def _install_poison(attempts_log: Path) -> None:
    """Wrap ``tasks.handlers.parse_resumes``: a job whose document is named ``poison-*`` raises, every time;
    one named ``oom-*`` kills its own pool process, every time."""
    from db.models import Document
    from db.session import session_scope
    from tasks import handlers

    real = handlers.parse_resumes

    def poisoned(jobs: Sequence[Any], **kwargs: Any) -> list[dict[str, Any]]:
        ids = [job.document_id for job in jobs]
        with session_scope(os.environ["TALENTQ_DATABASE_URL"]) as session:
            names = session.scalars(select(Document.filename).where(Document.id.in_(ids))).all()
        if any(name.startswith(("poison-", "oom-")) for name in names):
            with attempts_log.open("a") as handle:
                handle.write(f"{ids[0]} {time.time():.3f}\n")
            if any(name.startswith("oom-") for name in names):  # as the kernel's OOM killer would
                os.kill(os.getpid(), signal.SIGKILL)
            raise RuntimeError(f"poison document {ids[0]}: this handler always fails")
        return real(jobs, **kwargs)

    handlers.parse_resumes = poisoned


def _install_run_log(runs_log: Path, delay_s: float) -> None:
    """Wrap ``tasks.handlers.parse_resumes``: append each job it runs (its document) to a file, then take
    ``delay_s`` per job (a slow model), so that a backlog outlasts a short visibility timeout. Parse tasks are
    micro-batched: the handler sees jobs, not messages."""
    from tasks import handlers

    real = handlers.parse_resumes

    def logged(jobs: Sequence[Any], **kwargs: Any) -> list[dict[str, Any]]:
        with runs_log.open("a") as handle:
            handle.writelines(f"{job.document_id}\n" for job in jobs)
        time.sleep(delay_s * len(jobs))
        return real(jobs, **kwargs)

    handlers.parse_resumes = logged


if os.environ.get(POISON_ENV):
    _install_poison(Path(os.environ[POISON_ENV]))
if os.environ.get(RUNS_ENV):
    _install_run_log(Path(os.environ[RUNS_ENV]), float(os.environ[DELAY_ENV]))


# --- submitting work through the real CLI (in the test process only) -----------------------------------------


def submit_comments(
    url: str, folder: Path, tag: str, n: int, sentences: int = 2, env: dict[str, str] | None = None, bulk: bool = True
) -> list[int]:
    """``n`` comments, their ids in order: stored and enqueued with ``talentq submit comments`` (bulk messages),
    or, without ``bulk``, stored here and published one micro-batched message each, as webhook events are."""
    import csv

    from db import repository
    from db.models import Comment
    from db.session import session_scope
    from tests.support import talentq

    external = [f"{tag}-{i}" for i in range(n)]
    if not bulk:
        from tasks.app import app
        from tasks.jobs import analyze_sentiment

        with session_scope(url) as session:
            ids = [
                repository.add_comment(session, e, "survey", comment_text(i, sentences)).id
                for i, e in enumerate(external)
            ]
        with app.connection_for_write((env or {})["TALENTQ_BROKER_URL"]) as connection:
            for comment_id in ids:
                analyze_sentiment.apply_async(args=[{"comment_id": comment_id}], connection=connection)
        return ids
    path = folder / f"{tag}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "source", "text"])
        writer.writerows([e, "survey", comment_text(i, sentences)] for i, e in enumerate(external))
    talentq("submit", "comments", str(path), env=env)
    with session_scope(url) as session:
        rows = session.execute(select(Comment.external_id, Comment.id).where(Comment.external_id.in_(external)))
        ids = {external_id: comment_id for external_id, comment_id in rows}
    return [ids[e] for e in external]


PHRASES = (
    "My manager gave clear and kind feedback every week.",
    "The onboarding was chaotic and nobody answered my questions.",
    "Pay is fair for the region, though the raises come late.",
    "I would gladly recommend this team to a friend.",
    "Meetings run long and the deadlines keep moving.",
)


def comment_text(i: int, sentences: int) -> str:
    return " ".join(PHRASES[(i + k) % len(PHRASES)] for k in range(sentences)) + f" (ref {i})"


def submit_resumes(
    url: str, folder: Path, files: dict[str, bytes], env: dict[str, str] | None = None
) -> dict[str, int]:
    """Write ``files`` to ``folder``, store and enqueue them with ``talentq submit resumes``; name → document id."""
    from db.models import Candidate, Document
    from db.session import session_scope
    from tests.support import talentq

    folder.mkdir(parents=True, exist_ok=True)
    names = {}  # (candidate: the file's stem, content hash) -> name; documents are unique by both
    for name, data in files.items():
        (folder / name).write_bytes(data)
        names[(Path(name).stem, hashlib.sha256(data).hexdigest())] = name
    talentq("submit", "resumes", str(folder), env=env)
    with session_scope(url) as session:
        rows = session.execute(
            select(Candidate.external_id, Document.content_hash, Document.id)
            .join(Document, Document.candidate_id == Candidate.id)
            .where(Document.content_hash.in_([h for _, h in names]))
        )
        return {names[(stem, h)]: i for stem, h, i in rows if (stem, h) in names}


def resume_text(tag: str, i: int) -> bytes:
    """A distinct, parseable résumé (distinct bytes: distinct documents, whatever the candidate)."""
    from tests.support import GOOD_RESUME

    return (GOOD_RESUME + f"\nReference: {tag}-{i}\n").encode()
