"""Helpers shared by the tests (fixtures stay in ``conftest.py``): waiting on progress, free ports, real
service and worker processes, the `talentq` command, sample documents. Test modules import helpers from here,
never from each other or from ``conftest``.

Nothing here imports talentq at module level: ``conftest`` sets the environment before any talentq module loads.
"""

from __future__ import annotations

import io
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
from unittest.mock import patch

import httpx
import sqlalchemy as sa
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
PG_ADMIN_URL = os.environ.get("TALENTQ_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def admin_sql(sql: str) -> None:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


def wait_for(predicate: Callable[[], object], timeout: float, interval: float = 0.5, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


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

    def __init__(self, log_path: Path, queues: str, concurrency: int, extra_env: dict[str, str] | None) -> None:
        self.log_path = log_path
        env = {**os.environ, **(extra_env or {})}
        from config.settings import Settings
        from producers.cli import worker_command

        with patch.dict(os.environ, env):
            settings = Settings()  # the worker's own settings (its prefetch depends on them)
        command = [sys.executable, "-m", *worker_command(queues, concurrency, "prefork", settings)]
        self.proc = subprocess.Popen(
            [*command, "--without-gossip", "--without-mingle", "-n", f"test-{uuid.uuid4().hex[:8]}@%h"],
            cwd=ROOT,
            env=env,
            stdout=log_path.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: self.proc.poll() is not None or b"ready." in log_path.read_bytes(), 120, what="worker ready")
        assert self.proc.poll() is None, log_path.read_text()[-3000:]

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


GOOD_RESUME = """Jordan Example
jordan.example@example.com | (555) 010-4477 | Austin, TX

SUMMARY
Backend engineer building Python services.

EXPERIENCE
Senior Backend Engineer, Acme Corp — Jan 2019 – Present
Built REST APIs in Python with Django and PostgreSQL; ran them on AWS with Docker.

EDUCATION
B.Sc. Computer Science, University of Texas, 2015

SKILLS
Python, Django, PostgreSQL, Docker, AWS, Git
"""


def talentq(*args: str, env: dict[str, str] | None = None, ok: bool = True) -> str:
    """Run the `talentq` command as a user would; assert it succeeded (or, with ok=False, failed)."""
    done = subprocess.run(
        [sys.executable, "-m", "producers.cli", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    return done.stdout + ("" if ok else done.stderr)


def pdf_bytes(draw: Callable[[canvas.Canvas], None]) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=letter)
    draw(page)
    page.save()
    return buffer.getvalue()
