"""Extraction's limits on a real worker: a DOCX bomb is refused before it is parsed (the pool process's peak
memory stays small), and a document that takes longer than the task's soft time limit is recorded as
``timeout``, not ``corrupt``. The worker consumes only the ``extract`` queue, so no model loads."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator

import docx
import pytest

from db import repository
from db.session import session_scope
from tasks.app import app
from tasks.contract import EXTRACT_TEXT, PARSE_RESUME, QUEUES, ExtractTextPayload
from tests.faults import failures_of, rss_kib
from tests.support import WorkerProcess, pool_pids, wait_for

pytestmark = pytest.mark.timeout(300)

TIME_LIMIT_S = 15  # soft limit 12 s (tasks/app.py)
XML_BOMB_BYTES = 150 << 20  # the attack's figure: 150 MB of XML in a file of a few hundred KB


@pytest.fixture(scope="module")
def worker(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    log = tmp_path_factory.mktemp("extract-worker") / "worker.log"
    process = WorkerProcess(log, "extract", 1, {"TALENTQ_TASK_TIME_LIMIT_S": str(TIME_LIMIT_S)})
    yield process
    process.stop()


def extract(database_url: str, name: str, data: bytes) -> str:
    """Store ``data`` as a candidate's document, send one extract_text job, wait for its failure code."""
    with session_scope(database_url) as session:
        candidate = repository.add_candidate(session, f"extract-{name}")
        document = repository.add_document(session, candidate.id, name, data, repository.sha256(data), len(data))
        document_id = document.id
    payload = ExtractTextPayload(document_id=document_id).model_dump()
    app.send_task(EXTRACT_TEXT, args=[payload], queue=QUEUES[EXTRACT_TEXT])
    codes = wait_for(lambda: failures_of(database_url, PARSE_RESUME, [document_id]), 240, what=f"{name} recorded")
    return codes[document_id]


def docx_bomb(xml_bytes: int, part: str = "word/document.xml") -> bytes:
    """A real DOCX whose main part is ``xml_bytes`` of valid paragraphs (it deflates about 1,000:1), stored as
    ``part``: under another name its content type still says XML, and python-docx goes by that."""
    document = docx.Document()
    document.add_paragraph("Jane Doe, Python engineer")
    source, buffer = zipfile.ZipFile(io.BytesIO(_saved(document))), io.BytesIO()
    paragraph = b"<w:p><w:r><w:t>Python engineer</w:t></w:r></w:p>" * 1000
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "word/document.xml":  # the content types and the package's rels name the part
                archive.writestr(info.filename, source.read(info).replace(b"word/document.xml", part.encode()))
        with archive.open(part, "w") as xml:
            xml.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')
            xml.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
            for _ in range(xml_bytes // len(paragraph)):
                xml.write(paragraph)
            xml.write(b"</w:body></w:document>")
    return buffer.getvalue()


def _saved(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def slow_pdf(pages: int = 100, ops: int = 20_000) -> bytes:
    """A valid PDF of ``pages`` pages that share one content stream of ``ops`` positioned words: about a second
    of pypdf time per page here, so extraction runs into its 20 s budget, past the 12 s soft limit."""
    words = b"".join(b"1 0 0 1 %d %d Tm (w%d) Tj " % (i % 500, i % 700, i) for i in range(ops))
    stream = zlib.compress(b"BT /F1 8 Tf " + words + b"ET")
    resources = b"/Resources << /Font << /F1 3 0 R >> >>"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R " + resources + b" >>"
    kids = b" ".join(b"%d 0 R" % (5 + p) for p in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        *[page] * pages,
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.mark.parametrize("part", ["word/document.xml", "word/document.bin"])
def test_a_docx_bomb_is_too_large_before_parsing_and_the_pool_stays_small(worker, database_url, part):
    bomb = docx_bomb(XML_BOMB_BYTES, part)
    assert len(bomb) < 1 << 20
    (pool,) = pool_pids(worker.proc.pid)
    peak_before = rss_kib(pool, "VmHWM")
    assert extract(database_url, f"bomb-{part.rsplit('.', 1)[1]}.docx", bomb) == "too_large"
    grown_mib = (rss_kib(pool, "VmHWM") - peak_before) / 1024
    assert grown_mib < 200, f"the pool process's peak memory grew {grown_mib:.0f} MiB"


def test_extraction_past_the_soft_time_limit_is_timeout_not_corrupt(worker, database_url):
    assert extract(database_url, "slow.pdf", slow_pdf()) == "timeout"
    assert worker.proc.poll() is None
