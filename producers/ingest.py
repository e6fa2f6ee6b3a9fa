"""Reading user files into the database: résumés, job postings, comments, applications.

Only ids go on the queue afterwards; the bytes stay here.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from db import repository
from db.models import Application, Comment, JobPosting
from producers.errors import UserError

RESUME_SUFFIXES = {".pdf", ".docx", ".txt", ".md", ".html", ".htm", ".doc", ".rtf"}
SCAN_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}  # images of résumés: workers read them by OCR


@dataclass(frozen=True)
class Submitted:
    application_ids: list[int]
    document_ids: list[int]


def posting_from_file(session: Session, path: Path) -> JobPosting:
    """A Markdown/text posting; its title is the first non-empty line without ``#``."""
    text = path.read_text(encoding="utf-8", errors="replace")
    first = next((line for line in text.splitlines() if line.strip()), path.stem)
    return repository.add_posting(session, path.stem, first.lstrip("#").strip()[:300], text)


class MissingFolder(UserError):
    """A folder of résumés that is not there: a typo, or a mount that is down. Never an empty success."""

    def __init__(self, folder: Path) -> None:
        super().__init__(f"no such folder of résumés: {folder}")
        self.folder = folder


def resume_files(folder: Path) -> list[Path]:
    """The résumé files under ``folder``; raises ``MissingFolder`` when it is not a directory, since
    `Path.rglob` finds nothing there and a mistyped folder would pass as a run of 0 jobs."""
    if not folder.is_dir():
        raise MissingFolder(folder)
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in RESUME_SUFFIXES | SCAN_SUFFIXES)


def read_capped(path: Path, max_bytes: int) -> tuple[bytes, str, int]:
    """(content, sha256, size); an oversize file keeps its hash and size but not its bytes,
    so the worker records ``too_large`` without the database holding gigabytes."""
    digest, size, chunks = hashlib.sha256(), 0, []
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
            if size <= max_bytes:
                chunks.append(block)
    return (b"".join(chunks) if size <= max_bytes else b""), digest.hexdigest(), size


def add_resume(session: Session, path: Path, posting: JobPosting | None, max_bytes: int) -> tuple[int, int | None]:
    """Store one résumé file (candidate keyed by file stem); returns (document id, application id)."""
    content, digest, size = read_capped(path, max_bytes)
    candidate = repository.add_candidate(session, path.stem)
    document = repository.add_document(session, candidate.id, path.name, content, digest, size)
    if posting is None:
        return document.id, None
    application = repository.add_application(session, candidate.id, posting.id, document.id)
    return document.id, application.id


def applications_from_csv(
    session: Session, csv_path: Path, resumes: Path, postings: Path, max_bytes: int
) -> list[Application]:
    """Rows ``resume,posting``: a résumé file name applying to a posting file stem."""
    found: dict[str, JobPosting] = {}
    out = []
    with csv_path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            slug = row["posting"]
            if slug not in found:
                found[slug] = posting_from_file(session, postings / f"{slug}.md")
            _, application_id = add_resume(session, resumes / row["resume"], found[slug], max_bytes)
            out.append(session.get(Application, application_id))
    return out


def comment_ids_from_csv(path: Path) -> list[str]:
    """The external ids (``id`` column) of a comments CSV: the batch ``talentq results themes --batch`` sums up."""
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        return [row["id"] for row in csv.DictReader(handle)]


def comments_from_csv(session: Session, path: Path) -> list[Comment]:
    """Rows ``id,source,text[,candidate_id]`` (source: survey, performance_review, exit_interview, ...);
    ``candidate_id``, a candidate's external id, links the comment to them, so erasure removes it."""
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        return [
            repository.add_comment(
                session, row["id"], row.get("source") or "unknown", row["text"], row.get("candidate_id") or None
            )
            for row in csv.DictReader(handle)
        ]
