"""Outbound webhook throughput: how fast one dispatcher drains a queue of N events to a loopback receiver.

``python -m bench.webhooks --n 5000`` against ``TALENTQ_DATABASE_URL`` (PostgreSQL, migrated): queues N
deliveries for a throwaway subscription, runs ``producers.outbound.run`` until all are delivered, prints
deliveries per second, then removes the subscription and its rows.
"""

from __future__ import annotations

import argparse
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import delete, func, select, text

from config.settings import get_settings
from db.models import OutboundWebhook, WebhookSubscription
from db.session import session_scope
from db.subscriptions import add_subscription
from producers.outbound import new_secret, run

QUEUE = """
INSERT INTO outbound_webhooks (subscription_id, event_type, payload, state, attempts, next_attempt_at, created_at)
SELECT :sub, 'sentiment.analyzed', jsonb_build_object('type', 'sentiment.analyzed', 'result_id', g,
       'comment_id', g, 'model_version', 'bench', 'occurred_at', now()), 'pending', 0, now(), now()
FROM generate_series(1, :n) g
"""


class Accept(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args) -> None:
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args(argv)
    settings = get_settings()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Accept)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with session_scope(settings.database_url) as session:
        sub = add_subscription(session, f"http://127.0.0.1:{server.server_port}/", new_secret(), ["bench"]).id
        session.execute(text(QUEUE), {"sub": sub, "n": args.n})
    stop = threading.Event()
    dispatcher = threading.Thread(target=run, args=(settings, stop))
    started = time.perf_counter()
    dispatcher.start()
    pending = select(func.count()).where(OutboundWebhook.subscription_id == sub, OutboundWebhook.state != "delivered")
    try:
        while True:
            with session_scope(settings.database_url) as session:
                if not session.scalar(pending):
                    break
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        print(f"{args.n} deliveries in {elapsed:.1f} s: {args.n / elapsed:.0f}/s")
    finally:
        stop.set()
        dispatcher.join()
        server.shutdown()
        with session_scope(settings.database_url) as session:
            session.execute(delete(WebhookSubscription).where(WebhookSubscription.id == sub))


if __name__ == "__main__":
    main()
