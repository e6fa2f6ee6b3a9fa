"""The read API: candidates, current résumé results, sentiment, scores and rankings for other systems.

Every ``/v1`` route needs an ``X-API-Key`` header holding one of ``TALENTQ_API_KEYS`` (none set: every request
is refused). It reads the consumers' views (migration 0008) through ``TALENTQ_API_DATABASE_URL``, meant to be a
``talentq_reader`` login, so the API cannot write and cannot see document bytes or texts. Lists are keyset
pages in order of ``updated_at`` (``updated_since`` filters, ``next_cursor`` continues), so a consumer that
keeps its last cursor reads each change once. OpenAPI at ``/docs`` and ``/openapi.json``.

Run with ``talentq api serve`` (``uvicorn producers.api:app``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Security
from fastapi.security import APIKeyHeader
from pydantic import BaseModel
from sqlalchemy import Table

from config.logging import configure_logging
from config.settings import get_settings
from db import views
from db.session import session_scope

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="One of TALENTQ_API_KEYS.")


def require_key(key: Annotated[str | None, Security(api_key_header)]) -> None:
    """Constant-time comparison against every configured key."""
    if not key or not any(hmac.compare_digest(key.encode(), k.encode()) for k in get_settings().api_keys):
        raise HTTPException(401, "missing or unknown API key", headers={"WWW-Authenticate": "ApiKey"})


class Page(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None = None


def encode_cursor(row: dict[str, Any], key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([row["updated_at"].isoformat(), row[key]]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        stamp, key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(stamp), int(key)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise HTTPException(400, "invalid cursor") from exc


Limit = Annotated[int, Query(ge=1, le=500, description="Most items per page.")]
Since = Annotated[datetime | None, Query(description="Only items written at or after this time (ISO 8601).")]
CursorParam = Annotated[str | None, Query(description="`next_cursor` of the previous page.")]

app = FastAPI(
    title="talentq read API",
    version="1",
    description="Current results of talentq's résumé parsing, sentiment and candidate scoring. "
    "Send `X-API-Key`. Lists page by `updated_at`; pass `next_cursor` back as `cursor`.",
)
v1 = APIRouter(prefix="/v1", dependencies=[Depends(require_key)])


def _read(fn: Callable[..., Any], *args: Any) -> Any:
    with session_scope(get_settings().reader_database_url) as session:
        return fn(session, *args)


def _collection(path: str, view: Table, key: str, summary: str) -> None:
    """``GET /v1/{path}`` (a page) and ``GET /v1/{path}/{key}`` (one item) over ``view``."""

    def list_items(limit: Limit = 100, updated_since: Since = None, cursor: CursorParam = None) -> Page:
        after = decode_cursor(cursor) if cursor else None
        rows = _read(views.page, view, key, limit, updated_since, after)
        return Page(items=rows, next_cursor=encode_cursor(rows[-1], key) if len(rows) == limit else None)

    def get_item(item_id: int) -> dict[str, Any]:
        row = _read(views.one, view, key, item_id)
        if row is None:
            raise HTTPException(404, f"no {path} item {item_id}")
        return row

    v1.add_api_route(f"/{path}", list_items, methods=["GET"], summary=summary, response_model=Page)
    v1.add_api_route(
        f"/{path}/{{item_id}}", get_item, methods=["GET"], summary=f"One item by {key}", name=f"{path}_item"
    )


_collection("candidates", views.candidates, "id", "Candidates (external id, name, email)")
_collection("resume-results", views.current_resume_results, "document_id", "Current résumé result per document")
_collection("sentiment", views.current_sentiment, "comment_id", "Current sentiment per comment")
_collection("scores", views.current_scores, "application_id", "Current score per application")


@v1.get("/postings/{posting}/ranking", summary="The shortlist of a posting (external id), best first")
def ranking(posting: str, limit: Limit = 100, offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
    return _read(views.ranking, posting, limit, offset)


@app.get("/health", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


app.include_router(v1)


def serve(host: str = "127.0.0.1", port: int = 8100) -> None:
    import uvicorn

    configure_logging(get_settings().log_level)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, proxy_headers=True)
