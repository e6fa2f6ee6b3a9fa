"""Faults on real processes: a worker killed mid-batch, Redis restarted, PostgreSQL gone for 30 s,
a poison job, a graceful shutdown, a pickle message. After each, every job has exactly one result
row (or, for the poison job, one dead-letter row) and nothing is left in the broker."""

from __future__ import annotations

import base64
import json
import signal
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis
from sqlalchemy import select

from db.models import ResumeResult, SentimentResult
from tasks.contract import ANALYZE_SENTIMENT, PARSE_RESUME
from tasks.reliability import INTERNAL_RETRIES, MAX_DELIVERIES
from tests.faults import (
    RedisServer,
    assert_exactly_once,
    broker_state,
    comment_text,
    done_count,
    drained,
    failures_of,
    poison_env,
    private_broker,
    record_figures,
    resume_text,
    runs_env,
    submit_comments,
    submit_resumes,
    unacked,
)
from tests.support import WorkerProcess, wait_for

# Waits follow progress (``wait_for(progress=...)``): they give up only when nothing has moved for their
# window. This is the backstop against a hang, far above what a slow but moving run needs.
pytestmark = pytest.mark.timeout(1800)

# Short redelivery for the tests (production: 3600 s and 600 s); it must still outlast the time limit.
FAST_REDELIVERY = {"TALENTQ_VISIBILITY_TIMEOUT_S": "20", "TALENTQ_TASK_TIME_LIMIT_S": "15"}
VISIBILITY_S = int(FAST_REDELIVERY["TALENTQ_VISIBILITY_TIMEOUT_S"])
T = TypeVar("T")


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    yield from private_broker(tmp_path_factory)


def wait_past_visibility(client: redis.Redis) -> None:
    """Sleep until every unacknowledged message is older than the visibility timeout, so the next
    worker's start-up sweep puts it back on its queue."""
    newest = max((score for _, score in client.zrange("unacked_index", 0, -1, withscores=True)), default=0.0)
    time.sleep(max(0.0, newest + VISIBILITY_S + 1 - time.time()))


@dataclass(frozen=True)
class Jobs:
    """Jobs of one kind, submitted through the CLI: their subject ids and where their results land."""

    column: Any
    task_name: str
    ids: list[int]


def submit_work(
    url: str, tmp_path: Path, broker: RedisServer, comments: int, resumes: int, one_message_each: bool = False
) -> list[Jobs]:
    """``talentq submit comments`` (bulk messages; with ``one_message_each``, one micro-batched message per
    comment, as webhooks send them) and ``talentq submit resumes``, on ``broker``."""
    work = []
    if comments:
        # 12 sentences each: a batch long enough (~4 s of model work) to be caught in flight on a fast machine
        ids = submit_comments(
            url, tmp_path, f"c-{tmp_path.name}", comments, 12, env=broker.env, bulk=not one_message_each
        )
        work.append(Jobs(SentimentResult.comment_id, ANALYZE_SENTIMENT, ids))
    if resumes:
        files = {f"r{i:02d}.txt": resume_text(tmp_path.name, i) for i in range(resumes)}
        ids = list(submit_resumes(url, tmp_path / "resumes", files, env=broker.env).values())
        work.append(Jobs(ResumeResult.document_id, PARSE_RESUME, ids))
    return work


def start_while_submitting(
    start: Callable[..., WorkerProcess], submit: Callable[[], T], **worker: Any
) -> tuple[WorkerProcess, T]:
    """Start a worker while the CLI submits (both spend most of their time importing): (worker, submitted)."""
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(submit)
        return start(**worker), future.result()


def done(url: str, work: list[Jobs]) -> int:
    return sum(done_count(url, jobs.column, jobs.ids) for jobs in work)


def total(work: list[Jobs]) -> int:
    return sum(len(jobs.ids) for jobs in work)


