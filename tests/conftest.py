"""Shared fixtures: a fresh PostgreSQL database, a private Redis database, a real Celery worker.

Tests talk to the real servers on 127.0.0.1 (PostgreSQL 5432, Redis 6379), never to mocks.
The environment is set before any talentq module is imported, so the Celery app in this
process and the worker subprocesses agree on broker and database.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import redis
import sqlalchemy as sa

from tests.faults import cpu_steps

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
PG_ADMIN_URL = os.environ.get("TALENTQ_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
REDIS_SERVER = "redis://127.0.0.1:6379"
REDIS_LOCK = "talentq:test-session"


def _claim_redis_db() -> str:
    """A Redis database of this session's own (one of 8-15, claimed with SET NX), so test sessions
    running side by side never share or flush each other's queues."""
    for number in range(8, 16):
        client = redis.Redis.from_url(f"{REDIS_SERVER}/{number}")
        if client.set(REDIS_LOCK, os.getpid(), nx=True, ex=6 * 3600):
            return f"{REDIS_SERVER}/{number}"
    raise RuntimeError("no free Redis database among 8-15 for this test session")


REDIS_URL = os.environ.get("TALENTQ_TEST_REDIS") or _claim_redis_db()
TEST_DB = f"talentq_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
TEST_DB_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{TEST_DB}"

os.environ.update(
    TALENTQ_DATABASE_URL=TEST_DB_URL,
    TALENTQ_BROKER_URL=REDIS_URL,
    TALENTQ_LOG_LEVEL="INFO",
    TALENTQ_METRICS_PORT="0",
    TALENTQ_CACHE_DIR=str(ROOT / ".cache"),
    HF_HUB_OFFLINE="1",
    TOKENIZERS_PARALLELISM="false",
)


def _admin(sql: str) -> None:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A new PostgreSQL database, migrated to head, dropped after the session."""
    from db.migrate import upgrade

    _admin(f'CREATE DATABASE "{TEST_DB}"')
    upgrade(TEST_DB_URL)
    yield TEST_DB_URL
    from db.session import get_engine

    get_engine(TEST_DB_URL).dispose()
    _admin(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)')


def _flush_keeping_claim(client: redis.Redis) -> None:
    owner = client.get(REDIS_LOCK)
    client.flushdb()
    if owner is not None:
        client.set(REDIS_LOCK, owner, ex=6 * 3600)


@pytest.fixture(scope="session", autouse=True)
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    _flush_keeping_claim(client)
    yield client
    client.flushdb()  # releases the claim too


@pytest.fixture(scope="session")
def encoder():
    from config.settings import get_settings
    from workers import runtime

    return runtime.encoder(get_settings())


def wait_for(
    predicate: Callable[[], object],
    timeout: float,
    interval: float = 0.5,
    what: str = "condition",
    progress: Callable[[], object] | None = None,
):
    """Poll ``predicate`` until it returns a true value, and return that. Without ``progress``, give up after
    ``timeout`` seconds; with it, only once ``progress()`` (a count of finished jobs, a process's CPU time and
    log size, ...) has stayed the same for ``timeout`` seconds: on a busy machine work is slow, not stuck, and
    a fixed wall time fails tests that were still moving."""
    last = progress() if progress else None
    moved = time.monotonic()
    while True:
        value = predicate()
        if value:
            return value
        if progress is not None and (now := progress()) != last:
            last, moved = now, time.monotonic()
        if time.monotonic() - moved > timeout:
            still = f"nothing moved (at {last!r}) for" if progress else "timed out after"
            raise AssertionError(f"{still} {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def run_while_progressing(
    command: list[str], log_dir: Path, stall_s: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``subprocess.run`` for a long command on a busy machine: it is stopped only when neither its output nor
    the CPU time of its process tree has grown for ``stall_s`` seconds, never at a fixed wall time."""
    out_path, err_path = log_dir / "stdout.log", log_dir / "stderr.log"
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err, text=True, start_new_session=True)

    def activity() -> tuple[int, int, int]:
        return out_path.stat().st_size, err_path.stat().st_size, cpu_steps(proc.pid)

    try:
        wait_for(lambda: proc.poll() is not None, stall_s, 1.0, " ".join(command[:4]), progress=activity)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return subprocess.CompletedProcess(command, proc.returncode, out_path.read_text(), err_path.read_text())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def http_service(
    command: Callable[[int], list[str]], env: dict[str, str], log_path: Path, health_path: str
) -> Iterator[str]:
    """Run ``command(port)`` as its own process until its ``health_path`` answers 200; yield its URL."""
    port = free_port()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert proc.poll() is None, log_path.read_text()[-3000:]
        try:
            return httpx.get(f"{url}{health_path}", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(healthy, 60, what=f"{log_path.stem} up")
        yield url
    finally:
        proc.terminate()
        proc.wait(15)


class WorkerProcess:
    """A real `celery worker` subprocess, logging to a file the test can read."""

    def __init__(
        self,
        log_path: Path,
        queues: str,
        concurrency: int,
        extra_env: dict[str, str] | None,
        command: list[str] | None = None,
    ) -> None:
        """``command``: another way to start it (e.g. ``talentq worker``); by default `celery worker` itself."""
        self.log_path = log_path
        env = {**os.environ, **(extra_env or {})}
        from producers.cli import worker_command

        celery = [sys.executable, "-m", *worker_command(queues, concurrency, "prefork")]
        self.proc = subprocess.Popen(
            command or [*celery, "--without-gossip", "--without-mingle", "-n", f"test-{uuid.uuid4().hex[:8]}@%h"],
            cwd=ROOT,
            env=env,
            stdout=log_path.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def ready() -> bool:
            return self.proc.poll() is not None or b"ready." in log_path.read_bytes()

        wait_for(ready, 120, what="worker ready", progress=self.activity)
        assert self.proc.poll() is None, log_path.read_text()[-3000:]

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def activity(self) -> tuple[int, int]:
        """What moves while the worker works (``wait_for``'s progress): its log's size and its processes' CPU time."""
        return self.log_path.stat().st_size, cpu_steps(self.proc.pid)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


@pytest.fixture
def start_worker(
    tmp_path: Path, database_url: str, redis_client: redis.Redis
) -> Iterator[Callable[..., WorkerProcess]]:
    """Start real worker processes; all are stopped when the test ends."""
    started: list[WorkerProcess] = []

    def start(
        queues: str = "extract,resumes,sentiment,scoring,control",
        concurrency: int = 1,
        extra_env: dict[str, str] | None = None,
    ) -> WorkerProcess:
        worker = WorkerProcess(tmp_path / f"worker-{len(started)}.log", queues, concurrency, extra_env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return ROOT / "samples"
