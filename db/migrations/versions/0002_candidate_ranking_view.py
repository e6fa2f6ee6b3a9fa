"""candidate_ranking view: the shortlist per posting, for consumers and `talentq rank`

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEW = """
CREATE VIEW candidate_ranking AS
SELECT
    p.external_id AS posting,
    p.title AS posting_title,
    a.id AS application_id,
    a.candidate_id,
    c.external_id AS candidate,
    s.score,
    s.components,
    s.explanation,
    s.model_version,
    s.updated_at AS scored_at,
    RANK() OVER (PARTITION BY a.job_posting_id, s.model_version ORDER BY s.score DESC) AS rank
FROM score_results s
JOIN applications a ON a.id = s.application_id
JOIN job_postings p ON p.id = a.job_posting_id
JOIN candidates c ON c.id = a.candidate_id
"""


def upgrade() -> None:
    op.execute(VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW candidate_ranking")