def finish_exactly_once(
    url: str, client: redis.Redis, work: list[Jobs], timeout: float = 180, worker: WorkerProcess | None = None
) -> dict[str, int]:
    """Wait for every job's result; check one row each, no dead letters, an empty broker; the figures. Progress
    is results, the broker's state, and the ``worker``'s log and CPU time (a job backing off moves neither of
    the first two)."""
    wait_for(
        lambda: done(url, work) == total(work),
        timeout,
        what="every job done",
        progress=lambda: (done(url, work), broker_state(client), worker.activity() if worker else None),
    )
    figures = [assert_exactly_once(url, jobs.column, jobs.ids, jobs.task_name) for jobs in work]
    wait_for(lambda: drained(client), 60, what="broker drained", progress=lambda: broker_state(client))
    return {key: sum(f[key] for f in figures) for key in figures[0]}


# --- a worker killed, or stopped, in the middle of a batch ----------------------------------------------------


@pytest.mark.parametrize(
    ("comments", "resumes", "one_message_each"),
    [(30, 0, False), (30, 0, True), (0, 8, False)],
    ids=["sentiment-bulk", "sentiment-micro-batched", "resumes"],
)
def test_sigkill_mid_batch_every_job_lands_once(
    comments, resumes, one_message_each, start_worker, database_url, broker, tmp_path
):
    client, env = broker.client(), {**broker.env, **FAST_REDELIVERY}
    # Submit first, then start the worker: on a quiet machine a worker already running could finish
    # the whole batch before the test sees it in flight.
    work = submit_work(database_url, tmp_path, broker, comments, resumes, one_message_each)
    worker = start_worker(queues="sentiment,resumes", extra_env=env)
    wait_for(lambda: unacked(client), 120, interval=0.05, what="a batch in flight", progress=worker.activity)
    time.sleep(0.2)
    worker.stop(signal.SIGKILL)  # the whole process group: main process and pool
    done_at_kill = done(database_url, work)
    assert done_at_kill < total(work), "the batch finished before the kill; make it longer"

    wait_past_visibility(client)
    start_worker(queues="sentiment,resumes", extra_env=env)
    figures = finish_exactly_once(database_url, client, work)
    kind = ("sentiment_micro_batched" if one_message_each else "sentiment_bulk") if comments else "resumes"
    record_figures(f"sigkill_{kind}", **figures, done_at_kill=done_at_kill)


def test_sigterm_finishes_or_returns_the_batch(start_worker, database_url, broker, tmp_path):
    # Each résumé takes a second more, so a job is in flight whenever the test looks (a fast worker had finished
    # the whole batch before the test saw one in flight).
    client = broker.client()
    env = {**broker.env, **FAST_REDELIVERY, **runs_env(tmp_path / "runs.log", 1.0)}
    worker, work = start_while_submitting(
        start_worker,
        lambda: submit_work(database_url, tmp_path, broker, 30, 6),
        queues="sentiment,resumes",
        extra_env=env,
    )
    wait_for(
        lambda: unacked(client) and done(database_url, work),
        240,
        interval=0.1,
        what="jobs in flight",
        progress=worker.activity,
    )
    in_flight = unacked(client)
    worker.stop(signal.SIGTERM)  # warm shutdown of the process group, as `docker stop` / systemd do
    assert worker.proc.returncode is not None
    done_at_stop = done(database_url, work)
    returned = broker_state(client)
    assert not returned.get("unacked"), f"a warm shutdown leaves nothing unacknowledged: {returned}"

    start_worker(queues="sentiment,resumes", extra_env=env)
    figures = finish_exactly_once(database_url, client, work)
    record_figures("sigterm", **figures, in_flight=in_flight, done_at_stop=done_at_stop)


def test_a_backlog_longer_than_the_visibility_timeout_runs_each_job_once(start_worker, database_url, broker, tmp_path):
    """A worker of résumés and sentiment used to prefetch two sentiment batches (128 messages) of any kind:
    the résumés it held past the visibility timeout were handed out again, to the same live worker, and ran
    twice. Each job here takes 1.5 s, so the 14 held at once outlast the 12 s timeout."""
    runs = tmp_path / "runs.log"
    env = {**broker.env, "TALENTQ_VISIBILITY_TIMEOUT_S": "12", "TALENTQ_TASK_TIME_LIMIT_S": "10", **runs_env(runs, 1.5)}
    files = {f"b{i:02d}.txt": resume_text(tmp_path.name, i) for i in range(14)}
    ids = list(submit_resumes(database_url, tmp_path / "r", files, env=broker.env).values())
    start_worker(queues="resumes,sentiment", extra_env=env)
    figures = finish_exactly_once(database_url, broker.client(), [Jobs(ResumeResult.document_id, PARSE_RESUME, ids)])
    counts = Counter(runs.read_text().split())  # runs per résumé
    twice = sorted(job for job, n in counts.items() if n > 1)
    assert not twice, f"{len(twice)} of {len(ids)} résumés ran more than once on a live worker"
    record_figures("backlog_redelivery", **figures, runs=sum(counts.values()), run_twice=len(twice))


