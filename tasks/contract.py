"""The queue contract, in one place: task names, their queues and their payload schemas.

Payloads carry ids only, never document bytes or personal data: the bytes live in the
database, so messages stay small and Flower/Redis never show a résumé.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

PARSE_RESUME = "talentq.parse_resume"
ANALYZE_SENTIMENT = "talentq.analyze_sentiment"
SCORE_CANDIDATE = "talentq.score_candidate"
NIGHTLY_BATCH = "talentq.nightly_batch"

# One queue per job kind, so each can get its own workers (GPU for models, CPU for the rest).
QUEUES: dict[str, str] = {
    PARSE_RESUME: "resumes",
    ANALYZE_SENTIMENT: "sentiment",
    SCORE_CANDIDATE: "scoring",
    NIGHTLY_BATCH: "control",
}

DbId = Field(gt=0, lt=2**63)


class Payload(BaseModel):
    """Common fields; unknown fields are refused so a producer's typo fails loudly."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    batch_run_id: int | None = Field(None, gt=0, lt=2**63)


class ParseResumePayload(Payload):
    document_id: int = DbId


class AnalyzeSentimentPayload(Payload):
    comment_id: int = DbId


class ScoreCandidatePayload(Payload):
    application_id: int = DbId


PAYLOADS: dict[str, type[Payload]] = {
    PARSE_RESUME: ParseResumePayload,
    ANALYZE_SENTIMENT: AnalyzeSentimentPayload,
    SCORE_CANDIDATE: ScoreCandidatePayload,
}


def subject_of(payload: Payload) -> int:
    """The id a job is about: the key of its result row and of its failure row."""
    return next(v for k, v in payload.model_dump().items() if k != "batch_run_id")
