"""Nightly bulk runs on the real Redis, Postgres and worker: progress, summary, backpressure,
resumability, nothing done twice."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.settings import get_settings
from db.models import BatchItem, BatchRun, ResumeResult
from db.session import session_scope
from producers import batch
from tasks.contract import queue_of
from tests.support import GOOD_RESUME, talentq, wait_for

pytestmark = pytest.mark.timeout(420)


@pytest.fixture
def folder(tmp_path: Path, samples_dir: Path) -> Path:
    out = tmp_path / "nightly"
    out.mkdir()
    marker = f"\nReference: {tmp_path.name}\n"  # distinct content (and hash) per test
    for path in sorted((samples_dir / "resumes").glob("*.txt"))[:4]:
        (out / path.name).write_text(path.read_text(encoding="utf-8") + marker, encoding="utf-8")
    (out / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf \x00\x01" + marker.encode())
    return out


def test_run_reports_progress_and_summary_and_skips_done_work(start_worker, folder: Path, database_url):
    worker = start_worker(queues="resumes,scoring")
    out = talentq("batch", "submit", "--name", "night-1", "--folder", str(folder))
    assert "night-1" in out and "finished" in out
    run = batch.status(get_settings(), "night-1")
    assert (run.submitted, run.done, run.failed) == (5, 4, 1)
    assert "corrupt: 1" in out

    # Same night again: nothing new to do, nothing re-sent.
    again = talentq("batch", "submit", "--name", "night-1", "--folder", str(folder), "--no-follow")
    assert "5 jobs" in again
    # A new run over the same files: parsed documents (same hash, same model version) are skipped.
    batch.submit(get_settings(), "night-2", folder)
    assert batch.status(get_settings(), "night-2").submitted == 1  # only the broken file is retried
    # Drained before the worker stops, so no message of this run is left for the next test's queue.
    wait_for(
        lambda: batch.status(get_settings(), "night-2").status == "finished",
        120,
        what="night-2 finished",
        progress=worker.activity,
    )
    assert batch.status(get_settings(), "night-2").failed == 1
    with session_scope(database_url) as session:
        counts = session.execute(select(ResumeResult.document_id, func.count()).group_by(ResumeResult.document_id))
        assert all(n == 1 for _, n in counts)


def test_backpressure_and_resume_after_interruption(start_worker, folder: Path, redis_client):
    settings = get_settings()
    queue = queue_of("talentq.parse_resume", "bulk")  # a run sends to the bulk lane
    seen_depths: list[int] = []

    def interrupted_depth(name: str) -> int:
        depth = batch.queue_depth(name)
        seen_depths.append(depth)
        if len(seen_depths) > 4:  # two chunks checked both bulk lanes, then the third's check is interrupted
            raise KeyboardInterrupt("producer killed")
        return depth

    with pytest.raises(KeyboardInterrupt):
        batch.submit(settings, "night-3", folder, chunk=2, max_depth=100, depth=interrupted_depth)
    with session_scope(settings.database_url) as session:
        unsent = BatchItem.enqueued_at.is_(None)
        states = session.execute(
            select(unsent, func.count())
            .join(BatchRun, BatchRun.id == BatchItem.batch_run_id)
            .where(BatchRun.name == "night-3")
            .group_by(unsent)
        ).all()
    assert dict(states) == {False: 4, True: 1}  # two chunks sent, one item never sent

    # Resume with a small queue bound: the producer waits until a worker drains the queue.
    resumed = threading.Thread(
        target=batch.submit, args=(settings, "night-3", folder), kwargs={"chunk": 1, "max_depth": 3}
    )
    resumed.start()
    wait_for(lambda: batch.queue_depth(queue) >= 3, 30, what="queue at its bound")
    assert resumed.is_alive(), "the producer waits while the queue is full"
    assert batch.queue_depth(queue) <= 4
    worker = start_worker(queues="resumes,scoring")
    resumed.join(240)
    wait_for(
        lambda: batch.status(settings, "night-3").status == "finished",
        240,
        what="resumed run finished",
        progress=worker.activity,
    )
    run = batch.status(settings, "night-3")
    assert (run.submitted, run.done + run.failed) == (5, 5)


def test_a_run_waits_for_room_in_every_bulk_lane_it_feeds(tmp_path: Path, database_url: str, redis_client):
    """Résumé chains start in ``resumes.bulk``; applications with a parsed résumé go straight to ``scoring.bulk``:
    the run's backpressure watches both (it watched the first alone, so a re-scoring run sent everything at once)."""
    (tmp_path / "lane-check.txt").write_text(f"{GOOD_RESUME}\n{uuid.uuid4()}")  # never parsed before
    checked: list[str] = []

    def depth(name: str) -> int:
        checked.append(name)
        return 0

    batch.submit(get_settings(), f"lanes-{uuid.uuid4().hex[:6]}", tmp_path, depth=depth)
    redis_client.delete("resumes.bulk")  # no worker runs this run's message; nothing is left for the next test
    assert set(checked) == {"resumes.bulk", "scoring.bulk"}
