"""Gauges read at scrape time from where the state lives, so they are never stale and no process must keep
them up to date: queue depths from the broker's Redis, batch-run progress from PostgreSQL, GPU use from NVML.

Each is a prometheus_client custom collector, registered by ``tasks.metrics.serve`` in a worker's parent
process. Every worker reports the same queue and run values: dashboards and alerts take ``max`` over them.
A source that cannot be read (broker down, no NVIDIA driver) yields the metric without samples, never an
error page, so the job and process metrics stay visible when they matter most.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC

import redis
from kombu.transport.redis import Channel
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from db.queries import latest_batch_runs
from db.session import session_scope
from tasks.contract import ALL_QUEUES, QUARANTINE_KEY

log = logging.getLogger(__name__)

# kombu keeps a queue's messages of priority p > 0 in the list "<queue><sep><p>"; the plain name holds p = 0.
_PRIORITY_SUFFIXES = ["", *(f"{Channel.sep}{step}" for step in Channel.priority_steps if step)]
_UNACKED_KEY = Channel.unacked_key


class QueueCollector(Collector):
    """``talentq_queue_messages{queue}``: messages waiting in each queue of the contract (every priority);
    ``talentq_unacked_messages``: delivered, not yet acknowledged; ``talentq_quarantined_messages``."""

    def __init__(self, broker_url: str) -> None:
        self._client = redis.Redis.from_url(broker_url, socket_timeout=2, socket_connect_timeout=2)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        waiting = GaugeMetricFamily("talentq_queue_messages", "Messages waiting in a queue.", labels=["queue"])
        unacked = GaugeMetricFamily("talentq_unacked_messages", "Messages delivered to a worker, not yet acked.")
        quarantined = GaugeMetricFamily("talentq_quarantined_messages", "Malformed messages kept in quarantine.")
        queues = ALL_QUEUES  # both lanes of every queue
        try:
            with self._client.pipeline(transaction=False) as pipe:
                for queue in queues:
                    for suffix in _PRIORITY_SUFFIXES:
                        pipe.llen(queue + suffix)
                pipe.hlen(_UNACKED_KEY)
                pipe.llen(QUARANTINE_KEY)
                lengths = pipe.execute()
        except redis.RedisError as exc:
            log.warning("queue depth unavailable", extra={"error": type(exc).__name__})
        else:
            step = len(_PRIORITY_SUFFIXES)
            for i, queue in enumerate(queues):
                waiting.add_metric([queue], sum(lengths[i * step : (i + 1) * step]))
            unacked.add_metric([], lengths[-2])
            quarantined.add_metric([], lengths[-1])
        yield from (waiting, unacked, quarantined)


class BatchRunCollector(Collector):
    """Progress of the newest run of each kind (``nightly``, from beat; ``manual``, from ``talentq batch``):
    ``talentq_batch_run_jobs{kind,state}`` (submitted, done, failed, pending) and when it started."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs = GaugeMetricFamily(
            "talentq_batch_run_jobs", "Jobs of the newest batch run of each kind, by state.", labels=["kind", "state"]
        )
        started = GaugeMetricFamily(
            "talentq_batch_run_started_timestamp_seconds",
            "Unix time the newest batch run of each kind started.",
            labels=["kind"],
        )
        try:
            with session_scope(self._url) as session:
                runs = latest_batch_runs(session)
                for kind, run in runs.items():
                    pending = max(0, run.submitted - run.done - run.failed)
                    counts = {"submitted": run.submitted, "done": run.done, "failed": run.failed, "pending": pending}
                    for state, count in counts.items():
                        jobs.add_metric([kind, state], count)
                    started.add_metric([kind], run.created_at.replace(tzinfo=UTC).timestamp())
        except Exception as exc:  # database down or not migrated: the other metrics must still be served
            log.warning("batch run progress unavailable", extra={"error": type(exc).__name__})
        yield from (jobs, started)


class GpuCollector(Collector):
    """``talentq_gpu_utilization_ratio`` and memory of each GPU this container sees, through NVML (no CUDA
    context, so the parent stays fork-safe). Without a driver the metrics have no samples."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        busy = GaugeMetricFamily(
            "talentq_gpu_utilization_ratio", "Share of the last sample period a kernel ran.", labels=["gpu"]
        )
        used = GaugeMetricFamily("talentq_gpu_memory_used_bytes", "GPU memory in use.", labels=["gpu"])
        total = GaugeMetricFamily("talentq_gpu_memory_total_bytes", "GPU memory.", labels=["gpu"])
        try:
            import pynvml

            pynvml.nvmlInit()
        except Exception:  # no NVIDIA driver (or no pynvml): a CPU worker
            yield from (busy, used, total)
            return
        try:
            for index in range(pynvml.nvmlDeviceGetCount()):
                handle = pynvml.nvmlDeviceGetHandleByIndex(index)
                memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
                busy.add_metric([str(index)], pynvml.nvmlDeviceGetUtilizationRates(handle).gpu / 100)
                used.add_metric([str(index)], memory.used)
                total.add_metric([str(index)], memory.total)
        finally:
            pynvml.nvmlShutdown()
        yield from (busy, used, total)
