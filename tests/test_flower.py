"""Flower, as operators open it: a real `celery flower` with basic auth, watching a real worker
on the real Redis. A job's name, state and id-only arguments are readable through its API, and
nothing is readable without the credentials."""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from db import repository
from db.session import session_scope
from producers import enqueue
from tests.support import http_service, wait_for

pytestmark = pytest.mark.timeout(300)

AUTH = ("ops", "flower-test-pw")
RESUME = "Jordan Example\njordan.example@example.com\n\nSKILLS\nPython, PostgreSQL, Docker\n"


@pytest.fixture
def flower(redis_client, tmp_path: Path) -> Iterator[str]:
    def command(port: int) -> list[str]:
        return [
            *[sys.executable, "-m", "celery", "-A", "tasks.app", "flower"],
            *["--address=127.0.0.1", f"--port={port}", f"--basic-auth={AUTH[0]}:{AUTH[1]}"],
        ]

    env = {k: v for k, v in os.environ.items() if k != "FLOWER_UNAUTHENTICATED_API"}
    with http_service(command, env, tmp_path / "flower.log", "/healthcheck") as url:
        yield url


def api(url: str, path: str, **params: str) -> httpx.Response:
    return httpx.get(f"{url}{path}", params=params, auth=AUTH, timeout=30)


def test_a_job_is_visible_in_flower_with_ids_only(flower, start_worker, database_url):
    start_worker(queues="resumes")
    with session_scope(database_url) as session:
        candidate = repository.add_candidate(session, "flower-cand")
        content = RESUME.encode()
        document_id = repository.add_document(
            session, candidate.id, "flower.txt", content, repository.sha256(content), len(content)
        ).id
    task_id = enqueue.parse_then_score(document_id, None).id

    def finished() -> dict | None:
        task = api(flower, "/api/tasks").json().get(task_id)
        return task if task and task.get("state") == "SUCCESS" else None

    task = wait_for(finished, 180, what="flower shows the task succeeded")
    assert task["name"] == "talentq.parse_resume"
    args = list(ast.literal_eval(task["args"]))  # a list, or a tuple from a signature built by task name
    assert args == [{"document_id": document_id, "batch_run_id": None, "extracted": False}]
    assert "Jordan" not in str(task) and "jordan.example" not in str(task)

    workers = api(flower, "/api/workers", refresh="true").json()
    assert any(name.startswith("test-") for name in workers)
    metrics = api(flower, "/metrics").text
    assert "flower_events_total" in metrics and "talentq.parse_resume" in metrics


def test_the_api_refuses_requests_without_the_credentials(flower):
    for path in ("/api/tasks", "/api/workers"):
        assert httpx.get(f"{flower}{path}", timeout=10).status_code == 401
        assert httpx.get(f"{flower}{path}", auth=(AUTH[0], "wrong"), timeout=10).status_code == 401


def test_micro_batched_jobs_are_visible_one_by_one(flower, start_worker, database_url):
    """Sentiment runs in celery-batches micro-batches, which send no per-job events of their own;
    talentq sends them (tasks/events.py), so each job shows its own state."""
    start_worker(queues="sentiment")
    with session_scope(database_url) as session:
        ids = [repository.add_comment(session, f"flower-c{i}", "survey", f"Great team, week {i}.").id for i in range(3)]
    task_ids = [enqueue.sentiment(comment_id).id for comment_id in ids]

    def all_succeeded() -> bool:
        tasks = api(flower, "/api/tasks").json()
        return all(tasks.get(t, {}).get("state") == "SUCCESS" for t in task_ids)

    wait_for(all_succeeded, 180, what="flower shows each batched job succeeded")
    task = api(flower, "/api/tasks").json()[task_ids[0]]
    assert task["name"] == "talentq.analyze_sentiment" and "Great team" not in str(task)
