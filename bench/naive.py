"""The pipeline a user writes first, as the baseline talentq is measured against.

One Celery task per document on Celery's defaults (JSON, its own queue), the plain fp32 model
loaded once per process, a batch of one, and a session and commit per row. Rows go to the same
result tables under their own model version, so they never mix with talentq's.

    celery -A bench.naive worker -Q naive -c 1
"""

from __future__ import annotations

from functools import cache

from celery import Celery, signals

from config.settings import get_settings
from db import repository
from db.models import Comment, Document, ResumeResult, SentimentResult
from db.session import session_scope
from workers.documents import extract_text
from workers.engine.encoder import Encoder
from workers.registry import configure_torch
from workers.resume.entities import ResumeEntityModel
from workers.resume.parser import ResumeParser
from workers.sentiment.model import SentimentModel

QUEUE = "naive"
VERSION_PREFIX = "naive:"

app = Celery("naive", broker=get_settings().broker_url)
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    task_default_queue=QUEUE,
    task_ignore_result=True,
    worker_hijack_root_logger=False,
)


@signals.worker_process_init.connect
def _same_threads(**_: object) -> None:
    """Torch threads as talentq's workers get them (cores ÷ concurrency), so only the pipeline differs."""
    configure_torch(get_settings())


@cache
def _models() -> tuple[Encoder, SentimentModel, ResumeParser]:
    """The plain fp32 encoder and the sentiment model and résumé parser on it, whatever TALENTQ_RUNTIME says."""
    encoder = Encoder(device=get_settings().device, runtime="fp32")
    return encoder, SentimentModel(encoder), ResumeParser(encoder, ResumeEntityModel(encoder))


def sentiment_version() -> str:
    return VERSION_PREFIX + _models()[1].version


def resume_version() -> str:
    return VERSION_PREFIX + _models()[0].info.version


@app.task(name="naive.sentiment")
def sentiment(comment_id: int) -> None:
    """Load one comment, label it, write one row, commit."""
    model = _models()[1]
    with session_scope(get_settings().database_url) as session:
        comment = session.get(Comment, comment_id)
        [result] = model.analyze([comment.text])
        row = {
            "comment_id": comment.id,
            "model_name": model.name,
            "model_version": sentiment_version(),
            "label": result.label,
            "score": result.score,
            "detail": result.model_dump(mode="json"),
        }
        repository.upsert(session, SentimentResult, [row], ["comment_id", "model_version"])


@app.task(name="naive.parse_resume")
def parse(document_id: int) -> None:
    """Load one document, extract and parse it, embed its text, write one row, commit."""
    encoder, _, parser = _models()
    settings = get_settings()
    with session_scope(settings.database_url) as session:
        doc = session.get(Document, document_id)
        text = extract_text(doc.content, doc.filename, settings.max_document_bytes)
        parsed = parser.parse(text)
        vector = encoder.embed([text])[0]
        repository.save_embeddings(session, {repository.sha256(text): vector}, resume_version())
        row = {
            "document_id": doc.id,
            "model_name": encoder.info.name,
            "model_version": resume_version(),
            "skills": [skill.name for skill in parsed.skills],
            "years_experience": parsed.years_experience,
            "language": parsed.language,
            "parsed": parsed.model_dump(mode="json"),
        }
        repository.upsert(session, ResumeResult, [row], ["document_id", "model_version"])
