"""Shared fixtures: a fresh PostgreSQL database, a private Redis database, a real Celery worker.

Tests talk to the real servers on 127.0.0.1 (PostgreSQL 5432, Redis 6379), never to mocks.
The environment is set before any talentq module is imported, so the Celery app in this
process and the worker subprocesses agree on broker and database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from tests.support import PG_ADMIN_URL, ROOT, WorkerProcess, admin_sql

REDIS_SERVER = "redis://127.0.0.1:6379"
REDIS_LOCK = "talentq:test-session"


def _claim_redis_db() -> str:
    """A Redis database of this session's own (one of 8-15, claimed with SET NX), so test sessions
    running side by side never share or flush each other's queues. A claim whose session died without
    releasing it (killed, out of memory) is taken over: its owner's pid no longer runs."""
    for number in range(8, 16):
        client = redis.Redis.from_url(f"{REDIS_SERVER}/{number}")
        if client.set(REDIS_LOCK, os.getpid(), nx=True, ex=6 * 3600):
            return f"{REDIS_SERVER}/{number}"
        owner = client.get(REDIS_LOCK)
        if owner is not None and not _alive(int(owner)):
            client.set(REDIS_LOCK, os.getpid(), ex=6 * 3600)
            return f"{REDIS_SERVER}/{number}"
    raise RuntimeError("no free Redis database among 8-15 for this test session")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


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
    OMP_WAIT_POLICY="PASSIVE",  # as `talentq worker` sets it: waiting threads sleep, so a busy machine stays usable
    TOKENIZERS_PARALLELISM="false",
)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A new PostgreSQL database, migrated to head, dropped after the session."""
    from db.migrate import upgrade

    admin_sql(f'CREATE DATABASE "{TEST_DB}"')
    upgrade(TEST_DB_URL)
    yield TEST_DB_URL
    from db.session import get_engine

    get_engine(TEST_DB_URL).dispose()
    admin_sql(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)')


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
    from workers import registry

    return registry.encoder(get_settings())


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


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """``monkeypatch`` for TALENTQ_ variables of one test: settings are read when used and cached per process,
    so the cache is emptied before the test and again once its variables are undone."""
    from config.settings import get_settings

    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return ROOT / "samples"