# --- the broker restarted --------------------------------------------------------------------------------------


def store_comments(url: str, tag: str, n: int) -> list[int]:
    """Comments stored directly (the producer under test is the publishing loop)."""
    from db import repository
    from db.session import session_scope

    with session_scope(url) as session:
        return [repository.add_comment(session, f"{tag}-{i}", "survey", comment_text(i, 2)).id for i in range(n)]


def publish_steadily(url: str, ids: list[int], every_s: float, published: list[int]) -> None:
    """A producer: one sentiment job every ``every_s`` through the product's task API, on one connection."""
    from tasks.app import app
    from tasks.jobs import analyze_sentiment

    with app.connection_for_write(url) as connection:
        for comment_id in ids:
            analyze_sentiment.apply_async(args=[{"comment_id": comment_id}], connection=connection)
            published.append(comment_id)
            time.sleep(every_s)


def test_redis_restart_producers_and_workers_reconnect_no_job_lost(start_worker, database_url, broker, tmp_path):
    client, env = broker.client(), {**broker.env, **FAST_REDELIVERY}
    start_worker(queues="sentiment,resumes", extra_env=env)
    ids = store_comments(database_url, f"restart-{tmp_path.name}", 40)
    published: list[int] = []
    with ThreadPoolExecutor(1) as pool:
        producer = pool.submit(publish_steadily, broker.url, ids, 0.1, published)
        wait_for(
            lambda: len(published) >= 15, 30, interval=0.05, what="a third published", progress=lambda: len(published)
        )
        broker.stop(signal.SIGTERM)  # saves the append-only file and exits
        time.sleep(2)
        broker.start()  # same port, same directory: the queues come back from the file
        producer.result(timeout=120)
    assert published == ids
    work = [Jobs(SentimentResult.comment_id, ANALYZE_SENTIMENT, ids)]
    figures = finish_exactly_once(database_url, client, work)
    record_figures("redis_restart", **figures)


# --- PostgreSQL unavailable for 30 s ----------------------------------------------------------------------------

# The retry budget: attempt n waits uniform(1, min(60, 2**(n+1))) s (tasks/reliability.py). With the
# production default TALENTQ_TASK_MAX_RETRIES=5 the five waits sum to 5..62 s (mean 33.5 s), so a job that
# meets a 30 s outage at its start is dead-lettered in about half the cases; with 10 retries the waits sum to
# at least 10 s and to less than 35 s with a probability under 1e-5. The visibility timeout must outlast the
# longest countdown (60 s), or Redis hands a waiting retry to another worker as well.
OUTAGE_S = 30
OUTAGE_WORKER = {
    "TALENTQ_TASK_MAX_RETRIES": "10",
    "TALENTQ_VISIBILITY_TIMEOUT_S": "90",
    "TALENTQ_TASK_TIME_LIMIT_S": "30",
}


