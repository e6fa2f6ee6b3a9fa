"""The webhook event schemas: talentq's generic format and the subset of Greenhouse's that maps onto it.

Generic events are strict (unknown fields refused); Greenhouse payloads are read leniently, since
Greenhouse adds fields over time. See docs/operations.md for examples.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, model_validator

# The generic format is also the form every provider's events are mapped onto.
ExternalId = Annotated[str, Field(min_length=1, max_length=200)]
EVENT_ID: TypeAdapter[str] = TypeAdapter(ExternalId)


def _b64decode(value: object) -> bytes:
    if not isinstance(value, str):
        raise ValueError("must be a base64 string")
    try:
        content = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not valid base64") from None
    if not content:
        raise ValueError("decodes to an empty file")
    return content


def _basename(value: object) -> object:
    """Keep only the file's name: a sender's path (``C:\\Users\\...``) is neither needed nor stored."""
    return PurePosixPath(value.replace("\\", "/")).name if isinstance(value, str) else value


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Filename = Annotated[str, BeforeValidator(_basename), Field(min_length=1, max_length=255)]


class ResumeFile(Schema):
    filename: Filename
    content: Annotated[bytes, BeforeValidator(_b64decode)] = Field(alias="content_base64")


class RemoteResume(Schema):
    """A résumé an event names by link: a worker fetches it (producers/attachments.py), never the request.
    ``provider`` says how: a plain download, or through that provider's file API (``producers.providers``)."""

    provider: str = Field(min_length=1, max_length=50)
    url: str = Field(min_length=1, max_length=4000)
    filename: Filename | None = None


Resume = ResumeFile | RemoteResume


class PostingIn(Schema):
    id: ExternalId
    title: str = Field(min_length=1, max_length=300)
    text: str = Field(min_length=1)


class CommentIn(Schema):
    id: ExternalId
    source: str = Field("unknown", min_length=1, max_length=50)
    text: str = Field(min_length=1)


class ApplicationSubmitted(Schema):
    """A candidate applied to a posting with a résumé: store both, then parse → score."""

    candidate_id: ExternalId
    posting_id: ExternalId | None = None
    posting: PostingIn | None = None  # inline posting, stored or updated; else it must exist
    resume: Resume

    @model_validator(mode="after")
    def _one_posting(self) -> ApplicationSubmitted:
        if self.posting is None and self.posting_id is None:
            raise ValueError("give posting_id (an existing posting) or posting {id, title, text}")
        if self.posting is not None and self.posting_id not in (None, self.posting.id):
            raise ValueError("posting_id and posting.id differ")
        return self

    @property
    def posting_ref(self) -> str:
        return self.posting.id if self.posting else self.posting_id  # type: ignore[return-value]


class ResumeUpdated(Schema):
    """A candidate's new résumé: re-parse it and re-score every application of the candidate."""

    candidate_id: ExternalId
    resume: Resume


class CommentSubmitted(Schema):
    """A review, survey answer or interview note: sentiment. ``candidate_id`` links it to the
    candidate it is about (an interview note), so erasing them removes it."""

    comment: CommentIn
    candidate_id: ExternalId | None = None


Action = ApplicationSubmitted | ResumeUpdated | CommentSubmitted


class Event(Schema):
    event_id: ExternalId


class ApplicationSubmittedEvent(Event):
    type: Literal["application.submitted"]
    data: ApplicationSubmitted


class ResumeUpdatedEvent(Event):
    type: Literal["resume.updated"]
    data: ResumeUpdated


class CommentSubmittedEvent(Event):
    type: Literal["comment.submitted"]
    data: CommentSubmitted


GENERIC_EVENT: TypeAdapter[Event] = TypeAdapter(
    Annotated[ApplicationSubmittedEvent | ResumeUpdatedEvent | CommentSubmittedEvent, Field(discriminator="type")]
)


# --- Greenhouse: the subset of its payloads we read, mapped onto the actions above ---


class Lenient(BaseModel):
    """Greenhouse sends many more fields than we read; they are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class GreenhouseAttachment(Lenient):
    filename: str
    type: str
    url: str | None = None
    content_base64: str | None = None  # our extension: Greenhouse itself sends a URL only


class GreenhouseCandidate(Lenient):
    id: int
    attachments: list[GreenhouseAttachment] = []

    @property
    def external_id(self) -> str:
        return f"greenhouse:candidate:{self.id}"

    def resume(self) -> Resume | None:
        """The attachment of type resume: its link (what Greenhouse sends), or its bytes inline."""
        found = next((a for a in self.attachments if a.type == "resume"), None)
        if found is None:
            return None
        if found.content_base64 is not None:
            return ResumeFile(filename=found.filename, content_base64=found.content_base64)
        if found.url is None:
            raise ValueError("the résumé attachment has neither url nor content_base64")
        return RemoteResume(provider="greenhouse", url=found.url, filename=found.filename)


class GreenhouseJob(Lenient):
    id: int
    name: str
    content: str | None = None  # posting text; without it the posting must already be stored

    @property
    def external_id(self) -> str:
        return f"greenhouse:job:{self.id}"


class GreenhouseApplication(Lenient):
    id: int
    candidate: GreenhouseCandidate
    jobs: list[GreenhouseJob] = Field(min_length=1)


class NewCandidateApplication(Lenient):
    application: GreenhouseApplication

    @property
    def subject_id(self) -> int:
        return self.application.id

    def action(self) -> ApplicationSubmitted:
        job, candidate = self.application.jobs[0], self.application.candidate
        resume = candidate.resume()
        if resume is None:
            raise ValueError("the candidate has no attachment of type resume")
        posting = PostingIn(id=job.external_id, title=job.name, text=job.content) if job.content else None
        return ApplicationSubmitted(
            candidate_id=candidate.external_id, posting_id=job.external_id, posting=posting, resume=resume
        )


class UpdateCandidate(Lenient):
    candidate: GreenhouseCandidate

    @property
    def subject_id(self) -> int:
        return self.candidate.id

    def action(self) -> ResumeUpdated | None:
        resume = self.candidate.resume()
        return None if resume is None else ResumeUpdated(candidate_id=self.candidate.external_id, resume=resume)


class GreenhouseEvent(Lenient):
    action: str = Field(min_length=1, max_length=100)
    payload: dict[str, Any]


GREENHOUSE_ACTIONS: dict[str, type[NewCandidateApplication | UpdateCandidate]] = {
    "new_candidate_application": NewCandidateApplication,
    "update_candidate": UpdateCandidate,
}


# --- providers: how each one's deliveries are verified and read ---
