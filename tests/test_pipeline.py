"""The spine, as a user drives it: `talentq submit` → Redis → a real Celery worker with the
real model → rows in PostgreSQL."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db import queries, repository
from db.models import Application, Comment, Document, Failure, ResumeResult, ScoreResult, SentimentResult
from db.session import session_scope
from tasks.contract import EXTRACT_TEXT, PARSE_RESUME
from tests.support import GOOD_RESUME, talentq, wait_for

pytestmark = pytest.mark.timeout(420)


def count(url: str, model, **where) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(model).filter_by(**where))


def backend_applicants(samples_dir: Path, tmp_path: Path) -> Path:
    """The sample résumés that applied to the backend posting, in a folder of their own."""
    folder = tmp_path / "backend"
    folder.mkdir()
    with (samples_dir / "applications.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["posting"] == "backend-python-engineer":
                shutil.copy(samples_dir / "resumes" / row["resume"], folder)
    return folder


def test_samples_parse_score_and_sentiment_land_once(start_worker, database_url, samples_dir: Path, tmp_path):
    worker = start_worker(concurrency=1)
    folder = backend_applicants(samples_dir, tmp_path)
    n_resumes = len(list(folder.iterdir()))
    posting = samples_dir / "postings" / "backend-python-engineer.md"
    talentq("submit", "resumes", str(folder), "--posting", str(posting))
    talentq("submit", "comments", str(samples_dir / "comments.csv"))
    with (samples_dir / "comments.csv").open(newline="", encoding="utf-8") as handle:
        comment_ids = [row["id"] for row in csv.DictReader(handle)]
    n_comments = len(comment_ids)
    wait_for(
        lambda: rows_of(database_url, folder)["scores"] >= n_resumes,
        300,
        what="every application scored",
        progress=worker.activity,
    )
    wait_for(lambda: analysed(database_url, comment_ids) == n_comments, 120, what="comments", progress=worker.activity)
    first = rows_of(database_url, folder)
    assert first["documents"] == first["applications"] == first["parsed"] == first["scores"] == n_resumes

    # Submitting the same work again updates the same rows: nothing doubles.
    talentq("submit", "resumes", str(folder), "--posting", str(posting))
    wait_for(
        lambda: rows_of(database_url, folder)["newest"] > first["newest"], 300, what="re-run", progress=worker.activity
    )
    assert {k: v for k, v in rows_of(database_url, folder).items() if k != "newest"} == {
        k: v for k, v in first.items() if k != "newest"
    }

    with session_scope(database_url) as session:
        row = session.scalars(select(ResumeResult).where(ResumeResult.email.is_not(None))).first()
        assert row.model_name == "sentence-transformers/all-MiniLM-L6-v2"
        assert row.model_version.startswith("resume-parser")
        assert row.skills and row.parsed["emails"]
        top = queries.ranking(session, "backend-python-engineer", limit=3)
    assert top[0]["candidate"] in {"01-amara-okafor", "02-daniel-whitaker", "20-samuel-ortiz"}
    assert_no_personal_data(worker.log, database_url)


def assert_no_personal_data(log: str, url: str) -> None:
    """The worker's logs carry ids and codes only: no name, email or phone of any parsed résumé."""
    with session_scope(url) as session:
        results = session.scalars(select(ResumeResult)).all()
        comments = session.scalars(select(Comment.text)).all()
    secrets = {r.name for r in results} | {r.email for r in results}
    for result in results:
        secrets |= {p["value"] for p in result.parsed["phones"]} | {p["raw"] for p in result.parsed["phones"]}
    secrets |= {text[:40] for text in comments}
    secrets.discard(None)
    assert len(secrets) > 10
    leaked = sorted(s for s in secrets if s in log)
    assert not leaked, f"personal data in worker logs: {len(leaked)} values"


def analysed(url: str, external_ids: list[str]) -> int:
    """Sentiment rows of these comments (other tests of the session analyse comments of their own)."""
    with session_scope(url) as session:
        stmt = select(func.count()).select_from(SentimentResult).join(Comment, Comment.id == SentimentResult.comment_id)
        return session.scalar(stmt.where(Comment.external_id.in_(external_ids)))


def rows_of(url: str, folder: Path) -> dict:
    """Row counts of the documents in ``folder`` (by content hash), their applications and results
    (other tests of the session store rows of their own), and when their newest parse was written."""
    hashes = [repository.sha256(path.read_bytes()) for path in folder.iterdir()]
    with session_scope(url) as session:
        docs = select(Document.id).where(Document.content_hash.in_(hashes))
        apps = select(Application.id).where(Application.document_id.in_(docs))

        def n(model, clause) -> int:
            return session.scalar(select(func.count()).select_from(model).where(clause))

        return {
            "documents": n(Document, Document.id.in_(docs)),
            "applications": n(Application, Application.id.in_(apps)),
            "parsed": n(ResumeResult, ResumeResult.document_id.in_(docs)),
            "scores": n(ScoreResult, ScoreResult.application_id.in_(apps)),
            "newest": session.scalar(
                select(func.max(ResumeResult.updated_at)).where(ResumeResult.document_id.in_(docs))
            ),
        }


