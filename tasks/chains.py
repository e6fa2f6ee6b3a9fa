"""Chains through a micro-batched task: a résumé's parse, then its score.

Celery's tracer publishes a chain's next step when a task returns. celery-batches runs a batch without that tracer
and drops each message's chain (celery-batches issue #26), so a batched parse would end every chain there. Instead,
``keep`` copies each message's chain into its request in the consumer, before celery-batches copies the requests
for the pool (as Celery's tracer merges it into the task's request); ``next_step`` builds the step that follows a
request; the handler stages those steps in the outbox in the transaction that stores the batch's results, so both
are committed or neither (tasks/outbox.py publishes them). Nothing lost: a batch that dies before its commit is
redelivered (late ack) and stages its steps then. Nothing doubled: a step published twice, or staged again by a
batch redelivered after its commit, runs its job again into the same upserted row. Producers chain, they never
link: a message's ``link`` callbacks are not run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from celery.canvas import Signature, signature

from config.settings import get_settings
from tasks import outbox
from tasks.app import app


def keep(requests: Iterable[Any]) -> None:
    """Carry each Celery ``Request``'s chain (protocol 2 keeps it in the body, beside the arguments) in the request
    dict that celery-batches hands to the pool."""
    for request in requests:
        request.request_dict["chain"] = (request._payload[2] or {}).get("chain")


def next_step(request: Any) -> Signature | None:
    """The step after a celery-batches ``SimpleRequest``, with the rest of its chain, as Celery's tracer sends it;
    None at a chain's end."""
    rest = list(request.request_dict.get("chain") or [])
    if not rest:
        return None
    step = signature(rest.pop())  # the chain is stored last step first
    return step.set(chain=rest, parent_id=request.id, root_id=request.request_dict.get("root_id"))


def send_staged(requests: Iterable[Any]) -> None:
    """Publish the steps a batch staged now, not at the worker's next relay round (TALENTQ_OUTBOX_RELAY_S later):
    an interactive résumé's score follows its parse at once. A broker that is down leaves them to that round."""
    if any(request.request_dict.get("chain") for request in requests):
        outbox.relay_round(app, get_settings().database_url)
