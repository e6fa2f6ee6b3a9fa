"""What each job does: load its inputs, run the model code, write its results in one transaction.

Handlers take a list of jobs of one kind (a batch of one for plain tasks, many for batched
workers) and return one outcome per job. Bad input becomes a per-item failure row; infrastructure
faults propagate to ``tasks.reliability``, which retries the whole call.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from celery.canvas import Signature
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from config.settings import Settings, get_settings
from db import repository
from db.models import Application, Comment, Document, Failure, JobPosting, ResumeResult, ScoreResult, SentimentResult
from db.session import session_scope
from tasks import outbox
from tasks.contract import (
    ANALYZE_SENTIMENT,
    PARSE_RESUME,
    SCORE_CANDIDATE,
    AnalyzeSentimentPayload,
    ExtractTextPayload,
    ParseResumePayload,
    ScoreCandidatePayload,
)
from workers import registry, scoring
from workers.documents import DocumentError, extract
from workers.engine.encoder import Encoder, encoder_version
from workers.resume.parser import parser_version
from workers.resume.schema import Evidence

log = logging.getLogger(__name__)
Outcome = dict[str, Any]


class ItemFailure(Exception):
    """A job that cannot succeed as submitted: recorded with its code, never retried."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _encoder_version(settings: Settings) -> str:
    return encoder_version(settings.encoder_model, settings.runtime)


def resume_model_version(settings: Settings) -> str:
    return f"{parser_version(settings.resume_model)}+{_encoder_version(settings)}"


def score_model_version(settings: Settings) -> str:
    return f"{scoring.SCORER_VERSION}+{_encoder_version(settings)}"


def embed_cached(session: Session, encoder: Encoder, texts: dict[str, str]) -> dict[str, np.ndarray]:
    """Embeddings of ``{hash: text}``: stored ones are reused, missing ones computed and stored."""
    version = encoder.info.version
    found = repository.load_embeddings(session, texts, version)
    missing = [h for h in texts if h not in found]
    if missing:
        fresh = dict(zip(missing, encoder.embed([texts[h] for h in missing]), strict=True))
        repository.save_embeddings(session, fresh, version)
        found.update(fresh)
    return found


def _finish(session: Session, task_name: str, done: Sequence[tuple[int, int | None]]) -> list[Outcome]:
    """``done``: (subject id, batch run id) pairs. Their earlier failures go in one statement (a batch of
    short texts is mostly per-job bookkeeping otherwise); their batch items move to done."""
    repository.clear_failures(session, task_name, [subject_id for subject_id, _ in done])
    for subject_id, batch_run_id in done:
        repository.mark_batch_item(session, batch_run_id, task_name, subject_id, "done")
    return [{"status": "done", "subject_id": subject_id} for subject_id, _ in done]


def _fail(
    session: Session,
    task_name: str,
    subject_id: int,
    batch_run_id: int | None,
    failure: ItemFailure,
    candidate_id: int | None = None,
) -> Outcome:
    log.info("job failed", extra={"task": task_name, "subject_id": subject_id, "error_code": failure.code})
    repository.record_failure(
        session,
        task_name=task_name,
        subject_id=subject_id,
        error_code=failure.code,
        message=failure.message,
        candidate_id=candidate_id,
        batch_run_id=batch_run_id,
    )
    return {"status": "failed", "subject_id": subject_id, "error_code": failure.code}


def _documents(session: Session, ids: list[int]) -> dict[int, Document]:
    query = select(Document).where(Document.id.in_(ids)).options(undefer(Document.content))
    return {d.id: d for d in session.scalars(query)}


def _text_of(doc: Document | None, document_id: int, max_bytes: int, stored: bool = False) -> str:
    """A document's text: the one an extract step stored (``stored``, when there is one), else extracted now."""
    if doc is None:
        raise ItemFailure("not_found", f"document {document_id} does not exist")
    if stored and doc.text is not None:
        return doc.text
    return _extract(doc, max_bytes)