def test_bad_documents_become_failure_rows_and_the_batch_goes_on(start_worker, database_url, tmp_path: Path):
    limit = {"TALENTQ_MAX_DOCUMENT_BYTES": "200000"}
    worker = start_worker(extra_env=limit)
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "corrupt.docx").write_bytes(b"PK\x03\x04 this is not really a zip archive" * 10)
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n garbage garbage \x00\xff" * 20)
    (folder / "huge.txt").write_bytes(b"python developer " * 20000)
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 50)
    (folder / "good.txt").write_text(GOOD_RESUME, encoding="cp1252")
    talentq("submit", "resumes", str(folder), env=limit)
    codes = wait_for(
        lambda: _codes_by_file(database_url, folder) if len(_codes_by_file(database_url, folder)) == 6 else None,
        240,
        what="all six documents handled",
        progress=worker.activity,
    )
    assert codes["good.txt"] == "parsed"
    assert codes["empty.pdf"] == "empty"
    assert codes["corrupt.docx"] == "corrupt"
    assert codes["corrupt.pdf"] == "corrupt"
    assert codes["huge.txt"] == "too_large"
    assert codes["junk.txt"] == "binary"
    assert worker.proc.poll() is None, "the worker survived every bad document"
    with session_scope(database_url) as session:
        messages = session.scalars(select(Failure.message).where(Failure.error_code == "too_large")).all()
    assert any("limit is 200000" in m for m in messages)


def test_separate_extraction_reads_files_on_cpu_workers_and_models_on_model_workers(
    start_worker, database_url, tmp_path: Path
):
    """TALENTQ_SEPARATE_EXTRACTION: the `extract` queue's worker reads the files, the `resumes` worker only
    parses stored text; a bad file still ends as one failure row with its code, and a good one as one result."""
    split = {"TALENTQ_SEPARATE_EXTRACTION": "true"}
    cpu = start_worker(queues="extract", extra_env=split)
    model = start_worker(queues="resumes,scoring", extra_env=split)
    folder = tmp_path / "split"
    folder.mkdir()
    (folder / "split-good.txt").write_text(GOOD_RESUME + "\nSplit queues.", encoding="utf-8")
    (folder / "split-corrupt.pdf").write_bytes(b"%PDF-1.7\n split garbage \x00\xff" * 20)
    talentq("submit", "resumes", str(folder), env=split)
    codes = wait_for(
        lambda: _codes_by_file(database_url, folder) if len(_codes_by_file(database_url, folder)) == 2 else None,
        240,
        what="both documents handled",
        progress=lambda: (cpu.activity(), model.activity()),
    )
    assert codes == {"split-good.txt": "parsed", "split-corrupt.pdf": "corrupt"}
    assert "Task talentq.extract_text[" in cpu.log and "Task talentq.parse_resume[" not in cpu.log
    batch_ran = '"msg": "batch ran", "task": "talentq.parse_resume"'  # a micro-batched task logs its batches
    assert batch_ran in model.log and "Task talentq.extract_text[" not in model.log
    with session_scope(database_url) as session:
        good = session.scalars(select(Document).where(Document.filename == "split-good.txt")).one()
        assert good.text and good.text_hash == repository.sha256(good.text)
        bad = session.scalars(select(Document).where(Document.filename == "split-corrupt.pdf")).one()
        # One row for the document (the extract and the parse step both write it). Rows of other tasks'
        # subjects, comments and applications, may carry the same id: counting those gave "2 == 1".
        rows = session.scalars(
            select(Failure.task_name).where(
                Failure.subject_id == bad.id, Failure.task_name.in_([PARSE_RESUME, EXTRACT_TEXT])
            )
        ).all()
        assert rows == [PARSE_RESUME]


def _codes_by_file(url: str, folder: Path) -> dict[str, str]:
    names = {p.name for p in folder.iterdir()}
    with session_scope(url) as session:
        docs = session.scalars(select(Document).where(Document.filename.in_(names))).all()
        by_id = {d.id: d.filename for d in docs}
        out = {
            by_id[r.document_id]: "parsed"
            for r in session.scalars(select(ResumeResult).where(ResumeResult.document_id.in_(by_id)))
        }
        for f in session.scalars(
            select(Failure).where(Failure.task_name == "talentq.parse_resume", Failure.subject_id.in_(by_id))
        ):
            out[by_id[f.subject_id]] = f.error_code
    return out