def postgres_outage(database_url: str, seconds: float) -> None:
    """Refuse new connections to the test database and end its sessions, for ``seconds``."""
    from tests.support import admin_sql

    name = database_url.rsplit("/", 1)[1]
    admin_sql(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
    try:
        admin_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        time.sleep(seconds)
    finally:
        admin_sql(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')


def test_postgres_outage_retries_with_backoff_and_loses_nothing(start_worker, database_url, broker, tmp_path):
    from db.session import get_engine

    client = broker.client()
    worker, work = start_while_submitting(
        start_worker,
        lambda: submit_work(database_url, tmp_path, broker, 30, 8),
        queues="sentiment,resumes",
        # Each résumé takes a second more, so work is left when the outage begins, however fast the worker.
        extra_env={**broker.env, **OUTAGE_WORKER, **runs_env(tmp_path / "runs.log", 1.0)},
    )
    wait_for(lambda: done(database_url, work), 120, interval=0.1, what="the first result", progress=worker.activity)
    get_engine(database_url).dispose()  # this process's own connections go too
    postgres_outage(database_url, OUTAGE_S)
    faults = worker.log.count('"msg": "job fault"')
    figures = finish_exactly_once(database_url, client, work, timeout=240)
    assert faults > 0, "no job met the outage"
    assert worker.proc.poll() is None
    record_figures("postgres_outage", **figures, outage_s=OUTAGE_S, retried_faults=faults)


def test_a_job_whose_dead_letter_cannot_be_written_stays_queued(start_worker, database_url, broker, tmp_path):
    """With no retries left (TALENTQ_TASK_MAX_RETRIES=0), a fault sends a job straight to the dead-letter table.
    Before the fix a job whose failure row could not be written was acknowledged anyway: a job during a
    PostgreSQL outage vanished, and so did one whose row broke a foreign key (a batch run that does not exist)."""
    from db.session import get_engine
    from tasks.app import app
    from tasks.contract import ANALYZE_SENTIMENTS

    client = broker.client()
    bulk = store_comments(database_url, f"dl-{tmp_path.name}", 12)
    single = store_comments(database_url, f"dl1-{tmp_path.name}", 6)
    missing = 2**40
    worker = start_worker(
        queues="resumes,sentiment", extra_env={**broker.env, **FAST_REDELIVERY, "TALENTQ_TASK_MAX_RETRIES": "0"}
    )
    with app.connection_for_write(broker.url) as connection:
        app.send_task(PARSE_RESUME, args=[{"document_id": missing, "batch_run_id": missing}], connection=connection)
        wait_for(
            lambda: failures_of(database_url, PARSE_RESUME, [missing]),
            120,
            what="the dangling job's row",
            progress=worker.activity,
        )
        get_engine(database_url).dispose()
        with ThreadPoolExecutor(1) as pool:
            outage = pool.submit(postgres_outage, database_url, 25)  # outlasts Celery's own cap of 3 retries
            time.sleep(1)
            app.send_task(ANALYZE_SENTIMENTS, args=[{"comment_ids": bulk}], connection=connection)
            for comment_id in single:
                app.send_task(ANALYZE_SENTIMENT, args=[{"comment_id": comment_id}], connection=connection)
            outage.result()
    work = [Jobs(SentimentResult.comment_id, ANALYZE_SENTIMENT, bulk + single)]
    figures = finish_exactly_once(database_url, client, work, worker=worker)
    assert list(failures_of(database_url, PARSE_RESUME, [missing]).values()) in (["not_found"], ["internal_error"])
    record_figures("dead_letter_unwritable", **figures, dangling_reference_rows=1)


# --- a poison job, and a pickle message, on one worker ---------------------------------------------------------


@pytest.fixture(scope="module")
def poison_worker(database_url: str, broker: RedisServer, tmp_path_factory) -> Iterator[tuple[WorkerProcess, Path]]:
    """A worker whose parse of ``poison-*`` documents always raises; (worker, its attempts log)."""
    folder = tmp_path_factory.mktemp("poison")
    attempts = folder / "attempts.log"
    env = {**broker.env, **FAST_REDELIVERY, **poison_env(attempts)}
    worker = WorkerProcess(folder / "worker.log", "resumes,sentiment,scoring", 1, env)
    yield worker, attempts
    worker.stop()


def a_good_job_lands(url: str, broker: RedisServer, worker: WorkerProcess, tmp_path: Path, timeout: float) -> None:
    """Submit one normal résumé and wait for its result: the worker still takes jobs."""
    (doc_id,) = submit_resumes(url, tmp_path, {"cv.txt": resume_text(tmp_path.name, 0)}, env=broker.env).values()
    wait_for(
        lambda: done_count(url, ResumeResult.document_id, [doc_id]),
        timeout,
        what="a good job after the bad ones",
        progress=worker.activity,
    )


def dead_letter_then_normal_job(
    url: str, broker: RedisServer, worker: WorkerProcess, tmp_path: Path, name: str, timeout: float
) -> int:
    """Submit a fault-injected résumé ``name``, then a normal one; wait for the first's dead letter and the
    second's result (while ``worker`` moves); the first's document id."""
    (bad_id,) = submit_resumes(url, tmp_path / "bad", {name: resume_text(tmp_path.name, 0)}, env=broker.env).values()
    (normal_id,) = submit_resumes(
        url, tmp_path / "normal", {"cv.txt": resume_text(tmp_path.name, 1)}, env=broker.env
    ).values()
    wait_for(lambda: failures_of(url, PARSE_RESUME, [bad_id]), timeout, what=name, progress=worker.activity)
    wait_for(
        lambda: done_count(url, ResumeResult.document_id, [normal_id]), 120, what="the next", progress=worker.activity
    )
    return bad_id


def test_poison_job_is_retried_a_bounded_number_of_times_then_dead_lettered(
    poison_worker, database_url, broker, tmp_path
):
    from db.models import Failure
    from db.session import session_scope

    worker, attempts = poison_worker
    poison_id = dead_letter_then_normal_job(database_url, broker, worker, tmp_path, "poison-cv.txt", 60)
    time.sleep(5)  # no attempt after the dead letter
    tries = attempts.read_text().split("\n")[:-1]
    assert len(tries) == INTERNAL_RETRIES + 1, tries
    with session_scope(database_url) as session:
        failure = session.scalars(select(Failure).filter_by(task_name=PARSE_RESUME, subject_id=poison_id)).one()
    assert failure.error_code == "internal_error"
    assert failure.message.startswith(f"RuntimeError after {INTERNAL_RETRIES + 1} attempts: poison document")
    assert drained(broker.client()) and worker.proc.poll() is None
    record_figures("poison", attempts=len(tries), dead_lettered=1, normal_jobs_done=1)


def test_a_job_that_kills_its_worker_process_is_dead_lettered_after_a_few_deliveries(
    poison_worker, database_url, broker, tmp_path
):
    """task_reject_on_worker_lost requeues a job whose pool process died; before the delivery count, a job
    that killed its process (out of memory) came back forever."""
    worker, attempts = poison_worker
    oom_id = dead_letter_then_normal_job(database_url, broker, worker, tmp_path, "oom-cv.txt", 240)
    tries = [line for line in attempts.read_text().split("\n") if line.startswith(f"{oom_id} ")]
    assert len(tries) == MAX_DELIVERIES, tries
    assert failures_of(database_url, PARSE_RESUME, [oom_id]) == {oom_id: "worker_lost"}
    assert drained(broker.client()) and worker.proc.poll() is None
    record_figures("worker_lost", deliveries=len(tries), dead_lettered=1, normal_jobs_done=1)


class Exploit:
    """Unpickling this creates ``path``: proof that a pickle payload was executed."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.path, "w"))


def test_pickle_message_is_refused_not_executed(poison_worker, database_url, broker, tmp_path):
    from kombu import Connection

    worker, _ = poison_worker
    marker = tmp_path / "unpickled"
    task_id = str(uuid.uuid4())
    body = ((Exploit(marker),), {}, {"callbacks": None, "errbacks": None, "chain": None, "chord": None})
    headers = {"lang": "py", "task": PARSE_RESUME, "id": task_id, "root_id": task_id, "retries": 0}
    with Connection(broker.url) as connection:
        connection.Producer().publish(body, routing_key="resumes", serializer="pickle", headers=headers)
    wait_for(lambda: quarantined(broker.client()), 60, what="the pickle message quarantined", progress=worker.activity)
    assert [entry["error"] for entry in quarantined(broker.client())] == ["ContentDisallowed"]
    time.sleep(1)
    assert not marker.exists(), "the pickle payload ran"
    assert worker.proc.poll() is None and drained(broker.client())
    a_good_job_lands(database_url, broker, worker, tmp_path, 60)  # the worker goes on with JSON jobs
    record_figures("pickle", refused=1, executed=0)


# --- malformed messages ------------------------------------------------------------------------------------------

MARKER = "DO-NOT-LOG-ME"


def malformed_messages() -> list[tuple[str, bytes | None, dict[str, Any] | None]]:
    """(queue, raw envelope pushed as is, or None with a JSON body kombu publishes under Celery's headers)."""
    return [
        ("resumes", None, {"document_id": MARKER}),  # a JSON body that is not [args, kwargs, embed]
        ("resumes", None, [[MARKER], {}]),
        ("sentiment", None, {"comment_id": MARKER}),  # the micro-batched task's strategy
        ("resumes", f"not json {MARKER}".encode(), None),  # an envelope that is not JSON
        ("resumes", f'["{MARKER}"]'.encode(), None),
        ("sentiment", json.dumps({"body": MARKER, "headers": {}}).encode(), None),  # no properties
    ]


def push_malformed(url: str, messages: list[tuple[str, bytes | None, dict[str, Any] | None]]) -> None:
    from kombu import Connection

    with Connection(url) as connection:
        for queue, raw, body in messages:
            if raw is not None:
                redis.Redis.from_url(url).lpush(queue, raw)
                continue
            task_id = str(uuid.uuid4())
            task = ANALYZE_SENTIMENT if queue == "sentiment" else PARSE_RESUME
            headers = {"lang": "py", "task": task, "id": task_id, "root_id": task_id, "retries": 0}
            connection.Producer().publish(body, routing_key=queue, serializer="json", headers=headers)


def quarantined(client: redis.Redis) -> list[dict[str, Any]]:
    from tasks.quarantine import KEY

    return [json.loads(entry) for entry in client.lrange(KEY, 0, -1)]


def kept_content(entry: dict[str, Any]) -> str:
    """A quarantined message as it was in Redis; a kombu envelope's base64 body decoded."""
    raw = base64.b64decode(entry["raw"]).decode()
    if MARKER in raw:
        return raw
    return base64.b64decode(json.loads(raw)["body"]).decode()


def test_malformed_messages_are_quarantined_and_the_worker_goes_on(start_worker, database_url, broker, tmp_path):
    """Before tasks/quarantine.py, the first of these ended the worker ("Unrecoverable error: ValueError")."""
    from db.models import Failure
    from db.session import session_scope
    from tasks.quarantine import ERROR_CODE, KEY

    client = broker.client()
    client.delete(KEY)
    worker = start_worker(queues="resumes,sentiment", extra_env={**broker.env, **FAST_REDELIVERY})
    messages = malformed_messages()
    push_malformed(broker.url, messages)
    wait_for(
        lambda: len(quarantined(client)) == len(messages) or worker.proc.poll() is not None,
        60,
        what="quarantine",
        progress=worker.activity,
    )
    assert worker.proc.poll() is None, worker.log[-3000:]
    a_good_job_lands(database_url, broker, worker, tmp_path, 120)
    entries = quarantined(client)
    assert sorted(e["queue"] for e in entries) == sorted(queue for queue, _, _ in messages)
    assert all(e["size"] > 0 and MARKER in kept_content(e) for e in entries)
    assert MARKER not in worker.log, "a malformed message's content reached the log"
    assert NO_PERSISTENCE not in worker.log  # the module's broker keeps an append-only file
    assert worker.proc.poll() is None and drained(client)
    with session_scope(database_url) as session:
        rows = session.scalars(select(Failure).filter_by(error_code=ERROR_CODE)).all()
    assert len(rows) >= len(messages)
    record_figures("malformed_messages", sent=len(messages), quarantined=len(entries), worker_deaths=0)


# --- a broker without persistence --------------------------------------------------------------------------------

NO_PERSISTENCE = "BROKER REDIS HAS NO PERSISTENCE"


def test_a_worker_warns_once_when_its_broker_has_no_persistence(start_worker, tmp_path):
    volatile = RedisServer(tmp_path / "redis", persistent=False).start()
    try:
        worker = start_worker(queues="resumes", extra_env=volatile.env)
        assert worker.log.count(NO_PERSISTENCE) == 1, worker.log[-2000:]
    finally:
        volatile.stop()
