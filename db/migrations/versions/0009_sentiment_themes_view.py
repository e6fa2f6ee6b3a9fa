"""sentiment_themes view: one row per comment, model version and theme, from ``sentiment_results.detail``

The per-theme sentiment lives in ``detail.themes`` (JSON, one entry per theme a comment raises); this view
flattens it for consumers and ``talentq results themes``. PostgreSQL reads the JSONB array, SQLite its JSON.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def view(dialect: str) -> str:
    """The view's SQL: the same columns from PostgreSQL's JSONB functions or SQLite's JSON ones."""
    if dialect == "postgresql":
        rows = "CROSS JOIN LATERAL jsonb_array_elements(COALESCE(s.detail -> 'themes', '[]'::jsonb)) AS t"
        field, number, count = "t ->> '{}'", "(t ->> '{}')::float", "jsonb_array_length(t -> 'sentences')"
    else:
        rows = "JOIN json_each(s.detail, '$.themes') AS t"
        field = number = "json_extract(t.value, '$.{}')"
        count = "json_array_length(t.value, '$.sentences')"
    return f"""
CREATE VIEW sentiment_themes AS
SELECT
    c.id AS comment_id,
    c.external_id AS comment,
    c.source,
    s.model_version,
    s.label AS comment_label,
    {field.format("theme")} AS theme,
    {field.format("label")} AS label,
    {number.format("score")} AS score,
    {number.format("positive_probability")} AS positive_probability,
    {count} AS sentences,
    s.updated_at AS analysed_at
FROM sentiment_results s
JOIN comments c ON c.id = s.comment_id
{rows}
"""


def upgrade() -> None:
    op.execute(view(op.get_bind().dialect.name))


def downgrade() -> None:
    op.execute("DROP VIEW sentiment_themes")
