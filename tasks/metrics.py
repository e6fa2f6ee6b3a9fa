"""Prometheus metrics of the workers: jobs at the one place handlers run (``tasks.reliability``), forward-pass
batches where the engine forms them (``workers.engine.batching.on_batch``, connected by ``tasks.jobs``).

A prefork worker is several processes, so metrics use prometheus_client's multiprocess mode:
``talentq worker`` points PROMETHEUS_MULTIPROC_DIR at a fresh folder before Celery starts, and the
parent process serves the merged values on TALENTQ_METRICS_PORT. Flower's own ``/metrics`` adds
per-task counts and runtimes from the task events. Names follow Prometheus conventions (base units in the
name, ``_total`` on counters); what the broker and database hold is read at scrape time (``tasks.gauges``).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    multiprocess,
    start_http_server,
)

from config.settings import get_settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
log = logging.getLogger(__name__)

JOBS = Counter("talentq_jobs_total", "Jobs finished, by task and status (done or failed).", ["task", "status"])
# Failures only: a code label on every success would be an empty string on most series.
FAILURES = Counter("talentq_job_failures_total", "Jobs that ended as a failure row, by error code.", ["task", "code"])
RETRIES = Counter("talentq_job_retries_total", "Jobs sent back for a retry after a fault.", ["task", "error"])
BATCH_SIZE = Histogram(
    "talentq_handler_batch_jobs",
    "Jobs per handler call (one model call, one transaction).",
    ["task"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
FORWARD_BATCH_ITEMS = Histogram(
    "talentq_forward_batch_items",
    "Sequences per forward pass (token-budget batches).",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
FORWARD_BATCH_TOKENS = Histogram(
    "talentq_forward_batch_padded_tokens",
    "Padded tokens (items x longest) per forward pass.",
    buckets=(64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768),
)
HANDLER_SECONDS = Histogram(
    "talentq_handler_duration_seconds",
    "Wall time of one handler call (model and database).",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)


def record_outcomes(task: str, outcomes: Sequence[dict[str, Any]]) -> None:
    for outcome in outcomes:
        status = outcome.get("status", "done")
        JOBS.labels(task, status).inc()
        if status == "failed":
            FAILURES.labels(task, outcome.get("error_code") or "unknown").inc()


def record_forward_batch(items: int, padded_tokens: int) -> None:
    FORWARD_BATCH_ITEMS.observe(items)
    FORWARD_BATCH_TOKENS.observe(padded_tokens)


def prepare_multiprocess_dir() -> str:
    """A fresh folder for the worker's metric files (stale files would add old counts)."""
    folder = os.environ.get(MULTIPROC_ENV) or tempfile.mkdtemp(prefix="talentq-metrics-")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return folder


def serve(port: int, host: str) -> None:
    """Serve the merged metrics of every pool process (call in the worker's parent), with the parent's
    ``process_*``/``python_*`` metrics and the gauges read from the broker and the database at each scrape. A port
    already taken (a second worker on the host) is logged as an error, not left silent: set TALENTQ_METRICS_PORT
    per worker."""
    from tasks.gauges import BatchRunCollector, GpuCollector, QueueCollector

    settings = get_settings()
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    if (settings.broker_url or "").startswith("redis://"):
        registry.register(QueueCollector(settings.broker_url or ""))
    registry.register(BatchRunCollector(settings.database_url))
    registry.register(GpuCollector())
    try:
        start_http_server(port, addr=host, registry=registry)
    except OSError as exc:
        log.error(
            "metrics not served: port in use; give this worker another TALENTQ_METRICS_PORT",
            extra={"port": port, "host": host, "error": exc.strerror},
        )


def mark_process_dead(pid: int) -> None:
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)
