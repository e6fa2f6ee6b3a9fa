"""Résumé parsing micro-batched on a real worker, Redis and Postgres: separate messages parsed in one handler
call, each chain's score still following, a corrupt résumé failing alone; and the overlapped parse (the entity
model one chunk ahead in a thread) giving the sequential parse's results, object for object."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from config.settings import get_settings
from db import repository
from db.models import Application, Document, Failure, ResumeResult, ScoreResult
from db.session import session_scope
from tasks.contract import PARSE_RESUME, SCORE_CANDIDATE
from tests.support import GOOD_RESUME, free_port, talentq, wait_for
from workers import registry
from workers.resume.parser import OVERLAP_CHUNK

pytestmark = pytest.mark.timeout(420)
BATCH = 4


def handler_calls(port: int) -> dict[str, float]:
    """The worker's parse handler calls and the jobs they ran, from its /metrics."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    found = {"_count": 0.0, "_sum": 0.0}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            suffix = sample.name.removeprefix("talentq_handler_batch_jobs")
            if suffix in found and sample.labels.get("task") == PARSE_RESUME:
                found[suffix] = sample.value
    return found


def test_separate_messages_parse_in_one_call_and_their_scores_follow(
    start_worker, database_url, tmp_path: Path, samples_dir: Path
):
    folder = tmp_path / "applicants"
    folder.mkdir()
    tag = uuid.uuid4().hex[:6]
    for i in range(BATCH - 1):
        (folder / f"cv-{i}.txt").write_text(f"{GOOD_RESUME}\nReference: {tag}-{i}\n")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf \x00\x01" + tag.encode())
    posting = samples_dir / "postings" / "backend-python-engineer.md"
    port = free_port()
    (tmp_path / "metrics").mkdir()
    env = {
        "TALENTQ_RESUME_BATCH_SIZE": str(BATCH),
        "TALENTQ_BATCH_WAIT_MS": "10000",  # long enough that only the batch size flushes the four messages
        "TALENTQ_METRICS_PORT": str(port),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    worker = start_worker(queues="resumes,scoring", extra_env=env)
    talentq("submit", "resumes", str(folder), "--posting", str(posting))  # one chain (parse, then score) per file

    hashes = [repository.sha256(path.read_bytes()) for path in folder.iterdir()]

    def settled() -> list[tuple[str, int, str | None, str | None]] | None:
        with session_scope(database_url) as session:
            apps = session.execute(
                select(Document.filename, Application.id, Application.document_id)
                .join(Application, Application.document_id == Document.id)
                .where(Document.content_hash.in_(hashes))
            ).all()
            rows = []
            for filename, app_id, doc_id in apps:
                scored = session.scalar(select(ScoreResult.id).filter_by(application_id=app_id))
                failed = session.scalar(
                    select(Failure.error_code).filter_by(task_name=SCORE_CANDIDATE, subject_id=app_id)
                )
                parse_failure = session.scalar(
                    select(Failure.error_code).filter_by(task_name=PARSE_RESUME, subject_id=doc_id)
                )
                if scored is None and failed is None:
                    return None
                rows.append((filename, int(scored is not None), failed, parse_failure))
        return sorted(rows) if len(rows) == BATCH else None

    outcome = wait_for(settled, 240, what="every application scored or failed", progress=worker.activity)
    assert outcome == sorted(
        [(f"cv-{i}.txt", 1, None, None) for i in range(BATCH - 1)] + [("broken.pdf", 0, "corrupt", "corrupt")]
    )
    # Four messages, one handler call: the corrupt one failed alone, its neighbours parsed and scored.
    assert handler_calls(port) == {"_count": 1.0, "_sum": float(BATCH)}
    with session_scope(database_url) as session:
        parsed = session.scalars(
            select(Document.filename).join(ResumeResult).where(Document.content_hash.in_(hashes))
        ).all()
    assert sorted(parsed) == [f"cv-{i}.txt" for i in range(BATCH - 1)]


def test_overlapped_parse_equals_the_sequential_one(samples_dir: Path):
    """Three chunks of entity-model work run ahead in a thread while the rules read the chunk before: the same
    ``ParsedResume`` for every text as one ``tag`` over all of them in this thread."""
    texts = [path.read_text(encoding="utf-8") for path in sorted((samples_dir / "resumes").glob("*.txt"))]
    texts = (texts * 4)[: 2 * OVERLAP_CHUNK + 3]
    parser = registry.resume_parser(get_settings())
    sequential = parser.parse_many(texts)
    assert parser.parse_many(texts, overlap=True) == sequential
