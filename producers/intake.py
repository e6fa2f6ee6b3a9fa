"""What a newly stored résumé of a candidate sets off, wherever it came from (a webhook's bytes, a fetched link).

Returns the jobs to enqueue after the caller's transaction commits, so a worker always finds the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from celery.result import AsyncResult
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import repository
from db.models import Application
from producers import enqueue

Job = Callable[[], AsyncResult]


def resume_jobs(session: Session, candidate_id: int, document_id: int, posting_id: int | None) -> list[Job]:
    """With a posting: the candidate applies with this résumé, parse then score. Without: it replaces the
    candidate's résumé in every application they have (each re-scored), or is only parsed when they have none."""
    if posting_id is not None:
        application = repository.add_application(session, candidate_id, posting_id, document_id)
        return [partial(enqueue.parse_then_score, document_id, application.id)]
    postings = session.scalars(select(Application.job_posting_id).filter_by(candidate_id=candidate_id)).all()
    applications = [repository.add_application(session, candidate_id, p, document_id) for p in postings]
    if not applications:
        return [partial(enqueue.parse_then_score, document_id, None)]
    return [partial(enqueue.parse_then_score, document_id, a.id) for a in applications]
