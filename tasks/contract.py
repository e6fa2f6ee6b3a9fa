"""The queue contract, in one place: task names, their queues and their payload schemas.

Payloads carry ids only, never document bytes or personal data: the bytes live in the
database, so messages stay small and Flower/Redis never show a résumé.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

EXTRACT_TEXT = "talentq.extract_text"
PARSE_RESUME = "talentq.parse_resume"
ANALYZE_SENTIMENT = "talentq.analyze_sentiment"
ANALYZE_SENTIMENTS = "talentq.analyze_sentiments"
SCORE_CANDIDATE = "talentq.score_candidate"
NIGHTLY_BATCH = "talentq.nightly_batch"
FETCH_ATTACHMENT = "talentq.fetch_attachment"

# One queue per job kind, so each can get its own workers (GPU for models, CPU for the rest).
QUEUES: dict[str, str] = {
    EXTRACT_TEXT: "extract",  # CPU work: with TALENTQ_SEPARATE_EXTRACTION, model workers never read files
    PARSE_RESUME: "resumes",
    ANALYZE_SENTIMENT: "sentiment",
    ANALYZE_SENTIMENTS: "sentiment",
    SCORE_CANDIDATE: "scoring",
    NIGHTLY_BATCH: "control",
    FETCH_ATTACHMENT: "extract",  # network I/O on CPU workers: an HRIS event's résumé link (producers/attachments.py)
}

# Where malformed broker messages are kept (tasks/quarantine.py); the workers' metrics count it.
QUARANTINE_KEY = "talentq:quarantine"

# Two lanes per queue: ``interactive`` (HRIS events, single submissions: someone is waiting) on the queue named
# above, ``bulk`` (batch runs, the nightly run) on the same name plus BULK_SUFFIX. Workers take interactive work
# first and bulk work at least once every TALENTQ_BULK_EVERY jobs (tasks/lanes.py), so neither starves the other.
Lane = Literal["interactive", "bulk"]
WorkerLanes = Literal["both", "interactive", "bulk"]  # what a worker consumes: both lanes, or one
BULK_SUFFIX = ".bulk"
LANED = sorted({queue for name, queue in QUEUES.items() if name != NIGHTLY_BATCH})


def queue_of(task_name: str, lane: Lane = "interactive") -> str:
    """The queue a task's message goes to in ``lane``."""
    queue = QUEUES[task_name]
    return queue + BULK_SUFFIX if lane == "bulk" and queue in LANED else queue


def is_bulk(queue: str) -> bool:
    return queue.endswith(BULK_SUFFIX)


def with_lanes(queues: list[str], lanes: WorkerLanes = "both") -> list[str]:
    """A worker's queues in ``lanes``: by default the named ones first, then the bulk lane of each laned one (a
    worker named for ``resumes`` also runs the nightly résumés, after the interactive ones); ``interactive`` keeps
    the names as given, ``bulk`` turns each laned one into its bulk lane. A name ending in ``.bulk`` is kept."""
    bulk = [queue + BULK_SUFFIX if queue in LANED else queue for queue in queues]
    chosen = {"both": [*queues, *bulk], "interactive": queues, "bulk": bulk}[lanes]
    return list(dict.fromkeys(chosen))


ALL_QUEUES = sorted(with_lanes([*LANED, "control"]))

DbId = Field(gt=0, lt=2**63)
MAX_BULK_IDS = 1000  # bounds one message's handler call and transaction


class Payload(BaseModel):
    """Common fields; unknown fields are refused so a producer's typo fails loudly."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    batch_run_id: int | None = Field(None, gt=0, lt=2**63)


class ExtractTextPayload(Payload):
    document_id: int = DbId


class ParseResumePayload(Payload):
    document_id: int = DbId
    extracted: bool = Field(False, description="an extract step just stored the document's text: parse that")


class AnalyzeSentimentPayload(Payload):
    comment_id: int = DbId


class AnalyzeSentimentsPayload(Payload):
    """Many comments in one message, for producers that have many at once (a CSV import, a bulk run).
    Short texts cost little to model, so one message per comment makes the queue, not the model, the
    bottleneck (docs/benchmarks.md); a single event still goes as ``AnalyzeSentimentPayload``."""

    comment_ids: list[Annotated[int, DbId]] = Field(min_length=1, max_length=MAX_BULK_IDS)

    def jobs(self) -> list[AnalyzeSentimentPayload]:
        return [AnalyzeSentimentPayload(comment_id=i, batch_run_id=self.batch_run_id) for i in self.comment_ids]


class ScoreCandidatePayload(Payload):
    application_id: int = DbId


class FetchAttachmentPayload(Payload):
    fetch_id: int = DbId


PAYLOADS: dict[str, type[Payload]] = {
    EXTRACT_TEXT: ExtractTextPayload,
    PARSE_RESUME: ParseResumePayload,
    ANALYZE_SENTIMENT: AnalyzeSentimentPayload,
    ANALYZE_SENTIMENTS: AnalyzeSentimentsPayload,
    SCORE_CANDIDATE: ScoreCandidatePayload,
    FETCH_ATTACHMENT: FetchAttachmentPayload,
}

# The task whose name a job's failure row carries. A bulk message carries jobs of another task: they are
# dead-lettered as that task's. An extract step is the first half of a résumé's parse: its failures are the
# résumé's, so a document has one failure row (task, subject) whichever step failed.
JOB_TASK: dict[str, str] = {ANALYZE_SENTIMENTS: ANALYZE_SENTIMENT, EXTRACT_TEXT: PARSE_RESUME}


def jobs_of(payload: Payload) -> list[Payload]:
    """The jobs a message carries: itself, or each id of a bulk payload."""
    return list(payload.jobs()) if isinstance(payload, AnalyzeSentimentsPayload) else [payload]


def subject_of(payload: Payload) -> int:
    """The id a job is about: the key of its result row and of its failure row."""
    return next(v for k, v in payload.model_dump().items() if k.endswith("_id") and k != "batch_run_id")
