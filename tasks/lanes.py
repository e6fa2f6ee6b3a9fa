"""The order in which a worker reads its queues: interactive lanes first, bulk lanes never starved.

kombu's Redis transport reads every queue of a worker with one ``BRPOP`` whose keys it takes from a
"queue order strategy"; Redis answers from the first key that has a message. kombu's own strategies are
``round_robin`` (the default: a backlog of 10,000 nightly résumés then delays an HRIS event by a whole
turn of every queue, and the nightly run's queue gets as many turns as the event's), ``priority`` (the
order given: interactive first, but a steady stream of events would starve the nightly run forever) and
``sorted``. ``LaneCycle`` is ``priority`` with a floor for bulk work: after ``TALENTQ_BULK_EVERY``
interactive messages in a row it puts the bulk lanes first until one bulk message has been taken.

Named in ``broker_transport_options["queue_order_strategy"]`` (tasks/app.py), which kombu resolves by path.
"""

from __future__ import annotations

from collections.abc import Iterable

from config.settings import get_settings
from tasks.contract import is_bulk


class LaneCycle:
    """A kombu queue cycle (``update``/``consume``/``rotate``) that serves interactive queues first."""

    def __init__(self, items: Iterable[str] | None = None, every: int | None = None) -> None:
        self.items: list[str] = list(items or [])
        self.every = every or get_settings().bulk_every
        self.since_bulk = 0  # messages taken from interactive queues since the last bulk one

    def update(self, items: Iterable[str]) -> None:
        self.items[:] = items

    def consume(self, n: int) -> list[str]:
        """The queues for the next ``BRPOP``, in the order Redis should try them."""
        items = self.items[:n]
        interactive = [q for q in items if not is_bulk(q)]
        bulk = [q for q in items if is_bulk(q)]
        return bulk + interactive if self.since_bulk >= self.every else interactive + bulk

    def rotate(self, last_used: str) -> None:
        """Called by kombu with the queue each message came from."""
        self.since_bulk = 0 if is_bulk(last_used) else self.since_bulk + 1
