"""The queue contract and the Celery settings that make it safe."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

import producers.nightly  # noqa: F401 - the workers' app: registers the producers' tasks
import tasks.jobs  # noqa: F401 - and the model tasks (the app's include, which a worker imports at start)
from config.settings import Settings
from tasks.app import app, celery_config
from tasks.contract import (
    MAX_BULK_IDS,
    PAYLOADS,
    QUEUES,
    AnalyzeSentimentPayload,
    AnalyzeSentimentsPayload,
    ParseResumePayload,
    ScoreCandidatePayload,
    jobs_of,
    subject_of,
)


def test_every_task_has_a_queue_and_a_schema_and_is_registered():
    for name in PAYLOADS:
        assert name in QUEUES
        assert name in app.tasks


@pytest.mark.parametrize(
    "payload",
    [{}, {"document_id": "12"}, {"document_id": -1}, {"document_id": 1, "text": "x"}, {"document_id": 2**70}],
)
def test_payloads_are_strict(payload):
    with pytest.raises(ValidationError):
        ParseResumePayload.model_validate(payload)


@pytest.mark.parametrize(
    "payload",
    [{"comment_ids": []}, {"comment_ids": [1, "2"]}, {"comment_ids": [0]}, {"comment_ids": 5},
     {"comment_ids": list(range(1, MAX_BULK_IDS + 2))}, {"comment_ids": [1], "comment_id": 2}],
)  # fmt: skip
def test_bulk_payloads_are_strict_and_bounded(payload):
    with pytest.raises(ValidationError):
        AnalyzeSentimentsPayload.model_validate(payload)


def test_a_bulk_message_carries_one_job_per_comment():
    bulk = AnalyzeSentimentsPayload(comment_ids=[4, 5, 4], batch_run_id=9)
    assert jobs_of(bulk) == [
        AnalyzeSentimentPayload(comment_id=4, batch_run_id=9),
        AnalyzeSentimentPayload(comment_id=5, batch_run_id=9),
        AnalyzeSentimentPayload(comment_id=4, batch_run_id=9),
    ]
    single = ParseResumePayload(document_id=3)
    assert jobs_of(single) == [single]


def test_subject_is_the_id_the_job_is_about():
    assert subject_of(ScoreCandidatePayload(application_id=7, batch_run_id=3)) == 7


def test_celery_is_configured_for_safety_and_ml_work():
    conf = celery_config(Settings(broker_url="redis://x", visibility_timeout_s=7200, task_time_limit_s=900))
    assert conf["accept_content"] == ["json"] and conf["task_serializer"] == "json"
    assert conf["task_acks_late"] and conf["task_reject_on_worker_lost"]
    assert conf["worker_prefetch_multiplier"] == 1
    assert conf["worker_send_task_events"] and conf["task_send_sent_event"]
    assert conf["broker_transport_options"]["visibility_timeout"] > conf["task_time_limit"]
    kinds = {"extract", "resumes", "sentiment", "scoring"}  # each in an interactive and a bulk lane
    assert {q.name for q in conf["task_queues"]} == {"control", *kinds, *(f"{k}.bulk" for k in kinds)}
    assert conf["broker_transport_options"]["queue_order_strategy"] == "tasks.lanes:LaneCycle"
    assert not conf["task_always_eager"]


def test_no_broker_means_embedded_in_process_execution():
    assert celery_config(Settings(broker_url=None))["task_always_eager"]


def test_visibility_timeout_must_outlast_the_longest_task():
    with pytest.raises(ValidationError, match="VISIBILITY_TIMEOUT"):
        Settings(visibility_timeout_s=60, task_time_limit_s=600)


def test_default_retries_outlast_a_thirty_second_outage():
    from tasks.reliability import backoff_seconds

    retries = Settings().task_max_retries
    assert min(sum(backoff_seconds(n) for n in range(retries)) for _ in range(1000)) > 30
