"""Results for other systems: current-result views, job-ended NOTIFY, outbound webhooks, least privilege

- Views ``current_resume_results``, ``current_sentiment``, ``current_scores`` and ``current_candidate_ranking``:
  one row per subject, its most recently written result. The deployed model version is the one that wrote last:
  a deployment that changes a version re-runs its jobs (``talentq batch submit`` skips only subjects already done
  with the current version), so each subject moves to the new version as its job lands, and a rollback moves it
  back the same way; no table of deployed versions can disagree with what workers wrote.
- PostgreSQL only (SQLite, the embedded mode, is single-user and has neither): a trigger on the result tables and
  ``failures`` sends ``NOTIFY talentq_results`` with ids only and queues one ``outbound_webhooks`` row per
  matching subscription, in the transaction that wrote the row, so an event exists exactly when its result does.
- ``talentq_reader`` reads the views and results but not document bytes or texts, comment texts, or the
  subscriptions' signing secrets (column grants).

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "talentq_reader"
CHANNEL = "talentq_results"
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(JSONB(), "postgresql")
TEXT_LIST = sa.JSON().with_variant(ARRAY(sa.Text()), "postgresql")
NOW = sa.DateTime(timezone=True)


def _newest(table: str, key: str) -> str:
    """Keeps the rows of ``r`` that no newer row of the same ``key`` follows. An anti-join, not a window over
    the whole table: a page ordered by ``updated_at`` (index below) reads only its own rows and their subjects'
    (250,000 sentiment rows: 1.3 s a page with ROW_NUMBER, 3-12 ms this way)."""
    return (
        f"NOT EXISTS (SELECT 1 FROM {table} n WHERE n.{key} = r.{key} AND (n.updated_at, n.id) > (r.updated_at, r.id))"
    )


# The API's page order (updated_at, subject): one index per result table.
PAGED = {"resume_results": "document_id", "sentiment_results": "comment_id", "score_results": "application_id"}

VIEWS = {
    "current_resume_results": f"""
SELECT r.id AS result_id, r.document_id, d.candidate_id, c.external_id AS candidate, d.filename,
       r.name, r.email, r.phone, r.location, r.current_title, r.years_experience, r.skills, r.canonical_skills,
       r.language, r.parsed, r.model_name, r.model_version, r.created_at, r.updated_at
FROM resume_results r
JOIN documents d ON d.id = r.document_id
LEFT JOIN candidates c ON c.id = d.candidate_id
WHERE {_newest("resume_results", "document_id")}""",
    "current_sentiment": f"""
SELECT r.id AS result_id, r.comment_id, m.external_id AS comment, m.candidate_id, m.source,
       r.label, r.score, r.detail, r.model_name, r.model_version, r.created_at, r.updated_at
FROM sentiment_results r
JOIN comments m ON m.id = r.comment_id
WHERE {_newest("sentiment_results", "comment_id")}""",
    "current_scores": f"""
SELECT r.id AS result_id, r.application_id, a.external_id AS application, a.candidate_id,
       c.external_id AS candidate, a.job_posting_id, p.external_id AS posting, a.document_id,
       r.score, r.components, r.explanation, r.model_name, r.model_version, r.created_at, r.updated_at
FROM score_results r
JOIN applications a ON a.id = r.application_id
JOIN job_postings p ON p.id = a.job_posting_id
JOIN candidates c ON c.id = a.candidate_id
WHERE {_newest("score_results", "application_id")}""",
    "current_candidate_ranking": """
SELECT posting, job_posting_id, application_id, candidate_id, candidate, score, explanation, model_version,
       updated_at, RANK() OVER (PARTITION BY posting ORDER BY score DESC) AS rank