def _document_texts(
    session: Session, jobs: Sequence[ExtractTextPayload | ParseResumePayload], max_bytes: int, outcomes: list[Outcome]
) -> Iterator[tuple[ExtractTextPayload | ParseResumePayload, Document, str]]:
    """Each job's document and its text (for a parse job after an extract step, the stored one). A job whose
    document is missing or has no text is recorded in ``outcomes`` instead, as the résumé's parse failure."""
    docs = _documents(session, [job.document_id for job in jobs])
    for job in jobs:
        doc = docs.get(job.document_id)
        stored = isinstance(job, ParseResumePayload) and job.extracted
        try:
            text = _text_of(doc, job.document_id, max_bytes, stored=stored)
        except ItemFailure as failure:
            candidate_id = doc.candidate_id if doc else None
            outcomes.append(_fail(session, PARSE_RESUME, job.document_id, job.batch_run_id, failure, candidate_id))
            continue
        yield job, doc, text


def extract_texts(jobs: Sequence[ExtractTextPayload]) -> list[Outcome]:
    """The CPU part of parsing, for CPU workers: each document's text, stored on its row for the parse step.
    A document that has no text is recorded as the résumé's parse failure, with its code."""
    settings = get_settings()
    with session_scope(settings.database_url) as session:
        outcomes: list[Outcome] = []
        for _, doc, text in _document_texts(session, jobs, settings.max_document_bytes, outcomes):
            doc.text, doc.text_hash = text, repository.sha256(text)
            outcomes.append({"status": "done", "subject_id": doc.id})
        return outcomes


def parse_resumes(jobs: Sequence[ParseResumePayload], then: Sequence[Signature | None] = ()) -> list[Outcome]:
    """Parse every job's résumé in one call of the parser (its models run over all of them in large batches),
    then write every row in one transaction, with ``then``: the chain steps that follow the jobs (scoring),
    staged in the outbox whether a job is done or failed, as a plain task's chain goes on (tasks/chains.py)."""
    settings = get_settings()
    parser = registry.resume_parser(settings)
    version = resume_model_version(settings)
    overlap = settings.parse_overlap if settings.parse_overlap is not None else parser.encoder.device.type == "cuda"
    with session_scope(settings.database_url) as session:
        outbox.add(session, [step for step in then if step is not None])
        outcomes: list[Outcome] = []
        todo = list(_document_texts(session, jobs, settings.max_document_bytes, outcomes))
        parsed_all = parser.parse_many([text for _, _, text in todo], overlap=overlap)
        hashes = [repository.sha256(text) for _, _, text in todo]
        embed_cached(session, parser.encoder, {h: text for h, (_, _, text) in zip(hashes, todo, strict=True)})
        for (job, doc, text), text_hash, parsed in zip(todo, hashes, parsed_all, strict=True):
            doc.text, doc.text_hash = text, text_hash
            row = {
                "document_id": doc.id,
                "model_name": parser.encoder.info.name,
                "model_version": version,
                "name": _value(parsed.name),
                "email": _value(next(iter(parsed.emails), None)),
                "phone": _value(next(iter(parsed.phones), None)),
                "location": _value(parsed.location),
                "current_title": _value(parsed.current_title),
                "years_experience": parsed.years_experience,
                "skills": list(dict.fromkeys(skill.text for skill in parsed.skills)),
                "canonical_skills": list(dict.fromkeys(s.name for s in parsed.skills if s.in_taxonomy)),
                "language": parsed.language,
                "parsed": parsed.model_dump(mode="json"),
            }
            repository.upsert(session, ResumeResult, [row], ["document_id", "model_version"])
            repository.fill_candidate(session, doc.candidate_id, row["name"], row["email"])
            outcomes += _finish(session, PARSE_RESUME, [(doc.id, job.batch_run_id)])
        return outcomes


def _value(evidence: Evidence | None) -> str | None:
    return evidence.value if evidence else None


def _extract(doc: Document, max_bytes: int) -> str:
    if doc.size_bytes > max_bytes:
        raise ItemFailure("too_large", f"document is {doc.size_bytes} bytes; the limit is {max_bytes}")
    try:
        extraction = extract(doc.content, doc.filename, max_bytes, registry.ocr_limits(get_settings()))
    except SoftTimeLimitExceeded as exc:
        raise _timeout() from exc
    except DocumentError as exc:
        if isinstance(exc.__cause__, SoftTimeLimitExceeded):  # a reader's catch-all wrapped it as corrupt
            raise _timeout() from exc
        raise ItemFailure(exc.code, exc.message) from exc
    doc.text_source, doc.ocr_confidence = extraction.source, extraction.ocr_confidence
    return extraction.text


