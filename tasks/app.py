"""The Celery application and its configuration, fit for ML work and for safety.

With no broker configured (the embedded mode) tasks run eagerly in the calling process.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery, signals
from celery.schedules import crontab
from kombu import Queue

from config.logging import configure_logging
from config.settings import Settings, get_settings
from tasks import metrics
from tasks.contract import ALL_QUEUES, NIGHTLY_BATCH, QUEUES


def celery_config(settings: Settings) -> dict:
    return {
        "broker_url": settings.broker_url or "memory://localhost/",
        "result_backend": settings.result_backend,
        "task_always_eager": settings.embedded,
        "task_eager_propagates": True,
        # JSON only: a pickle message is refused, never deserialized.
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        # Nothing lost: ack after the work is done; redeliver if the worker dies mid-task.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_transport_options": {
            "visibility_timeout": settings.visibility_timeout_s,
            # Look for expired unacknowledged messages every tenth of the timeout (at most 10 s): kombu's
            # ~100 s default (10 s × a throttle of 10) added more than a short timeout itself.
            "unacked_restore_interval": max(1, min(10, settings.visibility_timeout_s // 10)),
            "unacked_restore_throttle": 1,
            # Interactive lanes first, bulk lanes at least every TALENTQ_BULK_EVERY messages (tasks/lanes.py).
            "queue_order_strategy": "tasks.lanes:LaneCycle",
        },
        # A malformed message is quarantined, never allowed to end the worker (tasks/quarantine.py).
        "broker_transport": "tasks.quarantine:Transport"
        if (settings.broker_url or "").startswith("redis://")
        else None,
        "worker_consumer": "tasks.quarantine:Consumer",
        "broker_connection_retry_on_startup": True,
        # Producers ride out a broker restart: a publish retries for about 9 s (Celery's default gives
        # up after 0.6 s, so `talentq submit` failed half-way through a Redis restart).
        "task_publish_retry_policy": {"max_retries": 6, "interval_start": 0.5, "interval_step": 0.5, "interval_max": 2},
        "task_time_limit": settings.task_time_limit_s,
        # The soft limit warns the task 30 s before the hard one, or a fifth of a short limit before it
        # (``T - 30`` left a 15 s limit a 1 s soft limit, failing every task that ran past a second).
        "task_soft_time_limit": settings.task_time_limit_s - min(30, settings.task_time_limit_s // 5),
        # Flower and metrics need events; results themselves live in Postgres.
        "worker_send_task_events": True,
        "task_send_sent_event": True,
        "task_track_started": True,
        "task_ignore_result": settings.result_backend is None,
        "task_queues": [Queue(name) for name in ALL_QUEUES],
        # The interactive lane by default; bulk producers name the bulk queue (``contract.queue_of``).
        "task_routes": {name: {"queue": queue} for name, queue in QUEUES.items()},
        "worker_hijack_root_logger": False,
        "timezone": "UTC",
        "beat_schedule": beat_schedule(settings),
    }


def beat_schedule(settings: Settings) -> dict[str, dict]:
    """The nightly batch (``producers.nightly``) at TALENTQ_NIGHTLY_CRON, a five-field cron line."""
    minute, hour, day_of_month, month_of_year, day_of_week = settings.nightly_cron.split()
    schedule = crontab(
        minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year, day_of_week=day_of_week
    )
    return {"nightly-batch": {"task": NIGHTLY_BATCH, "schedule": schedule}}


log = logging.getLogger(__name__)

# The nightly task belongs to the producers: `talentq worker` loads it, the tasks layer never does.
app = Celery("talentq", include=["tasks.jobs"])
app.conf.update(celery_config(get_settings()))


@signals.celeryd_init.connect  # before Celery's own checks warn and the worker_init receivers below log
@signals.setup_logging.connect
def _json_logging(**_: object) -> None:
    configure_logging(get_settings().log_level)


@signals.worker_process_init.connect
def _load_models_in_child(**_: object) -> None:
    """Models load in each pool process after the fork, never in the parent (CUDA cannot be forked). Without
    the weights' progress bar: a worker's stderr is JSON log lines only."""
    from transformers.utils import logging as transformers_logging

    from workers import registry

    transformers_logging.disable_progress_bar()
    registry.warm_up(get_settings())


@signals.worker_init.connect
def _serve_metrics(**_: object) -> None:
    """In the worker's parent: serve the pool's merged metrics (needs PROMETHEUS_MULTIPROC_DIR)."""
    settings = get_settings()
    if settings.metrics_port and os.environ.get(metrics.MULTIPROC_ENV):
        metrics.serve(settings.metrics_port, settings.listen_host)


@signals.worker_ready.connect
def _relay_outbox(sender: Any, **_: object) -> None:
    """Publish what producers staged while the broker was down, on the consumer's timer: in the main process's
    event loop, not a thread (a pool process forked while a thread holds a lock hung on it). Registered again
    when the consumer restarts after a reconnect, replacing the last round."""
    from tasks.outbox import relay_round

    settings = get_settings()
    if previous := getattr(sender, "_talentq_outbox_relay", None):
        previous.cancel()
    if settings.outbox_relay_s > 0:
        sender._talentq_outbox_relay = sender.timer.call_repeatedly(
            settings.outbox_relay_s, relay_round, (app, settings.database_url)
        )


@signals.worker_init.connect
def _warn_without_persistence(**_: object) -> None:
    """A broker Redis with neither an append-only file nor RDB snapshots loses every queued job when it
    restarts, with no error anywhere (172 of 300 jobs in a test): say so, once, at start."""
    import redis

    from tasks.reliability import broker_client

    url = get_settings().broker_url
    if not (url or "").startswith("redis://"):
        return
    try:
        client = broker_client(url or "")
        appendonly = client.config_get("appendonly").get("appendonly")
        save = client.config_get("save").get("save")
    except redis.exceptions.RedisError as exc:  # CONFIG renamed or disabled (managed Redis): cannot tell
        log.info("broker persistence unknown", extra={"error": type(exc).__name__})
        return
    if appendonly != "yes" and not save:
        log.warning(
            "BROKER REDIS HAS NO PERSISTENCE (appendonly no, save ''): a Redis restart loses every queued job; "
            "run it with --appendonly yes"
        )


@signals.worker_process_shutdown.connect
def _forget_dead_process(pid: int | None = None, **_: object) -> None:
    metrics.mark_process_dead(pid or os.getpid())
