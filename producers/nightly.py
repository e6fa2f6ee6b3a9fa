"""The nightly run. Beat sends it at TALENTQ_NIGHTLY_CRON (``tasks.app.beat_schedule``); a worker on
the ``control`` queue submits a batch run named after the date (re-running the same night continues it).

This module is the workers' Celery app (``talentq worker``): it also registers the producers' other task,
``attachments.fetch_attachment`` (an HRIS event's résumé link, fetched on the ``extract`` queue)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from config.settings import get_settings
from db.queries import NIGHTLY_RUN_PREFIX
from producers import attachments, batch
from tasks.app import app
from tasks.contract import NIGHTLY_BATCH


# Acked at start and exempt from the per-task time limit: the submitter waits on backpressure for as
# long as the night's queue drains, and if it dies the next run (same name) simply continues.
@app.task(name=NIGHTLY_BATCH, ignore_result=True, acks_late=False, time_limit=12 * 3600, soft_time_limit=None)
def nightly_batch() -> dict[str, Any]:
    """Parse new résumés from TALENTQ_NIGHTLY_FOLDER and score applications lacking a current score."""
    settings = get_settings()
    submission = batch.submit(settings, f"{NIGHTLY_RUN_PREFIX}{datetime.now(UTC):%Y-%m-%d}", settings.nightly_folder)
    return {"batch_run_id": submission.run.id, "submitted": submission.run.submitted, "skipped": submission.skipped}


__all__ = ["attachments", "nightly_batch"]
