"""attachment fetches: résumés that HRIS events send as links, fetched by workers

Revision ID: 0011
Revises: 0010

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READER = "talentq_reader"


def upgrade() -> None:
    op.create_table(
        "attachment_fetches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("candidate_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("job_posting_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("document_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["job_posting_id"], ["job_postings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_attachment_fetches_candidate_id"), "attachment_fetches", ["candidate_id"])
    if op.get_bind().dialect.name == "postgresql":
        # A link may carry a signed token: the read-only role (0004's default grant) sees every column but the URL.
        op.execute(f"REVOKE SELECT ON attachment_fetches FROM {READER}")
        visible = "id, provider, filename, candidate_id, job_posting_id, document_id, state, created_at, updated_at"
        op.execute(f"GRANT SELECT ({visible}) ON attachment_fetches TO {READER}")


def downgrade() -> None:
    op.drop_index(op.f("ix_attachment_fetches_candidate_id"), table_name="attachment_fetches")
    op.drop_table("attachment_fetches")
