"""Sentiment by theme, as a user drives it: `talentq submit comments` → a real worker → the `sentiment_themes`
view in PostgreSQL → `talentq results themes --batch`."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from db import queries
from db.session import session_scope
from tests.support import talentq, wait_for

pytestmark = pytest.mark.timeout(420)

COMMENTS = {
    "th-1": "My salary is unfair: far below what other companies pay for the same job.",
    "th-2": "My line manager gives me useful feedback every week. The pension plan is generous.",
    "th-3": "We are constantly asked to work overtime to hit impossible deadlines.",
    "th-4": "Relocating to Canada with my family. My last day is 28 March.",
}


def theme_rows(url: str) -> list[dict]:
    view = queries.sentiment_themes
    with session_scope(url) as session:
        stmt = select(view).where(view.c.comment.in_(COMMENTS)).order_by(view.c.comment, view.c.theme)
        return [dict(row._mapping) for row in session.execute(stmt)]


def test_the_view_returns_per_theme_rows_after_a_worker_run(start_worker, database_url: str, tmp_path: Path) -> None:
    batch = tmp_path / "comments.csv"
    with batch.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "source", "text"])
        writer.writerows([external_id, "survey", text] for external_id, text in COMMENTS.items())
    worker = start_worker(queues="sentiment")
    talentq("submit", "comments", str(batch))

    def analysed() -> int:
        with session_scope(database_url) as session:
            rows = session.execute(select(queries.sentiment_themes.c.comment).distinct()).scalars().all()
            return len(set(rows) & set(COMMENTS))

    wait_for(lambda: analysed() == 3, 180, what="themes of the opinion comments", progress=worker.activity)
    rows = theme_rows(database_url)
    themes = {(row["comment"], row["theme"]) for row in rows}
    assert {("th-1", "pay"), ("th-2", "manager"), ("th-2", "benefits"), ("th-3", "workload")} <= themes
    assert not [row for row in rows if row["comment"] == "th-4"]  # a factual note raises no theme
    by_key = {(row["comment"], row["theme"]): row for row in rows}
    assert by_key[("th-1", "pay")]["label"] == "negative" and by_key[("th-2", "benefits")]["label"] == "positive"
    assert all(row["sentences"] >= 1 and 0.5 <= row["score"] <= 1 for row in rows)

    summary = talentq("results", "themes", "--batch", str(batch))
    assert "Sentiment by theme — 4 comments" in summary
    for theme in ("pay", "manager", "benefits", "workload"):
        assert theme in summary