def _timeout() -> ItemFailure:
    """The document took longer to read than the task may run: its own code, not ``corrupt`` (it may be a
    sound file on a busy worker) and not retried (it would take as long again)."""
    return ItemFailure("timeout", "text extraction ran past the task's soft time limit (TALENTQ_TASK_TIME_LIMIT_S)")


def analyze_sentiments(jobs: Sequence[AnalyzeSentimentPayload]) -> list[Outcome]:
    settings = get_settings()
    model = registry.sentiment_model(settings)
    with session_scope(settings.database_url) as session:
        ids = [job.comment_id for job in jobs]
        texts = dict(session.execute(select(Comment.id, Comment.text).where(Comment.id.in_(ids))).tuples().all())
        outcomes, todo = [], []
        for job in jobs:
            text = texts.get(job.comment_id)
            if text is None or not text.strip():
                reason = ("not_found", "comment does not exist") if text is None else ("empty", "text is empty")
                outcomes.append(
                    _fail(session, ANALYZE_SENTIMENT, job.comment_id, job.batch_run_id, ItemFailure(*reason))
                )
            else:
                todo.append(job)
        results = model.analyze([texts[job.comment_id] for job in todo])
        rows = [
            {
                "comment_id": job.comment_id,
                "model_name": model.name,
                "model_version": model.version,
                "label": result.label,
                "score": result.score,
                "detail": result.model_dump(mode="json"),
            }
            for job, result in zip(todo, results, strict=True)
        ]
        repository.upsert(session, SentimentResult, rows, ["comment_id", "model_version"])
        outcomes += _finish(session, ANALYZE_SENTIMENT, [(job.comment_id, job.batch_run_id) for job in todo])
        return outcomes


def score_candidates(jobs: Sequence[ScoreCandidatePayload]) -> list[Outcome]:
    settings = get_settings()
    encoder = registry.encoder(settings)
    version = score_model_version(settings)
    resume_version = resume_model_version(settings)
    with session_scope(settings.database_url) as session:
        outcomes = []
        for job in jobs:
            app_ = session.get(Application, job.application_id)
            try:
                if app_ is None:
                    raise ItemFailure("not_found", f"application {job.application_id} does not exist")
                posting = session.get(JobPosting, app_.job_posting_id)
                resume = session.scalars(
                    select(ResumeResult).filter_by(document_id=app_.document_id, model_version=resume_version)
                ).one_or_none()
                if resume is None:
                    raise _unparsed(session, app_.document_id)
                requirements = _posting_requirements(session, encoder, posting, version)
                doc = session.get(Document, app_.document_id)
                vectors = embed_cached(session, encoder, {posting.content_hash: posting.text})
                vectors.update(repository.load_embeddings(session, [doc.text_hash], encoder.info.version))
                result = scoring.score(
                    resume.parsed, vectors[doc.text_hash], requirements, vectors[posting.content_hash]
                )
            except ItemFailure as failure:
                outcomes.append(
                    _fail(
                        session,
                        SCORE_CANDIDATE,
                        job.application_id,
                        job.batch_run_id,
                        failure,
                        app_.candidate_id if app_ else None,
                    )
                )
                continue
            row = {
                "application_id": app_.id,
                "model_name": encoder.info.name,
                "model_version": version,
                "score": result.score,
                "components": result.components,
                "explanation": result.explanation,
            }
            repository.upsert(session, ScoreResult, [row], ["application_id", "model_version"])
            outcomes += _finish(session, SCORE_CANDIDATE, [(app_.id, job.batch_run_id)])
        return outcomes


def _unparsed(session: Session, document_id: int | None) -> ItemFailure:
    """Why an application cannot be scored: its résumé's own failure code when parsing failed."""
    failure = session.scalars(select(Failure).filter_by(task_name=PARSE_RESUME, subject_id=document_id)).first()
    if failure is not None:
        return ItemFailure(failure.error_code, f"résumé could not be parsed: {failure.message}")
    return ItemFailure("not_parsed", "the application's résumé has no parse result yet")


def _posting_requirements(
    session: Session, encoder: Encoder, posting: JobPosting, version: str
) -> scoring.Requirements:
    """A posting's requirements, extracted once per scoring model version and cached on the row."""
    if posting.requirements is None or posting.requirements_version != version:
        posting.requirements = scoring.extract_requirements(posting.text, encoder).model_dump(mode="json")
        posting.requirements_version = version
    return scoring.Requirements.model_validate(posting.requirements)