FROM current_scores""",
}

# Shown by psql's \dv+ and database tools; the README's data model documents every column.
VIEW_COMMENTS = {
    "current_resume_results": "One row per parsed document: its most recently written resume_results row.",
    "current_sentiment": "One row per analysed comment: its most recently written sentiment_results row.",
    "current_scores": "One row per scored application: its most recently written score_results row.",
    "current_candidate_ranking": "current_scores ranked per posting (rank 1 = best; ties share a rank).",
}

# One function for the four tables: the event of a written row, ids only, to NOTIFY and to every subscription.
TRIGGER_FUNCTION = f"""
CREATE FUNCTION talentq_job_ended() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    event jsonb;
BEGIN
    IF TG_TABLE_NAME = 'resume_results' THEN
        event := jsonb_build_object('type', 'resume.parsed', 'result_id', NEW.id, 'document_id', NEW.document_id,
                                    'model_version', NEW.model_version);
    ELSIF TG_TABLE_NAME = 'sentiment_results' THEN
        event := jsonb_build_object('type', 'sentiment.analyzed', 'result_id', NEW.id, 'comment_id', NEW.comment_id,
                                    'model_version', NEW.model_version);
    ELSIF TG_TABLE_NAME = 'score_results' THEN
        event := jsonb_build_object('type', 'candidate.scored', 'result_id', NEW.id,
                                    'application_id', NEW.application_id, 'model_version', NEW.model_version);
    ELSE
        event := jsonb_build_object('type', 'job.failed', 'failure_id', NEW.id, 'task', NEW.task_name,
                                    'subject_id', NEW.subject_id, 'error_code', NEW.error_code);
    END IF;
    event := event || jsonb_build_object('occurred_at', NEW.updated_at);
    PERFORM pg_notify('{CHANNEL}', event::text);
    INSERT INTO outbound_webhooks (subscription_id, event_type, payload, state, attempts, next_attempt_at, created_at)
    SELECT s.id, event->>'type', event, 'pending', 0, now(), now()
    FROM webhook_subscriptions s
    WHERE s.active AND (s.event_types IS NULL OR event->>'type' = ANY (s.event_types));
    RETURN NULL;
END $$"""
TRIGGERED = ("resume_results", "sentiment_results", "score_results", "failures")

# Columns of raw texts and bytes the reader role must not see.
HIDDEN = {"documents": {"content", "text"}, "comments": {"text"}}


def upgrade() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", ID, primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("event_types", TEXT_LIST, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", NOW, nullable=False),
        sa.Column("updated_at", NOW, nullable=False),
    )
    op.create_table(
        "outbound_webhooks",
        sa.Column("id", ID, primary_key=True),
        sa.Column(
            "subscription_id",
            ID,
            sa.ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", NOW, nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", NOW, nullable=True),
        sa.Column("created_at", NOW, nullable=False),
    )
    due = sa.text("state = 'pending'")  # the dispatcher's claim reads pending rows only, however long the history
    op.create_index(
        "ix_outbound_webhooks_due",
        "outbound_webhooks",
        ["next_attempt_at", "id"],
        postgresql_where=due,
        sqlite_where=due,
    )
    op.create_table(
        "outbound_webhook_attempts",
        sa.Column("id", ID, primary_key=True),
        sa.Column(
            "delivery_id", ID, sa.ForeignKey("outbound_webhooks.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("attempted_at", NOW, nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
    )
    for table, key in PAGED.items():
        op.create_index(f"ix_{table}_updated_at_{key}", table, ["updated_at", key])
    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body}")
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, comment in VIEW_COMMENTS.items():
        op.execute(f"COMMENT ON VIEW {name} IS '{comment}'")
    op.execute(TRIGGER_FUNCTION)
    for table in TRIGGERED:
        op.execute(
            f"CREATE TRIGGER {table}_ended AFTER INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION talentq_job_ended()"
        )
    _restrict_reader()


def _restrict_reader() -> None:
    """Column grants: the reader keeps every column of these tables except the hidden ones."""
    inspector = sa.inspect(op.get_bind())
    for table, hidden in HIDDEN.items():
        visible = ", ".join(c["name"] for c in inspector.get_columns(table) if c["name"] not in hidden)
        op.execute(f"REVOKE SELECT ON {table} FROM {ROLE}")
        op.execute(f"GRANT SELECT ({visible}) ON {table} TO {ROLE}")
    op.execute(f"REVOKE ALL ON webhook_subscriptions FROM {ROLE}")
    op.execute(f"GRANT SELECT ON {', '.join(VIEWS)} TO {ROLE}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in HIDDEN:
            op.execute(f"REVOKE SELECT ON {table} FROM {ROLE}")
            op.execute(f"GRANT SELECT ON {table} TO {ROLE}")
        for table in TRIGGERED:
            op.execute(f"DROP TRIGGER {table}_ended ON {table}")
        op.execute("DROP FUNCTION talentq_job_ended()")
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW {name}")
    for table, key in PAGED.items():
        op.drop_index(f"ix_{table}_updated_at_{key}", table)
    op.drop_table("outbound_webhook_attempts")
    op.drop_table("outbound_webhooks")
    op.drop_table("webhook_subscriptions")
