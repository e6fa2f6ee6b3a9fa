"""A newcomer's mistakes, as they meet them: the real `talentq` command against the real servers. Each mistake
is one line naming the setting or path and the fix, with a non-zero exit; nothing is silently a success."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import BatchRun, Comment, SentimentResult
from db.session import session_scope
from tests.support import ROOT, WorkerProcess, free_port, run_talentq, talentq, wait_for

pytestmark = pytest.mark.timeout(600)
MODEL_MODULES = re.compile(r"\| +(torch|transformers|onnxruntime)$", re.MULTILINE)


def one_line_error(done, *needles: str) -> str:
    """The command failed with a single `talentq: ...` line on stderr that names each of ``needles``."""
    assert done.returncode != 0, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("talentq: "), done.stderr[-2000:]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_configuration_mistakes_are_one_line(database_url: str, tmp_path: Path) -> None:
    wrong_db = database_url.rsplit("/", 1)[0] + "/no_such_talentq_db"
    one_line_error(run_talentq("results", env={"TALENTQ_DATABASE_URL": wrong_db}), "TALENTQ_DATABASE_URL")
    heroku = "postgres://postgres@127.0.0.1:5432/test"
    one_line_error(run_talentq("results", env={"TALENTQ_DATABASE_URL": heroku}), "postgresql+psycopg2://")
    # --debug shows what happened underneath
    debug = run_talentq("--debug", "results", env={"TALENTQ_DATABASE_URL": wrong_db})
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_fresh_sqlite_file_is_migrated_by_itself(tmp_path: Path) -> None:
    env = {"TALENTQ_DATABASE_URL": f"sqlite:///{tmp_path / 'talentq.db'}", "TALENTQ_BROKER_URL": ""}
    assert "Parsed résumés" in talentq("results", env=env)


def test_missing_folder_and_csv_fail_loudly(database_url: str, tmp_path: Path) -> None:
    one_line_error(run_talentq("submit", "resumes", "samples/resume"), "samples/resume")
    one_line_error(run_talentq("submit", "comments", str(tmp_path / "nope.csv")), "nope.csv")
    missing = tmp_path / "mount-down"
    done = run_talentq("batch", "submit", "--name", "night-x", "--folder", str(missing), "--no-follow")
    assert done.returncode != 0 and str(missing) in done.stderr
    logged = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert any(entry["level"] == "ERROR" and entry.get("batch_run") == "night-x" for entry in logged), done.stderr
    with session_scope(database_url) as session:
        assert session.scalars(select(BatchRun.status).filter_by(name="night-x")).one() == "failed"


@pytest.mark.parametrize(
    "command",
    [("--help",), ("results",), ("rank", "nope"), ("batch", "status", "nope"), ("submit", "comments")],
)
def test_producer_and_read_commands_do_not_load_models(
    database_url: str, tmp_path: Path, command: tuple[str, ...]
) -> None:
    if command[0] == "submit":
        csv_path = tmp_path / "one.csv"
        csv_path.write_text("id,source,text\nimport-1,survey,Fine.\n")
        command = (*command, str(csv_path))
    done = run_talentq(*command, python_flags=("-X", "importtime"))
    assert not MODEL_MODULES.findall(done.stderr), f"{command} imported {set(MODEL_MODULES.findall(done.stderr))}"


def test_submit_with_broker_down_keeps_jobs_and_a_worker_sends_them(
    start_worker, database_url: str, tmp_path: Path
) -> None:
    csv_path = tmp_path / "comments.csv"
    csv_path.write_text("id,source,text\nout-1,survey,I love this team.\nout-2,survey,The commute is awful.\n")
    down = f"redis://127.0.0.1:{free_port()}/0"
    one_line_error(run_talentq("submit", "comments", str(csv_path), env={"TALENTQ_BROKER_URL": down}), "outbox")
    from db.models import OutboxMessage

    with session_scope(database_url) as session:
        assert session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None))) == 1
        ids = list(session.scalars(select(Comment.id).where(Comment.external_id.in_(["out-1", "out-2"]))))
    worker = start_worker(queues="sentiment", extra_env={"TALENTQ_OUTBOX_RELAY_S": "1"})

    def analysed() -> int:
        with session_scope(database_url) as session:
            return session.scalar(select(func.count()).where(SentimentResult.comment_id.in_(ids)))

    wait_for(lambda: analysed() == 2, 120, what="the staged comments analysed", progress=worker.activity)


def test_worker_speaks_json_and_says_when_its_metrics_port_is_taken(database_url: str, tmp_path: Path) -> None:
    """`.venv/bin/talentq worker` without an activated venv (no `celery` on PATH), beside a process that holds
    its metrics port: it runs, every line it writes is JSON, and the lost /metrics is an error line."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"PATH": "/usr/bin:/bin", "TALENTQ_METRICS_PORT": str(port)}
        command = [sys.executable, "-m", "producers.cli", "worker", "--queues", "control", "--concurrency", "1"]
        worker = WorkerProcess(tmp_path / "worker.log", "control", 1, env, command=command)
        log = worker.log  # Celery prints "worker: Warm shutdown" itself when stopped, after its logs
        worker.stop()
    lines = [line for line in log.splitlines() if line.strip()]
    not_json = [line for line in lines if not line.startswith("{")]
    assert not not_json, not_json[:5]
    entries = [json.loads(line) for line in lines]
    assert any(e["level"] == "ERROR" and e.get("port") == port for e in entries), lines[-10:]


def test_demo_counts_jobs_per_kind_and_says_what_next(tmp_path: Path) -> None:
    """`talentq run` (the demo) on two résumés and three comments: a bar per kind, counted, then the next steps."""
    import shutil

    samples = ROOT / "samples"
    mini = tmp_path / "samples"
    (mini / "resumes").mkdir(parents=True)
    shutil.copytree(samples / "postings", mini / "postings")
    rows = (samples / "applications.csv").read_text(encoding="utf-8").splitlines()[:3]
    (mini / "applications.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for row in rows[1:]:
        shutil.copy(samples / "resumes" / row.split(",")[0], mini / "resumes")
    comments = (samples / "comments.csv").read_text(encoding="utf-8").splitlines()[:4]
    (mini / "comments.csv").write_text("\n".join(comments) + "\n", encoding="utf-8")
    env = {"TALENTQ_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}", "TALENTQ_BROKER_URL": ""}
    out = talentq("run", "--samples", str(mini), env=env)
    assert re.search(r"résumés \(parse, score\).*2/2", out) and re.search(r"comments \(sentiment\).*3/3", out), out
    assert "Next:" in out and "talentq worker" in out
