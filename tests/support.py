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


def pool_pids(parent: int) -> list[int]:
    """The pids of a worker's pool processes (children of the main process), from /proc."""
    children: list[int] = []
    for task in Path(f"/proc/{parent}/task").glob("*/children"):
        children += [int(pid) for pid in task.read_text().split()]
    return sorted(children)


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, their children, ...), from /proc."""
    found, todo = [], pool_pids(pid)
    while todo:
        child = todo.pop()
        found.append(child)
        try:
            todo += pool_pids(child)
        except OSError:  # it ended meanwhile
            continue
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by ``pid`` and every process below it (0 for one already gone): a measure of
    progress for a process that prints nothing while it works (imports, model loading)."""
    ticks = 0
    for process in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended meanwhile
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of the line)
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_steps(pid: int, step_s: float = 5.0) -> int:
    """CPU time of ``pid`` and its descendants in whole ``step_s`` steps: it moves while they compute, but not
    with the ticks an idle worker's event loop spends, so a wait on a stuck but idle worker still ends."""
    return int(cpu_seconds(pid) // step_s)


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
        from config.settings import Settings
        from producers.cli import worker_command

        with patch.dict(os.environ, env):
            settings = Settings()  # the worker's own settings (its prefetch depends on them)
        celery = [sys.executable, "-m", *worker_command(queues, concurrency, "prefork", settings)]
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


def parse_talentq_args(name: str, args: list[str]) -> None:
    """Parse ``talentq ARGS`` as the real CLI would, without running it: walk the Typer app's groups, then let
    the command's parser refuse unknown subcommands or options (for commands written in deployment files)."""
    import click
    import typer

    from producers.cli import app

    command: click.Command = typer.main.get_command(app)
    while isinstance(command, click.Group):
        assert args and args[0] in command.commands, f"{name}: talentq has no subcommand {args[:1]}"
        command, args = command.commands[args[0]], args[1:]
    command.make_context(name, list(args))


def run_talentq(
    *args: str, env: dict[str, str] | None = None, python_flags: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run the `talentq` command as a user would, whatever its exit code."""
    return subprocess.run(
        [sys.executable, *python_flags, "-m", "producers.cli", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def talentq(*args: str, env: dict[str, str] | None = None, ok: bool = True) -> str:
    """Run the `talentq` command as a user would; assert it succeeded (or, with ok=False, failed)."""
    done = run_talentq(*args, env=env)
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    return done.stdout + ("" if ok else done.stderr)


def pdf_bytes(draw: Callable[[canvas.Canvas], None]) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=letter)
    draw(page)
    page.save()
    return buffer.getvalue()


def tagged(text: str, *spans: tuple[str, str, float]):
    """Entity-model spans for tests: an ``Entity`` at the first mention of each (label, words, confidence)."""
    from workers.resume.entities import Entity

    out = []
    for label, words, confidence in spans:
        start = text.index(words)
        out.append(Entity(label, start, start + len(words), words, confidence))
    return out
