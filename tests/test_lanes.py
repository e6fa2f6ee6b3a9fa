"""Priority lanes: HRIS events and single submissions run ahead of bulk work, and bulk work is never starved.

The jobs are parse jobs of documents that do not exist: each ends at once as a ``not_found`` failure row, so
the order of the rows is the order in which the real worker took the jobs from Redis.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import redis
from sqlalchemy import select

from tasks.contract import LANED, queue_of, with_lanes
from tasks.lanes import LaneCycle
from tests.support import WorkerProcess, wait_for

BULK_IDS = range(1_000_001, 1_000_031)
INTERACTIVE_IDS = range(2_000_001, 2_000_013)


def test_the_cycle_serves_interactive_queues_first_and_bulk_after_every_n():
    cycle = LaneCycle(["resumes.bulk", "resumes", "scoring.bulk", "scoring"], every=2)
    assert cycle.consume(4) == ["resumes", "scoring", "resumes.bulk", "scoring.bulk"]
    cycle.rotate("resumes")
    assert cycle.consume(4)[0] == "resumes"
    cycle.rotate("scoring")
    assert cycle.consume(4)[:2] == ["resumes.bulk", "scoring.bulk"]  # two interactive in a row: bulk's turn
    cycle.rotate("scoring.bulk")
    assert cycle.consume(4)[0] == "resumes"


def test_a_worker_named_for_a_queue_consumes_both_of_its_lanes_interactive_first():
    assert with_lanes(["resumes", "control"]) == ["resumes", "control", "resumes.bulk"]
    assert with_lanes(["sentiment.bulk"]) == ["sentiment.bulk"]
    assert with_lanes(["sentiment", "control"], "interactive") == ["sentiment", "control"]  # `--lanes` for one lane
    assert with_lanes(["sentiment", "control"], "bulk") == ["sentiment.bulk", "control"]
    assert {queue_of(name, "bulk") for name in ("talentq.parse_resume", "talentq.nightly_batch")} == {
        "resumes.bulk",
        "control",  # the nightly trigger has one lane
    }
    assert set(LANED) == {"extract", "resumes", "scoring", "sentiment"}
    from producers.cli import worker_command

    command = worker_command("extract,resumes,sentiment,scoring,control", 1, "prefork")  # `talentq worker`'s default
    queues = command[command.index("-Q") + 1].split(",")
    assert queues == ["extract", "resumes", "sentiment", "scoring", "control", *(f"{q}.bulk" for q in queues[:4])]


def _parse_missing(document_ids: range, lane: str) -> None:
    from producers import enqueue

    for document_id in document_ids:
        enqueue.parse_then_score(document_id, None, lane=lane)  # type: ignore[arg-type]


def _order(database_url: str, total: int) -> list[int]:
    """Subject ids of the failure rows in the order they were written, once ``total`` are there."""
    from db.models import Failure
    from db.session import session_scope

    def rows() -> list[int] | None:
        with session_scope(database_url) as session:
            found = list(session.scalars(select(Failure.subject_id).order_by(Failure.id)))
        return found if len(found) >= total else None

    return wait_for(rows, 120, what=f"{total} failure rows")


@pytest.fixture
def clean(database_url: str, redis_client: redis.Redis) -> str:
    from db.models import Failure
    from db.session import session_scope

    with session_scope(database_url) as session:
        session.query(Failure).delete()
    return database_url


def test_interactive_jobs_overtake_a_bulk_backlog_and_bulk_still_gets_every_nth_turn(
    clean: str, start_worker: Callable[..., WorkerProcess]
):
    _parse_missing(BULK_IDS, "bulk")  # a nightly run's backlog, queued first
    _parse_missing(INTERACTIVE_IDS, "interactive")  # then HRIS events
    start_worker(queues="resumes", extra_env={"TALENTQ_BULK_EVERY": "4"})
    order = _order(clean, len(BULK_IDS) + len(INTERACTIVE_IDS))
    lanes = "".join("b" if subject in BULK_IDS else "i" for subject in order)
    # interactive first, but one bulk job after every 4 interactive ones while both lanes have work
    assert lanes == "iiiib" * 3 + "b" * (len(BULK_IDS) - 3), lanes
    assert [s for s in order if s in INTERACTIVE_IDS] == list(INTERACTIVE_IDS)  # each lane stays in order
    assert [s for s in order if s in BULK_IDS] == list(BULK_IDS)
