"""The servers and processes a benchmark run uses: its own Postgres database, its own Redis
database number, and real `celery worker` processes whose pool children we can measure.

Nothing here imports the Celery app, so it can be used before the environment is configured.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent


def tree_python(tree: Path) -> str:
    """The interpreter of a checkout: this process's for this one, its own ``.venv``'s for another (a baseline)."""
    return sys.executable if tree == ROOT else str(tree / ".venv" / "bin" / "python")


POLL_S = 0.05
MAX_POLL_S = 1.0


def _admin(admin_url: str, sql: str) -> None:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new database next to ``admin_url``'s, migrated to head, dropped afterwards."""
    from db.migrate import upgrade

    name = f"talentq_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    _admin(admin_url, f'CREATE DATABASE "{name}"')
    try:
        upgrade(url)
        yield url
    finally:
        from db.session import get_engine

        get_engine(url).dispose()
        _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def private_redis(url: str) -> Iterator[str]:
    """A Redis database number of our own, empty before and after the run."""
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


def wait_for_count(count: Callable[[], int], target: int, timeout: float, what: str) -> float:
    """Poll ``count`` until it reaches ``target``; returns the ``perf_counter`` time it was first seen there.

    Every ``POLL_S`` near the end, less often while far from it (a quarter of the time left at the rate so
    far, at most ``MAX_POLL_S``): a poll is a ``count(*)`` that PostgreSQL and this process pay on the same
    cores as the pipeline being timed; at a steady 50 ms it took ~2 % of the machine."""
    deadline = time.monotonic() + timeout
    started, first = time.perf_counter(), count()
    while time.monotonic() < deadline:
        seen, now = count(), time.perf_counter()
        if seen >= target:
            return now
        rate = (seen - first) / (now - started) if seen > first else 0.0
        time.sleep(min(max((target - seen) / rate / 4 if rate else 0.0, POLL_S), MAX_POLL_S))
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


@dataclass(frozen=True)
class Memory:
    """Resident memory of a process in MiB: now (VmRSS) and the peak so far (VmHWM)."""

    rss_mib: float
    peak_mib: float


def memory_of(pid: int) -> Memory:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024  # kB
    return Memory(rss_mib=fields["VmRSS"], peak_mib=fields["VmHWM"])


def cpu_seconds_of(pid: int) -> float:
    """User + system CPU time a process has used so far (``/proc/PID/stat`` fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Worker:
    """A real `celery worker` subprocess (own session, log file), stopped with its pool."""

    def __init__(self, argv: list[str], log_path: Path, env: dict[str, str], tree: Path = ROOT) -> None:
        self.log_path = log_path
        name = f"bench-{uuid.uuid4().hex[:8]}@%h"
        self.proc = subprocess.Popen(
            [tree_python(tree), "-m", *argv, "--without-gossip", "--without-mingle", "-n", name],
            cwd=tree,
            env=env,
            stdout=log_path.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def pool_pids(self) -> list[int]:
        """The processes that run tasks: the prefork children, or the worker itself under ``solo``."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        return [int(pid) for pid in children] or [self.proc.pid]

    def pool_memory(self) -> Memory:
        """The largest pool process's memory (one process by default)."""
        return max((memory_of(pid) for pid in self.pool_pids()), key=lambda m: m.peak_mib)

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU time of the worker's parent (consumer: fetch, decode, events, acks) and of its pool processes."""
        pool = [pid for pid in self.pool_pids() if pid != self.proc.pid]
        return cpu_seconds_of(self.proc.pid), sum(cpu_seconds_of(pid) for pid in pool)

    def stop(self, timeout: float = 60) -> None:
        if not self.alive():
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


@contextmanager
def running_worker(argv: list[str], log_path: Path, env: dict[str, str], tree: Path = ROOT) -> Iterator[Worker]:
    worker = Worker(argv, log_path, env, tree)
    try:
        yield worker
    finally:
        worker.stop()
